#!/usr/bin/env bash
# A copy of a GPO folder taken while the GPO is being changed holds one
# version throughout. A writer changes the GPO in a loop, as an editor
# does: three marker files A, B, C get the new number k in that order,
# then GPT.INI's Version becomes k. Meanwhile the GPO folder is copied
# again and again. Each copy must hold one state of that sequence:
# A >= B >= C (never a later C with an earlier A), all within one step of
# each other, and Backup.xml's SYSVOL version equal to C's number or one
# below A's.
source "$(dirname "$0")/lib.sh"

G=$GPO_REGISTRY
DIR="$CORP_DNS/Policies/$G"
MNT=$TEST_TMP/mnt
cp "$CORP_SYSVOL/$G/GPT.INI" "$TEST_TMP/GPT.INI.orig"
# Some bulk, so that a copy takes long enough to straddle changes.
head -c $((4 * 1024 * 1024)) /dev/urandom >"$TEST_TMP/bulk.bin"

put_state() { # k: the commands of one edit
	local k=$1
	for f in A B C; do echo "$k" >"$TEST_TMP/$f.txt"; done
	printf '[General]\r\nVersion=%d\r\n' "$k" >"$TEST_TMP/GPT.INI.$k"
	# each marker whole (put aside, then renamed over): a capture cannot
	# tell a file being rewritten in place (truncated, then written)
	# from an edit, and this test is about versions, not torn files
	echo "cd $DIR/Machine; put $TEST_TMP/A.txt A.tmp; rename A.tmp A.txt -f; put $TEST_TMP/B.txt B.tmp; rename B.tmp B.txt -f; put $TEST_TMP/C.txt C.tmp; rename C.tmp C.txt -f; cd /$DIR; put $TEST_TMP/GPT.INI.$k GPT.INI"
}
smb_krb corp sysvol "$(put_state 1); cd /$DIR/Machine; put $TEST_TMP/bulk.bin bulk.bin" >/dev/null 2>&1 ||
	fail "set-up over SMB"

writer() {
	for k in $(seq 2 40); do
		smb_krb corp sysvol "$(put_state "$k")" >/dev/null 2>&1 || exit 1
		sleep 0.7
	done
}
gpofs_mount_corp "$MNT"
writer &
wpid=$!
copies=0 versions=""
while kill -0 "$wpid" 2>/dev/null && [ "$copies" -lt 80 ]; do
	sleep 0.2
	out=$TEST_TMP/copy.$copies
	if ! cp -r "$MNT/domains/$CORP_DNS/gpos/$G" "$out" 2>"$TEST_TMP/cp.err"; then
		# a GPO that never holds still long enough to be captured is an
		# error (EIO), never a mixed copy
		grep -q "Input/output error" "$TEST_TMP/cp.err" || { cat "$TEST_TMP/cp.err"; fail "cp failed"; }
		continue
	fi
	m=$out/DomainSysvol/GPO/Machine
	if ! [ -f "$m/A.txt" ] || ! [ -f "$m/B.txt" ] || ! [ -f "$m/C.txt" ]; then
		ls -laR "$out" >&2
		tail -50 "$TEST_TMP/gpofs.log" >&2
		fail "copy $copies lacks a marker file"
	fi
	a=$(cat "$m/A.txt") b=$(cat "$m/B.txt") c=$(cat "$m/C.txt")
	sys=$(( $(xpath "$out/Backup.xml" b:GroupPolicyObject/b:GroupPolicyCoreSettings/b:MachineVersionNumber) & 0xffff ))
	cmp -s "$m/bulk.bin" "$TEST_TMP/bulk.bin" || fail "copy $copies: bulk.bin differs"
	[ "$a" -ge "$b" ] && [ "$b" -ge "$c" ] && [ $((a - c)) -le 1 ] ||
		fail "copy $copies mixes states: A=$a B=$b C=$c"
	[ "$sys" -eq "$c" ] || [ "$sys" -eq $((a - 1)) ] ||
		fail "copy $copies: Backup.xml says SYSVOL version $sys, files say A=$a C=$c"
	versions+=" $sys"
	[ -n "${T90_DEBUG:-}" ] && echo "$(date +%T.%N) copy $copies: A=$a B=$b C=$c sys=$sys"
	copies=$((copies + 1))
	rm -rf "$out"
done
wait "$wpid" || fail "the writer failed"
distinct=$(echo "$versions" | tr ' ' '\n' | grep -v '^$' | sort -un | wc -l)
note "$copies copies during 39 edits, $distinct distinct versions, each copy one state:$versions"
[ "$copies" -ge 5 ] && [ "$distinct" -ge 3 ] || fail "too few copies or versions to show anything"

gpofs_stop "$MNT"

# An editor's temporary file, listed by a capture and renamed over its
# target before the capture reads it, is a change like any other: the
# capture starts again. Never a folder that looks empty (readdir(3) takes
# ENOENT for the end of one) or lacks a file that was there throughout.
# A fresh mount captures the GPO at its first copy; 100 small files
# beside the renamed one keep the capture's reads behind its listing.
mkdir "$TEST_TMP/many"
for i in $(seq 100 199); do echo "$i" >"$TEST_TMP/many/f$i.txt"; done
smb_krb corp sysvol "cd $DIR/Machine; mkdir storm; cd storm; lcd $TEST_TMP/many; prompt off; mput *.txt; put $TEST_TMP/A.txt A.txt" >/dev/null 2>&1 ||
	fail "set-up of the rename storm"
storm=""
for _ in $(seq 1 100); do storm+="put $TEST_TMP/A.txt A.tmp; rename A.tmp A.txt -f; "; done
# While a capture reads A.txt or A.tmp, the DC refuses to rename over it
# or away from it (libsmbclient opens without FILE_SHARE_DELETE; a reader
# on Windows would block it too): that is the DC's rule, not a failure of
# the storm. Any other error is, and smbclient's exit code tells only of
# its last command, so its output is read.
( while [ ! -e "$TEST_TMP/storm.stop" ]; do
	smb_krb corp sysvol "cd $DIR/Machine/storm; $storm" >"$TEST_TMP/storm.out" 2>&1 || :
	grep -o "NT_STATUS_[A-Z_]*" "$TEST_TMP/storm.out" >>"$TEST_TMP/storm.statuses" || :
	if grep "NT_STATUS_" "$TEST_TMP/storm.out" | grep -qv "NT_STATUS_SHARING_VIOLATION"; then exit 1; fi
	grep -q "^putting file.*A.tmp" "$TEST_TMP/storm.out" || exit 1
done ) &
spid=$!
whole=0 restarts=0
for i in $(seq 1 8); do
	gpofs_mount_corp "$MNT"
	out=$TEST_TMP/storm.$i
	if cp -r "$MNT/domains/$CORP_DNS/gpos/$G" "$out" 2>"$TEST_TMP/cp.err"; then
		n=$(find "$out/DomainSysvol/GPO/Machine/storm" -name 'f*.txt' 2>/dev/null | wc -l)
		[ -f "$out/DomainSysvol/GPO/Machine/storm/A.txt" ] && [ "$n" -eq 100 ] ||
			fail "copy $i during the renames lacks files ($n of 100 and A.txt): $(ls "$out" | tr '\n' ' ')"
		whole=$((whole + 1))
		restarts=$((restarts + $(awk '$1 == "capture_restarts" { s += $2 } END { print s + 0 }' "$MNT/.stats")))
	else
		grep -q "Input/output error" "$TEST_TMP/cp.err" || { cat "$TEST_TMP/cp.err"; fail "cp failed"; }
	fi
	gpofs_stop "$MNT"
	rm -rf "$out"
done
touch "$TEST_TMP/storm.stop"
wait "$spid" || { grep -v "^putting" "$TEST_TMP/storm.out" | tail -5; fail "the rename storm failed"; }
touch "$TEST_TMP/storm.statuses"
refused=$(grep -c "SHARING_VIOLATION" "$TEST_TMP/storm.statuses" || :)
note "$whole of 8 first copies after a mount whole during renames of a temporary file (the others EIO); captures begun again: $restarts; renames the DC refused while the file was read: $refused"
[ "$whole" -ge 4 ] || fail "too few whole copies during the renames to show anything"
smb_krb corp sysvol "cd $DIR/Machine/storm; prompt off; mask *; mdel *; cd ..; rmdir storm" >/dev/null 2>&1
smb_krb corp sysvol "cd $DIR/Machine; del A.txt; del B.txt; del C.txt; del bulk.bin; cd /$DIR; put $TEST_TMP/GPT.INI.orig GPT.INI" >/dev/null 2>&1
