#!/usr/bin/env bash
# The capture cache: a mount killed with SIGKILL leaves its folder behind
# only until the next mount starts (a live mount's folder is never
# touched); a capture that is out of date lets go of its files at once
# rather than beside the new one's; and the cache stays within cache_max=
# (idle captures dropped first, then ENOSPC for the reader, in the log).
source "$(dirname "$0")/lib.sh"

MNT=$TEST_TMP/mnt
MNT2=$TEST_TMP/mnt2
CACHE=$TEST_TMP/cache
BIG=DomainSysvol/GPO/Machine/Files/big.bin
ON_DC=$CORP_SYSVOL/$GPO_BIG/Machine/Files/big.bin
stat_of() { awk -v k="$1" '$1 == k { s += $2 } END { print s + 0 }' "$MNT/.stats"; }
cache_bytes() { du -sb "$CACHE" | cut -f1; }
MiB=$((1024 * 1024))

# 1. SIGKILL, then a new mount: the folder left behind is removed.
gpofs_mount_corp "$MNT" -o "cache_dir=$CACHE"
D=$MNT/domains/$CORP_DNS
cmp "$D/gpos/$GPO_BIG/$BIG" "$ON_DC" || fail "big.bin differs"
[ "$(cache_bytes)" -ge $((50 * MiB)) ] || fail "big.bin is not in the cache ($(cache_bytes) bytes)"
kill -9 "$GPOFS_PID"
wait "$GPOFS_PID" 2>/dev/null || true
fusermount3 -uz "$MNT"
left=$(cache_bytes)
[ "$left" -ge $((50 * MiB)) ] || fail "test set-up: the killed mount left only $left bytes"
gpofs_mount_corp "$MNT" -o "cache_dir=$CACHE"
grep -q "removed 1 cache folder" "$TEST_TMP/gpofs.log" ||
	{ cat "$TEST_TMP/gpofs.log" >&2; fail "the new mount did not say it removed the old folder"; }
[ "$(cache_bytes)" -lt "$MiB" ] || fail "$(cache_bytes) bytes left in the cache after the sweep"
note "a killed mount's cache ($((left / MiB)) MiB) is removed by the next mount"

# 2. Another mount starting beside a live one leaves its folder alone.
cmp "$D/gpos/$GPO_BIG/$BIG" "$ON_DC" || fail "big.bin differs"
first=$GPOFS_PID
gpofs_mount_corp "$MNT2" -o "cache_dir=$CACHE"
second=$GPOFS_PID
! grep -q "removed" "$TEST_TMP/gpofs.log" || fail "a live mount's folder was swept"
[ "$(cache_bytes)" -ge $((50 * MiB)) ] || fail "the live mount lost its cache"
cmp "$D/gpos/$GPO_BIG/$BIG" "$ON_DC" || fail "the live mount's copy broke"
gpofs_stop "$MNT2"
GPOFS_PID=$first
note "a live mount's folder survives another mount's start"

# 3. An out-of-date capture lets go of its files before the new one is
# read: the cache never holds both.
python3 - "$ON_DC" "$CORP_SYSVOL/$GPO_BIG/GPT.INI" <<'PY'
import os, re, sys
with open(sys.argv[1], "r+b") as f:          # in place: keeps its ACL
    f.write(os.urandom(1 << 20))
with open(sys.argv[2], "r+b") as f:
    ini = f.read().decode("ascii")
    v = int(re.search(r"Version=(\d+)", ini).group(1))
    f.seek(0)
    f.truncate()
    f.write(re.sub(r"Version=\d+", "Version=%d" % (v + 1), ini).encode("ascii"))
PY
sleep 6 # past the 5-second check
cmp "$D/gpos/$GPO_BIG/$BIG" "$ON_DC" || fail "the changed big.bin was not read again"
peak=$(stat_of cache_peak_bytes)
[ "$peak" -le $((55 * MiB)) ] || fail "the cache held $((peak / MiB)) MiB: old and new capture side by side"
note "a changed GPO's old capture went before the new one was read (peak $((peak / MiB)) MiB)"
gpofs_stop "$MNT"

# 4. The bound: a capture that cannot fit fails its reader with ENOSPC.
gpofs_mount_corp "$MNT" -o "cache_dir=$CACHE,cache_max=30M"
out=$(cat "$D/gpos/$GPO_BIG/$BIG" 2>&1 >/dev/null) && fail "read 50 MiB through a 30 MiB cache"
echo "$out" | grep -q "No space left on device" || fail "not ENOSPC: $out"
grep -q "$GPO_BIG: not captured: the cache is full (cache_max=30 MiB" "$D/log" ||
	fail "the log does not say the cache is full: $(cat "$D/log")"
[ "$(stat_of cache_refused)" -ge 1 ] || fail "/.stats counts no refusal"
[ "$(cache_bytes)" -lt $((30 * MiB)) ] || fail "the cache went past its bound"
gpofs_stop "$MNT"
note "past cache_max=30M: ENOSPC, and the log says why"

# 5. At the bound, captures no reader holds are dropped first.
head -c $((40 * MiB)) /dev/urandom >"$TEST_TMP/big2.bin"
smbclient "//$CORP_DC/sysvol" -A "$CORP_AUTHFILE" --option='client signing=required' \
	-c "cd $CORP_DNS/Policies/$GPO_MANY; put $TEST_TMP/big2.bin big2.bin" >/dev/null ||
	fail "cannot put big2.bin"
gpofs_mount_corp "$MNT" -o "cache_dir=$CACHE,cache_max=80M"
cmp "$D/gpos/$GPO_BIG/$BIG" "$ON_DC" || fail "big.bin differs"
sleep 2.5 # the reader's pin on it lapses
captures=$(stat_of captures)
cmp "$D/gpos/$GPO_MANY/DomainSysvol/GPO/big2.bin" "$TEST_TMP/big2.bin" ||
	fail "big2.bin could not be read beside an idle capture"
[ "$(stat_of cache_peak_bytes)" -le $((80 * MiB)) ] || fail "the cache went past 80 MiB"
sleep 2.5
cmp "$D/gpos/$GPO_BIG/$BIG" "$ON_DC" || fail "big.bin differs when read again"
[ "$(stat_of captures)" -gt $((captures + 1)) ] || fail "big.bin's idle capture was not the one dropped"
gpofs_stop "$MNT"
smbclient "//$CORP_DC/sysvol" -A "$CORP_AUTHFILE" --option='client signing=required' \
	-c "cd $CORP_DNS/Policies/$GPO_MANY; del big2.bin" >/dev/null
note "at cache_max=80M an idle 50 MiB capture made room for a 40 MiB one"
