#!/usr/bin/env bash
# Caches follow the domain: a GPO changed behind gpofs's back (over SMB, as
# an editor writes SYSVOL; over LDAP, as GPMC writes the directory object)
# shows its change within the documented 5 seconds, and a GPO that did not
# change is checked again without reading any of its files.
source "$(dirname "$0")/lib.sh"

G=$GPO_SCRIPTS
DIR="$CORP_DNS/Policies/$G"
MNT=$TEST_TMP/mnt
D=$MNT/domains/$CORP_DNS
F=$D/gpos/$G/DomainSysvol/GPO/Machine/invalidate.txt
LIMIT_MS=${T92_LIMIT_MS:-6500} # the 5 s check interval, and some slack
cp "$CORP_SYSVOL/$G/GPT.INI" "$TEST_TMP/GPT.INI.orig"
stat_of() { awk -v k="$1" '$1 == k { s += $2 } END { print s + 0 }' "$MNT/.stats"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# wait_until CMD...: runs CMD every 0.2 s until it succeeds; prints the
# milliseconds it took; fails past twice LIMIT_MS.
wait_until() {
	local t0
	t0=$(now_ms)
	while ! "$@" 2>/dev/null; do
		[ $(( $(now_ms) - t0 )) -lt $((2 * LIMIT_MS)) ] || return 1
		sleep 0.2
	done
	echo $(( $(now_ms) - t0 ))
}

put_sysvol() { # CONTENT VERSION
	echo "$1" >"$TEST_TMP/invalidate.txt"
	printf '[General]\r\nVersion=%d\r\n' "$2" >"$TEST_TMP/GPT.INI.new"
	smb_krb corp sysvol "cd $DIR/Machine; put $TEST_TMP/invalidate.txt invalidate.txt; cd /$DIR; put $TEST_TMP/GPT.INI.new GPT.INI" \
		>/dev/null 2>&1 || fail "smbclient put"
}
restore() {
	smb_krb corp sysvol "cd $DIR/Machine; del invalidate.txt; cd /$DIR; put $TEST_TMP/GPT.INI.orig GPT.INI" >/dev/null 2>&1 || true
}
trap 'restore; cleanup_mounts' EXIT

put_sysvol one 1001
gpofs_mount_corp "$MNT"
[ "$(cat "$F")" = one ] || fail "the mount does not show the file"

# 1. SYSVOL changed (a file, then GPT.INI's version, as an editor does).
put_sysvol two 1002
ms=$(wait_until grep -qx two "$F") || fail "the SYSVOL change did not show in $((2 * LIMIT_MS)) ms"
[ "$ms" -le "$LIMIT_MS" ] || fail "the SYSVOL change took $ms ms to show (documented: 5 s)"
sys=$(( $(xpath "$D/gpos/$G/Backup.xml" b:GroupPolicyObject/b:GroupPolicyCoreSettings/b:MachineVersionNumber) & 0xffff ))
[ "$sys" -eq 1002 ] || fail "Backup.xml says SYSVOL version $sys after the change, not 1002"
note "a SYSVOL change showed after $ms ms, Backup.xml with it"

# 2. The directory object changed (display name, as a rename in GPMC).
make_ldappw corp
dn="CN=$G,CN=Policies,CN=System,$CORP_BASEDN"
old_name=$(ldap_attr "$dn" displayName)
set_name() { ldap_replace "$dn" displayName "$1"; }
set_name "Renamed Behind gpofs"
trap 'set_name "$old_name"; restore; cleanup_mounts' EXIT
named() { [ "$(xpath "$D/gpos/$G/Backup.xml" b:GroupPolicyObject/b:GroupPolicyCoreSettings/b:DisplayName)" = "Renamed Behind gpofs" ]; }
ms=$(wait_until named) || fail "the rename did not show in Backup.xml in $((2 * LIMIT_MS)) ms"
[ "$ms" -le "$LIMIT_MS" ] || fail "the rename took $ms ms to show (documented: 5 s)"
[ -L "$D/by-name/Renamed Behind gpofs" ] || fail "by-name does not have the new name"
note "a directory change showed after $ms ms, by-name too"

# 3. Nothing changed: after the check interval the GPO is checked again
# with one listing, not read again.
cat "$F" >/dev/null
c0=$(stat_of captures) s0=$(stat_of smb_requests)
sleep 5.5
cat "$F" >/dev/null
c1=$(stat_of captures) s1=$(stat_of smb_requests)
[ "$c1" -eq "$c0" ] || fail "an unchanged GPO was captured again ($((c1 - c0)) captures)"
[ $((s1 - s0)) -le 2 ] || fail "checking an unchanged GPO cost $((s1 - s0)) SMB requests"
note "an unchanged GPO: checked again with $((s1 - s0)) SMB request(s), no capture"
gpofs_stop "$MNT"
