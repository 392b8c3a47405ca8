#!/usr/bin/env python3
"""A large GPMC backup for the import benchmark (tests/bench/bench.sh).

    make_backup.py TEMPLATE OUT BIG_MIB SMALL

Writes OUT/ as a GPMC backup folder: OUT/DomainSysvol/GPO/{Machine,User}/
holding a few large files (BIG_MIB MiB in all: software installation
packages, random bytes) and SMALL small ones (Preferences XML, scripts,
.adm-sized templates, spread over folders of at most 100 files), with a
Backup.xml whose core settings and security groups are the TEMPLATE
fixture's and whose one extension entry names every folder and file of
the tree (bkp:Location, as GPMC lists them), and a bkupInfo.xml of a new
backup ID for the template's GPO. Deterministic but for the large files'
bytes.
"""
import os
import random
import sys
import uuid

NS_EXT = "{F15C46CD-82A0-4C2D-A210-5D0D3182A418}"


def small_files(n, rnd):
    """(relative path, bytes) of n small files, realistic in kind and size."""
    kinds = [
        # (share, folder under GPO/, name pattern, sizes)
        (40, "Machine/Preferences/Files", "Files{:04d}.xml", (400, 4000),
         '<File clsid="{{50BE44C8-567A-4ed1-B1D0-9234FE1F38AF}}" name="{0}" uid="{1}">'
         '<Properties action="U" fromPath="\\\\files\\share\\{0}" targetPath="C:\\Tools\\{0}"/></File>\r\n'),
        (15, "User/Preferences/Drives", "Drives{:04d}.xml", (400, 3000),
         '<Drive clsid="{{935D1B74-9CB8-4e3c-9914-7DD559B7A417}}" name="S:" uid="{1}">'
         '<Properties action="U" path="\\\\files\\{0}"/></Drive>\r\n'),
        (15, "User/Scripts/Logon", "logon{:04d}.cmd", (200, 2000),
         'if exist \\\\files\\share\\{0} net use S: \\\\files\\share /persistent:no\r\n'),
        (15, "Machine/Scripts/Startup", "startup{:04d}.ps1", (500, 8000),
         'Set-ItemProperty -Path HKLM:\\Software\\Bench -Name "{0}" -Value "{1}"\r\n'),
        (10, "User/Scripts/Logoff", "logoff{:04d}.vbs", (300, 3000),
         'WScript.Echo "{0} {1}"\r\n'),
        (5, "Machine/Adm", "template{:04d}.adm", (16 * 1024, 128 * 1024),
         'POLICY "{0} {1}"\r\n  KEYNAME "Software\\Policies\\Bench"\r\n  VALUENAME "{0}"\r\nEND POLICY\r\n'),
    ]
    total = sum(k[0] for k in kinds)
    out = []
    i = 0
    for k, (share, folder, pattern, (lo, hi), text) in enumerate(kinds):
        count = n * share // total if k < len(kinds) - 1 else n - i
        for j in range(count):
            sub = "{}/{:02d}".format(folder, j // 100)
            name = pattern.format(j)
            size = rnd.randint(lo, hi)
            line = text.format(name, "{" + str(uuid.UUID(int=rnd.getrandbits(128))).upper() + "}").encode()
            body = (line * (size // len(line) + 1))[:size]
            out.append(("{}/{}".format(sub, name), body))
        i += count
    return out


def main():
    template, out, big_mib, small = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rnd = random.Random(11)
    gpo = os.path.join(out, "DomainSysvol", "GPO")
    files = []
    # a few large files: 60 %, 25 % and 15 % of BIG_MIB
    big = big_mib * 1024 * 1024
    for name, part in (("office.msi", 60), ("viewer.msi", 25), ("agent.msi", 15)):
        files.append(("Machine/Applications/" + name, big * part // 100))
    files += small_files(small, rnd)
    dirs = set()
    for rel, _ in files:
        parts = rel.split("/")[:-1]
        for k in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:k]))
    for d in sorted(dirs):
        os.makedirs(os.path.join(gpo, d), exist_ok=True)
    for rel, body in files:
        path = os.path.join(gpo, rel)
        with open(path, "wb") as f:
            if isinstance(body, int):
                left = body
                while left:
                    chunk = os.urandom(min(left, 8 << 20))
                    f.write(chunk)
                    left -= len(chunk)
            else:
                f.write(body)

    with open(os.path.join(template, "Backup.xml"), encoding="utf-8") as f:
        xml = f.read()
    head = xml[:xml.index("<GroupPolicyExtension")]
    tail = xml[xml.rindex("</GroupPolicyObject>"):]
    src = "\\\\dc.example\\sysvol\\example\\Policies\\{GPO}"

    def entry(kind, rel):
        win = rel.replace("/", "\\")
        half, _, rest = win.partition("\\")
        var = "%GPO_MACH_FSPATH%" if half == "Machine" else "%GPO_USER_FSPATH%"
        return ('<{} bkp:Path="{}\\{}" bkp:SourceExpandedPath="{}\\{}" '
                'bkp:Location="DomainSysvol\\GPO\\{}"/>'.format(kind, var, rest, src, win, win))

    ext = ['<GroupPolicyExtension bkp:ID="{}" bkp:DescName="Unknown Extension">'.format(NS_EXT)]
    ext += [entry("FSObjectDir", d) for d in sorted(dirs) if "/" in d]
    ext += [entry("FSObjectFile", rel) for rel, _ in files]
    ext.append("</GroupPolicyExtension>")
    with open(os.path.join(out, "Backup.xml"), "w", encoding="utf-8") as f:
        f.write(head + "".join(ext) + tail)

    with open(os.path.join(template, "bkupInfo.xml"), encoding="utf-8") as f:
        info = f.read()
    start = info.index("<ID><![CDATA[") + len("<ID><![CDATA[")
    end = info.index("]]>", start)
    new_id = "{" + str(uuid.UUID(int=rnd.getrandbits(128))).upper() + "}"
    with open(os.path.join(out, "bkupInfo.xml"), "w", encoding="utf-8") as f:
        f.write(info[:start] + new_id + info[end:])
    print("{} files ({} small), {} folders".format(len(files), small, len(dirs)))


if __name__ == "__main__":
    main()
