#!/usr/bin/env bash
# t_58_gpupdate_import: a real Group Policy client applies what gpofs
# wrote. samba-gpupdate (Debian's samba package, run as corp's DC machine
# account in the DC's namespace: tests/harness/dcs.sh dc_gpupdate) applies
# the Default Domain Policy's security template written through the mount
# (GPT.INI's Version and versionNumber bumped by gpofs's commit), applies
# nothing when the template changes on the DC without a bump, and applies
# the next template written through the mount. t_22 shows the client and
# the way it is run are sound without gpofs, so a failure here is gpofs's.
#
# The evidence is the domain's password policy (samba-tool domain
# passwordsettings show), which samba-gpupdate sets from [System Access]
# on a DC. Everything is put back as t_22 does.
. "$(dirname "$0")/lib.sh"

command -v samba-gpupdate >/dev/null || [[ -x /usr/sbin/samba-gpupdate ]] ||
	skip "samba-gpupdate is not installed (Debian's samba package)"
command -v iconv >/dev/null || skip "iconv is not installed"
make_ldappw corp

DDP='{31B2F340-016D-11D2-945F-00C04FB984F9}'
DDP_DN="CN=$DDP,CN=Policies,CN=System,$CORP_BASEDN"
DDP_DIR=$CORP_SYSVOL/$DDP
GPT=$DDP_DIR/GPT.INI
SECEDIT="MACHINE/Microsoft/Windows NT/SecEdit"
TMPL=$DDP_DIR/$SECEDIT/GptTmpl.inf
CACHE=$(sed -n 's/^[[:space:]]*cache directory[[:space:]]*=[[:space:]]*//p' "$CORP_SMBCONF")
[[ -n $CACHE && -d $CACHE ]] || fail "no cache directory in $CORP_SMBCONF"
[[ -f $GPT ]] || fail "no GPT.INI for the Default Domain Policy at $GPT"
POLICY_ATTRS=(minPwdLength minPwdAge maxPwdAge pwdProperties)

# --- what is put back -------------------------------------------------------
SAVED=$TEST_TMP/saved
mkdir -p "$SAVED"
cp -p "$GPT" "$SAVED/GPT.INI"
VERSION0=$(ldap_attr "$DDP_DN" versionNumber)
[[ $VERSION0 =~ ^[0-9]+$ ]] || fail "versionNumber of the Default Domain Policy: '$VERSION0'"
declare -A POLICY0
for a in "${POLICY_ATTRS[@]}"; do
	POLICY0[$a]=$(ldap_attr "$CORP_BASEDN" "$a")
	[[ -n ${POLICY0[$a]} ]] || fail "$a of $CORP_BASEDN is not set"
done
# the first folder of the template's path that does not exist yet: made
# here, removed at the end
MADE=
p=$DDP_DIR
IFS=/ read -r -a parts <<<"$SECEDIT"
for part in "${parts[@]}"; do
	p=$p/$part
	[[ -e $p ]] || { MADE=$p; break; }
done
[[ -n $MADE || ! -e $TMPL ]] || cp -p "$TMPL" "$SAVED/GptTmpl.inf"
for f in gpo.tdb gpo_cache; do
	[[ -e $CACHE/$f ]] && cp -a "$CACHE/$f" "$SAVED/cache-$f"
done

restore() {
	local a f
	set +e
	# in place, so that GPT.INI keeps its inode and its ACL
	cat "$SAVED/GPT.INI" >"$GPT"
	if [[ -n $MADE ]]; then
		rm -rf -- "$MADE"
	elif [[ -e $SAVED/GptTmpl.inf ]]; then
		cat "$SAVED/GptTmpl.inf" >"$TMPL"
	else
		rm -f -- "$TMPL"
	fi
	ldap_replace "$DDP_DN" versionNumber "$VERSION0"
	for a in "${POLICY_ATTRS[@]}"; do
		ldap_replace "$CORP_BASEDN" "$a" "${POLICY0[$a]}"
	done
	for f in gpo.tdb gpo_cache; do
		rm -rf -- "${CACHE:?}/$f"
		[[ -e $SAVED/cache-$f ]] && cp -a "$SAVED/cache-$f" "$CACHE/$f"
	done
	set -e
}
trap 'restore; cleanup_mounts' EXIT

# --- helpers ------------------------------------------------------------------
min_length() {
	samba-tool domain passwordsettings show -s "$CORP_SMBCONF" |
		sed -n 's/^Minimum password length: *//p'
}

# write_template N: the Default Domain Policy's security template as GPMC
# writes one (UTF-16LE with a BOM, CRLF), setting MinimumPasswordLength.
write_template() {
	mkdir -p "$DDP_DIR/$SECEDIT"
	{
		printf '\xff\xfe'
		# shellcheck disable=SC2016 # $CHICAGO$ is literal
		printf '[Unicode]\r\nUnicode=yes\r\n[System Access]\r\nMinimumPasswordLength = %s\r\n[Version]\r\nsignature="$CHICAGO$"\r\nRevision=1\r\n' "$1" |
			iconv -f UTF-8 -t UTF-16LE
	} >"$TMPL"
}

# bump: the machine half of the version up by one, in GPT.INI and in the
# directory alike; prints the new version.
bump() {
	local v
	v=$(ldap_attr "$DDP_DN" versionNumber)
	v=$((v + 1))
	sed -E "s/^(Version[[:space:]]*=[[:space:]]*)[0-9]+/\1$v/I" "$SAVED/GPT.INI" >"$GPT"
	grep -aqE "^Version *= *$v" "$GPT" || fail "GPT.INI: Version=$v not written"
	ldap_replace "$DDP_DN" versionNumber "$v"
	echo "$v"
}

# gpupdate [ARGS]: one run of the client; its output in $OUT, its time in
# $SECS; fails on a Python traceback or a failed GPT download.
gpupdate() {
	local t0=$EPOCHREALTIME rc=0
	OUT=$(dc_gpupdate corp "$@") || rc=$?
	SECS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
	if ((rc)) || grep -q -e '^Traceback' -e 'Failed downloading gpt cache' <<<"$OUT"; then
		printf '%s\n' "$OUT" | sed 's/^/  | /' >&2
		fail "samba-gpupdate $* failed (exit $rc)"
	fi
}

# rsop_ddp KEY: the value the client reads for KEY in the Default Domain
# Policy (its --rsop section).
rsop_ddp() {
	gpupdate --rsop
	awk -v k="$1" '
		/^GPO: / { in_ddp = ($0 == "GPO: Default Domain Policy") }
		in_ddp && index($0, "[ " k " ] = ") { sub(/.*\] = /, ""); print; exit }
	' <<<"$OUT"
}

# --- 1. the client runs at all ------------------------------------------------
gpupdate --rsop
grep -q '^GPO: Default Domain Policy$' <<<"$OUT" ||
	{ printf '%s\n' "$OUT" | sed 's/^/  | /' >&2; fail "--rsop does not list the Default Domain Policy"; }
note "samba-gpupdate --rsop lists $(grep -c '^GPO: ' <<<"$OUT") GPOs for DC-CORP\$ (${SECS} s)"
# a baseline: everything that applies now is applied once and recorded
gpupdate
note "baseline run: ${SECS} s"
[[ -z $OUT ]] || printf '%s\n' "$OUT" | sed 's/^/   | /'
BASE=$(min_length)
[[ $BASE =~ ^[0-9]+$ ]] || fail "minimum password length after the baseline: '$BASE'"

# --- 2. the template written through gpofs: committed, bumped, applied ------------
MNT=$TEST_TMP/mnt
gpofs_mount_corp "$MNT"
MT="$MNT/domains/$CORP_DNS/gpos/$DDP/DomainSysvol/GPO/Machine/Microsoft/Windows NT/SecEdit"
# through_gpofs N: the template with MinimumPasswordLength N written into
# the mount and committed at once (fsync)
through_gpofs() {
	mkdir -p "$MT" || fail "mkdir of the SecEdit folder through the mount"
	{
		printf '\xff\xfe'
		# shellcheck disable=SC2016 # $CHICAGO$ is literal
		printf '[Unicode]\r\nUnicode=yes\r\n[System Access]\r\nMinimumPasswordLength = %s\r\n[Version]\r\nsignature="$CHICAGO$"\r\nRevision=1\r\n' "$1" |
			iconv -f UTF-8 -t UTF-16LE
	} | dd of="$MT/GptTmpl.inf" conv=fsync status=none || fail "writing the template through the mount"
}
ini_version() { sed -n 's/^Version=\([0-9]*\).*/\1/Ip' "$GPT" | tr -d '\r'; }
N=$((BASE + 3))
through_gpofs "$N"
V1=$(ldap_attr "$DDP_DN" versionNumber)
[[ $((V1 & 0xffff)) -eq $(( (VERSION0 & 0xffff) + 1 )) && $((V1 >> 16)) -eq $((VERSION0 >> 16)) ]] ||
	fail "versionNumber $VERSION0 -> $V1: not the machine half up by one"
assert_eq "$(ini_version)" "$V1" "GPT.INI's Version after gpofs's commit"
gpupdate
got=$(min_length)
assert_eq "$got" "$N" "minimum password length after gpofs wrote $N (version $V1)"
note "MinimumPasswordLength=$N written through gpofs, version $VERSION0 -> $V1: applied (${SECS} s)"

# --- 3. the template changed on the DC, no bump: nothing applied ------------------------
M=$((N + 2))
write_template "$M"
gpupdate
got=$(min_length)
assert_eq "$got" "$N" "minimum password length after a change without a version bump"
note "MinimumPasswordLength=$M on the DC's disk, version still $V1: nothing applied"

# --- 4. the next template through gpofs: applied ----------------------------------------
L=$((M + 1))
through_gpofs "$L"
V2=$(ldap_attr "$DDP_DN" versionNumber)
assert_eq "$(ini_version)" "$V2" "GPT.INI's Version after the second commit"
gpupdate
got=$(min_length)
assert_eq "$got" "$L" "minimum password length after gpofs wrote $L (version $V2)"
note "MinimumPasswordLength=$L written through gpofs, version $V1 -> $V2: applied (${SECS} s)"
gpofs_stop "$MNT"

# --- 5. everything back as it was ---------------------------------------------------
restore
trap cleanup_mounts EXIT
cmp -s "$GPT" "$SAVED/GPT.INI" || fail "GPT.INI not restored"
assert_eq "$(ldap_attr "$DDP_DN" versionNumber)" "$VERSION0" "versionNumber restored"
for a in "${POLICY_ATTRS[@]}"; do
	assert_eq "$(ldap_attr "$CORP_BASEDN" "$a")" "${POLICY0[$a]}" "$a restored"
done
[[ -n $MADE && -e $MADE ]] && fail "$MADE not removed"
note "restored: GPT.INI, versionNumber $VERSION0, the password policy, the template, samba-gpupdate's cache"
echo "PASS: samba-gpupdate applies what gpofs wrote, and nothing without a bump"
