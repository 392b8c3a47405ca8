#!/usr/bin/env bash
# Backups are stable for rsync: a second `rsync -a` of all of domains/,
# even across a remount, transfers nothing (the domain's log with lines
# in it too); after one GPO changes, a third sends only that GPO's files.
source "$(dirname "$0")/lib.sh"

MNT=$TEST_TMP/mnt
DEST=$TEST_TMP/copy
gpofs_mount_corp "$MNT"
# a line in the log: a GPO sealed into the store
cp -r "$MNT/domains/$CORP_DNS/gpos/$GPO_SECURITY" "$MNT/backups/"
for _ in $(seq 1 300); do
	grep -q "sealed as backup" "$MNT/domains/$CORP_DNS/log" && break
	sleep 0.1
done
grep -q "sealed as backup" "$MNT/domains/$CORP_DNS/log" || fail "no line in the log"
rsync -a "$MNT/domains/" "$DEST/" || fail "first rsync"
gpofs_stop "$MNT"
[ -s "$DEST/$CORP_DNS/log" ] || fail "the first rsync did not copy the log"
note "first rsync: $(du -sh "$DEST" | cut -f1) copied, the log with $(wc -l <"$DEST/$CORP_DNS/log") line(s)"

gpofs_mount_corp "$MNT"
changes=$(rsync -a --itemize-changes "$MNT/domains/" "$DEST/") || fail "second rsync"
[ -z "$changes" ] || { echo "$changes" | head -20; fail "second rsync of an unchanged domain changed something"; }
note "second rsync, after a remount: nothing transferred (the log neither)"

sleep 1 # GPT.INI's new mtime must differ from the old one
# Change one GPO behind gpofs's back, as an editor would: a new file in
# its SYSVOL folder and GPT.INI's version one up.
echo "rem changed" >"$TEST_TMP/changed.cmd"
cp "$CORP_SYSVOL/$GPO_SCRIPTS/GPT.INI" "$TEST_TMP/GPT.INI.orig"
ver=$(tr -d '\r' <"$TEST_TMP/GPT.INI.orig" | sed -n 's/^Version=//Ip')
sed "s/^Version=.*/Version=$((ver + 65536))\r/I" "$TEST_TMP/GPT.INI.orig" >"$TEST_TMP/GPT.INI"
# and a comment on the GPO, GPO.cmt next to GPT.INI
printf 'Edited by the rsync test\r\n' >"$TEST_TMP/GPO.cmt"
smb_krb corp sysvol "cd $CORP_DNS/Policies/$GPO_SCRIPTS/User/Scripts/Logon; put $TEST_TMP/changed.cmd changed.cmd; cd /$CORP_DNS/Policies/$GPO_SCRIPTS; put $TEST_TMP/GPO.cmt GPO.cmt; put $TEST_TMP/GPT.INI GPT.INI" >/dev/null 2>&1 ||
	fail "smbclient put"
# gpofs looks again within its cache time (5 s): rsync until it shows.
all_changes=
for _ in $(seq 1 20); do
	changes=$(rsync -a --itemize-changes "$MNT/domains/" "$DEST/") || fail "third rsync"
	all_changes+=$changes$'\n'
	echo "$changes" | grep -q "changed.cmd" && break
	sleep 1
done
echo "$all_changes" | grep -v '^$' | sed 's/^/   /'
echo "$all_changes" | grep -q "gpos/$GPO_SCRIPTS/DomainSysvol/GPO/User/Scripts/Logon/changed.cmd" ||
	fail "the new file was not sent"
echo "$all_changes" | grep -q "gpos/$GPO_SCRIPTS/Backup.xml" ||
	fail "Backup.xml (new SYSVOL version) was not sent"
cmp "$DEST/$CORP_DNS/gpos/$GPO_SCRIPTS/Backup.xml" "$MNT/domains/$CORP_DNS/gpos/$GPO_SCRIPTS/Backup.xml" ||
	fail "the copied Backup.xml is not the new one"
cmp "$DEST/$CORP_DNS/gpos/$GPO_SCRIPTS/DomainSysvol/GPO/GPO.cmt" "$TEST_TMP/GPO.cmt" ||
	fail "the GPO's comment is not DomainSysvol/GPO/GPO.cmt in the backup"
others=$(echo "$all_changes" | grep -v '^$' | grep -v "gpos/$GPO_SCRIPTS/" |
	grep -v -E '^\.d\.\.t\.\.\.\.\.\. ($CORP_DNS/|$CORP_DNS/gpos/|$CORP_DNS/by-name/)?$' || true)
[ -z "$others" ] || fail "files of other GPOs were sent: $others"
cmp "$DEST/$CORP_DNS/gpos/$GPO_SCRIPTS/DomainSysvol/GPO/User/Scripts/Logon/changed.cmd" \
	"$TEST_TMP/changed.cmd" || fail "the new file differs"
note "third rsync, after one GPO changed: only that GPO's files"
smb_krb corp sysvol "cd $CORP_DNS/Policies/$GPO_SCRIPTS/User/Scripts/Logon; del changed.cmd; cd /$CORP_DNS/Policies/$GPO_SCRIPTS; del GPO.cmt; put $TEST_TMP/GPT.INI.orig GPT.INI" >/dev/null 2>&1
gpofs_stop "$MNT"
