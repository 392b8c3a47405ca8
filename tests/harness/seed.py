#!/usr/bin/python3
"""Seed a test forest with realistic Group Policy Objects.

Called by tests/harness/seed.sh, not directly:

    seed.py corp|prod OUTFILE [FIXTURES_DIR]

It needs Samba's Python bindings (run it with the python that runs
samba-tool), the variables of WORKDIR/env.sh in its environment, and an
Administrator ticket in KRB5CCNAME.  It talks to the DC as a client would:
LDAP with Kerberos (signed and sealed), and SMB to the sysvol share with
Kerberos and signing required.  Each GPO is made by samba-tool's own "gpo
create" code, run in this process (which saves a second of Python start-up
per GPO); its files are then written over SMB, so that they get their ACLs
by inheritance from the GPO folder, as GPMC's would.  (Writing them on the
DC's disk instead needs "samba-tool ntacl sysvolreset" afterwards, which
takes 12 s for the 2,000 files of "Many Files"; SMB takes 2 s.)

OUTFILE receives "export NAME='VALUE'" lines: one per GPO with its GUID,
the SIDs of the groups it created, the OUs, and (corp) the fixtures.
"""

import os
import shlex
import shutil
import struct
import sys
import tempfile
import uuid
import xml.etree.ElementTree as ET

import ldb
from samba import NTSTATUSError
from samba.auth import system_session
from samba.credentials import MUST_USE_KERBEROS, SMB_SIGNING_REQUIRED, Credentials
from samba.ndr import ndr_unpack
from samba.dcerpc import security
from samba.netcmd.main import cmd_sambatool
from samba.ntstatus import NT_STATUS_OBJECT_NAME_COLLISION
from samba.param import LoadParm
from samba.samba3 import libsmb_samba_internal as libsmb
from samba.samba3 import param as s3param
from samba.samdb import SamDB

# Client-side extension [CSE GUID][tool GUID] pairs, as GPMC writes them.
EXT_SECURITY = "[{827D319E-6EAC-11D2-A4EA-00C04F79F83A}{803E14A0-B4FB-11D0-A0D0-00A0C90F574B}]"
EXT_REGISTRY_M = "[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]"
EXT_REGISTRY_U = "[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F73-3407-48AE-BA88-E8213C6761F1}]"
EXT_SCRIPTS_M = "[{42B5FAAE-6536-11D2-AE5A-0000F87571E3}{40B6664F-4972-11D1-A7CA-0000F87571E3}]"
EXT_SCRIPTS_U = "[{42B5FAAE-6536-11D2-AE5A-0000F87571E3}{40B66650-4972-11D1-A7CA-0000F87571E3}]"
# Preferences: the "tool" entry {0000...} comes first, then the CSE.
EXT_DRIVES_U = ("[{00000000-0000-0000-0000-000000000000}{2EA1A81B-48E5-45E9-8BB7-A6E3AC170006}]"
                "[{5794DAFD-BE60-433F-88A2-1A31939AC01F}{2EA1A81B-48E5-45E9-8BB7-A6E3AC170006}]")
EXT_GROUPS_M = ("[{00000000-0000-0000-0000-000000000000}{79F92669-4224-476C-9C5C-6EFB4D87DF4A}]"
                "[{17D89FEC-5C44-4972-B12D-241CAEF74509}{79F92669-4224-476C-9C5C-6EFB4D87DF4A}]")

# groupType values (security groups).
GT_GLOBAL = -2147483646
GT_DOMAIN_LOCAL = -2147483644
GT_UNIVERSAL = -2147483640

# The same group names exist in both forests, with different SIDs: what a
# migration table maps (by name, or by relative name).
GROUPS = [
    ("GG-Workstation-Admins", GT_GLOBAL),
    ("GG-Server-Admins", GT_GLOBAL),
    ("GG-Finance-Users", GT_GLOBAL),
    ("UG-Print-Operators", GT_UNIVERSAL),
    ("DL-File-Readers", GT_DOMAIN_LOCAL),
]
USERS = ["svc-backup"]

# Fixed timestamps keep generated content stable from run to run.
STAMP = "2024-01-15 10:22:31"


def log(msg):
    print("seed: " + msg, flush=True)


def utf16(text):
    """UTF-16LE with a BOM, as secedit and the scripts CSE write."""
    return b"\xff\xfe" + text.encode("utf-16-le")


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def preg(entries):
    """A registry.pol (PReg, version 1).

    entries: (key, value, type, data) with type a REG_* number and data a
    str (REG_SZ, REG_EXPAND_SZ), a list of str (REG_MULTI_SZ), an int
    (REG_DWORD, REG_QWORD) or bytes.
    """
    out = bytearray(b"PReg" + struct.pack("<I", 1))

    def wstr(s):
        return (s + "\0").encode("utf-16-le")

    for key, value, rtype, data in entries:
        if isinstance(data, bytes):
            raw = data
        elif rtype in (1, 2):              # REG_SZ, REG_EXPAND_SZ
            raw = wstr(data)
        elif rtype == 7:                   # REG_MULTI_SZ
            raw = "".join(s + "\0" for s in data).encode("utf-16-le") + b"\0\0"
        elif rtype == 4:                   # REG_DWORD
            raw = struct.pack("<I", data)
        elif rtype == 11:                  # REG_QWORD
            raw = struct.pack("<Q", data)
        else:
            raise ValueError("unsupported registry type %d" % rtype)
        out += "[".encode("utf-16-le") + wstr(key) + ";".encode("utf-16-le")
        out += wstr(value) + ";".encode("utf-16-le")
        out += struct.pack("<I", rtype) + ";".encode("utf-16-le")
        out += struct.pack("<I", len(raw)) + ";".encode("utf-16-le")
        out += raw + "]".encode("utf-16-le")
    return bytes(out)


def gpt_ini(version):
    # As GPMC writes it (Samba's "gpo create" leaves out displayName).
    return crlf("[General]\nVersion=%d\ndisplayName=New Group Policy Object\n").encode("ascii") % version


class Forest:
    def __init__(self, name):
        self.name = name
        p = name.upper() + "_"
        env = os.environ
        self.dns = env[p + "DNS"]
        self.netbios = env[p + "NETBIOS"]
        self.dc = env[p + "DC"]
        self.basedn = env[p + "BASEDN"]
        self.smbconf = env[p + "SMBCONF"]
        self.url = "ldap://" + self.dc
        # samba-tool's scratch folders go in the work dir, not /tmp.
        self.tmproot = os.path.join(env["GPOFS_WORKDIR"], name, "seed-tmp")
        os.makedirs(self.tmproot, exist_ok=True)
        self.lp = LoadParm()
        self.lp.load(self.smbconf)
        creds = Credentials()
        creds.guess(self.lp)
        creds.set_kerberos_state(MUST_USE_KERBEROS)
        creds.set_smb_signing(SMB_SIGNING_REQUIRED)
        self.samdb = SamDB(url=self.url, session_info=system_session(),
                           credentials=creds, lp=self.lp)
        self.sid = str(self.samdb.get_domain_sid())
        s3lp = s3param.get_context()
        s3lp.load(self.smbconf)
        self.smb = libsmb.Conn(self.dc, "sysvol", lp=s3lp, creds=creds)
        self.smb_dirs = set()
        self.names = {}         # GUID -> display name
        self.exports = []       # (NAME, VALUE)

    def export(self, name, value):
        self.exports.append((name, value))

    # --- SYSVOL over SMB ------------------------------------------------

    def smb_path(self, rel):
        """rel: a path under the sysvol share with '/' separators."""
        return "\\".join(rel.split("/"))

    def mkdirs(self, rel):
        parts = rel.split("/")
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d in self.smb_dirs:
                continue
            try:
                self.smb.mkdir(self.smb_path(d))
            except NTSTATUSError as e:
                if e.args[0] != NT_STATUS_OBJECT_NAME_COLLISION:
                    raise
            self.smb_dirs.add(d)

    def put(self, rel, data):
        if "/" in rel:
            self.mkdirs(rel.rsplit("/", 1)[0])
        self.smb.savefile(self.smb_path(rel), data)

    def gpo_path(self, guid, rel=""):
        return "%s/Policies/%s%s" % (self.dns, guid, "/" + rel if rel else "")

    def policies_dn(self):
        return "CN=Policies,CN=System," + self.basedn

    def gpo_dn(self, guid):
        return "CN=%s,%s" % (guid, self.policies_dn())

    def object_sid(self, dn):
        res = self.samdb.search(base=dn, scope=ldb.SCOPE_BASE, attrs=["objectSid"])
        return str(ndr_unpack(security.dom_sid, res[0]["objectSid"][0]))

    # --- principals and OUs -------------------------------------------

    def add_principals(self):
        self.group_sid = {}
        for g, gtype in GROUPS:
            self.samdb.newgroup(g, grouptype=gtype,
                                description="gpofs test group " + g)
            dn = "CN=%s,CN=Users,%s" % (g, self.basedn)
            self.group_sid[g] = self.object_sid(dn)
            self.export("%s_SID_%s" % (self.netbios, g.upper().replace("-", "_")),
                        self.group_sid[g])
        for u in USERS:
            # A user with no password (and so disabled) is enough for a SID.
            dn = "CN=%s,CN=Users,%s" % (u, self.basedn)
            self.samdb.add({"dn": dn, "objectClass": "user", "sAMAccountName": u})
            self.export("%s_SID_%s" % (self.netbios, u.upper().replace("-", "_")),
                        self.object_sid(dn))

    def add_ou(self, rdn, parent=None, links=(), block=False):
        """links: (guid, enforced) in the order GPMC shows them.

        gPLink lists the lowest link order last; ;2 = enforced, ;0 = plain.
        """
        dn = "%s,%s" % (rdn, parent or self.basedn)
        msg = {"dn": dn, "objectClass": "organizationalUnit"}
        if links:
            msg["gPLink"] = self.gplink(links)
        if block:
            msg["gPOptions"] = "1"
        self.samdb.add(msg)
        return dn

    def gplink(self, links):
        return "".join("[LDAP://cn=%s,cn=policies,cn=system,%s;%d]"
                       % (g, self.basedn, 2 if enforced else 0)
                       for g, enforced in reversed(list(links)))

    def link_domain(self, guid, enforced=False):
        res = self.samdb.search(base=self.basedn, scope=ldb.SCOPE_BASE, attrs=["gPLink"])
        old = str(res[0]["gPLink"][0]) if "gPLink" in res[0] else ""
        m = ldb.Message(ldb.Dn(self.samdb, self.basedn))
        m["gPLink"] = ldb.MessageElement(
            self.gplink([(guid, enforced)]) + old, ldb.FLAG_MOD_REPLACE, "gPLink")
        self.samdb.modify(m)

    # --- GPOs -------------------------------------------------------------

    def find_gpo(self, displayname):
        res = self.samdb.search(base=self.policies_dn(), scope=ldb.SCOPE_ONELEVEL,
                                expression="(&(objectClass=groupPolicyContainer)(displayName=%s))"
                                % ldb.binary_encode(displayname), attrs=["cn"])
        return [str(r["cn"][0]) for r in res]

    def create_gpo(self, displayname):
        """Create an empty GPO with samba-tool's code; return its GUID."""
        # samba-tool refuses a name that is taken (our duplicate-name GPOs):
        # create under a unique name, then set the real one.
        taken = any(n.lower() == displayname.lower() for n in self.names.values())
        cname = "gpofs-seed-%s" % uuid.uuid4() if taken else displayname
        tmp = tempfile.mkdtemp(dir=self.tmproot)
        try:
            rc = cmd_sambatool()._run("samba-tool", "gpo", "create", cname,
                                      "-H", self.url, "-s", self.smbconf,
                                      "--use-kerberos=required", "--no-pass",
                                      "--tmpdir", tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if rc not in (0, None):
            raise RuntimeError("samba-tool gpo create %r failed (%r)" % (displayname, rc))
        found = self.find_gpo(cname)
        if len(found) != 1:
            raise RuntimeError("GPO %r: found %d after creating it" % (cname, len(found)))
        guid = found[0].upper()
        if cname != displayname:
            m = ldb.Message(ldb.Dn(self.samdb, self.gpo_dn(guid)))
            m["displayName"] = ldb.MessageElement(displayname, ldb.FLAG_MOD_REPLACE,
                                                  "displayName")
            self.samdb.modify(m)
        self.names[guid] = displayname
        return guid

    def set_gpo(self, guid, files=None, user=0, machine=0, flags=None,
                mext=None, uext=None, wql=None):
        """Write SYSVOL files and GPT.INI, then the directory attributes.

        files: {relative path with '/' : bytes}.  user/machine: the version
        halves; versionNumber = user << 16 | machine in both places.
        """
        for rel, data in (files or {}).items():
            self.put(self.gpo_path(guid, rel), data)
        version = (user << 16) | machine
        self.put(self.gpo_path(guid, "GPT.INI"), gpt_ini(version))
        m = ldb.Message(ldb.Dn(self.samdb, self.gpo_dn(guid)))
        m["versionNumber"] = ldb.MessageElement(str(version), ldb.FLAG_MOD_REPLACE,
                                                "versionNumber")
        if flags is not None:
            m["flags"] = ldb.MessageElement(str(flags), ldb.FLAG_MOD_REPLACE, "flags")
        for attr, val in (("gPCMachineExtensionNames", mext),
                          ("gPCUserExtensionNames", uext),
                          ("gPCWQLFilter", wql)):
            if val:
                m[attr] = ldb.MessageElement(val, ldb.FLAG_MOD_REPLACE, attr)
        self.samdb.modify(m)

    def add_wmi_filter(self, name, description, query):
        fid = "{%s}" % str(uuid.uuid4()).upper()
        dn = "CN=%s,CN=SOM,CN=WMIPolicy,CN=System,%s" % (fid, self.basedn)
        self.samdb.add({
            "dn": dn,
            "objectClass": "msWMI-Som",
            "msWMI-ID": fid,
            "msWMI-Name": name,
            "msWMI-Parm1": description,
            # count;... ;length of the query;language;namespace;query;
            "msWMI-Parm2": "1;3;10;%d;WQL;root\\CIMv2;%s;" % (len(query), query),
            "msWMI-Author": "Administrator@" + self.dns.upper(),
            "msWMI-ChangeDate": "20240115102231.000000-000",
            "msWMI-CreationDate": "20240115102231.000000-000",
            "showInAdvancedViewOnly": "TRUE",
        })
        return fid


# --- file content ----------------------------------------------------------

def gpttmpl(f, baseline=True):
    """Security template (GptTmpl.inf) with domain SIDs in every place a
    migration table applies: privilege rights, restricted groups, and SDDL
    in service, registry and file security."""
    sid = f.sid
    g = f.group_sid
    da = sid + "-512"
    text = "[Unicode]\nUnicode=yes\n"
    if baseline:
        text += ("[System Access]\nMinimumPasswordAge = 1\nMaximumPasswordAge = 60\n"
                 "MinimumPasswordLength = 14\nPasswordComplexity = 1\n"
                 "PasswordHistorySize = 24\nLockoutBadCount = 5\n"
                 "[Event Audit]\nAuditLogonEvents = 3\nAuditPolicyChange = 1\n"
                 "[Registry Values]\n"
                 "MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\LimitBlankPasswordUse=4,1\n"
                 "MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters"
                 "\\RequireSecuritySignature=4,1\n")
    text += ("[Privilege Rights]\n"
             "SeRemoteInteractiveLogonRight = *S-1-5-32-544,*%s\n"
             "SeBackupPrivilege = *S-1-5-32-544,*S-1-5-32-551,*%s\n"
             "SeDenyNetworkLogonRight = *S-1-5-32-546\n"
             "SeInteractiveLogonRight = *S-1-5-32-544,*%s\n"
             % (da, g["GG-Server-Admins"], g["GG-Workstation-Admins"]))
    text += ("[Group Membership]\n"
             "*S-1-5-32-544__Memberof =\n"
             "*S-1-5-32-544__Members = *%s,*%s\n"
             "*%s__Memberof = *S-1-5-32-555\n"
             "*%s__Members =\n"
             % (da, g["GG-Server-Admins"], g["GG-Workstation-Admins"],
                g["GG-Workstation-Admins"]))
    if baseline:
        text += ('[Service General Setting]\n'
                 '"Spooler",4,"D:AR(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)'
                 '(A;;CCLCSWLOCRRC;;;IU)(A;;RPWPDTLO;;;%s)"\n'
                 '[Registry Keys]\n'
                 '"MACHINE\\SOFTWARE\\Contoso\\Finance",0,"D:PAR(A;CI;KA;;;BA)'
                 '(A;CIIO;KA;;;CO)(A;CI;KR;;;%s)"\n'
                 '[File Security]\n'
                 '"%%SystemDrive%%\\Finance",0,"D:PAR(A;OICI;FA;;;BA)'
                 '(A;OICI;0x1200a9;;;%s)"\n'
                 % (g["GG-Server-Admins"], g["GG-Finance-Users"], g["DL-File-Readers"]))
    text += '[Version]\nsignature="$CHICAGO$"\nRevision=1\n'
    return utf16(crlf(text))


def scripts_ini(section, entries):
    text = "\n[%s]\n" % section
    for i, (cmd, params) in enumerate(entries):
        text += "%dCmdLine=%s\n%dParameters=%s\n" % (i, cmd, i, params)
    return utf16(crlf(text))


def drives_xml(f):
    g = f.group_sid["GG-Finance-Users"]
    return (
        '<?xml version="1.0" encoding="utf-8"?>\r\n'
        '<Drives clsid="{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}">'
        '<Drive clsid="{935D1B74-9CB8-4e3c-9914-7DD559B7A417}" name="S:" status="S:" image="2" '
        'changed="%s" uid="{6F8F2D45-1D9C-4E7B-9E0E-3C1B2A7D9F01}" bypassErrors="1">'
        '<Properties action="U" thisDrive="NOCHANGE" allDrives="NOCHANGE" userName="" '
        'path="\\\\%s\\Finance" label="Finance" persistent="1" useLetter="1" letter="S"/>'
        '<Filters><FilterGroup bool="AND" not="0" name="%s\\GG-Finance-Users" sid="%s" '
        'userContext="1" primaryGroup="0" localGroup="0"/></Filters></Drive>'
        '<Drive clsid="{935D1B74-9CB8-4e3c-9914-7DD559B7A417}" name="H:" status="H:" image="2" '
        'changed="%s" uid="{0B2D3C4E-5F60-4718-8293-A4B5C6D7E8F9}">'
        '<Properties action="R" thisDrive="NOCHANGE" allDrives="NOCHANGE" userName="" '
        'path="\\\\%s\\home\\%%LogonUser%%" label="Home" persistent="1" useLetter="1" '
        'letter="H"/></Drive>'
        '</Drives>\r\n'
        % (STAMP, f.dc, f.netbios, g, STAMP, f.dc)).encode("utf-8")


def groups_xml(f):
    g = f.group_sid
    return (
        '<?xml version="1.0" encoding="utf-8"?>\r\n'
        '<Groups clsid="{3125E937-EB16-4b4c-9934-544FC6D24D26}">'
        '<Group clsid="{6D4A79E4-529C-4481-ABD0-F5BD7EA93BA7}" name="Administrators (built-in)" '
        'image="2" changed="%s" uid="{A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF}">'
        '<Properties action="U" newName="" description="" deleteAllUsers="0" '
        'deleteAllGroups="0" removeAccounts="0" groupSid="S-1-5-32-544" '
        'groupName="Administrators (built-in)"><Members>'
        '<Member name="%s\\GG-Workstation-Admins" action="ADD" sid="%s"/>'
        '<Member name="%s\\Domain Admins" action="ADD" sid="%s-512"/>'
        '</Members></Properties></Group>'
        '<Group clsid="{6D4A79E4-529C-4481-ABD0-F5BD7EA93BA7}" name="Remote Desktop Users (built-in)" '
        'image="2" changed="%s" uid="{B2C3D4E5-F6A7-4822-99AA-BBCCDDEEFF00}">'
        '<Properties action="U" newName="" description="" deleteAllUsers="0" '
        'deleteAllGroups="0" removeAccounts="0" groupSid="S-1-5-32-555" '
        'groupName="Remote Desktop Users (built-in)"><Members>'
        '<Member name="%s\\GG-Finance-Users" action="ADD" sid="%s"/>'
        '</Members></Properties></Group>'
        '</Groups>\r\n'
        % (STAMP, f.netbios, g["GG-Workstation-Admins"], f.netbios, f.sid,
           STAMP, f.netbios, g["GG-Finance-Users"])).encode("utf-8")


def machine_registry(f):
    return preg([
        ("Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU", "NoAutoUpdate", 4, 0),
        ("Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU", "AUOptions", 4, 4),
        ("Software\\Policies\\Microsoft\\Windows NT\\Terminal Services", "fDenyTSConnections", 4, 0),
        ("Software\\Policies\\Contoso\\App", "ServerPath", 1, "\\\\%s\\apps\\contoso" % f.dc),
        ("Software\\Policies\\Contoso\\App", "InstallDir", 2, "%ProgramFiles%\\Contoso"),
        ("Software\\Policies\\Contoso\\App", "Servers", 7, [f.dc, "backup." + f.dns]),
        ("Software\\Policies\\Contoso\\App", "CacheBytes", 11, 1 << 33),
        ("Software\\Policies\\Contoso\\App", "**del.Legacy", 1, " "),
    ])


def user_registry(f):
    return preg([
        ("Software\\Policies\\Microsoft\\Windows\\Control Panel\\Desktop", "ScreenSaveActive", 1, "1"),
        ("Software\\Policies\\Microsoft\\Windows\\Control Panel\\Desktop", "ScreenSaveTimeOut", 1, "900"),
        ("Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer", "NoRun", 4, 1),
    ])


# --- the forests ---------------------------------------------------------

def seed_corp(f, fixtures):
    f.add_principals()
    G = {}

    def new(var, name):
        G[var] = f.create_gpo(name)
        return G[var]

    g = new("GPO_SECURITY", "Security Baseline")
    f.set_gpo(g, {"Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf": gpttmpl(f)},
              machine=3, mext=EXT_SECURITY)

    g = new("GPO_REGISTRY", "Registry Settings")
    f.set_gpo(g, {"Machine/registry.pol": machine_registry(f),
                  "User/registry.pol": user_registry(f)},
              user=2, machine=5, mext=EXT_REGISTRY_M, uext=EXT_REGISTRY_U)

    g = new("GPO_SCRIPTS", "Logon Script")
    unc = "\\\\%s\\netlogon\\map.cmd" % f.dc
    f.set_gpo(g, {
        "User/Scripts/Logon/logon.cmd": crlf("@echo off\nnet use P: \\\\%s\\public /persistent:no\n"
                                             % f.dc).encode("ascii"),
        "User/Scripts/scripts.ini": scripts_ini("Logon", [("logon.cmd", ""), (unc, "/persistent")]),
        "Machine/Scripts/Startup/startup.cmd": b"@echo off\r\nw32tm /resync\r\n",
        "Machine/Scripts/scripts.ini": scripts_ini("Startup", [("startup.cmd", "")]),
    }, user=1, machine=1, mext=EXT_SCRIPTS_M, uext=EXT_SCRIPTS_U)
    f.mkdirs(f.gpo_path(g, "User/Scripts/Logoff"))
    f.mkdirs(f.gpo_path(g, "Machine/Scripts/Shutdown"))
    # The UNC script exists in NETLOGON (the scripts folder of sysvol).
    f.put("%s/scripts/map.cmd" % f.dns,
          crlf("@echo off\nnet use S: \\\\%s\\Finance\n" % f.dc).encode("ascii"))

    g = new("GPO_PREFS", "Drive Maps and Groups")
    f.set_gpo(g, {"User/Preferences/Drives/Drives.xml": drives_xml(f),
                  "Machine/Preferences/Groups/Groups.xml": groups_xml(f)},
              user=4, machine=2, mext=EXT_GROUPS_M, uext=EXT_DRIVES_U)

    g = new("GPO_BIG", "Big File")
    f.set_gpo(g, {"Machine/Files/big.bin": os.urandom(50 << 20)}, machine=1)

    g = new("GPO_MANY", "Many Files")
    many = {}
    for d, folder in enumerate(["Finance", "HR", "IT", "Sales"]):
        for i in range(500):
            n = d * 500 + i
            many["User/Documents/%s/file%04d.txt" % (folder, n)] = \
                ("file %d of 2000 in %s\r\n" % (n, folder)).encode("ascii")
    f.set_gpo(g, many, user=1)

    g = new("GPO_USERDISABLED", "User Half Disabled")
    f.set_gpo(g, {"Machine/registry.pol": machine_registry(f),
                  "User/registry.pol": user_registry(f)},
              user=1, machine=1, flags=1, mext=EXT_REGISTRY_M, uext=EXT_REGISTRY_U)

    fid = f.add_wmi_filter("Windows 10 Workstations", "Client OS, not servers",
                           'Select * from Win32_OperatingSystem where ProductType="1"')
    f.export("WMI_FILTER", fid)
    g = new("GPO_WMI", "WMI Filtered")
    f.set_gpo(g, {"Machine/registry.pol": machine_registry(f)}, machine=1,
              mext=EXT_REGISTRY_M, wql="[%s;%s;0]" % (f.dns, fid))

    g = new("GPO_UNICODE", "Politique de sécurité — Ünïcode")
    f.set_gpo(g, {"User/Documents/Résumé — ünïcode ✓.txt": "Grüße\r\n".encode("utf-8")}, user=1)

    new("GPO_SLASH", "Servers/Finance")
    new("GPO_DUPNAME_A", "Same Name")
    new("GPO_DUPNAME_B", "Same Name")

    # Links: the domain gets the baseline; two OUs get the rest, the
    # baseline enforced on Servers; Finance (under Servers) blocks
    # inheritance.
    f.link_domain(G["GPO_SECURITY"])
    ou_servers = f.add_ou("OU=Servers", links=[(G["GPO_SECURITY"], True),
                                               (G["GPO_SLASH"], False)])
    ou_ws = f.add_ou("OU=Workstations", links=[(G["GPO_REGISTRY"], False),
                                               (G["GPO_SCRIPTS"], False),
                                               (G["GPO_PREFS"], False),
                                               (G["GPO_WMI"], False)])
    ou_fin = f.add_ou("OU=Finance", parent=ou_servers, links=[(G["GPO_UNICODE"], False)],
                      block=True)
    f.export("OU_SERVERS", ou_servers)
    f.export("OU_WORKSTATIONS", ou_ws)
    f.export("OU_FINANCE", ou_fin)

    seeded = list(G.values())
    fixture_pairs = []
    if fixtures and os.path.isdir(fixtures):
        for bid, guid in seed_fixtures(f, fixtures):
            fixture_pairs.append("%s=%s" % (bid, guid))
            seeded.append(guid)
    for var, guid in G.items():
        f.export(var, guid)
    f.export("SEEDED_GPOS", " ".join(seeded))
    f.export("FIXTURE_GPOS", " ".join(fixture_pairs))
    f.export("FIXTURES_DIR", fixtures if fixture_pairs else "")


NS_BKP = "{http://www.microsoft.com/GroupPolicy/GPOOperations}"
NS_MANIFEST = "{http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest}"


def xtext(el, tag):
    e = el.find(tag)
    return (e.text or "") if e is not None else ""


def seed_fixtures(f, fixtures):
    """Each GPMC backup folder becomes a GPO with the backup's name,
    content, extension lists, options and (directory) versions."""
    backups = []
    for bid in sorted(os.listdir(fixtures)):
        d = os.path.join(fixtures, bid)
        if not (os.path.isfile(os.path.join(d, "Backup.xml"))
                and os.path.isfile(os.path.join(d, "bkupInfo.xml"))):
            continue
        info = ET.parse(os.path.join(d, "bkupInfo.xml")).getroot()
        core = ET.parse(os.path.join(d, "Backup.xml")).getroot().find(
            "%sGroupPolicyObject/%sGroupPolicyCoreSettings" % (NS_BKP, NS_BKP))
        if core is None:
            raise RuntimeError("%s: no GroupPolicyCoreSettings in Backup.xml" % d)
        backups.append((bid, d, xtext(info, NS_MANIFEST + "GPODisplayName"), core))

    # A name taken twice (or by a seeded GPO) gets the backup ID appended.
    count = {}
    for _, _, name, _ in backups:
        count[name.lower()] = count.get(name.lower(), 0) + 1
    for n in f.names.values():
        count[n.lower()] = count.get(n.lower(), 0) + 1

    for bid, d, name, core in backups:
        if count[name.lower()] > 1:
            name = "%s [fixture %s]" % (name, bid)
        guid = f.create_gpo(name)
        src = os.path.join(d, "DomainSysvol", "GPO")
        for half in ("Machine", "User"):
            if os.path.isdir(os.path.join(src, half)):
                copytree(f, os.path.join(src, half), f.gpo_path(guid, half))
        # git keeps no empty folder, but GPMC listed the ones it backed up
        # (FSObjectDir with a Location): make them again, so that the GPO
        # is the one that was backed up.
        root = ET.parse(os.path.join(d, "Backup.xml")).getroot()
        for el in root.iter(NS_BKP + "FSObjectDir"):
            loc = el.get(NS_BKP + "Location")
            prefix = "DomainSysvol\\GPO\\"
            if loc and loc.startswith(prefix) and ".." not in loc:
                rel = loc[len(prefix):].replace("\\", "/")
                if not os.path.isdir(os.path.join(src, rel)):
                    f.mkdirs(f.gpo_path(guid, rel))
        uver = int(xtext(core, NS_BKP + "UserVersionNumber") or 0) >> 16
        mver = int(xtext(core, NS_BKP + "MachineVersionNumber") or 0) >> 16
        f.set_gpo(guid, user=uver, machine=mver,
                  flags=int(xtext(core, NS_BKP + "Options") or 0),
                  mext=xtext(core, NS_BKP + "MachineExtensionGuids").strip(),
                  uext=xtext(core, NS_BKP + "UserExtensionGuids").strip())
        yield bid, guid


def copytree(f, src, dst):
    """Byte-for-byte copy of a local folder to dst under the sysvol share:
    regular files and folders only."""
    f.mkdirs(dst)
    for entry in sorted(os.listdir(src)):
        s = os.path.join(src, entry)
        if os.path.isdir(s) and not os.path.islink(s):
            copytree(f, s, dst + "/" + entry)
        elif os.path.isfile(s) and not os.path.islink(s):
            with open(s, "rb") as i:
                f.put(dst + "/" + entry, i.read())
        else:
            raise RuntimeError("fixture %s: not a file or folder" % s)


def seed_prod(f):
    f.add_principals()
    G = {}
    G["PROD_GPO_BASELINE"] = g = f.create_gpo("Prod Baseline")
    f.set_gpo(g, {"Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf": gpttmpl(f)},
              machine=2, mext=EXT_SECURITY)
    G["PROD_GPO_REGISTRY"] = g = f.create_gpo("Prod Registry")
    f.set_gpo(g, {"Machine/registry.pol": machine_registry(f),
                  "User/registry.pol": user_registry(f)},
              user=1, machine=1, mext=EXT_REGISTRY_M, uext=EXT_REGISTRY_U)
    G["PROD_GPO_EMPTY"] = f.create_gpo("Prod Empty")
    ou = f.add_ou("OU=Servers", links=[(G["PROD_GPO_BASELINE"], True)])
    f.export("PROD_OU_SERVERS", ou)
    for var, guid in G.items():
        f.export(var, guid)
    f.export("PROD_SEEDED_GPOS", " ".join(G.values()))


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in ("corp", "prod"):
        sys.exit("usage: seed.py corp|prod OUTFILE [FIXTURES_DIR]")
    which, outfile = sys.argv[1], sys.argv[2]
    fixtures = sys.argv[3] if len(sys.argv) == 4 else ""
    f = Forest(which)
    if which == "corp":
        seed_corp(f, fixtures)
    else:
        seed_prod(f)
    with open(outfile + ".tmp", "w", encoding="utf-8") as out:
        out.write("# %s.test, written by tests/harness/seed.py\n" % which)
        for name, value in f.exports:
            out.write("export %s=%s\n" % (name, shlex.quote(value)))
    os.replace(outfile + ".tmp", outfile)
    log("%s: %d GPOs created" % (f.dns, len(f.names)))


if __name__ == "__main__":
    main()
