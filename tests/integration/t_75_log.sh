#!/usr/bin/env bash
# The domain's log is a file under log_dir (<dns name>.log, 0600, in a 0700
# folder) that mounting leaves as it is. Readers that keep it open follow
# it: tail -f (GNU tail polls a FUSE file with fstat and read) with and
# without inotify, less +F, and a plain reader reading on at its offset;
# stat gives its size now. It outlives a remount (same content, same
# mtime), two mounts of the domain share it, and past 1 MiB its older half
# goes, which a follower sees as a truncation.
source "$(dirname "$0")/lib.sh"

MNT=$TEST_TMP/mnt
LOGDIR=$TEST_TMP/log
LOGF=$LOGDIR/$CORP_DNS.log
D=$MNT/domains/$CORP_DNS
B=$MNT/backups

# wait_for SECONDS COMMAND...: polls a condition every 0.1 s.
wait_for() {
	local n=$(($1 * 10))
	shift
	for _ in $(seq 1 "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
has() { grep -q -- "$2" "$1" 2>/dev/null; }
TAILS=()
stop_tails() {
	local p
	for p in "${TAILS[@]}"; do
		pkill -P "$p" 2>/dev/null || true # script's less
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	TAILS=()
}

gpofs_mount_corp "$MNT"
PID1=$GPOFS_PID

# 1. Where it is, private, and untouched by mounting.
[ -f "$LOGF" ] || fail "no log file $LOGF"
[ "$(stat -c %a "$LOGDIR")" = 700 ] || fail "log_dir mode $(stat -c %a "$LOGDIR")"
[ "$(stat -c %a "$LOGF")" = 600 ] || fail "log file mode $(stat -c %a "$LOGF")"
[ ! -s "$LOGF" ] || fail "mounting wrote to the log: $(cat "$LOGF")"
[ ! -s "$D/log" ] || fail "the log of a fresh domain is not empty"
note "the log is $LOGF, 0600 in a 0700 folder, and mounting wrote nothing"

# 2. Followers started before a sealing show its line within a few
# seconds; a reader that keeps the file open reads it on; stat's size is
# the file's now, not one the kernel kept.
tail -f "$D/log" >"$TEST_TMP/tail1" 2>&1 &
TAILS+=($!)
tail ---disable-inotify -f "$D/log" >"$TEST_TMP/tail2" 2>&1 &
TAILS+=($!)
LESS_TOO=
if command -v script >/dev/null && command -v less >/dev/null; then
	# less +F on a terminal of its own (it ends when script does)
	TERM=dumb script -qfc "less +F '$D/log'" "$TEST_TMP/less.out" </dev/null >/dev/null 2>&1 &
	TAILS+=($!)
	LESS_TOO=1
fi
exec 3<"$D/log"
cat <&3 >/dev/null
sleep 1.5 # both tails are at the end, polling
id=$(xpath "$D/gpos/$GPO_SECURITY/bkupInfo.xml" "m:ID")
line="sealed as backup $id"
cp -r "$D/gpos/$GPO_SECURITY" "$B/"
# keep the kernel's attributes of log fresh until the line is written
stat_and_look() { stat -c %s "$D/log" >/dev/null && has "$LOGF" "$line"; }
wait_for 30 stat_and_look || fail "no \"$line\" in $LOGF"
# (well within the kernel's 1 s attribute time: the new line dropped them)
same_size() { [ "$(stat -c %s "$D/log")" = "$(stat -c %s "$LOGF")" ]; }
same_size || { sleep 0.2; same_size; } ||
	fail "stat of log: $(stat -c %s "$D/log") bytes, the file has $(stat -c %s "$LOGF")"
wait_for 5 has "$TEST_TMP/tail1" "$line" || fail "tail -f did not show the new line"
wait_for 5 has "$TEST_TMP/tail2" "$line" ||
	fail "tail ---disable-inotify -f did not show the new line: $(cat "$TEST_TMP/tail2")"
cat <&3 >"$TEST_TMP/read-on"
exec 3<&-
has "$TEST_TMP/read-on" "$line" || fail "a reader that kept the log open read nothing new"
if [ -n "$LESS_TOO" ]; then
	wait_for 5 has "$TEST_TMP/less.out" "$line" || fail "less +F did not show the new line"
fi
cmp "$D/log" "$LOGF" || fail "the log differs from its file"
note "tail -f, tail ---disable-inotify -f, ${LESS_TOO:+less +F, }and an open reader followed the log"

# 3. Past 1 MiB the older half goes at a line boundary, in place; a
# follower sees the file truncated and goes on. Another mount appending
# to the file is what fills it here.
awk -v d="$CORP_DNS" 'BEGIN { for (i = 0; i < 16000; i++)
	print "2026-01-01T00:00:00Z filler line written by another mount of " d }' >>"$LOGF"
filled=$(stat -c %s "$LOGF")
[ "$filled" -gt 1048576 ] || fail "the filler did not pass 1 MiB ($filled)"
tail ---disable-inotify -f "$D/log" >"$TEST_TMP/tail3" 2>&1 &
TAILS+=($!)
sleep 1.5
id2=$(xpath "$D/gpos/$GPO_REGISTRY/bkupInfo.xml" "m:ID")
line2="sealed as backup $id2"
cp -r "$D/gpos/$GPO_REGISTRY" "$B/"
wait_for 30 has "$LOGF" "$line2" || fail "no \"$line2\" in $LOGF"
size=$(stat -c %s "$LOGF")
[ "$size" -le 1048576 ] || fail "the log was not trimmed: $size bytes"
[ "$size" -ge $((filled / 2 - 200)) ] || fail "more than the older half went: $size of $filled bytes left"
head -n 1 "$LOGF" | grep -qE '^20[0-9-]{8}T[0-9:]{8}Z ' || fail "the trimmed log does not start with a whole line"
tail -n 1 "$LOGF" | grep -q -- "$line2" || fail "the newest line is not last"
has "$LOGF" "$line" && fail "the oldest line was kept"
wait_for 5 has "$TEST_TMP/tail3" "$line2" || fail "a follower did not go on after the trim"
grep -q "file truncated" "$TEST_TMP/tail3" || fail "tail did not see the file truncated"
stop_tails
note "past 1 MiB: $filled -> $size bytes, whole lines, the follower went on"

# 4. A remount finds it as it was: the same content and mtime.
cp "$D/log" "$TEST_TMP/log.before"
mtime=$(stat -c %Y "$D/log")
gpofs_stop "$MNT"
sleep 1.1
gpofs_mount_corp "$MNT"
PID1=$GPOFS_PID
cmp "$D/log" "$TEST_TMP/log.before" || fail "the log changed across a remount"
[ "$(stat -c %Y "$D/log")" = "$mtime" ] || fail "the log's mtime changed across a remount"
note "after a remount: the same log, the same mtime"

# 5. Two mounts of the domain share it: a line of one shows in the other.
MNT2=$TEST_TMP/mnt2
gpofs_start "$MNT2" -o "domain=$CORP_DNS,credentials=$(creds_file corp),tls_cacert=$CORP_CA,backup_dir=$TEST_TMP/backups2,migtable_dir=$TEST_TMP/migtables2,log_dir=$LOGDIR"
PID2=$GPOFS_PID
id3=$(xpath "$MNT2/domains/$CORP_DNS/gpos/$GPO_SCRIPTS/bkupInfo.xml" "m:ID")
cp -r "$MNT2/domains/$CORP_DNS/gpos/$GPO_SCRIPTS" "$MNT2/backups/"
wait_for 30 has "$D/log" "sealed as backup $id3" || fail "the first mount's log does not show the second's line"
cmp "$D/log" "$MNT2/domains/$CORP_DNS/log" || fail "the two mounts show different logs"
GPOFS_PID=$PID2 gpofs_stop "$MNT2"
GPOFS_PID=$PID1 gpofs_stop "$MNT"
note "two mounts share one log"
