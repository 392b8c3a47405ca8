#!/usr/bin/env bash
# A domain controller lost after mounting. A GPO captured before is served
# as it was (a valid backup of that moment: cat and cp -r give what they
# gave before), and so is the last GPO list; what needs the DC (a GPO never
# captured) fails at once with EIO, not after a hang. The log says once that
# the DC is lost, once per GPO served that way from when, never one line per
# GPO that read-ahead could not read, and once that the DC is back, after
# how long and what was refused meanwhile. Then the mount checks the DC as
# before: the GPO never captured reads, and a change made on the DC shows.
source "$(dirname "$0")/lib.sh"

MNT=$TEST_TMP/mnt
gpofs_mount_corp "$MNT"
D=$MNT/domains/$CORP_DNS
G=$D/gpos/$GPO_REGISTRY
f=Machine/registry.pol
LOG=$D/log

cmp "$G/DomainSysvol/GPO/$f" "$CORP_SYSVOL/$GPO_REGISTRY/$f" || fail "first read"
cat "$G/bkupInfo.xml" >"$TEST_TMP/bkupInfo.before"
cp -r "$G" "$TEST_TMP/before"
ls "$D/gpos" >"$TEST_TMP/list.before"
mapfile -t L <"$TEST_TMP/list.before"
# a GPO that nothing reads while the DC is there
for U in "$GPO_SCRIPTS" "$GPO_PREFS" "$GPO_WMI"; do
	[ "$U" != "${L[0]}" ] && [ "$U" != "${L[1]}" ] && [ "$U" != "${L[2]}" ] && break
done
exec 4<"$G/DomainSysvol/GPO/$f" # a reader in the middle of the GPO

dc_stop corp
note "corp DC stopped"
# a walk of the domain (cp -r, rsync): GPO after GPO in the list's order,
# each would start read-ahead of those after it
for g in "${L[0]}" "${L[1]}" "${L[2]}"; do
	timeout 20 cat "$D/gpos/$g/bkupInfo.xml" >/dev/null 2>&1 || true
done

# the captured GPO, as it was, at once and past every check time (5 s)
for round in now later; do
	[ "$round" = later ] && sleep 6
	out=$(timeout 20 cat "$G/bkupInfo.xml") || fail "$round: cat bkupInfo.xml failed with the DC away"
	[ "$out" = "$(cat "$TEST_TMP/bkupInfo.before")" ] || fail "$round: bkupInfo.xml changed"
	rm -rf "$TEST_TMP/during"
	timeout 60 cp -r "$G" "$TEST_TMP/during" || fail "$round: cp -r of the captured GPO failed with the DC away"
	diff -r "$TEST_TMP/before" "$TEST_TMP/during" >/dev/null || fail "$round: the copy differs from the one made before"
	ls "$D/gpos" | cmp -s - "$TEST_TMP/list.before" || fail "$round: gpos/ does not list what it listed"
done
cmp <&4 "$CORP_SYSVOL/$GPO_REGISTRY/$f" || fail "the open file could not be read on"
exec 4<&-
note "the captured GPO and the GPO list served as they were"

# a GPO never captured: EIO, at once
t0=$EPOCHREALTIME
out=$(timeout 60 cat "$D/gpos/$U/bkupInfo.xml" 2>&1) && fail "read a GPO never captured with the DC away"
secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
echo "$out" | grep -q "Input/output error" || fail "not EIO: $out"
awk -v s="$secs" 'BEGIN { exit !(s < 2) }' || fail "EIO took $secs s"
kill -0 "$GPOFS_PID" || fail "gpofs died when the DC went away"
note "a GPO never captured: EIO in $secs s"

n() { grep -c -- "$1" "$LOG" || true; }
[ "$(n "domain controller .* lost: ")" = 1 ] || { cat "$LOG"; fail "not one \"lost\" line"; }
[ "$(n "cannot read its SYSVOL folder\|not captured")" = 0 ] || { cat "$LOG"; fail "a line per GPO that failed with the DC away"; }
[ "$(n "cannot read the GPO list")" = 0 ] || { cat "$LOG"; fail "a GPO list line with the DC away"; }
[ "$(n "$GPO_REGISTRY: served from its capture of 20")" = 1 ] ||
	{ cat "$LOG"; fail "not one line saying the GPO was served from its capture"; }
note "the log: one \"lost\" line, one \"served\" line, none per GPO"

dc_start corp
note "corp DC restarted"
for _ in $(seq 1 300); do
	grep -q "domain controller .* back after" "$LOG" && break
	sleep 0.1
done
[ "$(n "domain controller .* back after")" = 1 ] || { cat "$LOG"; fail "not one \"back\" line"; }
grep -E "domain controller .* back after [0-9]+ s: [1-9][0-9]* reads? refused" "$LOG" ||
	{ cat "$LOG"; fail "the \"back\" line does not count the reads refused"; }
cat "$D/gpos/$U/bkupInfo.xml" >/dev/null || fail "the GPO never captured is still refused"

# checks as before: a change on the DC shows
make_ldappw corp
dn="CN=$GPO_REGISTRY,CN=Policies,CN=System,$CORP_BASEDN"
ver=$(ldap_attr "$dn" versionNumber)
ldap_replace "$dn" versionNumber $((ver + 1))
id_before=$(xpath "$TEST_TMP/bkupInfo.before" "m:ID")
changed=0
for _ in $(seq 1 150); do
	[ "$(xpath "$G/bkupInfo.xml" "m:ID")" != "$id_before" ] && { changed=1; break; }
	sleep 0.1
done
ldap_replace "$dn" versionNumber "$ver"
[ "$changed" = 1 ] || fail "a change on the DC did not show after it came back"
[ "$(n "domain controller .* lost: ")" = 1 ] || { cat "$LOG"; fail "lost again"; }
sed 's/^/   /' "$LOG"
note "back: the GPO never captured reads, a change on the DC shows"
gpofs_stop "$MNT"
