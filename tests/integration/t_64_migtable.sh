#!/usr/bin/env bash
# Migration tables across forests (corp.test to prod.test): a corp GPO
# whose settings name corp principals and UNC paths in every place a
# table applies (GptTmpl.inf: Privilege Rights, Group Membership, the
# SDDL of a service, a registry key and a file; scripts.ini and
# psscripts.ini; fdeploy.ini; Preferences Groups.xml, Drives.xml,
# Shortcuts.xml and Printers.xml with item-level targeting) copied into
# prod through a table: every principal and path mapped (a name
# Destination, a ByRelativeName, a DestinationNone dropped), builtin SIDs
# untouched and everything else byte for byte. The same through a
# cross-domain import of a corp backup (control file, the domain's
# migtable file, cp -r), with acl=source (the DACL mapped), and for every
# type and source form. dry-run makes nothing; strict with an unmapped
# path is ENXIO; a destination prod does not have is ENOENT; malformed
# tables (UTF-16 and UTF-8) are EINVAL with file and line in the log;
# nothing is made by any of them. The WMI filter link crosses only to a
# filter of the same name. migtables/generated/ offers a table listing
# all of it (for the GPO, and for a sealed backup of it); edited and
# used, it maps the same; nothing there can be written (EROFS). The GPMC
# fixtures go into prod through their generated tables, edited.
source "$(dirname "$0")/lib.sh"

SAMBA_PY=$(head -n 1 "$(command -v samba-tool)" | sed 's/^#! *//')
"$SAMBA_PY" -c 'import samba' 2>/dev/null || skip "Samba's python bindings are missing"
st() { # corp|prod ARGS...: samba-tool against that DC as Administrator
	local up=${1^^}
	local dc=${up}_DC
	shift
	KRB5CCNAME=FILE:$(ccache "${up,,}") samba-tool "$@" -H "ldap://${!dc}" \
		--use-kerberos=required -N </dev/null
}
sid_of() { # corp|prod NAME: the account's SID
	local up=${1^^} out
	local dc=${up}_DC
	out=$(KRB5CCNAME=FILE:$(ccache "$1") "$SAMBA_PY" - "${!dc}" "$2" <<'PY'
import sys
from samba.auth import system_session
from samba.credentials import MUST_USE_KERBEROS, Credentials
from samba.param import LoadParm
from samba.samdb import SamDB
from samba.dcerpc import security
from samba.ndr import ndr_unpack
lp = LoadParm()
creds = Credentials()
creds.guess(lp)
creds.set_kerberos_state(MUST_USE_KERBEROS)
db = SamDB(url="ldap://" + sys.argv[1], session_info=system_session(), credentials=creds, lp=lp)
r = db.search(base=db.domain_dn(), expression="(sAMAccountName=%s)" % sys.argv[2], attrs=["objectSid"])
print(ndr_unpack(security.dom_sid, r[0]["objectSid"][0]))
PY
) || fail "no SID for $1 $2"
	echo "$out"
}

# principals on both sides
st corp group add CorpHelpdesk >/dev/null 2>&1 || fail "samba-tool group add CorpHelpdesk"
st corp group add CorpPrinters >/dev/null 2>&1 || fail "samba-tool group add CorpPrinters"
st corp group add Kiosk >/dev/null 2>&1 || fail "samba-tool group add Kiosk (corp)"
st prod group add ProdHelpdesk >/dev/null 2>&1 || fail "samba-tool group add ProdHelpdesk"
st prod group add Kiosk >/dev/null 2>&1 || fail "samba-tool group add Kiosk (prod)"
C_HD=$(sid_of corp CorpHelpdesk) C_PR=$(sid_of corp CorpPrinters) C_KI=$(sid_of corp Kiosk)
P_HD=$(sid_of prod ProdHelpdesk) P_KI=$(sid_of prod Kiosk)
note "corp: CorpHelpdesk $C_HD, CorpPrinters $C_PR, Kiosk $C_KI; prod: ProdHelpdesk $P_HD, Kiosk $P_KI"

MNT=$TEST_TMP/mnt
cat >"$TEST_TMP/gpofs.conf" <<CONF
backup_dir = $TEST_TMP/backups
migtable_dir = $TEST_TMP/migtables
log_dir = $TEST_TMP/log
cache_dir = $TEST_TMP/cache

[$CORP_DNS]
credentials = $(creds_file corp)
tls_cacert = $CORP_CA

[$PROD_DNS]
credentials = $(creds_file prod)
tls_cacert = $PROD_CA
CONF
gpofs_start "$MNT" -o "config=$TEST_TMP/gpofs.conf"
C=$MNT/domains/$CORP_DNS
P=$MNT/domains/$PROD_DNS
PLOG=$TEST_TMP/log/$PROD_DNS.log
guid_in() { # corp|prod NAME
	local up=${1^^}
	local base=${up}_BASEDN
	ldap_gssapi "$1" -b "CN=Policies,CN=System,${!base}" -s one "(displayName=$2)" cn |
		sed -n 's/^cn: //p'
}
prod_count() { ls "$PROD_SYSVOL" | wc -l; }

# 1. The source: a corp GPO naming corp principals and paths everywhere.
mkdir "$C/by-name/Mig source" || fail "mkdir of the source GPO"
S=$(guid_in corp "Mig source")
[ -n "$S" ] || fail "no source GPO"
G=$C/gpos/$S/DomainSysvol/GPO
SRC=$TEST_TMP/src
mkdir -p "$SRC/Machine/Microsoft/Windows NT/SecEdit" "$SRC/Machine/Scripts" \
	"$SRC/Machine/Preferences/Groups" "$SRC/User/Preferences/Drives" \
	"$SRC/User/Documents & Settings" "$SRC/User/Preferences/Shortcuts" \
	"$SRC/User/Preferences/Printers"
python3 - "$SRC" "$C_HD" "$C_PR" "$C_KI" <<'PY'
import sys
src, hd, pr, ki = sys.argv[1:]
inf = ("[Unicode]\r\nUnicode=yes\r\n[Version]\r\nsignature=\"$CHICAGO$\"\r\nRevision=1\r\n"
       "[Privilege Rights]\r\nSeBackupPrivilege = *S-1-5-32-544,*%s,*%s\r\n"
       "SeInteractiveLogonRight = *S-1-5-32-545,*%s\r\n"
       "[Group Membership]\r\n*%s__Memberof = *S-1-5-32-544\r\n*S-1-5-32-555__Members = *%s\r\n"
       "[Service General Setting]\r\n\"Spooler\",2,\"D:AR(A;;RPWPDTRC;;;BA)(A;;RPWP;;;%s)(A;;RP;;;%s)\"\r\n"
       "[Registry Keys]\r\n\"MACHINE\\SOFTWARE\\Corp\",0,\"D:PAR(A;CI;KA;;;BA)(A;CI;KR;;;%s)\"\r\n"
       "[File Security]\r\n\"%%SystemRoot%%\\Corp\",0,\"D:PAR(A;OICI;FA;;;BA)(A;OICI;FR;;;%s)\"\r\n"
       % (hd, pr, ki, hd, ki, hd, pr, hd, ki))
open(src + "/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf", "wb").write(b"\xff\xfe" + inf.encode("utf-16-le"))
ini = "\r\n[Startup]\r\n0CmdLine=\\\\corpsrv\\scripts\\start.cmd\r\n0Parameters=/log \\\\corpsrv\\logs\r\n"
open(src + "/Machine/Scripts/scripts.ini", "wb").write(b"\xff\xfe" + ini.encode("utf-16-le"))
ps = "\r\n[Startup]\r\n0CmdLine=\\\\corpsrv\\scripts\\start.ps1\r\n0Parameters=\r\n"
open(src + "/Machine/Scripts/psscripts.ini", "wb").write(b"\xff\xfe" + ps.encode("utf-16-le"))
fd = ("[FolderStatus]\r\nMy Documents=11\r\n[My Documents]\r\n%s=\\\\corpsrv\\home\\%%USERNAME%%\\Documents\r\n"
      "%s=\\\\corpsrv\\home\\printers\\%%USERNAME%%\r\n" % (hd, pr))
open(src + "/User/Documents & Settings/fdeploy.ini", "wb").write(b"\xff\xfe" + fd.encode("utf-16-le"))
sc = ('<?xml version="1.0" encoding="utf-8"?>\r\n<Shortcuts clsid="{872ECB34-B2EC-401b-A585-D32574AA90EE}">\r\n'
      '\t<Shortcut clsid="{4F2F7C55-2790-433e-8127-0739D1CFA327}" name="App" uid="{3}">'
      '<Properties action="U" shortcutPath="%DesktopDir%\\App" targetType="FILESYSTEM" '
      'targetPath="\\\\corpsrv\\apps\\app.exe" startIn="\\\\corpsrv\\apps"/></Shortcut>\r\n</Shortcuts>\r\n')
open(src + "/User/Preferences/Shortcuts/Shortcuts.xml", "w", newline="").write(sc)
pt = ('<?xml version="1.0" encoding="utf-8"?>\n<Printers clsid="{1F577D12-3D1B-471e-A1B7-060317597B9C}">'
      '<SharedPrinter clsid="{9A5E9697-9095-436d-A0EE-4D128FDFBCE5}" name="print1" uid="{4}">'
      '<Properties action="U" path="\\\\corpsrv\\print\\print1" default="0"/>'
      '<Filters><FilterGroup bool="AND" not="0" name="CORP\\Kiosk" sid="%s" userContext="1" primaryGroup="0" localGroup="0"/></Filters>'
      '</SharedPrinter></Printers>\n' % ki)
open(src + "/User/Preferences/Printers/Printers.xml", "w").write(pt)
groups = ('<?xml version="1.0" encoding="utf-8"?>\n<Groups clsid="{3125E937-EB16-4b4c-9934-544FC6D24D26}">'
          '<Group clsid="{6D4A79E4-529C-4481-ABD0-F5BD7EA93BA7}" name="Administrators (built-in)" uid="{1}">'
          '<Properties action="U" groupName="Administrators (built-in)" groupSid="S-1-5-32-544">'
          '<Members><Member name="CORP\\CorpHelpdesk" action="ADD" sid="%s"/>'
          '<Member name="CORP\\CorpPrinters" action="ADD" sid="%s"/></Members></Properties></Group></Groups>\n' % (hd, pr))
open(src + "/Machine/Preferences/Groups/Groups.xml", "w").write(groups)
drives = ('<?xml version="1.0" encoding="utf-8"?>\n<Drives clsid="{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}">'
          '<Drive clsid="{935D1B74-9CB8-4e3c-9914-7DD559B7A417}" name="H:" uid="{2}">'
          '<Properties action="U" path="\\\\corpsrv\\home" label="Home" letter="H"/></Drive></Drives>\n')
open(src + "/User/Preferences/Drives/Drives.xml", "w").write(drives)
PY
(cd "$SRC" && find . -type d | while read -r d; do mkdir -p "$G/$d"; done
 find . -type f | while read -r f; do cat "$f" >"$G/$f"; done) || fail "writing the source's settings"
dd if=/dev/null of="$G/Machine/Scripts/scripts.ini" conv=notrunc,fsync status=none ||
	fail "fsync (the commit) of the source"
while read -r f; do
	cmp -s "$SRC/$f" "$CORP_SYSVOL/$S/$f" || fail "the source's $f is not on the corp DC"
done < <(cd "$SRC" && find . -type f)
note "source $S: GptTmpl.inf, scripts.ini, Groups.xml, Drives.xml with corp principals and paths"

# 2. The table: a UTF-8 one as people write it (every destination form).
mig() { # NAME: a table from stdin, into migtables/
	cat >"$MNT/migtables/$1" || fail "cp of $1 into migtables/"
}
mapping() { printf '  <Mapping><Type>%s</Type><Source>%s</Source>%s</Mapping>\n' "$@"; }
NS=http://www.microsoft.com/GroupPolicy/GPOOperations/MigrationTable
table() { # MAPPINGS...: a table
	echo '<?xml version="1.0" encoding="utf-8"?>'
	echo "<MigrationTable xmlns=\"$NS\">"
	printf '%s' "$@"
	echo '</MigrationTable>'
}
M_HD=$(mapping GlobalGroup "CorpHelpdesk@$CORP_DNS" "<Destination>PROD\\ProdHelpdesk</Destination>")
M_PR=$(mapping GlobalGroup "CORP\\CorpPrinters" "<DestinationNone />")
M_KI=$(mapping GlobalGroup "$C_KI" "<DestinationByRelativeName />")
M_SC=$(mapping UNCPath '\\corpsrv\scripts' "<Destination>\\\\prodsrv\\scripts</Destination>")
M_LG=$(mapping UNCPath '\\corpsrv\logs' "<DestinationSameAsSource />")
M_HO=$(mapping UNCPath '\\CORPSRV\home' "<Destination>\\\\prodsrv\\home</Destination>")
M_AP=$(mapping UNCPath '\\corpsrv\apps' "<Destination>\\\\prodsrv\\apps</Destination>")
M_PT=$(mapping UNCPath '\\corpsrv\print\' "<Destination>\\\\prodsrv\\print</Destination>")
table "$M_HD" "$M_PR" "$M_KI" "$M_SC" "$M_LG" "$M_HO" "$M_AP" "$M_PT" | mig to-prod.migtable
table "$M_HD" "$M_PR" "$M_KI" "$M_SC" "$M_LG" "$M_AP" "$M_PT" | mig no-home.migtable
table "$(mapping GlobalGroup CorpHelpdesk "<Destination>NoSuchGroup</Destination>")" | mig missing.migtable
printf '<?xml version="1.0" encoding="utf-8"?>\n<MigrationTable xmlns="%s">\n  <Mapping><Type>Group</Type><Source>x</Source><DestinationNone /></Mapping>\n</MigrationTable>\n' \
	"$NS" | mig bad-utf8.migtable
table "$M_HD" "  <Mapping><Type>User</Type><Source>a</Source></Mapping>" |
	iconv -f utf-8 -t utf-16le | { printf '\xff\xfe'; cat; } | mig bad-utf16.migtable

expected() { # OUT: the source's files as the table maps them
	python3 - "$SRC" "$1" "$C_HD" "$P_HD" "$C_PR" "$C_KI" "$P_KI" <<'PY'
import os, re, shutil, sys
src, out, c_hd, p_hd, c_pr, c_ki, p_ki = sys.argv[1:]
shutil.copytree(src, out)
def edit(rel, fn, utf16):
    p = os.path.join(out, rel)
    b = open(p, "rb").read()
    t = b[2:].decode("utf-16-le") if utf16 else b.decode()
    t = fn(t)
    open(p, "wb").write(b"\xff\xfe" + t.encode("utf-16-le") if utf16 else t.encode())
def inf(t):
    t = t.replace(",*%s" % c_pr, "")                  # dropped from a right
    t = t.replace("(A;;RP;;;%s)" % c_pr, "")          # its ACE dropped
    return t.replace(c_hd, p_hd).replace(c_ki, p_ki)
edit("Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf", inf, True)
edit("Machine/Scripts/scripts.ini", lambda t: t.replace("\\\\corpsrv\\scripts", "\\\\prodsrv\\scripts"), True)
edit("Machine/Scripts/psscripts.ini", lambda t: t.replace("\\\\corpsrv\\scripts", "\\\\prodsrv\\scripts"), True)
def fdeploy(t):
    t = re.sub(r"%s=[^\r\n]*\r\n" % c_pr, "", t)   # its line dropped
    return t.replace(c_hd, p_hd).replace("\\\\corpsrv\\home", "\\\\prodsrv\\home")
edit("User/Documents & Settings/fdeploy.ini", fdeploy, True)
edit("User/Preferences/Shortcuts/Shortcuts.xml", lambda t: t.replace("\\\\corpsrv\\apps", "\\\\prodsrv\\apps"), False)
edit("User/Preferences/Printers/Printers.xml",
     lambda t: t.replace("\\\\corpsrv\\print", "\\\\prodsrv\\print").replace(c_ki, p_ki)
                .replace('name="CORP\\Kiosk"', 'name="PROD\\Kiosk"'), False)
def groups(t):
    t = re.sub(r'<Member name="CORP\\CorpPrinters"[^>]*/>', "", t)
    return t.replace('name="CORP\\CorpHelpdesk"', 'name="PROD\\ProdHelpdesk"').replace(c_hd, p_hd)
edit("Machine/Preferences/Groups/Groups.xml", groups, False)
edit("User/Preferences/Drives/Drives.xml", lambda t: t.replace("\\\\corpsrv\\home", "\\\\prodsrv\\home"), False)
PY
}
expected "$TEST_TMP/want"
same_as_want() { # GUID WHAT: prod's SYSVOL of GUID holds exactly the mapped files
	local f
	while read -r f; do
		cmp "$TEST_TMP/want/$f" "$PROD_SYSVOL/$1/$f" >&2 ||
			fail "$2: $f is not the source mapped through the table"
	done < <(cd "$TEST_TMP/want" && find . -type f)
}

# 3. dry-run: the log says what would be mapped; nothing is made.
n0=$(prod_count)
l0=$(log_count "$PLOG" "dry run")
echo "$CORP_DNS/$S \"Mig copy\" migtable=to-prod.migtable dry-run" >"$P/copy" ||
	fail "dry-run copy: $(tail -3 "$PLOG")"
[ "$(prod_count)" = "$n0" ] || fail "a dry run made a GPO"
[ "$(log_count "$PLOG" "dry run")" -gt "$l0" ] || fail "the dry run logged nothing"
grep -q "dry run: .*GptTmpl.inf.*$C_HD (CorpHelpdesk) to PROD.ProdHelpdesk ($P_HD)" "$PLOG" ||
	fail "the dry run does not show the helpdesk mapping: $(grep 'dry run' "$PLOG" | head -5)"
grep -q "dry run: .*$C_PR dropped" "$PLOG" || fail "the dry run does not show the drop"
note "dry-run: $(($(log_count "$PLOG" "dry run") - l0)) lines logged, nothing made"

# 4. Refusals, each with nothing made.
refused() { # ERRNO-TEXT REQUEST LOG-TEXT
	local out
	out=$(echo "$2" 2>&1 >"$P/copy") && fail "copy '$2' succeeded"
	echo "$out" | grep -q "$1" || fail "copy '$2': not $1: $out"
	tail -3 "$PLOG" | grep -q -- "$3" || fail "copy '$2': the log does not say '$3': $(tail -3 "$PLOG")"
	[ "$(prod_count)" = "$n0" ] || fail "copy '$2' made a GPO"
}
refused "No such device or address" "$CORP_DNS/$S \"Mig copy\" migtable=no-home.migtable strict" \
	'no mapping in no-home.migtable for \\\\corpsrv\\home'
refused "No such file" "$CORP_DNS/$S \"Mig copy\" migtable=missing.migtable" "NoSuchGroup does not exist in $PROD_DNS"
refused "Invalid argument" "$CORP_DNS/$S \"Mig copy\" migtable=bad-utf8.migtable" "bad-utf8.migtable line 3"
refused "Invalid argument" "$CORP_DNS/$S \"Mig copy\" migtable=bad-utf16.migtable" "bad-utf16.migtable line"
refused "No such file" "$CORP_DNS/$S \"Mig copy\" migtable=nothere.migtable" "no migration table nothere.migtable"
refused "No such file" "nosuch.test/$S \"Mig copy\" migtable=to-prod.migtable" "no domain nosuch.test"
note "strict with an unmapped path ENXIO, a missing destination ENOENT, malformed tables EINVAL (file and line logged)"

# 5. The copy: every principal and path mapped, the rest byte for byte.
echo "$CORP_DNS/$S \"Mig copy\" migtable=to-prod.migtable strict" >"$P/copy" ||
	fail "copy through to-prod.migtable: $(tail -3 "$PLOG")"
N=$(guid_in prod "Mig copy")
[ -n "$N" ] || fail "no GPO Mig copy in prod"
same_as_want "$N" "copy"
grep -q "S-1-5-32-544" "$PROD_SYSVOL/$N/Machine/Preferences/Groups/Groups.xml" || fail "a builtin SID went"
note "copy corp/$S -> prod/$N: every principal and path mapped, builtin SIDs kept, the rest byte for byte"

# 5b. acl=source: the source's DACL comes along, its corp principals
# mapped (a security-filtering ACE for CorpHelpdesk; the corp admins' by
# relative name), and the folder ACL follows it.
dacl() { # corp|prod GUID: the GPO's DACL in SDDL
	local up=${1^^}
	local base=${up}_BASEDN
	ldap_gssapi "$1" -E '1.2.840.113556.1.4.801=::MAMCAQQ=' -b "CN=$2,CN=Policies,CN=System,${!base}" \
		-s base nTSecurityDescriptor | sed -n 's/^nTSecurityDescriptor:: //p' |
		"$SAMBA_PY" -c '
import base64, sys
from samba.dcerpc import security
from samba.ndr import ndr_unpack
sd = ndr_unpack(security.descriptor, base64.b64decode(sys.stdin.read()))
print(sd.as_sddl())'
}
st corp dsacl set --objectdn="CN=$S,CN=Policies,CN=System,$CORP_BASEDN" \
	--sddl="(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;$C_HD)" >/dev/null 2>&1 ||
	fail "samba-tool dsacl set (security filtering for CorpHelpdesk)"
dacl corp "$S" | grep -q "$C_HD" || fail "the source's DACL has no CorpHelpdesk ACE"
M_DA=$(mapping GlobalGroup "Domain Admins@$CORP_DNS" "<DestinationByRelativeName />")
M_EA=$(mapping UniversalGroup "Enterprise Admins@$CORP_DNS" "<DestinationByRelativeName />")
table "$M_HD" "$M_PR" "$M_KI" "$M_SC" "$M_LG" "$M_HO" "$M_AP" "$M_PT" "$M_DA" "$M_EA" | mig acl.migtable
echo "$CORP_DNS/$S \"Mig copy acl\" acl=source migtable=acl.migtable strict" >"$P/copy" ||
	fail "copy with acl=source: $(tail -3 "$PLOG")"
A=$(guid_in prod "Mig copy acl")
got=$(dacl prod "$A")
echo "$got" | grep -q "$P_HD" || fail "the copy's DACL has no ProdHelpdesk ACE: $got"
echo "$got" | grep -q "S-1-5-21-${CORP_SID#S-1-5-21-}" && fail "the copy's DACL still names corp: $got"
echo "$got" | grep -q "$C_HD" && fail "the copy's DACL kept CorpHelpdesk: $got"
same_as_want "$A" "copy with acl=source"
out=$(KRB5CCNAME=FILE:$(ccache prod) samba-tool gpo aclcheck -H "ldap://$PROD_DC" \
	--use-kerberos=required -N </dev/null 2>&1) || fail "samba-tool gpo aclcheck (prod): $out"
[ -z "$out" ] || fail "samba-tool gpo aclcheck (prod) after a copy with acl=source: $out"
note "acl=source across forests: the DACL's corp principals mapped ($P_HD filtering), aclcheck clean"

# 6. A cross-domain import of a corp backup into a prod GPO, with migtable=.
cp -r "$C/gpos/$S" "$TEST_TMP/backup" || fail "cp -r (backup) of the source"
mkdir "$P/by-name/Mig import" || fail "mkdir of the import target"
I=$(guid_in prod "Mig import")
v0=$(ldap_gssapi prod -b "CN=$I,CN=Policies,CN=System,$PROD_BASEDN" -s base versionNumber |
	sed -n 's/^versionNumber: //p')
echo "$TEST_TMP/backup $I migtable=to-prod.migtable dry-run" >"$P/import" ||
	fail "dry-run import: $(tail -3 "$PLOG")"
[ -z "$(ls -A "$PROD_SYSVOL/$I/Machine")" ] || fail "a dry-run import wrote files"
[ "$(ldap_gssapi prod -b "CN=$I,CN=Policies,CN=System,$PROD_BASEDN" -s base versionNumber |
	sed -n 's/^versionNumber: //p')" = "$v0" ] || fail "a dry-run import moved the version"
out=$(echo "$TEST_TMP/backup $I migtable=no-home.migtable strict" 2>&1 >"$P/import") &&
	fail "a strict import with an unmapped path succeeded"
echo "$out" | grep -q "No such device or address" || fail "strict import: not ENXIO: $out"
[ -z "$(ls -A "$PROD_SYSVOL/$I/Machine")" ] || fail "a refused strict import wrote files"
echo "$TEST_TMP/backup $I migtable=to-prod.migtable" >"$P/import" ||
	fail "import through to-prod.migtable: $(tail -3 "$PLOG")"
same_as_want "$I" "import"
note "import of a corp backup into prod/$I through the table: mapped the same"

# 7. The domain's migtable file: an import of another domain's backup maps
# through it without migtable= in the request.
grep -q "Now: none" "$P/migtable" || fail "reading migtable does not say none is set"
echo bad-utf8.migtable >"$P/migtable" 2>/dev/null && fail "a malformed table was set"
echo to-prod.migtable >"$P/migtable" || fail "setting the domain's table: $(tail -2 "$PLOG")"
grep -q "Now: to-prod.migtable" "$P/migtable" || fail "reading migtable does not show the table"
mkdir "$P/by-name/Mig import 2" || fail "mkdir"
I2=$(guid_in prod "Mig import 2")
echo "$TEST_TMP/backup $I2" >"$P/import" || fail "import with the domain's table: $(tail -3 "$PLOG")"
same_as_want "$I2" "import through the domain's table"
# and a corp backup copied into a prod GPO with cp -r is mapped through it
mkdir "$P/by-name/Mig cp" || fail "mkdir"
I3=$(guid_in prod "Mig cp")
cp -r "$TEST_TMP/backup/." "$P/gpos/$I3/" || fail "cp -r of a corp backup into prod: $(tail -3 "$PLOG")"
dd if=/dev/null of="$P/gpos/$I3/Backup.xml" conv=notrunc,fsync status=none ||
	fail "fsync (the commit) of the cp -r import: $(tail -3 "$PLOG")"
same_as_want "$I3" "cp -r of a corp backup with the domain's table"
echo none >"$P/migtable" || fail "migtable none"
note "the domain's migtable file: set, shown, used by an import and by a cp -r of a corp backup, unset"

# 7b. The WMI filter link across forests: dropped while prod has no
# filter of that name, prod's own filter of that name once it has one.
[ -n "${GPO_WMI:-}" ] || fail "no seeded WMI-filtered GPO in corp"
wql_of() { ldap_gssapi prod -b "CN=$1,CN=Policies,CN=System,$PROD_BASEDN" -s base gPCWQLFilter |
	sed -n 's/^gPCWQLFilter: //p'; }
echo "$CORP_DNS/$GPO_WMI \"WMI across 1\"" >"$P/copy" || fail "copy of the WMI-filtered GPO: $(tail -3 "$PLOG")"
W1=$(guid_in prod "WMI across 1")
[ -z "$(wql_of "$W1")" ] || fail "a WMI link to corp's filter came into prod: $(wql_of "$W1")"
grep -q "$GPO_WMI: its WMI filter Windows 10 Workstations is not in $PROD_DNS" "$PLOG" ||
	fail "the log does not say the WMI link was dropped"
PFID=$(KRB5CCNAME=FILE:$(ccache prod) "$SAMBA_PY" - "$PROD_DC" <<'PY'
import sys, uuid
from samba.auth import system_session
from samba.credentials import MUST_USE_KERBEROS, Credentials
from samba.param import LoadParm
from samba.samdb import SamDB
lp = LoadParm()
creds = Credentials()
creds.guess(lp)
creds.set_kerberos_state(MUST_USE_KERBEROS)
db = SamDB(url="ldap://" + sys.argv[1], session_info=system_session(), credentials=creds, lp=lp)
fid = "{%s}" % str(uuid.uuid4()).upper()
q = 'Select * from Win32_OperatingSystem where ProductType="1"'
db.add({"dn": "CN=%s,CN=SOM,CN=WMIPolicy,CN=System,%s" % (fid, db.domain_dn()),
        "objectClass": "msWMI-Som", "msWMI-ID": fid, "msWMI-Name": "Windows 10 Workstations",
        "msWMI-Parm2": "1;3;10;%d;WQL;root\\CIMv2;%s;" % (len(q), q)})
print(fid)
PY
) || fail "adding a WMI filter to prod"
echo "$CORP_DNS/$GPO_WMI \"WMI across 2\"" >"$P/copy" || fail "copy of the WMI-filtered GPO: $(tail -3 "$PLOG")"
W2=$(guid_in prod "WMI across 2")
[ "$(wql_of "$W2")" = "[$PROD_DNS;$PFID;0]" ] || fail "the copy is not linked to prod's filter: $(wql_of "$W2")"
note "WMI link across forests: dropped without a filter of that name, prod's $PFID with one"

# 8. Every type and every source form: a user by UPN, a computer by
# dns\name, a domain local group by NETBIOS\name, a universal group by
# its SID, free text; destinations by relative name, by UPN, by
# dns\name, by NETBIOS\name and the same as the source.
for d in corp prod; do
	st "$d" user add jdoe --random-password >/dev/null 2>&1 || fail "samba-tool user add jdoe ($d)"
	st "$d" computer add KIOSK01 >/dev/null 2>&1 || fail "samba-tool computer add KIOSK01 ($d)"
done
st corp group add CorpLocal --group-scope=Domain >/dev/null 2>&1 || fail "group add CorpLocal"
st corp group add CorpUni --group-scope=Universal >/dev/null 2>&1 || fail "group add CorpUni"
st prod group add ProdLocal --group-scope=Domain >/dev/null 2>&1 || fail "group add ProdLocal"
st prod group add ProdUni --group-scope=Universal >/dev/null 2>&1 || fail "group add ProdUni"
declare -A CS PS
for a in jdoe 'KIOSK01$' CorpLocal CorpUni; do CS[$a]=$(sid_of corp "$a"); done
for a in jdoe 'KIOSK01$' ProdLocal ProdUni; do PS[$a]=$(sid_of prod "$a"); done
mkdir "$C/by-name/Mig forms" || fail "mkdir Mig forms"
F=$(guid_in corp "Mig forms")
FD=$C/gpos/$F/DomainSysvol/GPO/Machine/Microsoft/Windows\ NT/SecEdit
mkdir -p "$FD" || fail "mkdir SecEdit"
line="SeRemoteInteractiveLogonRight = *${CS[jdoe]},*${CS[KIOSK01\$]},*${CS[CorpLocal]},*${CS[CorpUni]},CorpOps"
printf '[Unicode]\r\nUnicode=yes\r\n[Privilege Rights]\r\n%s\r\n' "$line" | iconv -f utf-8 -t utf-16le |
	{ printf '\xff\xfe'; cat; } >"$TEST_TMP/forms.inf"
cp "$TEST_TMP/forms.inf" "$FD/GptTmpl.inf" || fail "writing GptTmpl.inf of Mig forms"
dd if=/dev/null of="$FD/GptTmpl.inf" conv=notrunc,fsync status=none || fail "fsync"
table "$(mapping User "jdoe@$CORP_DNS" "<DestinationByRelativeName />")" \
	"$(mapping Computer "$CORP_DNS\\KIOSK01\$" "<Destination>PROD\\KIOSK01\$</Destination>")" \
	"$(mapping LocalGroup "CORP\\CorpLocal" "<Destination>ProdLocal@$PROD_DNS</Destination>")" \
	"$(mapping UniversalGroup "${CS[CorpUni]}" "<Destination>$PROD_DNS\\ProdUni</Destination>")" \
	"$(mapping Unknown "CorpOps" "<DestinationSameAsSource />")" | mig forms.migtable
echo "$CORP_DNS/\"Mig forms\" \"Mig forms\" migtable=forms.migtable strict" >"$P/copy" ||
	fail "copy of Mig forms: $(tail -3 "$PLOG")"
FN=$(guid_in prod "Mig forms")
want="SeRemoteInteractiveLogonRight = *${PS[jdoe]},*${PS[KIOSK01\$]},*${PS[ProdLocal]},*${PS[ProdUni]},CorpOps"
got=$(iconv -f utf-16 -t utf-8 "$PROD_SYSVOL/$FN/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf" | tr -d '\r' |
	grep '^SeRemote')
[ "$got" = "$want" ] || fail "Mig forms mapped to '$got', not '$want'"
note "types User, Computer, LocalGroup, UniversalGroup, Unknown; sources by UPN, dns\\name, NETBIOS\\name, SID, free text: all mapped"


# 8. migtables/generated/: a table to start from for each GPO (and each
# sealed backup), every principal and share its settings name with
# DestinationSameAsSource; edited and used, it maps as section 5's does.
GEN=$MNT/migtables/generated
ls "$GEN/$CORP_DNS/" | grep -qx "$S.migtable" || fail "generated/$CORP_DNS/ does not list $S.migtable"
ls "$GEN/" | grep -qx backups || fail "generated/ does not list backups"
cp "$GEN/$CORP_DNS/$S.migtable" "$TEST_TMP/gen.migtable" || fail "reading the generated table"
[ "$(stat -c %s "$GEN/$CORP_DNS/$S.migtable")" = "$(stat -c %s "$TEST_TMP/gen.migtable")" ] ||
	fail "the generated table's size is not what reading it gives"
gen_entries() { # FILE: "Type Source Destination-kind" per Mapping; checks it is GPMC's form
	python3 - "$1" <<'PY'
import sys
from xml.etree import ElementTree as ET
NS = "{http://www.microsoft.com/GroupPolicy/GPOOperations/MigrationTable}"
b = open(sys.argv[1], "rb").read()
if not b.startswith(b"\xff\xfe"):
    sys.exit("no UTF-16LE BOM")
text = b[2:].decode("utf-16-le")
root = ET.fromstring(text.encode("utf-8").replace(b'encoding="utf-16"', b'encoding="utf-8"', 1))
if root.tag != NS + "MigrationTable":
    sys.exit("not a MigrationTable: " + root.tag)
for m in root.findall(NS + "Mapping"):
    dest = [c.tag[len(NS):] for c in m if c.tag.startswith(NS + "Destination")]
    print("%s\t%s\t%s" % (m.find(NS + "Type").text, m.find(NS + "Source").text, ",".join(dest)))
PY
}
gen_entries "$TEST_TMP/gen.migtable" >"$TEST_TMP/gen.txt" || fail "the generated table does not parse"
note "generated table of corp/$S: $(tr '\t\n' ' ;' <"$TEST_TMP/gen.txt")"
for want in "GlobalGroup	CorpHelpdesk@$CORP_DNS" "GlobalGroup	CorpPrinters@$CORP_DNS" \
	"GlobalGroup	Kiosk@$CORP_DNS" 'UNCPath	\\corpsrv\scripts' 'UNCPath	\\corpsrv\home' \
	'UNCPath	\\corpsrv\logs'; do
	grep -qxF "$want	DestinationSameAsSource" "$TEST_TMP/gen.txt" ||
		fail "the generated table lacks $want: $(cat "$TEST_TMP/gen.txt")"
done
! grep -q "S-1-5-32" "$TEST_TMP/gen.txt" || fail "the generated table lists a builtin SID"
[ "$(cut -f2 "$TEST_TMP/gen.txt" | tr 'A-Z' 'a-z' | sort | uniq -d)" = "" ] ||
	fail "the generated table lists something twice"
python3 - "$TEST_TMP/gen.migtable" "$MNT/migtables/edited.migtable" "$CORP_DNS" <<'PY' ||
import sys
from xml.etree import ElementTree as ET
NSU = "http://www.microsoft.com/GroupPolicy/GPOOperations/MigrationTable"
NS = "{%s}" % NSU
src, dst, corp = sys.argv[1:]
ET.register_namespace("", NSU)
text = open(src, "rb").read()[2:].decode("utf-16-le")
root = ET.fromstring(text.encode("utf-8").replace(b'encoding="utf-16"', b'encoding="utf-8"', 1))
dests = {"CorpHelpdesk@" + corp: ("Destination", "PROD\\ProdHelpdesk"),
         "CorpPrinters@" + corp: ("DestinationNone", None),
         "Kiosk@" + corp: ("DestinationByRelativeName", None),
         "\\\\corpsrv\\scripts": ("Destination", "\\\\prodsrv\\scripts"),
         "\\\\corpsrv\\home": ("Destination", "\\\\prodsrv\\home"),
         "\\\\corpsrv\\apps": ("Destination", "\\\\prodsrv\\apps"),
         "\\\\corpsrv\\print": ("Destination", "\\\\prodsrv\\print")}
done = 0
for m in root.findall(NS + "Mapping"):
    source = m.find(NS + "Source").text
    if source not in dests:
        continue
    for c in list(m):
        if c.tag.startswith(NS + "Destination"):
            m.remove(c)
    tag, value = dests[source]
    ET.SubElement(m, NS + tag).text = value
    done += 1
if done != len(dests):
    sys.exit("only %d of the mappings to edit are in the table" % done)
out = '<?xml version="1.0" encoding="utf-16"?>\r\n' + ET.tostring(root, encoding="unicode")
open(dst, "wb").write(b"\xff\xfe" + out.encode("utf-16-le"))
PY
	fail "editing the generated table into migtables/edited.migtable"
echo "$CORP_DNS/$S \"Mig copy gen\" migtable=edited.migtable strict" >"$P/copy" ||
	fail "copy through the edited generated table: $(tail -3 "$PLOG")"
NG=$(guid_in prod "Mig copy gen")
[ -n "$NG" ] || fail "no GPO Mig copy gen in prod"
same_as_want "$NG" "copy through the edited generated table"
note "generated/$CORP_DNS/$S.migtable: every principal and share, edited and used (strict): mapped as by hand"

# Nothing under generated/ can be written, made, removed or renamed into.
python3 - "$GEN" "$CORP_DNS" "$S" "$MNT/migtables/edited.migtable" <<'PY' || fail "a change under generated/ was not EROFS"
import errno, os, sys
gen, corp, s, edited = sys.argv[1:]
table = "%s/%s/%s.migtable" % (gen, corp, s)
tries = [
    ("write", lambda: open(table, "r+b")),
    ("truncate", lambda: open(table, "wb")),
    ("create", lambda: open(gen + "/new.migtable", "wb")),
    ("create in a domain's", lambda: open("%s/%s/new.migtable" % (gen, corp), "wb")),
    ("mkdir", lambda: os.mkdir(gen + "/d")),
    ("unlink", lambda: os.unlink(table)),
    ("rmdir", lambda: os.rmdir(gen + "/backups")),
    ("rename into", lambda: os.rename(edited, gen + "/x.migtable")),
    ("rename out", lambda: os.rename(table, os.path.dirname(edited) + "/x.migtable")),
    ("rename generated", lambda: os.rename(gen, gen + "2")),
    ("symlink", lambda: os.symlink("x", gen + "/l")),
]
for what, fn in tries:
    try:
        fn()
    except OSError as e:
        if e.errno != errno.EROFS:
            sys.exit("%s: %s, not EROFS" % (what, e))
        continue
    sys.exit("%s succeeded" % what)
PY
# A real folder named generated in migtable_dir is hidden by the mount's.
mkdir "$TEST_TMP/migtables/generated" && echo hidden >"$TEST_TMP/migtables/generated/real.txt" ||
	fail "mkdir in migtable_dir"
[ "$(ls "$MNT/migtables" | grep -cx generated)" = 1 ] || fail "migtables/ lists generated other than once"
[ ! -e "$GEN/real.txt" ] || fail "the real generated/ folder shows through"
rm -r "$TEST_TMP/migtables/generated"
note "generated/: EROFS for every change; a real folder of that name is hidden"

# A sealed backup of the source has a table too, with the same entries.
bid=$(xpath "$C/gpos/$S/bkupInfo.xml" "m:ID")
cp -r "$C/gpos/$S" "$MNT/backups/" || fail "cp -r of the source into backups/"
for _ in $(seq 1 300); do
	[ -d "$MNT/backups/$bid" ] && break
	sleep 0.1
done
[ -d "$MNT/backups/$bid" ] || fail "the copy into backups/ was not sealed as $bid"
ls "$GEN/backups/" | grep -qx "$bid.migtable" || fail "generated/backups/ does not list $bid.migtable"
gen_entries "$GEN/backups/$bid.migtable" >"$TEST_TMP/gen-backup.txt" ||
	fail "the backup's generated table does not parse"
diff <(sort "$TEST_TMP/gen.txt") <(sort "$TEST_TMP/gen-backup.txt") >&2 ||
	fail "the sealed backup's table differs from its GPO's"
note "generated/backups/$bid.migtable: the sealed backup's table, the same entries as its GPO's"

# 9. The GPMC fixtures into prod, each through the table gpofs generated
# for it, edited as an admin would (every domain principal by relative
# name): every SID their SecurityGroups name is in the table, the strict
# imports succeed, and the settings arrive byte for byte.
nfx=0
for fx in "${FIXTURES_DIR:-/nonexistent}"/\{*\}; do
	[ -f "$fx/bkupInfo.xml" ] || continue
	fid=$(xpath "$fx/bkupInfo.xml" "m:ID")
	# git lost the empty folders the backup names: made again, as GPMC
	# left them, so that the store seals it
	rm -rf "$TEST_TMP/fx" && mkdir -p "$TEST_TMP/fx" && cp -r "$fx" "$TEST_TMP/fx/" ||
		fail "copying fixture $fid"
	python3 - "$TEST_TMP/fx/$fid" <<'PY' || fail "fixture $fid: its folders"
import os, sys
from xml.etree import ElementTree as ET
B = "{http://www.microsoft.com/GroupPolicy/GPOOperations}"
for e in ET.parse(os.path.join(sys.argv[1], "Backup.xml")).getroot().iter(B + "FSObjectDir"):
    loc = e.get(B + "Location")
    if loc:
        os.makedirs(os.path.join(sys.argv[1], *loc.split("\\")), exist_ok=True)
PY
	cp -r "$TEST_TMP/fx/$fid" "$MNT/backups/" || fail "cp -r of fixture $fid into backups/"
	for _ in $(seq 1 300); do # until it is sealed
		[ -f "$GEN/backups/$fid.migtable" ] && break
		sleep 0.1
	done
	[ -f "$GEN/backups/$fid.migtable" ] || fail "no generated table for fixture $fid"
	python3 - "$GEN/backups/$fid.migtable" "$fx/Backup.xml" "$MNT/migtables/fx-$nfx.migtable" <<'PY' ||
import sys
from xml.etree import ElementTree as ET
NS = "{http://www.microsoft.com/GroupPolicy/GPOOperations/MigrationTable}"
B = "{http://www.microsoft.com/GroupPolicy/GPOOperations}"
table, backup, out = sys.argv[1:]
raw = open(table, "rb").read()
text = raw[2:].decode("utf-16-le")
root = ET.fromstring(text.encode().replace(b'encoding="utf-16"', b'encoding="utf-8"', 1))
sources = {m.find(NS + "Source").text.lower() for m in root.findall(NS + "Mapping")}
for g in ET.parse(backup).getroot().iter(B + "Group"):
    sid, upn = g.find(B + "Sid"), g.find(B + "UPN")
    if sid is not None and sid.text and sid.text.startswith("S-1-5-21-"):
        if not upn.text or upn.text.lower() not in sources:
            sys.exit("%s: %s (%s) is not in the generated table" % (backup, sid.text, upn.text))
# the admin's edit: each domain principal by relative name
for m in root.findall(NS + "Mapping"):
    if "@" in m.find(NS + "Source").text:
        for d in list(m):
            if d.tag.startswith(NS + "Destination"):
                m.remove(d)
        ET.SubElement(m, NS + "DestinationByRelativeName")
ET.register_namespace("", NS[1:-1])
body = ET.tostring(root, encoding="unicode")
open(out, "wb").write(b"\xff\xfe" + ('<?xml version="1.0" encoding="utf-16"?>\r\n' + body).encode("utf-16-le"))
PY
		fail "fixture $fid: its generated table"
	echo "$fid create \"Fixture $nfx\" migtable=fx-$nfx.migtable strict" >"$P/import" ||
		fail "fixture $fid into prod through its edited table: $(tail -3 "$PLOG")"
	G=$(guid_in prod "Fixture $nfx")
	while read -r f; do
		cmp -s "$fx/DomainSysvol/GPO/$f" "$PROD_SYSVOL/$G/$f" ||
			fail "fixture $fid: $f did not arrive as it was"
	done < <(cd "$fx/DomainSysvol/GPO" 2>/dev/null && find . -type f)
	nfx=$((nfx + 1))
done
[ "$nfx" -gt 0 ] || note "no GPMC fixtures: section 9 not run"
[ "$nfx" -eq 0 ] || note "$nfx GPMC fixtures into prod through their generated tables, edited: every SecurityGroups SID listed, strict imports, settings byte for byte"

gpofs_stop "$MNT"
