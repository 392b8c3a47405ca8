#!/usr/bin/env bash
# Other local users, with allow_other: the mount enforces the modes it
# shows whether or not default_permissions was given, so the private
# stores (backups/, migtables/) refuse them, while the GPOs (read-only,
# world-readable modes) can be browsed. The second user is "nobody",
# through setpriv: nothing is added to the machine's user database.
source "$(dirname "$0")/lib.sh"

command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
MNT=$TEST_TMP/mnt
STORE=$TEST_TMP/backups
OTHER_UID=$(id -u nobody)
OTHER_GID=$(id -g nobody)
# nobody must be able to reach the mount point: TEST_TMP is 0700
chmod 711 "$TEST_TMP"

# as_other CMD...: runs CMD as nobody, no supplementary groups.
as_other() {
	setpriv --reuid="$OTHER_UID" --regid="$OTHER_GID" --clear-groups -- "$@"
}
# refused CMD...: CMD, run as nobody, must fail with "Permission denied".
refused() {
	local out
	if out=$(as_other "$@" 2>&1); then
		fail "another user could: $* -> $out"
	fi
	echo "$out" | grep -q "Permission denied" || fail "not EACCES: $* -> $out"
}

gpofs_mount_corp "$MNT" -o allow_other
B=$MNT/backups
D=$MNT/domains/$CORP_DNS

# A sealed backup and a migration table, made by the mounting user.
id=$(xpath "$D/gpos/$GPO_SECURITY/bkupInfo.xml" "m:ID")
cp -r "$D/gpos/$GPO_SECURITY" "$B/"
for _ in $(seq 1 100); do [ -d "$B/$id" ] && break; sleep 0.1; done
[ -d "$B/$id" ] || fail "the copy was not sealed"
printf '<MigrationTable/>' >"$MNT/migtables/t.migtable"

# 1. The stores refuse the other user, whatever the call.
refused ls "$B"
refused ls "$B/$id"
refused cat "$B/manifest.xml"
refused cat "$B/$id/Backup.xml"
refused mkdir "$B/other"
refused cp -r "$D/gpos/$GPO_REGISTRY" "$B/"
refused rm -r "$B/$id"
refused mv "$B/$id" "$B/elsewhere"
refused ls "$MNT/migtables"
refused cat "$MNT/migtables/t.migtable"
refused sh -c "echo x > '$MNT/migtables/other.migtable'"
refused rm "$MNT/migtables/t.migtable"
refused ls "$MNT/migtables/generated/$CORP_DNS"
refused cat "$MNT/migtables/generated/$CORP_DNS/$GPO_REGISTRY.migtable"
refused cat "$MNT/migtables/generated/backups/$id.migtable"
[ -f "$STORE/$id/Backup.xml" ] || fail "the sealed backup was removed on disk"
[ ! -e "$STORE/other" ] || fail "another user made a folder in the store"
[ "$(ls "$STORE" | wc -l)" -eq 1 ] || fail "the store changed: $(ls "$STORE")"
[ -f "$TEST_TMP/migtables/t.migtable" ] || fail "the migration table was removed"
note "backups/ and migtables/ (generated/ too) refuse another user (EACCES); nothing changed on disk"

# 2. The GPOs can be browsed, as their modes say, and not changed.
as_other ls "$D/gpos" >/dev/null || fail "another user cannot list gpos/"
as_other cat "$D/gpos/$GPO_REGISTRY/Backup.xml" >/dev/null ||
	fail "another user cannot read a GPO's Backup.xml"
refused sh -c "echo x > '$D/gpos/$GPO_REGISTRY/Backup.xml'"
refused mkdir "$D/gpos/$GPO_REGISTRY/DomainSysvol/GPO/x"
note "another user browses the GPOs and cannot change them"

# 3. The mounting user still has it all.
ls "$B/$id" >/dev/null
cat "$B/manifest.xml" >/dev/null
grep -qa "M.i.g.r.a.t.i.o.n.T.a.b.l.e" "$MNT/migtables/generated/backups/$id.migtable" ||
	fail "the owner cannot read the backup's generated table"
grep -qa "M.i.g.r.a.t.i.o.n.T.a.b.l.e" "$MNT/migtables/generated/$CORP_DNS/$GPO_REGISTRY.migtable" ||
	fail "the owner cannot read a GPO's generated table"
rm -r "$B/$id"
[ ! -e "$STORE/$id" ] || fail "the owner could not remove the backup"
note "the mounting user keeps full use of the stores"
gpofs_stop "$MNT"

# 4. Without allow_other, the other user cannot enter the mount at all.
gpofs_mount_corp "$MNT"
refused ls "$MNT"
gpofs_stop "$MNT"
note "without allow_other the mount is the mounting user's alone"
