#!/usr/bin/env bash
# Every seeded GPO is a browsable folder: its DomainSysvol tree is
# byte-identical to smbclient's copy of its SYSVOL folder (GPT.INI aside),
# its generated files agree with the directory, ordinary tools work across
# the mount, by-name links resolve, and writes fail with EROFS.
source "$(dirname "$0")/lib.sh"

MNT=$TEST_TMP/mnt
make_ldappw corp
gpofs_mount_corp "$MNT"
D=$MNT/domains/$CORP_DNS

# The GPO list is the directory's.
ldap_corp -b "CN=Policies,CN=System,$CORP_BASEDN" -s one \
	"(objectClass=groupPolicyContainer)" cn | sed -n 's/^cn: //p' |
	tr '[:lower:]' '[:upper:]' | sort >"$TEST_TMP/ldap.list"
ls "$D/gpos" | sort >"$TEST_TMP/mount.list"
diff -u "$TEST_TMP/ldap.list" "$TEST_TMP/mount.list" || fail "GPO list differs from LDAP"
n=$(wc -l <"$TEST_TMP/mount.list")
[ "$n" -ge 10 ] || fail "only $n GPOs listed"
note "$n GPOs listed, same as ldapsearch"

sd_hex() { # DN: the DACL-only security descriptor as GPMC writes it
	ldap_corp -E '1.2.840.113556.1.4.801=::MAMCAQQ=' -b "$1" -s base \
		"(objectClass=*)" nTSecurityDescriptor |
		sed -n 's/^nTSecurityDescriptor:: //p' | base64 -d |
		od -An -v -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'
}

# The domain's objectGUID, as GPMC writes it: lower case, in braces.
DOMAIN_GUID=$(ldap_corp -b "$CORP_BASEDN" -s base "(objectClass=*)" objectGUID |
	sed -n 's/^objectGUID:: //p' | base64 -d | python3 -c '
import sys, uuid
print("{%s}" % uuid.UUID(bytes_le=sys.stdin.buffer.read()))')
# Where each GPO is linked, from the gPLink of the domain and the OUs:
# GUID|SOM path|NoOverride|Enabled, as gpreport.xml shows it.
ldap_corp -b "$CORP_BASEDN" "(gPLink=*)" gPLink | python3 -c '
import re, sys
dn = None
for line in sys.stdin.read().replace("\n ", "").splitlines():
    if line.startswith("dn: "):
        dn = line[4:]
    elif line.startswith("gPLink: "):
        parts = [p.split("=", 1)[1] for p in dn.split(",")]
        kinds = [p.split("=", 1)[0].upper() for p in dn.split(",")]
        domain = ".".join(p for p, k in zip(parts, kinds) if k == "DC")
        ous = [p for p, k in zip(parts, kinds) if k != "DC"]
        som = "/".join([domain] + ous[::-1])
        for g, opt in re.findall(r"cn=(\{[0-9A-Fa-f-]+\}),[^;]*;(\d+)\]", line[8:], re.I):
            o = int(opt)
            print("%s|%s|%s|%s" % (g.upper(), som, "true" if o & 2 else "false",
                                   "false" if o & 1 else "true"))
' >"$TEST_TMP/links"
[ -s "$TEST_TMP/links" ] || fail "no links found in LDAP (test set-up)"
checked=0
for guid in $SEEDED_GPOS; do
	G=$D/gpos/$guid
	[ -d "$G" ] || fail "$guid: no folder"
	dn="CN=$guid,CN=Policies,CN=System,$CORP_BASEDN"
	ldap_entry "$dn" displayName flags versionNumber gPCMachineExtensionNames \
		gPCUserExtensionNames gPCWQLFilter whenChanged

	# The content: cp -r through gpofs against smbclient's mget.
	cp -r "$G" "$TEST_TMP/cp"
	smb_get_gpo "$guid" "$TEST_TMP/smb"
	find "$TEST_TMP/smb" -maxdepth 1 -iname gpt.ini -delete
	[ ! -e "$TEST_TMP/cp/DomainSysvol/GPO/GPT.INI" ] || fail "$guid: GPT.INI in backup"
	diff -r "$TEST_TMP/smb" "$TEST_TMP/cp/DomainSysvol/GPO" >/dev/null ||
		fail "$guid: DomainSysvol differs from smbclient's copy"

	# The generated files: every field against ldapsearch.
	bx=$TEST_TMP/cp/Backup.xml
	bi=$TEST_TMP/cp/bkupInfo.xml
	core=b:GroupPolicyObject/b:GroupPolicyCoreSettings
	[ "$(xpath "$bx" "$core/b:ID")" = "$guid" ] || fail "$guid: ID"
	[ "$(xpath "$bx" "$core/b:Domain")" = "$CORP_DNS" ] || fail "$guid: Domain"
	[ "$(xpath "$bx" "$core/b:DisplayName")" = "${ENTRY[displayName]:-}" ] ||
		fail "$guid: DisplayName"
	flags=${ENTRY[flags]:-}
	[ "$(xpath "$bx" "$core/b:Options")" = "${flags:-0}" ] || fail "$guid: Options"
	ver=${ENTRY[versionNumber]:-}
	ver=${ver:-0}
	sysver=$(tr -d '\r' <"$CORP_SYSVOL/$guid/GPT.INI" | sed -n 's/^Version=//Ip')
	sysver=${sysver:-0}
	want_user=$(( (ver >> 16) << 16 | (sysver >> 16) ))
	want_mach=$(( (ver & 0xffff) << 16 | (sysver & 0xffff) ))
	[ "$(xpath "$bx" "$core/b:UserVersionNumber")" = "$want_user" ] ||
		fail "$guid: UserVersionNumber"
	[ "$(xpath "$bx" "$core/b:MachineVersionNumber")" = "$want_mach" ] ||
		fail "$guid: MachineVersionNumber"
	[ "$(xpath "$bx" "$core/b:MachineExtensionGuids")" = "${ENTRY[gPCMachineExtensionNames]:-}" ] ||
		fail "$guid: MachineExtensionGuids"
	[ "$(xpath "$bx" "$core/b:UserExtensionGuids")" = "${ENTRY[gPCUserExtensionNames]:-}" ] ||
		fail "$guid: UserExtensionGuids"
	wmi=${ENTRY[gPCWQLFilter]:-}
	fname=
	[ "$(xpath "$bx" "$core/b:WMIFilter")" = "$wmi" ] || fail "$guid: WMIFilter"
	if [ -n "$wmi" ]; then
		fguid=$(echo "$wmi" | cut -d';' -f2)
		fname=$(ldap_corp -b "CN=SOM,CN=WMIPolicy,CN=System,$CORP_BASEDN" \
			"(msWMI-ID=$fguid)" msWMI-Name | sed -n 's/^msWMI-Name: //p')
		[ -n "$fname" ] || fail "$guid: no WMI filter $fguid in LDAP"
		[ "$(xpath "$bx" "$core/b:WMIFilterName")" = "$fname" ] ||
			fail "$guid: WMIFilterName"
	else
		! grep -q WMIFilterName "$bx" || fail "$guid: WMIFilterName without a filter"
	fi
	[ "$(xpath "$bx" "$core/b:SecurityDescriptor")" = "$(sd_hex "$dn")" ] ||
		fail "$guid: SecurityDescriptor"
	[ "$(xpath "$bi" "m:GPOGuid")" = "$guid" ] || fail "$guid: bkupInfo GPOGuid"
	[ "$(xpath "$bi" "m:GPODisplayName")" = "${ENTRY[displayName]:-}" ] ||
		fail "$guid: bkupInfo GPODisplayName"
	[ "$(xpath "$bi" "m:GPODomain")" = "$CORP_DNS" ] || fail "$guid: bkupInfo GPODomain"
	[ "$(xpath "$bi" "m:GPODomainGuid")" = "$DOMAIN_GUID" ] || fail "$guid: bkupInfo GPODomainGuid"
	[ "$(xpath "$bi" "m:GPODomainController")" = "$CORP_DC" ] ||
		fail "$guid: bkupInfo GPODomainController"
	# The GPO's last change: its directory object's or GPT.INI's.
	changed=${ENTRY[whenChanged]:-}
	last=$(date -u -d "${changed:0:8} ${changed:8:2}:${changed:10:2}:${changed:12:2}" +%s)
	ini=$(stat -c %Y "$CORP_SYSVOL/$guid/GPT.INI" 2>/dev/null || echo 0)
	[ "$ini" -gt "$last" ] && last=$ini
	[ "$(xpath "$bi" "m:BackupTime")" = "$(date -u -d "@$last" +%Y-%m-%dT%H:%M:%S)" ] ||
		fail "$guid: bkupInfo BackupTime is not the GPO's last change"
	head -c 5 "$bi" | grep -q '^<Back' || fail "$guid: bkupInfo.xml has a declaration"
	head -c 38 "$bx" | grep -q '^<?xml version="1.0" encoding="utf-8"?>' ||
		fail "$guid: Backup.xml declaration"

	# gpreport.xml: UTF-16LE with a BOM; every value it carries from the
	# directory, GPT.INI and the links (gPLink of domain and OUs).
	python3 - "$TEST_TMP/cp/gpreport.xml" "$guid" "${ENTRY[displayName]:-}" "$ver" "$sysver" \
		"${flags:-0}" "${fname:-}" "$TEST_TMP/links" <<'PY' || fail "$guid: gpreport.xml"
import sys
import xml.etree.ElementTree as ET
path, guid, name, ver, sysver, flags, fname, links = sys.argv[1:]
ver, sysver, flags = int(ver), int(sysver), int(flags)
data = open(path, "rb").read()
assert data.startswith(b"\xff\xfe<\x00?\x00x\x00m\x00l\x00"), "no BOM and declaration"
text = data.decode("utf-16")
assert 'encoding="utf-16"' in text.splitlines()[0]
S = "{http://www.microsoft.com/GroupPolicy/Settings}"
T = "{http://www.microsoft.com/GroupPolicy/Types}"
root = ET.fromstring(text.split("?>", 1)[1])
assert root.find(S + "Identifier/" + T + "Identifier").text == guid
assert (root.findtext(S + "Name") or "") == name, root.findtext(S + "Name")
for half, shift, bit in (("Computer", 0, 2), ("User", 16, 1)):
    h = root.find(S + half)
    assert int(h.findtext(S + "VersionDirectory")) == (ver >> shift) & 0xffff, half
    assert int(h.findtext(S + "VersionSysvol")) == (sysver >> shift) & 0xffff, half
    assert h.findtext(S + "Enabled") == ("false" if flags & bit else "true"), half
assert (root.findtext(S + "FilterName") or "") == fname, "FilterName"
want = sorted(l.split("|")[1:] for l in open(links).read().split("\n")
              if l.startswith(guid.upper() + "|"))
got = sorted([l.findtext(S + "SOMPath"), l.findtext(S + "NoOverride"), l.findtext(S + "Enabled")]
             for l in root.findall(S + "LinksTo"))
assert got == want, (got, want)
PY

	# Sizes in stat are exact before the first read.
	for f in Backup.xml bkupInfo.xml; do
		[ "$(stat -c %s "$G/$f")" = "$(wc -c <"$G/$f")" ] || fail "$guid: $f size"
	done
	rm -rf "$TEST_TMP/cp" "$TEST_TMP/smb"
	checked=$((checked + 1))
done
note "$checked seeded GPOs: content byte-identical to smbclient, fields equal to ldapsearch"

# SecurityGroups: the principals the security template names (privilege
# rights, group membership, SDDL of services and registry keys), resolved
# over LDAP and listed first, then the DACL's, bkp:Source="FromDACL".
python3 - "$D/gpos/$GPO_SECURITY/Backup.xml" "$CORP_SID_GG_SERVER_ADMINS" \
	"$CORP_SID_GG_WORKSTATION_ADMINS" "$CORP_SID_GG_FINANCE_USERS" <<'PY' || fail "SecurityGroups of the security template"
import sys
import xml.etree.ElementTree as ET
ns = "{http://www.microsoft.com/GroupPolicy/GPOOperations}"
root = ET.parse(sys.argv[1]).getroot()
groups = root.find(ns + "GroupPolicyObject").find(ns + "SecurityGroups")
rows = [(g.get(ns + "Source"), g.findtext(ns + "Sid"), g.findtext(ns + "SamAccountName"),
         g.findtext(ns + "Type")) for g in groups]
settings = [r for r in rows if r[0] is None]
dacl = [r for r in rows if r[0] == "FromDACL"]
assert rows == settings + dacl, rows
sids = {r[1]: r for r in settings}
want = {sys.argv[2]: "GG-Server-Admins", sys.argv[3]: "GG-Workstation-Admins",
        sys.argv[4]: "GG-Finance-Users"}
for sid, name in want.items():
    assert sid in sids, (sid, rows)
    assert sids[sid][2] == name and sids[sid][3] == "GlobalGroup", sids[sid]
assert any(r[2] == "Domain Admins" for r in dacl), dacl
PY
note "SecurityGroups: the template's principals, then the DACL's"
# FilePaths: the UNC paths the settings name (here, a logon script's).
grep -q '<FilePaths><Path><!\[CDATA\[\\\\dc-corp.corp.test\\netlogon\\map.cmd\]\]></Path></FilePaths>' \
	"$D/gpos/$GPO_SCRIPTS/Backup.xml" || fail "FilePaths does not list the logon script's UNC path"
note "FilePaths lists the UNC path of a logon script"

# Ordinary tools across the mount.
ls -lR "$D/gpos" >/dev/null || fail "ls -lR"
nfiles=$(find "$D/gpos/$GPO_MANY" -type f | wc -l)
[ "$nfiles" -ge 2000 ] || fail "find saw $nfiles files in the many-files GPO"
grep -rl "SeRemoteInteractiveLogonRight" "$D/gpos" >/dev/null 2>&1 ||
	grep -rla "S.e.R.e.m.o.t.e" "$D/gpos/$GPO_SECURITY" >/dev/null ||
	fail "grep -r found no privilege right"
# diff -r reading the mount itself, against smbclient's copy of SYSVOL
smb_get_gpo "$GPO_REGISTRY" "$TEST_TMP/smb"
find "$TEST_TMP/smb" -maxdepth 1 -iname gpt.ini -delete
diff -r "$D/gpos/$GPO_REGISTRY/DomainSysvol/GPO" "$TEST_TMP/smb" >/dev/null ||
	fail "diff -r of the mount against smbclient's copy"
rm -rf "$TEST_TMP/smb"
! diff -r "$D/gpos/$GPO_REGISTRY" "$D/gpos/$GPO_SECURITY" >/dev/null 2>&1 ||
	fail "diff -r saw no difference between two GPOs"
note "ls -lR, find ($nfiles files), grep -r, diff -r work"

# by-name links.
for var in GPO_SECURITY GPO_UNICODE GPO_SLASH; do
	guid=${!var}
	name=$(ldap_attr "CN=$guid,CN=Policies,CN=System,$CORP_BASEDN" displayName)
	esc=$(printf '%s' "$name" | sed 's/%/%25/g; s|/|%2F|g')
	[ -L "$D/by-name/$esc" ] || fail "by-name/$esc missing"
	[ "$(readlink "$D/by-name/$esc")" = "../gpos/$guid" ] || fail "by-name/$esc target"
	[ -f "$D/by-name/$esc/Backup.xml" ] || fail "by-name/$esc does not resolve"
done
for var in GPO_DUPNAME_A GPO_DUPNAME_B; do
	guid=${!var}
	[ "$(readlink "$D/by-name/Same Name ($guid)")" = "../gpos/$guid" ] ||
		fail "duplicate name $guid not reachable"
done
note "by-name links resolve, escaped and disambiguated"

# Outside a GPO's folder, the domain takes no change: every kind of call
# fails with EROFS, whether or not the path names anything. (Writing into
# a GPO folder is an import: t_55.)
expect_erofs() {
	local out
	if out=$("$@" 2>&1); then fail "write succeeded: $*"; fi
	echo "$out" | grep -q "Read-only file system" || fail "not EROFS: $* -> $out"
}
G=$D/gpos/$GPO_REGISTRY
f=$(find "$G/DomainSysvol" -type f | head -1)
expect_erofs mkdir "$D/gpos/{00000000-0000-0000-0000-000000000000}"
expect_erofs mkdir "$MNT/newtop"
expect_erofs mkdir "$D/newdir"
expect_erofs touch "$D/newfile"
expect_erofs touch "$D/by-name/new link"
expect_erofs sh -c "echo x > '$MNT/README'"
expect_erofs sh -c "echo x >> '$D/log'"
expect_erofs ln -s x "$G/DomainSysvol/GPO/link"
expect_erofs ln -s x "$D/link"
expect_erofs ln "$f" "$G/DomainSysvol/GPO/hard"
expect_erofs mkfifo "$G/DomainSysvol/GPO/fifo"
expect_erofs mv "$G" "$D/gpos/moved"
expect_erofs mv "$D/by-name/Registry Settings" "$D/by-name/Renamed"
expect_erofs rmdir "$D/gpos"
expect_erofs python3 -c "import os, sys; os.setxattr(sys.argv[1], 'user.x', b'1')" "$f"
note "outside GPO folders, writes fail with EROFS, whatever the call"

gpofs_stop "$MNT"
note "unmounted, gpofs exited 0"
