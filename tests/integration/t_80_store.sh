#!/usr/bin/env bash
# backups/ is the sealed backup store: a complete copy is sealed under its
# backup ID (read-only, listed in manifest.xml), a repeated copy of an
# unchanged GPO leaves one backup, a changed GPO makes a second, GPMC's own
# backups seal the same way, invalid folders never do (the log says why),
# and rm -r removes a sealed backup.
source "$(dirname "$0")/lib.sh"

MNT=$TEST_TMP/mnt
STORE=$TEST_TMP/backups
gpofs_mount_corp "$MNT"
B=$MNT/backups
D=$MNT/domains/$CORP_DNS

# wait_for COMMAND...: up to 30 s for a condition (sealing takes a quiet
# second; a GPO folder in use shows one version for up to 10 s).
wait_for() {
	for _ in $(seq 1 300); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
sealed_ids() { ls "$B" | grep -E '^\{[0-9A-F-]{36}\}$' | sort || true; }
count_sealed() { [ "$(sealed_ids | wc -l)" -eq "$1" ]; }

# 1. A copy seals under its backup ID.
id=$(xpath "$D/gpos/$GPO_SECURITY/bkupInfo.xml" "m:ID")
manifest_time=$(stat -c %Y "$B/manifest.xml")
sleep 1.1 # so that a new mtime differs
cp -r "$D/gpos/$GPO_SECURITY" "$B/"
wait_for test -d "$B/$id" || fail "the copy was not sealed as $id"
[ ! -e "$B/$GPO_SECURITY" ] || fail "the copy stayed under its own name"
diff -r "$D/gpos/$GPO_SECURITY" "$B/$id" >/dev/null || fail "the sealed backup differs from the GPO"
[ "$(stat -c %a "$STORE/$id")" = 500 ] || fail "sealed folder mode $(stat -c %a "$STORE/$id")"
[ "$(stat -c %a "$STORE/$id/Backup.xml")" = 400 ] || fail "sealed file mode"
grep -q "<!\[CDATA\[$id\]\]>" "$B/manifest.xml" || fail "manifest.xml does not list $id"
[ "$(stat -c %Y "$B/manifest.xml")" -gt "$manifest_time" ] ||
	fail "manifest.xml changed but kept its time (rsync would skip it)"
note "cp -r sealed the copy as $id, read-only, in manifest.xml"

# 2. Sealed means read-only: EROFS on write, EPERM on rename into it.
out=$(sh -c "echo x >> '$B/$id/Backup.xml'" 2>&1) && fail "wrote into a sealed backup"
echo "$out" | grep -q "Read-only file system" || fail "not EROFS: $out"
mkdir "$B/scratch"
echo data >"$B/scratch/file"
out=$(mv "$B/scratch/file" "$B/$id/" 2>&1) && fail "renamed into a sealed backup"
echo "$out" | grep -q "Operation not permitted" || fail "not EPERM: $out"
note "EROFS on write, EPERM on rename into a sealed backup"

# 3. Private: what is being copied is 0700/0600 in the store.
[ "$(stat -c %a "$STORE/scratch")" = 700 ] || fail "store folder not 0700"
[ "$(stat -c %a "$STORE/scratch/file")" = 600 ] || fail "store file not 0600"
[ "$(stat -c %a "$STORE")" = 700 ] || fail "the store is not 0700"
rm -r "$B/scratch"

# 4. The same command again on the unchanged GPO: still one backup.
cp -r "$D/gpos/$GPO_SECURITY" "$B/"
wait_for test ! -e "$B/$GPO_SECURITY" || fail "the second copy was not handled"
count_sealed 1 || fail "a repeated copy made another backup: $(sealed_ids)"
grep -q "is backup $id again" "$D/log" || fail "the log does not say it was the same backup"
note "repeated copy of an unchanged GPO: one backup"

# 5. After a change, a second backup.
dn="CN=$GPO_SECURITY,CN=Policies,CN=System,$CORP_BASEDN"
make_ldappw corp
ver=$(ldap_attr "$dn" versionNumber)
ldap_replace "$dn" versionNumber $((ver + 1))
id_changed() { [ "$(xpath "$D/gpos/$GPO_SECURITY/bkupInfo.xml" "m:ID")" != "$id" ]; }
wait_for id_changed ||
	fail "bkupInfo.xml did not follow the version change"
id2=$(xpath "$D/gpos/$GPO_SECURITY/bkupInfo.xml" "m:ID")
cp -r "$D/gpos/$GPO_SECURITY" "$B/"
wait_for test -d "$B/$id2" || fail "the changed GPO's copy was not sealed as $id2"
count_sealed 2 || fail "expected two backups: $(sealed_ids)"
ldap_replace "$dn" versionNumber "$ver"
note "after a change: a second backup $id2"

# 5b. rsync into the store works the same way (temporary names, renames,
# modes and times set afterwards).
rid=$(xpath "$D/gpos/$GPO_REGISTRY/bkupInfo.xml" "m:ID")
rsync -a "$D/gpos/$GPO_REGISTRY/" "$B/via-rsync/" || fail "rsync into backups/"
wait_for test -d "$B/$rid" || fail "the rsync copy was not sealed as $rid"
diff -r "$D/gpos/$GPO_REGISTRY" "$B/$rid" >/dev/null || fail "the rsync'ed backup differs"
[ "$(stat -c %a "$STORE/$rid/Backup.xml")" = 400 ] || fail "rsync'ed backup not read-only"
note "rsync -a into backups/ sealed as $rid"

# 6. A GPMC backup made on Windows seals the same way.
if [ -n "${FIXTURE_GPOS:-}" ] && [ -d "${FIXTURES_DIR:-}" ]; then
	fx=$(ls "$FIXTURES_DIR" | grep -E '^\{' | head -1)
	cp -r "$FIXTURES_DIR/$fx" "$B/incoming"
	wait_for test -d "$B/$fx" || fail "the GPMC backup $fx was not sealed"
	diff -r "$FIXTURES_DIR/$fx" "$B/$fx" >/dev/null || fail "the sealed GPMC backup differs"
	note "a GPMC backup from Windows sealed as $fx"
else
	skip_section "6. a GPMC backup from Windows" "no GPMC fixtures (../shared/fixtures/gpmc-backups)"
fi

# 7. Invalid folders are never sealed, and the log says why: a backup
# whose Location climbs out of it, a folder without bkupInfo.xml, one
# whose bkupInfo.xml is not XML.
cp -r "$D/gpos/$GPO_SECURITY" "$TEST_TMP/evil"
sed -i '0,/bkp:Location="[^"]*"/s//bkp:Location="DomainSysvol\\..\\..\\etc\\passwd"/' \
	"$TEST_TMP/evil/Backup.xml"
grep -q 'etc\\passwd' "$TEST_TMP/evil/Backup.xml" || fail "test set-up: no Location rewritten"
cp -r "$TEST_TMP/evil" "$B/evil"
wait_for grep -q "backups/evil is not a valid backup: .*not a plain path" "$D/log" ||
	fail "a Location with .. was not refused"
[ -d "$B/evil" ] || fail "the invalid folder moved"
mkdir "$B/nobkupinfo"
cp "$D/gpos/$GPO_SECURITY/Backup.xml" "$B/nobkupinfo/"
wait_for grep -q "backups/nobkupinfo is not a valid backup: no bkupInfo.xml" "$D/log" ||
	fail "a folder without bkupInfo.xml was not refused"
mkdir "$B/badxml"
printf '<BackupInst><ID>' >"$B/badxml/bkupInfo.xml"
wait_for grep -q "backups/badxml is not a valid backup: bkupInfo.xml is not well-formed" "$D/log" ||
	fail "malformed bkupInfo.xml was not refused"
[ -d "$B/nobkupinfo" ] && [ -d "$B/badxml" ] || fail "an invalid folder was moved"
note "invalid folders stay unsealed; the log says why"

# 8. rm -r removes a sealed backup and the manifest follows; the folder
# going away is never reported as a broken backup.
rm -r "$B/$id"
[ ! -e "$B/$id" ] || fail "rm -r left the sealed backup"
! grep -q "$id" "$B/manifest.xml" || fail "manifest.xml still lists $id"
grep -q "$id2" "$B/manifest.xml" || fail "manifest.xml lost $id2"
sleep 2 # past the sealer's quiet second
! grep -q "$id is not a valid backup" "$D/log" || fail "rm -r was logged as a broken backup"
note "rm -r removed a sealed backup; manifest.xml updated; nothing logged"

# 9. Two mounts of one store, both waiting to seal the same folder (a
# copy through one, then a touch through the other): one seals it, and the
# other does not report the folder it finds gone as a broken backup.
MNT2=$TEST_TMP/mnt2
first=$GPOFS_PID
gpofs_mount_corp "$MNT2"
second=$GPOFS_PID
rm -r "$B/$id2"
pid=$(xpath "$D/gpos/$GPO_PREFS/bkupInfo.xml" "m:ID")
cp -r "$D/gpos/$GPO_PREFS" "$B/shared" || fail "the copy through the first mount failed"
touch "$MNT2/backups/shared/Backup.xml" || fail "the touch through the second mount failed"
wait_for test -d "$B/$pid" || fail "the copy was not sealed as $pid"
sleep 2
[ ! -e "$B/shared" ] || fail "the copy stayed unsealed"
for log in "$D/log" "$MNT2/domains/$CORP_DNS/log"; do
	! grep -q "backups/shared is not a valid backup" "$log" ||
		fail "a mount called the other's sealed copy invalid: $(grep shared "$log")"
done
gpofs_stop "$MNT2"
GPOFS_PID=$first
note "two mounts sealing one store: one backup, no false report"
gpofs_stop "$MNT"
