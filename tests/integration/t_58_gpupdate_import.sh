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
. "$(dirname "$0")/gpupdate_lib.sh"

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
