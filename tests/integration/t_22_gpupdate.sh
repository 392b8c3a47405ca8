#!/usr/bin/env bash
# t_22_gpupdate: a real Group Policy client works against our DCs, without
# gpofs: samba-gpupdate (Debian's samba package; tests/harness/dcs.sh
# dc_gpupdate says what it needs and how it is run) applies a changed
# security template of corp's Default Domain Policy when the GPO's version
# went up, and applies nothing when only the content changed. The import,
# restore and copy tests use the same client to show that what gpofs
# wrote is applied; this test shows that the client and the way it is run
# are sound, so that a failure there is gpofs's.
#
# The change is made directly on the DC: the template on SYSVOL's disk,
# GPT.INI's Version (the one samba-gpupdate compares with what it applied
# last) and the directory's versionNumber (kept equal to it, as a client
# of MS-GPOL expects; samba-gpupdate 4.17 does not read it). The evidence
# is the domain's password policy (samba-tool domain passwordsettings
# show), which samba-gpupdate sets from [System Access] on a DC, and its
# --rsop, which shows the template as the client read it.
#
# Note for templates written here or by gpofs: samba-gpupdate 4.17 knows
# only MinimumPasswordAge, MaximumPasswordAge, MinimumPasswordLength and
# PasswordComplexity in [System Access]; any other key there (such as
# PasswordHistorySize, which GPMC writes) stops its System Access
# extension with a KeyError, for that GPO and every GPO after it in the
# run. The seeded "Security Baseline" (linked to the domain) has such
# keys, so its run fails that way: it is applied once first, as a
# baseline, and is not looked at again while its version stays.
#
# Everything changed is put back: the template (and the folders made for
# it), GPT.INI, versionNumber, the domain's password policy, and
# samba-gpupdate's own state (gpo.tdb and gpo_cache/ in the DC's cache
# directory).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gpupdate_lib.sh"

# --- 2. a new template and a version bump: applied ------------------------------
N=$((BASE + 3))
write_template "$N"
V1=$(bump)
gpupdate
got=$(min_length)
assert_eq "$got" "$N" "minimum password length after a template with $N and version $V1"
note "template MinimumPasswordLength=$N, version $VERSION0 -> $V1: applied (${SECS} s)"

# --- 3. content changed, version not: nothing new applied -----------------------
M=$((N + 2))
write_template "$M"
gpupdate
got=$(min_length)
assert_eq "$got" "$N" "minimum password length after a template change without a version bump"
seen=$(rsop_ddp MinimumPasswordLength)
assert_eq "$seen" "$M" "the template as the client reads it (--rsop)"
note "template MinimumPasswordLength=$M, version still $V1: the client reads $M and applies nothing (${SECS} s)"

# --- 4. the same content, now with a bump: applied --------------------------------
V2=$(bump)
gpupdate
got=$(min_length)
assert_eq "$got" "$M" "minimum password length after version $V2"
note "version $V1 -> $V2: $M applied (${SECS} s)"

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
echo "PASS: samba-gpupdate applies a bumped security template and nothing without a bump"
