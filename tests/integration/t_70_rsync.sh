#!/usr/bin/env bash
# Backups are stable for rsync: a second `rsync -a` of all of domains/,
# even across a remount, transfers nothing; after one GPO changes, a third
# sends only that GPO's files.
source "$(dirname "$0")/lib.sh"

MNT=$TEST_TMP/mnt
DEST=$TEST_TMP/copy
gpofs_mount_corp "$MNT"
rsync -a "$MNT/domains/" "$DEST/" || fail "first rsync"
gpofs_stop "$MNT"
note "first rsync: $(du -sh "$DEST" | cut -f1) copied"

gpofs_mount_corp "$MNT"
changes=$(rsync -a --itemize-changes "$MNT/domains/" "$DEST/") || fail "second rsync"
[ -z "$changes" ] || { echo "$changes" | head -20; fail "second rsync of an unchanged domain changed something"; }
note "second rsync, after a remount: nothing transferred"

# Change one GPO behind gpofs's back: a new file in its SYSVOL folder.
echo "rem changed" >"$TEST_TMP/changed.cmd"
smb_krb corp sysvol "cd $CORP_DNS/Policies/$GPO_SCRIPTS/User/Scripts/Logon; put $TEST_TMP/changed.cmd changed.cmd" >/dev/null ||
	fail "smbclient put"
changes=$(rsync -a --itemize-changes "$MNT/domains/" "$DEST/") || fail "third rsync"
echo "$changes" | sed 's/^/   /'
echo "$changes" | grep -q "gpos/$GPO_SCRIPTS/DomainSysvol/GPO/User/Scripts/Logon/changed.cmd" ||
	fail "the new file was not sent"
others=$(echo "$changes" | grep -v "gpos/$GPO_SCRIPTS/" || true)
[ -z "$others" ] || fail "files of other GPOs were sent: $others"
cmp "$DEST/$CORP_DNS/gpos/$GPO_SCRIPTS/DomainSysvol/GPO/User/Scripts/Logon/changed.cmd" \
	"$TEST_TMP/changed.cmd" || fail "the new file differs"
note "third rsync, after one GPO changed: only that GPO's files"
smb_krb corp sysvol "cd $CORP_DNS/Policies/$GPO_SCRIPTS/User/Scripts/Logon; del changed.cmd" >/dev/null
gpofs_stop "$MNT"
