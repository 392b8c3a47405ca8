#!/usr/bin/env bash
# The harness itself: both domains answer over DNS, Kerberos, LDAP (GSSAPI
# sealed; simple bind over LDAPS with the CA verified) and SMB (Kerberos and
# an auth file, signing required); every seeded GPO is in the directory with
# the seeded attributes, and its SYSVOL folder is reachable with a GPT.INI
# whose version matches; fixtures came over byte for byte; no password
# leaked; a DC can be stopped and started again.
# shellcheck source=tests/harness/testlib.sh
. "$GPOFS_HARNESS/testlib.sh"

tmp=$GPOFS_TEST_TMPDIR

# --- DNS ------------------------------------------------------------------
# srv NAME: the SRV targets of NAME, "port target" per line.
srv() {
	if command -v host >/dev/null; then
		host -t SRV "$1" | awk '/has SRV record/ { print $(NF-1), $NF }'
	elif command -v dig >/dev/null; then
		dig +short -t SRV "$1" | awk '{ print $3, $4 }'
	else
		echo "no-resolver-tool"
	fi
}
note "DNS SRV records (corp directly, prod through corp's forwarder)"
got=$(srv _ldap._tcp.dc._msdcs.corp.test)
[[ $got != no-resolver-tool ]] || skip "neither host nor dig is installed"
assert_eq "$got" "389 dc-corp.corp.test." "SRV _ldap._tcp.dc._msdcs.corp.test"
assert_eq "$(srv _ldap._tcp.dc._msdcs.prod.test)" "389 dc-prod.prod.test." \
	"SRV _ldap._tcp.dc._msdcs.prod.test"
assert_eq "$(srv _kerberos._tcp.prod.test)" "88 dc-prod.prod.test." "SRV _kerberos._tcp.prod.test"
# The domain names themselves (gPCFileSysPath is \\corp.test\sysvol\...).
host corp.test | grep -q 'has address 127\.0\.0\.2$' || fail "corp.test does not resolve to 127.0.0.2"
host prod.test | grep -q 'has address 127\.0\.0\.3$' || fail "prod.test does not resolve to 127.0.0.3"

# --- secrets --------------------------------------------------------------
note "password and auth files are private, and no password is in a log"
for f in "$CORP_ADMIN_PASSFILE" "$CORP_AUTHFILE" "$PROD_ADMIN_PASSFILE" "$PROD_AUTHFILE"; do
	assert_eq "$(stat -c %a "$f")" 600 "mode of $f"
done
for f in "$CORP_ADMIN_PASSFILE" "$PROD_ADMIN_PASSFILE"; do
	if grep -rqF -f "$f" "$GPOFS_WORKDIR/env.sh" "$GPOFS_WORKDIR/seeded.env" \
		"$GPOFS_WORKDIR"/corp/*.log "$GPOFS_WORKDIR"/prod/*.log "$GPOFS_WORKDIR/logs"; then
		fail "an Administrator password appears in a log or env file"
	fi
done

# --- Kerberos -------------------------------------------------------------
note "kinit into both realms"
for d in corp prod; do
	klist -c "FILE:$(ccache "$d")" | grep -q "Default principal: Administrator@${d^^}.TEST" ||
		fail "no Administrator@${d^^}.TEST ticket"
done

# --- LDAP -----------------------------------------------------------------
# gpos_tsv DOMAIN: one line per GPO: GUID, displayName, versionNumber,
# flags, gPCWQLFilter, gPCFileSysPath, machine and user extension names
# (tab-separated; base64 LDIF values decoded).
gpos_tsv() {
	local base
	_tl_dom "$1"
	base="CN=Policies,CN=System,$TL_BASEDN"
	ldap_gssapi "$1" -b "$base" -s one '(objectClass=groupPolicyContainer)' \
		cn displayName versionNumber flags gPCWQLFilter gPCFileSysPath \
		gPCMachineExtensionNames gPCUserExtensionNames |
		python3 -c '
import base64, sys
attrs = ["cn", "displayName", "versionNumber", "flags", "gPCWQLFilter",
         "gPCFileSysPath", "gPCMachineExtensionNames", "gPCUserExtensionNames"]
def flush(e):
    if e:
        print("\t".join(e.get(a.lower(), "") for a in attrs))
e = {}
for line in sys.stdin.read().splitlines():
    if not line:
        flush(e); e = {}
        continue
    if line.startswith("#"):
        continue
    k, sep, v = line.partition(":")
    if v.startswith(":"):
        v = base64.b64decode(v[1:].strip()).decode("utf-8")
    else:
        v = v.strip()
    e[k.lower()] = v
flush(e)
'
}

note "LDAP (GSSAPI, sealed): every seeded GPO with its attributes"
gpos_tsv corp >"$tmp/corp.tsv"
gpos_tsv prod >"$tmp/prod.tsv"
[[ -s $tmp/corp.tsv && -s $tmp/prod.tsv ]] || fail "LDAP search for GPOs returned nothing"

# field DOMAIN GUID N: field N of that GPO's line (case-insensitive GUID).
field() {
	awk -F'\t' -v g="$2" -v n="$3" 'toupper($1) == toupper(g) { print $n; found = 1 }
		END { exit !found }' "$tmp/$1.tsv"
}
for g in $SEEDED_GPOS; do
	field corp "$g" 1 >/dev/null || fail "seeded GPO $g is not in corp.test's directory"
	assert_eq "$(field corp "$g" 6)" "\\\\corp.test\\sysvol\\corp.test\\Policies\\$g" "gPCFileSysPath of $g"
done
for g in $PROD_SEEDED_GPOS; do
	field prod "$g" 1 >/dev/null || fail "seeded GPO $g is not in prod.test's directory"
done
assert_eq "$(field corp "$GPO_SECURITY" 2)" "Security Baseline" "displayName of GPO_SECURITY"
assert_eq "$(field corp "$GPO_SECURITY" 7)" \
	"[{827D319E-6EAC-11D2-A4EA-00C04F79F83A}{803E14A0-B4FB-11D0-A0D0-00A0C90F574B}]" \
	"machine extensions of GPO_SECURITY"
assert_eq "$(field corp "$GPO_REGISTRY" 3)" $(((2 << 16) | 5)) "versionNumber of GPO_REGISTRY"
assert_eq "$(field corp "$GPO_USERDISABLED" 4)" 1 "flags of GPO_USERDISABLED"
assert_eq "$(field corp "$GPO_WMI" 5)" "[corp.test;$WMI_FILTER;0]" "gPCWQLFilter of GPO_WMI"
assert_eq "$(field corp "$GPO_UNICODE" 2)" "Politique de sécurité — Ünïcode" "displayName of GPO_UNICODE"
assert_eq "$(field corp "$GPO_SLASH" 2)" "Servers/Finance" "displayName of GPO_SLASH"
assert_eq "$(field corp "$GPO_DUPNAME_A" 2)" "Same Name" "displayName of GPO_DUPNAME_A"
assert_eq "$(field corp "$GPO_DUPNAME_B" 2)" "Same Name" "displayName of GPO_DUPNAME_B"
[[ $GPO_DUPNAME_A != "$GPO_DUPNAME_B" ]] || fail "GPO_DUPNAME_A and _B are the same GPO"

note "LDAP: the WMI filter, the OUs and their links"
ldap_gssapi corp -b "CN=SOM,CN=WMIPolicy,CN=System,$CORP_BASEDN" "(msWMI-ID=$WMI_FILTER)" msWMI-Name |
	grep -q '^msWMI-Name: Windows 10 Workstations$' || fail "WMI filter $WMI_FILTER not found"
links=$(ldap_gssapi corp -b "$OU_SERVERS" -s base gPLink)
grep -qi "cn=$GPO_SECURITY,cn=policies,cn=system,$CORP_BASEDN;2\]" <<<"$links" ||
	fail "GPO_SECURITY is not linked, enforced, to $OU_SERVERS"
ldap_gssapi corp -b "$OU_WORKSTATIONS" -s base gPLink | grep -qi "cn=$GPO_WMI," ||
	fail "GPO_WMI is not linked to $OU_WORKSTATIONS"

note "LDAPS: simple bind with the CA verified; refused without TLS or with the wrong CA"
ldaps() { # CAFILE DOMAIN-PREFIX ARGS...
	local ca=$1 p=$2
	shift 2
	local dc=${p}_DC passfile=${p}_ADMIN_PASSFILE dns=${p}_DNS basedn=${p}_BASEDN
	LDAPTLS_CACERT=$ca LDAPTLS_REQCERT=demand ldapsearch -LLL -x -H "ldaps://${!dc}" \
		-D "Administrator@${!dns}" -y "${!passfile}" -b "${!basedn}" -s base "$@"
}
ldaps "$CORP_CA" CORP dn | grep -q "^dn: $CORP_BASEDN$" || fail "LDAPS simple bind to corp failed"
ldaps "$PROD_CA" PROD dn | grep -q "^dn: $PROD_BASEDN$" || fail "LDAPS simple bind to prod failed"
if ldaps "$PROD_CA" CORP dn >/dev/null 2>&1; then
	fail "LDAPS to corp succeeded with prod's CA: the certificate is not verified"
fi
if ldapsearch -LLL -x -H "ldap://$CORP_DC" -D "Administrator@$CORP_DNS" -y "$CORP_ADMIN_PASSFILE" \
	-b "$CORP_BASEDN" -s base dn >/dev/null 2>&1; then
	fail "a plain-text simple bind was accepted (expected: strong authentication required)"
fi

# --- SMB ------------------------------------------------------------------
# gets DOMAIN-DNS GUID...: smbclient commands fetching each GPT.INI into lcd.
gets() {
	local dns=$1 g
	shift
	for g in "$@"; do
		printf 'get "%s\\Policies\\%s\\GPT.INI" "%s.ini"; ' "$dns" "$g" "$g"
	done
}
# check_gpt DOMAIN DIR GUID...: every GPT.INI arrived, Version = versionNumber.
check_gpt() {
	local dom=$1 dir=$2 g v
	shift 2
	for g in "$@"; do
		[[ -f $dir/$g.ini ]] || fail "could not read $g\\GPT.INI from $dom's sysvol over SMB"
		v=$(tr -d '\r' <"$dir/$g.ini" | sed -n 's/^Version=//p')
		assert_eq "$v" "$(field "$dom" "$g" 3)" "GPT.INI Version of $g vs versionNumber"
	done
}

note "SMB (Kerberos, signing required): every corp GPO's GPT.INI"
# shellcheck disable=SC2086 # GUID lists split on purpose
{
	mkdir -p "$tmp/krb"
	smb_krb corp sysvol "lcd $tmp/krb; $(gets corp.test $SEEDED_GPOS)" >"$tmp/smb-krb.log" 2>&1 || true
	check_gpt corp "$tmp/krb" $SEEDED_GPOS
}

note "SMB (auth file, signing required): every prod GPO's GPT.INI"
# shellcheck disable=SC2086
{
	mkdir -p "$tmp/auth"
	smbclient -A "$PROD_AUTHFILE" --option='client signing=required' "//$PROD_DC/sysvol" \
		-c "lcd $tmp/auth; $(gets prod.test $PROD_SEEDED_GPOS)" >"$tmp/smb-auth.log" 2>&1 || true
	check_gpt prod "$tmp/auth" $PROD_SEEDED_GPOS
}

note "SMB: a wrong password is refused"
printf 'username = Administrator\npassword = wrong-%s\ndomain = CORP\n' "$RANDOM" >"$tmp/bad.auth"
chmod 600 "$tmp/bad.auth"
if smbclient -A "$tmp/bad.auth" --option='client signing=required' "//$CORP_DC/sysvol" -c ls \
	>"$tmp/smb-bad.log" 2>&1; then
	fail "SMB logon with a wrong password succeeded"
fi
grep -q NT_STATUS_LOGON_FAILURE "$tmp/smb-bad.log" || fail "wrong password: expected NT_STATUS_LOGON_FAILURE"

note "SMB: content of Big File, Many Files, the scripts and the NETLOGON script"
mkdir -p "$tmp/content"
smb_krb corp sysvol "lcd $tmp/content;
	get \"corp.test\\Policies\\$GPO_BIG\\Machine\\Files\\big.bin\" big.bin;
	get \"corp.test\\Policies\\$GPO_SCRIPTS\\User\\Scripts\\scripts.ini\" scripts.ini;
	get \"corp.test\\Policies\\$GPO_SECURITY\\Machine\\Microsoft\\Windows NT\\SecEdit\\GptTmpl.inf\" GptTmpl.inf;
	get \"corp.test\\Policies\\$GPO_REGISTRY\\Machine\\registry.pol\" registry.pol;
	get \"corp.test\\scripts\\map.cmd\" map.cmd" >"$tmp/smb-content.log" 2>&1 || true
assert_eq "$(stat -c %s "$tmp/content/big.bin" 2>/dev/null)" $((50 << 20)) "size of Big File's big.bin"
cmp -s "$tmp/content/big.bin" "$CORP_SYSVOL/$GPO_BIG/Machine/Files/big.bin" ||
	fail "big.bin over SMB differs from the DC's disk"
assert_eq "$(head -c 2 "$tmp/content/GptTmpl.inf" | od -An -tx1 | tr -d ' ')" fffe "GptTmpl.inf BOM"
# shellcheck disable=SC2016 # a literal $CHICAGO$
iconv -f UTF-16 -t UTF-8 "$tmp/content/GptTmpl.inf" | tr -d '\r' | grep -qxF 'signature="$CHICAGO$"' ||
	fail "GptTmpl.inf has no \$CHICAGO\$ signature"
iconv -f UTF-16 -t UTF-8 "$tmp/content/GptTmpl.inf" | grep -qF "*$CORP_SID-512" ||
	fail "GptTmpl.inf does not name CORP\\Domain Admins by SID"
iconv -f UTF-16 -t UTF-8 "$tmp/content/scripts.ini" | tr -d '\r' |
	grep -qx '1CmdLine=\\\\dc-corp.corp.test\\netlogon\\map.cmd' || fail "scripts.ini lacks the UNC script"
assert_eq "$(head -c 8 "$tmp/content/registry.pol" | od -An -c | tr -s ' ')" " P R e g 001 \\0 \\0 \\0" \
	"registry.pol header"
[[ -s $tmp/content/map.cmd ]] || fail "NETLOGON map.cmd not readable"
listing=$(smb_krb corp sysvol "recurse; ls \"corp.test\\Policies\\$GPO_MANY\\User\\*\"" 2>/dev/null)
assert_eq "$(grep -c 'file[0-9]*\.txt' <<<"$listing")" 2000 "files in Many Files"

if [[ -n ${FIXTURE_GPOS:-} ]]; then
	note "fixtures: content byte for byte, and versions/options/extensions from Backup.xml"
	for pair in $FIXTURE_GPOS; do
		bid=${pair%%=*} g=${pair#*=}
		src=$FIXTURES_DIR/$bid/DomainSysvol/GPO
		while IFS= read -r -d '' f; do
			rel=${f#"$src"/}
			cmp -s "$f" "$CORP_SYSVOL/$g/$rel" || fail "fixture $bid: $rel differs in GPO $g"
		done < <(find "$src" -type f -print0)
		uv=$(sed -n 's/.*<UserVersionNumber><!\[CDATA\[\([0-9]*\)\]\]>.*/\1/p' "$FIXTURES_DIR/$bid/Backup.xml")
		mv=$(sed -n 's/.*<MachineVersionNumber><!\[CDATA\[\([0-9]*\)\]\]>.*/\1/p' "$FIXTURES_DIR/$bid/Backup.xml")
		assert_eq "$(field corp "$g" 3)" $((((${uv:-0} >> 16) << 16) | (${mv:-0} >> 16))) \
			"versionNumber of fixture $bid"
		name=$(sed -n 's/.*<GPODisplayName><!\[CDATA\[\(.*\)\]\]><\/GPODisplayName>.*/\1/p' \
			"$FIXTURES_DIR/$bid/bkupInfo.xml")
		[[ $(field corp "$g" 2) == "$name"* ]] || fail "fixture $bid: display name is not '$name'"
	done
	# And over SMB, one of them.
	pair=${FIXTURE_GPOS%% *}
	bid=${pair%%=*} g=${pair#*=}
	f=$(cd "$FIXTURES_DIR/$bid/DomainSysvol/GPO" && find . -type f -name registry.pol | head -n 1)
	f=${f#./}
	smb_krb corp sysvol "lcd $tmp; get \"corp.test\\Policies\\$g\\${f//\//\\}\" fixture.pol" >/dev/null 2>&1 || true
	cmp -s "$tmp/fixture.pol" "$FIXTURES_DIR/$bid/DomainSysvol/GPO/$f" ||
		fail "fixture $bid: $f over SMB differs from the backup"
else
	skip_section "fixtures in SYSVOL" "no GPMC fixtures were seeded (../shared/fixtures/gpmc-backups)"
fi

# --- stop and start a DC --------------------------------------------------
note "dc_stop prod / dc_start prod"
old_pid=$(dc_pid prod)
dc_stop prod
if dc_pid prod >/dev/null || _dcs_listening "$PROD_IP" 389; then
	fail "prod DC still running after dc_stop"
fi
dc_start prod
new_pid=$(dc_pid prod) || fail "prod DC not running after dc_start"
[[ $new_pid != "$old_pid" ]] || fail "dc_start did not start a new samba"
grep -q "^export PROD_PID='$new_pid'$" "$GPOFS_WORKDIR/env.sh" || fail "env.sh does not have the new PROD_PID"
ldap_gssapi prod -b "$PROD_BASEDN" -s base dn | grep -q "^dn: $PROD_BASEDN$" ||
	fail "prod LDAP does not answer after dc_start"
smb_krb prod sysvol "ls prod.test\\Policies\\*" >/dev/null 2>&1 || fail "prod SMB does not answer after dc_start"

note "all good"
