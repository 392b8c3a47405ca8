#!/usr/bin/env bash
# The daemon, run under valgrind through a mount's life (list, read, copy,
# a failed write, unmount), exits 0 with no memory error and no leak.
source "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null || skip "valgrind is not installed"
MNT=$TEST_TMP/mnt
mkdir -p "$MNT"
VG_LOG=$TEST_TMP/valgrind.log
valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	--suppressions="$(dirname "$0")/valgrind.supp" --log-file="$VG_LOG" \
	"$GPOFS_BIN" -f -o "domain=$CORP_DNS,credentials=$(creds_file corp),tls_cacert=$CORP_CA,backup_dir=$TEST_TMP/b,migtable_dir=$TEST_TMP/m,log_dir=$TEST_TMP/log" \
	"$MNT" >"$TEST_TMP/gpofs.log" 2>&1 &
GPOFS_PID=$!
GPOFS_PIDS+=("$GPOFS_PID")
for _ in $(seq 1 600); do
	mountpoint -q "$MNT" && break
	kill -0 "$GPOFS_PID" 2>/dev/null || { cat "$VG_LOG" "$TEST_TMP/gpofs.log"; fail "gpofs died"; }
	sleep 0.1
done
mountpoint -q "$MNT" || fail "no mount under valgrind"
D=$MNT/domains/$CORP_DNS
ls -lR "$D/by-name/" "$D/gpos" >/dev/null
cp -r "$D/gpos/$GPO_SECURITY" "$D/gpos/$GPO_PREFS" "$TEST_TMP/"
cat "$D/log" "$MNT/README" >/dev/null
grep -r "Groups" "$D/gpos/$GPO_PREFS" >/dev/null
! touch "$D/x" 2>/dev/null || fail "a write outside GPO folders succeeded"
# the write path: an edit committed at once (fsync), and a removal
# committed at unmount
printf '[General]\r\n' | dd of="$D/gpos/$GPO_PREFS/DomainSysvol/GPO/Machine/vg.ini" conv=fsync status=none ||
	fail "an edit under valgrind failed"
rm "$D/gpos/$GPO_PREFS/DomainSysvol/GPO/Machine/vg.ini" || fail "a removal under valgrind failed"
# the store: a copy in, sealed by the sealer thread, listed, removed
cp -r "$D/gpos/$GPO_PREFS" "$MNT/backups/"
mkdir "$MNT/backups/unfinished"
for _ in $(seq 1 100); do [ ! -e "$MNT/backups/$GPO_PREFS" ] && break; sleep 0.2; done
grep -q BackupInst "$MNT/backups/manifest.xml" || fail "no backup sealed under valgrind"
# the generated migration tables: of the sealed backup and of two GPOs
G=$MNT/migtables/generated
ls -l "$G" "$G/backups" "$G/$CORP_DNS" >/dev/null || fail "listing migtables/generated/ failed"
cat "$G/backups/"*.migtable "$G/$CORP_DNS/$GPO_PREFS.migtable" "$G/$CORP_DNS/$GPO_SECURITY.migtable" \
	>/dev/null || fail "a generated table could not be read under valgrind"
! touch "$G/x" 2>/dev/null || fail "a file was made in migtables/generated/"
rm -r "$MNT/backups/{"*
ls "$D/gpos/{00000000-0000-0000-0000-000000000000}" 2>/dev/null && fail "unknown GPO listed"
fusermount3 -u "$MNT"
rc=0
wait "$GPOFS_PID" || rc=$?
if [ "$rc" -ne 0 ] || [ -s "$VG_LOG" ]; then
	cat "$VG_LOG" >&2
	fail "valgrind reported errors or leaks (exit $rc)"
fi
note "valgrind: exit 0, no error, no leak"
