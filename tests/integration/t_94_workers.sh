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

workers_of() { pgrep -P "$GPOFS_PID" | sort -n || true; }

# From /.stats: the value of one counter; the pids of the workers it
# shows (0: none); one worker's own count of SMB requests, by pid.
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$MNT/.stats"; }
stats_pids() { awk '$1 ~ /^worker[0-9]+_pid$/ && $2 != 0 { print $2 }' "$MNT/.stats" | sort -n; }
own_requests() { # FILE PID
	awk -v pid="$2" '$1 ~ /^worker[0-9]+_pid$/ && $2 == pid { w = substr($1, 1, length($1) - 4) }
		w != "" && $1 == w "_smb_requests" { print $2; exit }' "$1"
}

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
# /.stats shows a worker once it has signed in
for _ in $(seq 1 100); do
	[ "$(stats_pids)" = "$ws" ] && break
	sleep 0.1
done
cp "$MNT/.stats" "$TEST_TMP/stats.before"
same_as_smbclient "$GPO_MANY"
cp "$MNT/.stats" "$TEST_TMP/stats.after"
nfiles=$(find "$TEST_TMP/got" -type f | wc -l)
note "4 workers, signed in over their sockets; a copy of $nfiles files is exact"

# The reads went through the workers: /.stats shows the four processes,
# and their own counts of SMB requests (sent in their replies) grew by
# at least one per file, over more than one worker, and by as much as
# the domain's count did: nothing was read in process.
[ "$(stats_pids)" = "$ws" ] || fail "/.stats shows workers $(stats_pids | xargs), running: $(echo $ws)"
sum=0 busy=0
for w in $ws; do
	a=$(own_requests "$TEST_TMP/stats.before" "$w")
	b=$(own_requests "$TEST_TMP/stats.after" "$w")
	[ -n "$a" ] && [ -n "$b" ] || fail "no request count for worker $w in /.stats"
	d=$((b - a))
	sum=$((sum + d))
	[ "$d" -gt 0 ] && busy=$((busy + 1))
done
domain=$(( $(awk '$1 == "smb_requests" { print $2 }' "$TEST_TMP/stats.after") -
	$(awk '$1 == "smb_requests" { print $2 }' "$TEST_TMP/stats.before") ))
[ "$sum" -ge "$nfiles" ] || fail "the workers made $sum SMB requests for $nfiles files"
[ "$busy" -ge 2 ] || fail "only $busy worker(s) read anything"
[ "$sum" -eq "$domain" ] ||
	fail "the workers counted $sum SMB requests, the domain $domain: some were read in process"
note "the workers' own counts: $sum SMB requests over $busy workers, all of the domain's"

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
[ "$(stats_pids)" = "$(workers_of)" ] ||
	fail "/.stats shows workers $(stats_pids | xargs), running: $(workers_of | xargs)"
for w in "$1" "$2"; do
	grep -qx "worker[0-9]*_pid $w" "$MNT/.stats" && fail "/.stats still shows the killed worker $w"
done
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
[ -z "$(stats_pids)" ] || fail "workers=0: /.stats shows workers $(stats_pids | xargs)"
[ "$(stat_of smb_requests)" -ge 2000 ] || fail "workers=0: only $(stat_of smb_requests) SMB requests in process"
gpofs_stop "$MNT"
note "workers=0: no helper process, the copy exact"
