#!/usr/bin/env bash
# A domain controller lost after mounting gives EIO (not a hang, not a
# crash) on the operations that need it, and the mount comes back by itself
# when the DC does.
source "$(dirname "$0")/lib.sh"

MNT=$TEST_TMP/mnt
gpofs_mount_corp "$MNT"
D=$MNT/domains/$CORP_DNS
f=Machine/registry.pol
m=DomainSysvol/GPO/$f
cmp "$D/gpos/$GPO_REGISTRY/$m" "$CORP_SYSVOL/$GPO_REGISTRY/$f" || fail "first read"

dc_stop corp
note "corp DC stopped"
sleep 6 # past the GPO list's cache time
expect_eio() {
	local out rc=0
	out=$(timeout 60 "$@" 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "succeeded with the DC down: $*"
	[ "$rc" -ne 124 ] || fail "hung with the DC down: $*"
	echo "$out" | grep -q "Input/output error" || fail "not EIO: $* -> $out"
}
expect_eio ls "$D/gpos"
expect_eio cat "$D/gpos/$GPO_REGISTRY/$m"
kill -0 "$GPOFS_PID" || fail "gpofs died when the DC went away"
note "EIO while the DC is down, gpofs still running"

dc_start corp
note "corp DC restarted"
ok=0
for _ in $(seq 1 30); do
	if ls "$D/gpos" >/dev/null 2>&1 &&
		cmp -s "$D/gpos/$GPO_REGISTRY/$m" "$CORP_SYSVOL/$GPO_REGISTRY/$f"; then
		ok=1
		break
	fi
	sleep 1
done
[ "$ok" = 1 ] || fail "the mount did not come back after the DC did"
grep -q "cannot read the GPO list" "$D/log" || fail "the domain log does not say what happened"
note "the mount came back without restarting gpofs"
gpofs_stop "$MNT"
