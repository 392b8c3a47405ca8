#!/usr/bin/python3
"""Writes tests/unit/fsacl_vectors.h: what Samba's own code derives as the
SYSVOL folder ACL of a GPO from its directory security descriptor.

Each vector is a directory descriptor (nTSecurityDescriptor, binary) and
what samba.ntacls.dsacl2fsacl makes of it, called as `samba-tool gpo
aclcheck` calls it (Samba 4.17: the descriptor through
ndr_unpack(...).as_sddl(), then dsacl2fsacl(sddl, domain_sid)), packed
with ndr_pack; None where Samba leaves the folder a NULL DACL (no ACE
kept), which gpofs refuses. The unit test (test_fsacl.c) derives the same
with gpo_fsacl_from_ds and compares the two descriptors field by field.

The inputs:
  * every distinct SecurityDescriptor of the GPMC fixtures' Backup.xml
    (../shared/fixtures/gpmc-backups: 14 backups, 6 descriptors);
  * the descriptor a Samba 4.17 DC gave a new GPO (samba-tool gpo create
    on the test forest corp.test), read with the SD flags control 7 (as
    create reads it) and 15 (as aclcheck reads it: with the SACL);
  * descriptors written here in SDDL for the cases the derivation treats
    apart (deny, Pre-Windows 2000 Compatible Access, CREATOR OWNER,
    inherited and object ACEs, AR, no owner) and one per directory right
    for the mask mapping.

It needs Samba's python bindings (the python that runs samba-tool):
    /usr/bin/python3 tests/unit/gen_fsacl_vectors.py [FIXTURES]
"""

import base64
import os
import re
import sys

from samba.dcerpc import security
from samba.ndr import ndr_pack, ndr_unpack
from samba.ntacls import dsacl2fsacl

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_FIXTURES = os.path.join(REPO, "..", "shared", "fixtures",
                                "gpmc-backups")
OUT = os.path.join(HERE, "fsacl_vectors.h")

DOMAIN = "S-1-5-21-1315048264-2528778059-906232684"

# samba-tool gpo create "probe1" on corp.test (Samba 4.17.12), then
# ldapsearch nTSecurityDescriptor with LDAP_SERVER_SD_FLAGS 7 and 15.
DC_NEW_GPO_7 = (
    "AQAHkBQAAAAwAAAAAAAAAEwAAAABBQAAAAAABRUAAABIC2JOSxe6lmwDBDYAAgAAAQUAAAAA"
    "AAUVAAAASAtiTksXupZsAwQ2AAIAAAQA7AAIAAAAAAIkAP8ADwABBQAAAAAABRUAAABIC2JO"
    "Sxe6lmwDBDYAAgAAAAIkAP8ADwABBQAAAAAABRUAAABIC2JOSxe6lmwDBDYHAgAAAAoUAP8A"
    "DwABAQAAAAAAAwAAAAAAACQA/wAPAAEFAAAAAAAFFQAAAEgLYk5LF7qWbAMENgACAAAAAhQA"
    "/wAPAAEBAAAAAAAFEgAAAAACFACUAAIAAQEAAAAAAAULAAAABQIoAAABAAABAAAAj/2s7bP/"
    "0RG0HQCgyWj5OQEBAAAAAAAFCwAAAAACFACUAAIAAQEAAAAAAAUJAAAA")
DC_NEW_GPO_15 = (
    "AQAXmBQAAAAwAAAATAAAAMQAAAABBQAAAAAABRUAAABIC2JOSxe6lmwDBDYAAgAAAQUAAAAA"
    "AAUVAAAASAtiTksXupZsAwQ2AAIAAAQAeAACAAAAB1o4ACAAAAADAAAAvjsO8/Cf0RG2AwAA"
    "+ANnwaV6lr/mDdARooUAqgAwSeIBAQAAAAAAAQAAAAAHWjgAIAAAAAMAAAC/Ow7z8J/REbYD"
    "AAD4A2fBpXqWv+YN0BGihQCqADBJ4gEBAAAAAAABAAAAAAQA7AAIAAAAAAIkAP8ADwABBQAA"
    "AAAABRUAAABIC2JOSxe6lmwDBDYAAgAAAAIkAP8ADwABBQAAAAAABRUAAABIC2JOSxe6lmwD"
    "BDYHAgAAAAoUAP8ADwABAQAAAAAAAwAAAAAAACQA/wAPAAEFAAAAAAAFFQAAAEgLYk5LF7qW"
    "bAMENgACAAAAAhQA/wAPAAEBAAAAAAAFEgAAAAACFACUAAIAAQEAAAAAAAULAAAABQIoAAAB"
    "AAABAAAAj/2s7bP/0RG0HQCgyWj5OQEBAAAAAAAFCwAAAAACFACUAAIAAQEAAAAAAAUJAAAA")

APPLY = "edacfd8f-ffb3-11d1-b41d-00a0c968f939"
D = DOMAIN
SDDL_CASES = [
    ("security filtering: a group instead of Authenticated Users",
     "O:DAG:DAD:PAI(OA;CI;CR;%s;;%s-1105)(A;CI;RPLCLORC;;;%s-1105)"
     "(A;CI;RPLCLORC;;;AU)(A;CI;RPWPCCDCLCLORCWOWDSDDTSW;;;DA)"
     "(A;CIIO;RPWPCCDCLCLORCWOWDSDDTSW;;;CO)" % (APPLY, D, D)),
    ("deny ACEs dropped, Pre-Windows 2000 skipped, AR kept",
     "O:DAG:DAD:AR(D;;WP;;;%s-1105)(A;ID;GA;;;RU)(A;;RP;;;%s-1106)"
     "(OA;CIIO;RP;4c164200-20c0-11d0-a768-00aa006e0529;"
     "4828cc14-1437-45bc-9b07-ad6f015e5f28;RU)"
     "(OD;;CR;%s;;%s-1107)(A;OICINP;GA;;;CO)(A;;LCRP;;;S-1-5-32-554-1)"
     % (D, D, APPLY, D)),
    ("object ACE with both GUIDs, inherited ACEs",
     "O:SYG:SYD:AI(OA;CIID;RPWP;bf967a86-0de6-11d0-a285-00aa003049e2;"
     "bf967aba-0de6-11d0-a285-00aa003049e2;%s-1108)(A;ID;CCDC;;;BA)"
     "(OA;;CR;%s;;WD)" % (D, APPLY)),
    ("no owner or group, one ACE", "D:(A;;;;;WD)"),
    ("SACL present, DACL not protected",
     "O:DAG:DAD:(A;;RPLC;;;AU)S:PAI(AU;SA;WP;;;WD)"),
    ("only deny ACEs: Samba leaves a NULL DACL", "D:P(D;;WP;;;WD)"),
    ("an empty DACL: Samba leaves a NULL DACL", "O:DAG:DAD:PAI"),
    ("only Pre-Windows 2000: Samba leaves a NULL DACL",
     "D:(A;;RPLC;;;RU)"),
]
# one per directory right, and the pairs the mapping joins
for bit in list(range(0, 9)) + list(range(16, 21)) + list(range(28, 32)) + [24, 25]:
    SDDL_CASES.append(("mask 0x%x alone" % (1 << bit),
                       "D:(A;;0x%x;;;AU)" % (1 << bit)))
SDDL_CASES += [
    ("read property with list contents", "D:(A;;RPLC;;;AU)"),
    ("read property without list contents", "D:(A;;RPLO;;;AU)"),
    ("every directory right", "D:(A;;0x%x;;;AU)" % 0xf01ff),
    ("every bit", "D:(A;;0xffffffff;;;AU)"),
]


def element(text, tag):
    """The text of <tag>, in CDATA or not."""
    m = re.search(r"<%s>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</%s>" % (tag, tag),
                  text, re.S)
    return m.group(1) if m else None


def fixture_inputs(root):
    seen = {}
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name, "Backup.xml")
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        hexsd = element(text, "SecurityDescriptor")
        if not hexsd:
            continue
        raw = bytes(int(h, 16) for h in hexsd.split())
        seen.setdefault(raw, []).append(name)
    return [("GPMC backup " + " ".join(names), raw)
            for raw, names in seen.items()]


def derive(raw):
    """What samba-tool gpo aclcheck expects of the folder, as bytes, or
    None for a NULL DACL; and its SDDL as Samba writes it."""
    sid = security.dom_sid(DOMAIN)
    ds = ndr_unpack(security.descriptor, raw).as_sddl()
    fs = dsacl2fsacl(ds, sid, as_sddl=False)
    if fs.dacl is None:
        return None, fs.as_sddl(sid)
    return ndr_pack(fs), fs.as_sddl(sid)


def c_hex(b):
    return "\n\t\t".join('"%s"' % b[i:i + 32].hex() for i in range(0, len(b), 32))


def c_str(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_FIXTURES
    inputs = fixture_inputs(root)
    if len(inputs) != 6:
        sys.exit("expected the 6 distinct descriptors of the GPMC fixtures, got %d"
                 % len(inputs))
    inputs.append(("Samba DC, new GPO, SD flags 7", base64.b64decode(DC_NEW_GPO_7)))
    inputs.append(("Samba DC, new GPO, SD flags 15", base64.b64decode(DC_NEW_GPO_15)))
    sid = security.dom_sid(DOMAIN)
    for what, sddl in SDDL_CASES:
        inputs.append((what + ": " + sddl,
                       ndr_pack(security.descriptor.from_sddl(sddl, sid))))
    out = []
    out.append("/* Generated by tests/unit/gen_fsacl_vectors.py with Samba %s's\n"
               " * samba.ntacls.dsacl2fsacl; do not edit. fs NULL: Samba leaves\n"
               " * a NULL DACL, which gpofs refuses. */" % samba_version())
    out.append("#ifndef FSACL_VECTORS_H\n#define FSACL_VECTORS_H\n")
    out.append("struct fsacl_vector {\n\tconst char *what;\n\tconst char *ds;"
               "\t/* hex */\n\tconst char *fs;\t/* hex, or NULL */\n"
               "\tconst char *samba_sddl;\t/* Samba's SDDL of fs */\n};\n")
    out.append("static const struct fsacl_vector fsacl_vectors[] = {")
    for what, raw in inputs:
        fs, sddl = derive(raw)
        out.append("\t{\n\t\t%s,\n\t\t%s,\n\t\t%s,\n\t\t%s,\n\t}," % (
            c_str(what), c_hex(raw), c_hex(fs) if fs is not None else "NULL",
            c_str(sddl)))
    out.append("};\n\n#endif")
    with open(OUT, "w") as f:
        f.write("\n".join(out) + "\n")
    print("wrote %s: %d vectors" % (OUT, len(inputs)))


def samba_version():
    import samba
    return samba.version


if __name__ == "__main__":
    main()
