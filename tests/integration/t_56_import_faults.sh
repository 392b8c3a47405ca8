#!/usr/bin/env bash
# Imports that go wrong leave the domain as it was, or finish: the DC
# stopped during a commit, the daemon killed with SIGKILL during one (the
# next mount finishes or undoes it from its journal), the cache's disk
# full, an account the DC refuses; and two writers in one GPO, a reader
# copying while a writer commits, names and sizes gpofs refuses.
source "$(dirname "$0")/lib.sh"

MNT=$TEST_TMP/mnt
CACHE=$TEST_TMP/cache
make_ldappw corp
dn_of() { echo "CN=$1,CN=Policies,CN=System,$CORP_BASEDN"; }
ver() { ldap_attr "$(dn_of "$1")" versionNumber; }
ini_ver() { sed -n 's/^Version=\([0-9]*\).*/\1/p' "$CORP_SYSVOL/$1/GPT.INI" | tr -d '\r'; }
log_has() { grep -q -- "$1" "$TEST_TMP/log/$CORP_DNS.log"; }
wait_log() {
	for _ in $(seq 1 300); do log_has "$1" && return 0; sleep 0.1; done
	tail -5 "$TEST_TMP/log/$CORP_DNS.log" >&2
	fail "no log line: $1"
}
mount_it() { gpofs_mount_corp "$MNT" -o "cache_dir=$CACHE,log_dir=$TEST_TMP/log" "$@"; }
# as_before GUID VERSION FILE...: the GPO is as it was: its version in
# both places, and none of the files in SYSVOL
as_before() {
	local g=$1 v=$2 f
	shift 2
	[ "$(ver "$g")" = "$v" ] || fail "$g: versionNumber $(ver "$g"), was $v"
	[ "$(ini_ver "$g")" = "$v" ] || fail "$g: GPT.INI $(ini_ver "$g"), was $v"
	for f in "$@"; do
		[ ! -e "$CORP_SYSVOL/$g/$f" ] || fail "$g: $f reached SYSVOL"
	done
}
head -c $((40 * 1024 * 1024)) /dev/urandom >"$TEST_TMP/40M"

# 1. The DC stopped in the middle of a commit: the writer gets EIO, and
# the next mount (the DC back) puts SYSVOL back from the journal.
G=$GPO_SECURITY
mount_it
P=$MNT/domains/$CORP_DNS/gpos/$G/DomainSysvol/GPO/Machine
v=$(ver "$G")
for i in 1 2 3 4 5; do cp "$TEST_TMP/40M" "$P/big$i.bin"; done
# stop the DC once the commit's first file is in SYSVOL, four to go
(
	for _ in $(seq 1 200); do
		[ -e "$CORP_SYSVOL/$G/Machine/big1.bin" ] && break
		sleep 0.05
	done
	dc_stop corp
) &
stopper=$!
out=$(printf 'x' | dd of="$P/last.txt" conv=fsync status=none 2>&1) && fail "a commit with the DC stopped succeeded"
wait "$stopper"
echo "$out" | grep -qi "Input/output error\|No route\|refused\|timed out" || fail "not an I/O error: $out"
dc_start corp
gpofs_stop "$MNT" || true
mount_it
wait_log "$G: a commit cut short .* was undone\|$G: commit failed: .*SYSVOL was put back"
as_before "$G" "$v" Machine/big1.bin Machine/big2.bin Machine/big3.bin Machine/big4.bin Machine/big5.bin Machine/last.txt
[ -z "$(ls "$CACHE/journal/$CORP_DNS")" ] || fail "a journal is left: $(ls "$CACHE/journal/$CORP_DNS")"
gpofs_stop "$MNT"
note "DC stopped during a commit: EIO, then SYSVOL as it was, the journal gone"

# 2. SIGKILL during a commit: the next mount finishes or undoes it; either
# way the GPO is one version, never a mix.
mount_it
v=$(ver "$G")
for i in 1 2 3 4 5; do cp "$TEST_TMP/40M" "$P/big$i.bin"; done
printf 'x' | dd of="$P/last.txt" conv=fsync status=none 2>/dev/null &
writer=$!
for _ in $(seq 1 200); do
	[ -e "$CORP_SYSVOL/$G/Machine/big1.bin" ] && break
	sleep 0.05
done
kill -9 "$GPOFS_PID"
wait "$GPOFS_PID" 2>/dev/null || true
wait "$writer" 2>/dev/null || true
fusermount3 -uz "$MNT"
[ -n "$(ls "$CACHE/journal/$CORP_DNS")" ] || fail "no journal after a kill during a commit"
mount_it
wait_log "$G: a commit cut short"
now=$(ver "$G")
if [ "$now" = "$v" ]; then
	as_before "$G" "$v" Machine/big1.bin Machine/big2.bin Machine/big3.bin Machine/big4.bin Machine/big5.bin Machine/last.txt
	note "SIGKILL during a commit: undone at the next start"
else
	[ "$(ini_ver "$G")" = "$now" ] || fail "GPT.INI $(ini_ver "$G") and versionNumber $now differ"
	for i in 1 2 3 4 5; do cmp -s "$TEST_TMP/40M" "$CORP_SYSVOL/$G/Machine/big$i.bin" || fail "big$i.bin half there"; done
	note "SIGKILL during a commit: it had reached the directory, and is whole"
fi
[ -z "$(ls "$CACHE/journal/$CORP_DNS")" ] || fail "a journal is left"
# put the GPO back as it was for the tests that follow
for i in 1 2 3 4 5; do rm -f "$P/big$i.bin"; done
rm -f "$P/last.txt"
gpofs_stop "$MNT"

# 3. The cache's disk full: the write fails with ENOSPC and the
# transaction is dropped, nothing written.
mkdir -p "$TEST_TMP/small"
mount -t tmpfs -o size=24m gpofs-t56 "$TEST_TMP/small"
gpofs_mount_corp "$MNT" -o "cache_dir=$TEST_TMP/small,log_dir=$TEST_TMP/log"
v=$(ver "$G")
out=$(cp "$TEST_TMP/40M" "$P/full.bin" 2>&1) && fail "40 MiB staged in a 24 MiB cache"
echo "$out" | grep -q "No space left on device" || fail "not ENOSPC: $out"
wait_log "$G: changes dropped: a write into them failed (No space left on device)"
as_before "$G" "$v" Machine/full.bin
gpofs_stop "$MNT"
umount "$TEST_TMP/small"
note "cache disk full: ENOSPC, the changes dropped, nothing written"

# 4. Two writers (two sessions) in one GPO: one transaction, both land.
mount_it
v=$(ver "$G")
setsid sh -c "echo one > '$P/one.txt'" &
w1=$!
setsid sh -c "echo two > '$P/two.txt'" &
wait "$w1" $!
for _ in $(seq 1 100); do [ -f "$CORP_SYSVOL/$G/Machine/two.txt" ] && [ -f "$CORP_SYSVOL/$G/Machine/one.txt" ] && break; sleep 0.1; done
grep -q one "$CORP_SYSVOL/$G/Machine/one.txt" && grep -q two "$CORP_SYSVOL/$G/Machine/two.txt" ||
	fail "two writers: not both files in SYSVOL"
[ "$(ini_ver "$G")" = "$(ver "$G")" ] || fail "two writers: versions differ"
note "two writers in one GPO: both files, one version in both places"

# 5. A reader copying while a writer commits: each copy is one version.
M=$MNT/domains/$CORP_DNS/gpos/$G
for k in 1 2 3 4 5 6; do
	printf '%s' "$k" >"$TEST_TMP/k"
	for f in A B C; do cp "$TEST_TMP/k" "$P/$f.txt"; done
	cp "$TEST_TMP/40M" "$P/bulk.bin"
	printf x | dd of="$P/A.txt" conv=notrunc,fsync status=none seek=1 2>"$TEST_TMP/dd.err" || { cat "$TEST_TMP/dd.err" >&2; false; } &
	writer=$!
	for _ in 1 2 3; do
		rm -rf "$TEST_TMP/copy"
		setsid cp -r "$M" "$TEST_TMP/copy" 2>/dev/null || continue
		a=$(head -c 1 "$TEST_TMP/copy/DomainSysvol/GPO/Machine/A.txt" 2>/dev/null || echo -)
		c=$(cat "$TEST_TMP/copy/DomainSysvol/GPO/Machine/C.txt" 2>/dev/null || echo -)
		[ "$a" = "$c" ] || fail "a copy during a commit mixes versions: A=$a C=$c"
	done
	wait "$writer"
done
rm -f "$P/A.txt" "$P/B.txt" "$P/C.txt" "$P/bulk.bin" "$P/one.txt" "$P/two.txt"
note "copies taken while commits ran: each of one version"

# 6. What gpofs refuses: a name SYSVOL cannot hold, a file past the limit.
out=$(touch "$P/back\\slash" 2>&1) && fail "a backslash in a name was taken"
echo "$out" | grep -q "Invalid argument" || fail "not EINVAL: $out"
for bad in 'a:b' 'what?' 'x|y' 'q"uote'; do
	out=$(touch "$P/$bad" 2>&1) && fail "a name Windows cannot hold was taken: $bad"
	echo "$out" | grep -q "Invalid argument" || fail "$bad: not EINVAL: $out"
done
out=$(truncate -s 1025M "$P/huge.bin" 2>&1) && fail "a file past 1 GiB was taken"
echo "$out" | grep -q "File too large" || fail "not EFBIG: $out"
rm -f "$P/huge.bin" # truncate made it (empty) before its size was refused
gpofs_stop "$MNT"
note "a backslash or a character Windows names cannot hold: EINVAL; a file past 1 GiB: EFBIG"

# 7. An account the DC refuses: EACCES, nothing changed.
export KRB5CCNAME=FILE:$(ccache corp)
( umask 077; head -c 12 /dev/urandom | base64 | tr -d '/+=' | sed 's/$/-Aa1!/' >"$TEST_TMP/pw" )
py=$(head -n 1 "$(command -v samba-tool)" | sed 's/^#! *//')
"${py:-python3}" "$GPOFS_HARNESS/add_user.py" corp gpofs-t56 "$TEST_TMP/pw" >/dev/null ||
	fail "cannot make an ordinary user"
unset KRB5CCNAME
( umask 077; printf 'username=gpofs-t56\npassword=%s\ndomain=%s\n' "$(cat "$TEST_TMP/pw")" \
	"$CORP_NETBIOS" >"$TEST_TMP/user.cred" )
gpofs_start "$MNT" -o "domain=$CORP_DNS,credentials=$TEST_TMP/user.cred,tls_cacert=$CORP_CA,backup_dir=$TEST_TMP/b,migtable_dir=$TEST_TMP/m,log_dir=$TEST_TMP/log,cache_dir=$CACHE"
v=$(ver "$G")
out=$(printf 'x' | dd of="$P/denied.txt" conv=fsync status=none 2>&1) && fail "an ordinary user's commit succeeded"
echo "$out" | grep -q "Permission denied" || fail "not EACCES: $out"
as_before "$G" "$v" Machine/denied.txt
out=$(mkdir "$MNT/domains/$CORP_DNS/by-name/Not allowed" 2>&1) && fail "an ordinary user made a GPO"
echo "$out" | grep -q "Permission denied" || fail "mkdir: not EACCES: $out"
[ -e "$MNT/domains/$CORP_DNS/by-name/Not allowed" ] && fail "a refused GPO is listed"
gpofs_stop "$MNT"
note "an account the DC refuses: EACCES for a commit and for mkdir, nothing changed"
