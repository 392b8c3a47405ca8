#!/usr/bin/env bash
# SMB workers: a mount reads SYSVOL through helper processes of its own,
# which are told the password over a socket (never on a command line or in
# their environment); when one dies, reading goes on (in process), the
# copy is still exact, and a moment later it is started again; workers=0
# reads in process only.
source "$(dirname "$0")/lib.sh"

MNT=$TEST_TMP/mnt
D=$MNT/domains/$CORP_DNS
PASS=$(sed -n 's/^ *password *= *//p' "$CORP_AUTHFILE")
[ -n "$PASS" ] || fail "no password in $CORP_AUTHFILE"

# same_as_smbclient GUID: cp -r through gpofs equals smbclient's mget
same_as_smbclient() {
	local g=$1
	rm -rf "$TEST_TMP/ref" "$TEST_TMP/got"
	smb_get_gpo "$g" "$TEST_TMP/ref"
	rm -f "$TEST_TMP/ref/GPT.INI" "$TEST_TMP/ref/gpt.ini"
	cp -r "$D/gpos/$g/DomainSysvol/GPO" "$TEST_TMP/got" || fail "cp -r of $g"
	diff -r "$TEST_TMP/ref" "$TEST_TMP/got" >/dev/null || fail "$g differs from smbclient's copy"
}

workers_of() { pgrep -P "$GPOFS_PID" || true; }

gpofs_mount_corp "$MNT" -o workers=4
for _ in $(seq 1 50); do
	[ "$(workers_of | wc -l)" -eq 4 ] && break
	sleep 0.1
done
ws=$(workers_of)
[ "$(echo "$ws" | wc -w)" -eq 4 ] || fail "expected 4 SMB workers, found: $ws"
for w in $ws; do
	cmd=$(tr '\0' ' ' <"/proc/$w/cmdline")
	[ "$cmd" = "gpofs --smb-worker " ] || fail "worker $w runs as '$cmd'"
	grep -qaF -- "$PASS" "/proc/$w/cmdline" "/proc/$w/environ" &&
		fail "worker $w has the password in its command line or environment"
done
same_as_smbclient "$GPO_MANY"
note "4 workers, signed in over their sockets; a copy of $(find "$TEST_TMP/got" -type f | wc -l) files is exact"

# Two workers die: the rest, and the daemon itself, go on reading.
set -- $ws
kill -9 "$1" "$2"
same_as_smbclient "$GPO_REGISTRY"
same_as_smbclient "$GPO_SCRIPTS"
same_as_smbclient "$GPO_BIG"
grep -q "SMB worker .* ended" "$TEST_TMP/gpofs.log" ||
	fail "the daemon did not notice the killed workers"
# A second after the daemon saw them die, they are started again; a copy
# of every GPO meanwhile is read by the others and in process.
sleep 1.2
rm -rf "$TEST_TMP/again"
cp -r "$D/gpos" "$TEST_TMP/again" || fail "cp -r of gpos/ after the kill"
for _ in $(seq 1 30); do
	[ "$(workers_of | wc -l)" -eq 4 ] && break
	sleep 0.1
done
[ "$(workers_of | wc -l)" -eq 4 ] || fail "the killed workers were not started again: $(workers_of | wc -l) running"
same_as_smbclient "$GPO_PREFS"
gpofs_stop "$MNT"
note "two workers killed: copies still exact, both started again, unmounted cleanly"

# A worker dies half-way through writing a large file to the cache: the
# daemon reads the file again itself, over the partial file it left.
big=$D/gpos/$GPO_BIG/DomainSysvol/GPO/Machine/Files/big.bin
ref=$CORP_SYSVOL/$GPO_BIG/Machine/Files/big.bin
full=$(stat -c %s "$ref")
killed=
for attempt in 1 2 3; do
	rm -rf "$TEST_TMP/cache"
	gpofs_mount_corp "$MNT" -o "workers=1,cache_dir=$TEST_TMP/cache"
	for _ in $(seq 1 50); do
		[ -n "$(workers_of)" ] && break
		sleep 0.1
	done
	w=$(workers_of)
	[ -n "$w" ] || fail "no SMB worker with workers=1"
	cat "$big" >"$TEST_TMP/big.out" &
	cat_pid=$!
	part=
	for _ in $(seq 1 500); do
		part=$(find "$TEST_TMP/cache" -name '*.dat' -size +0 2>/dev/null | head -n 1)
		[ -n "$part" ] && break
		sleep 0.01
	done
	got=$( [ -n "$part" ] && stat -c %s "$part" 2>/dev/null || echo 0)
	kill -9 "$w"
	[ -n "$part" ] && [ "$got" -lt "$full" ] && killed=$got
	wait "$cat_pid" || fail "cat of big.bin failed after its worker died (attempt $attempt)"
	cmp -s "$TEST_TMP/big.out" "$ref" || fail "big.bin differs after its worker died"
	gpofs_stop "$MNT"
	[ -n "$killed" ] && break
done
[ -n "$killed" ] || fail "the worker never was caught half-way through big.bin in 3 attempts"
note "a worker killed with $killed of $full bytes of big.bin in the cache: the daemon read it again, exact"

# workers=0: no helper, everything in process.
gpofs_mount_corp "$MNT" -o workers=0
sleep 0.5
[ -z "$(workers_of)" ] || fail "workers=0 started workers: $(workers_of)"
same_as_smbclient "$GPO_MANY"
gpofs_stop "$MNT"
note "workers=0: no helper process, the copy exact"
