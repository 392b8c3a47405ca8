#!/usr/bin/env python3
"""Writes tests/unit/backup_ext_vectors.h from the real GPMC backups.

For each backup in ../shared/fixtures/gpmc-backups/{BACKUP-ID}/ it takes
what gpo_backup_ext_xml() needs as input -- the GPO GUID and domain from
GroupPolicyCoreSettings, the DC from the SourceExpandedPath values, the
machine and user extension lists, and the files and directories of
DomainSysvol/GPO -- and, as the expected output, the bytes of Backup.xml
between "</GroupPolicyCoreSettings>" and "</GroupPolicyObject>".

The backups came through git, which changes what the tree can tell:

  * git keeps no empty directory, so the empty directories GPMC saw on
    SYSVOL (Adm, Machine\\Scripts\\Startup, ...) are missing from the tree.
    Backup.xml's Unknown Extension lists every directory with its
    Location, so they are added back from there ("added").
  * the backup's folders are spelled as GPMC created them, and GPMC
    created Machine\\microsoft\\windows nt from Security's template path
    before it walked SYSVOL, whose folders were Microsoft\\Windows NT. The
    Unknown Extension spells them as SYSVOL did, so that spelling is used
    ("recased").

Nothing else is taken from Backup.xml's extension part. Each entry says in
a comment where it came from, and the script stops if a file that GPMC
listed is missing from the tree (no such case today).

Run from anywhere:  python3 tests/unit/gen_backup_ext_vectors.py [FIXTURES]
"""

import html
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_FIXTURES = os.path.join(REPO, "..", "shared", "fixtures",
                                "gpmc-backups")
OUT = os.path.join(HERE, "backup_ext_vectors.h")

CORE_END = b"</GroupPolicyCoreSettings>"
GPO_END = b"</GroupPolicyObject>"
UNKNOWN = 'bkp:DescName="Unknown Extension"'


def core_value(core, name):
    """The text of a GroupPolicyCoreSettings child ('' when <X/>)."""
    if re.search(r"<%s/>" % name, core):
        return ""
    m = re.search(r"<%s><!\[CDATA\[(.*?)\]\]></%s>" % (name, name), core,
                  re.S)
    if not m:
        sys.exit("no %s in GroupPolicyCoreSettings" % name)
    return m.group(1)


def objects(section):
    """(element, attributes) of every FSObjectFile/FSObjectDir."""
    out = []
    for m in re.finditer(r"<(FSObjectFile|FSObjectDir)((?: bkp:\w+=\"[^\"]*\")*)",
                         section):
        attrs = {k: html.unescape(v)
                 for k, v in re.findall(r'bkp:(\w+)="([^"]*)"', m.group(2))}
        out.append((m.group(1), attrs))
    return out


def tree(root):
    """The files and directories under root, '/'-separated, in a stable
    order."""
    entries = []
    for top, dirs, files in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(top, root)
        for d in dirs:
            entries.append((os.path.normpath(os.path.join(rel, d)), True))
        for f in sorted(files):
            entries.append((os.path.normpath(os.path.join(rel, f)), False))
    return [(p.replace(os.sep, "/"), d) for p, d in entries]


def vector(folder):
    name = os.path.basename(folder)
    data = open(os.path.join(folder, "Backup.xml"), "rb").read()
    if not data.startswith(b"<?xml") or data.count(CORE_END) != 1:
        sys.exit("%s: not a GPMC Backup.xml" % name)
    head, rest = data.split(CORE_END)
    expected = rest[:rest.index(GPO_END)]
    core = head.decode("utf-8")
    section = expected.decode("utf-8")
    guid = core_value(core, "ID")
    domain = core_value(core, "Domain")
    machine_ext = core_value(core, "MachineExtensionGuids")
    user_ext = core_value(core, "UserExtensionGuids")

    objs = objects(section)
    prefix = None
    for _, a in objs:
        m = re.match(r"\\\\([^\\]+)\\sysvol\\([^\\]+)\\Policies\\(\{[^}]+\})",
                     a["SourceExpandedPath"])
        if not m or m.group(2) != domain or m.group(3) != guid:
            sys.exit("%s: unexpected SourceExpandedPath %r"
                     % (name, a["SourceExpandedPath"]))
        if prefix not in (None, m.group(1)):
            sys.exit("%s: two DCs in SourceExpandedPath" % name)
        prefix = m.group(1)
    dc = prefix

    listed = tree(os.path.join(folder, "DomainSysvol", "GPO"))
    live = {p.casefold(): [p, d, "tree"] for p, d in listed}
    # What SYSVOL held, as the Unknown Extension spells it.
    unknown = objects(section[section.index(UNKNOWN):])
    spelling = {}
    for elem, a in unknown:
        loc = a["Location"]
        if not loc.startswith("DomainSysvol\\GPO\\"):
            sys.exit("%s: Location outside DomainSysvol: %r" % (name, loc))
        path = loc[len("DomainSysvol\\GPO\\"):].replace("\\", "/")
        key = path.casefold()
        spelling[key] = path
        if key not in live:
            if elem != "FSObjectDir":
                sys.exit("%s: GPMC listed %s, the backup lacks it"
                         % (name, path))
            live[key] = [path, True, "added: an empty directory"]
    for _, a in objs:
        loc = a.get("Location")
        if loc and loc[len("DomainSysvol\\GPO\\"):].replace(
                "\\", "/").casefold() not in live:
            sys.exit("%s: GPMC listed %s, the backup lacks it" % (name, loc))
    # Respell every path component by component.
    for entry in live.values():
        parts = entry[0].split("/")
        spelled = "/".join(
            spelling.get("/".join(parts[:i + 1]).casefold(), parts[i])
            .split("/")[-1] for i in range(len(parts)))
        if spelled != entry[0]:
            if entry[2] == "tree":
                entry[2] = "recased from the tree's %s" % entry[0]
            entry[0] = spelled
    entries = [live[p.casefold()] for p, _ in listed]
    entries += [e for e in live.values() if e[2].startswith("added")]
    return {
        "name": name,
        "guid": guid,
        "dc": dc,
        "domain": domain,
        "machine_ext": machine_ext,
        "user_ext": user_ext,
        "entries": entries,
        "expected": expected,
        "tail": rest[rest.index(GPO_END) + len(GPO_END):],
    }


def c_string(data, indent="\t"):
    """data as C string literals, one source line per output line."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    lines = []
    cur = ""
    for i, byte in enumerate(data):
        c = chr(byte)
        if c == "\\":
            cur += "\\\\"
        elif c == '"':
            cur += '\\"'
        elif c == "?":
            cur += "\\?"
        elif c == "\r":
            cur += "\\r"
        elif c == "\n":
            cur += "\\n"
        elif c == "\t":
            cur += "\\t"
        elif 0x20 <= byte < 0x7f:
            cur += c
        else:
            cur += "\\%03o" % byte
        if c == "\n" or len(cur) >= 68:
            lines.append(cur)
            cur = ""
    if cur or not lines:
        lines.append(cur)
    return ("\n" + indent).join('"%s"' % line for line in lines)


def main():
    fixtures = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_FIXTURES
    names = sorted(n for n in os.listdir(fixtures)
                   if os.path.isfile(os.path.join(fixtures, n, "Backup.xml")))
    vectors = [vector(os.path.join(fixtures, n)) for n in names]
    out = []
    w = out.append
    w("/* Generated by tests/unit/gen_backup_ext_vectors.py from the real "
      "GPMC\n * backups in shared/fixtures/gpmc-backups; do not edit. "
      "See the script for\n * where each SYSVOL entry comes from. */\n")
    w("#ifndef BACKUP_EXT_VECTORS_H\n#define BACKUP_EXT_VECTORS_H\n\n")
    w("#include <stdbool.h>\n#include <stddef.h>\n\n")
    w('#include "gpo_backup_ext.h"\n\n')
    w("struct bx_vector {\n"
      "\tconst char *backup_id;\n"
      "\tconst char *gpo_guid;\n"
      "\tconst char *dc;\n"
      "\tconst char *domain;\n"
      "\tconst char *machine_ext;\n"
      "\tconst char *user_ext;\n"
      "\tconst struct gpo_sysvol_entry *entries;\n"
      "\tsize_t n_entries;\n"
      "\tsize_t n_added;     /* empty directories git did not keep */\n"
      "\tsize_t n_recased;   /* spelled as SYSVOL, not as the backup */\n"
      "\tconst char *expected;  /* after </GroupPolicyCoreSettings>, "
      "up to\n\t\t\t\t * </GroupPolicyObject> */\n"
      "\tsize_t expected_len;\n"
      "\tconst char *tail;      /* after </GroupPolicyObject> */\n"
      "};\n\n")
    for i, v in enumerate(vectors):
        w("/* %s */\n" % v["name"])
        w("static const struct gpo_sysvol_entry bx_entries_%d[] = {\n" % i)
        for path, is_dir, origin in v["entries"]:
            w("\t{ %s, %s },\t/* %s */\n"
              % (c_string(path), "true" if is_dir else "false", origin))
        w("};\n\n")
        w("static const char bx_expected_%d[] =\n\t%s;\n\n"
          % (i, c_string(v["expected"])))
    w("static const struct bx_vector bx_vectors[] = {\n")
    for i, v in enumerate(vectors):
        added = sum(1 for e in v["entries"] if e[2].startswith("added"))
        recased = sum(1 for e in v["entries"] if e[2].startswith("recased"))
        w("\t{ %s,\n\t  %s, %s, %s,\n\t  %s,\n\t  %s,\n"
          % (c_string(v["name"]), c_string(v["guid"]), c_string(v["dc"]),
             c_string(v["domain"]), c_string(v["machine_ext"], "\t  "),
             c_string(v["user_ext"], "\t  ")))
        w("\t  bx_entries_%d, %d, %d, %d,\n"
          % (i, len(v["entries"]), added, recased))
        w("\t  bx_expected_%d, sizeof(bx_expected_%d) - 1, %s },\n"
          % (i, i, c_string(v["tail"], "\t  ")))
    w("};\n\n#define BX_N_VECTORS %d\n\n#endif\n" % len(vectors))
    with open(OUT, "w", encoding="ascii", newline="\n") as f:
        f.write("".join(out))
    for v in vectors:
        added = [e[0] for e in v["entries"] if e[2].startswith("added")]
        recased = [e[0] for e in v["entries"] if e[2].startswith("recased")]
        print("%s: %d entries, %d added, %d recased"
              % (v["name"], len(v["entries"]), len(added), len(recased)))


if __name__ == "__main__":
    main()
