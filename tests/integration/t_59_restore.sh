#!/usr/bin/env bash
# The restore control file (GPMC's RestoreGPO): a GPO backed up through the
# mount, then changed every way there is (files added, changed and
# removed; name, status, DACL and WMI filter link), comes back as it was
# from `echo BACKUP > restore`: its SYSVOL exactly the backup's, its name,
# flags, WMI link and DACL the backup's, the SYSVOL folder's ACL what
# Samba derives from that DACL (samba-tool gpo aclcheck), both versions
# past the GPO's and the backup's, GPT.INI and versionNumber alike. A GPO
# deleted with samba-tool gpo del comes back under its GUID, a GPMC
# fixture's GPO too (and backs up again in GPMC's structure). A backup
# linking a WMI filter that is gone is restored without the link (the log
# says so). Bad requests fail with the design's errno and change nothing;
# a restore cut short (the DC stopped, the daemon killed) is undone at the
# next start; an account that is not an admin gets EACCES.
source "$(dirname "$0")/lib.sh"

SAMBA_PY=$(head -n 1 "$(command -v samba-tool)" | sed 's/^#! *//')
"$SAMBA_PY" -c 'import samba.samba3.libsmb_samba_internal' 2>/dev/null ||
	skip "Samba's python bindings are missing ($SAMBA_PY)"
export KRB5CCNAME=FILE:$(ccache corp)
make_ldappw corp
st() { samba-tool "$@" -H "ldap://$CORP_DC" --use-kerberos=required -N </dev/null; }
dn_of() { echo "CN=$1,CN=Policies,CN=System,$CORP_BASEDN"; }
ver() { ldap_attr "$(dn_of "$1")" versionNumber; }
ini_ver() { sed -n 's/^Version=\([0-9]*\).*/\1/Ip' "$CORP_SYSVOL/$1/GPT.INI" | tr -d '\r'; }
acl_of() { st gpo show "$1" | sed -n 's/^ACL *: *//p'; }
aclcheck() {
	local out
	out=$(st gpo aclcheck 2>&1) || { echo "$out"; return 1; }
	[[ -z $out ]] || { echo "$out"; return 1; }
}
# files GUID|DIR: the files of a GPO's SYSVOL folder (or a backup's
# DomainSysvol/GPO), lower case, with their checksums; GPT.INI aside
files() {
	(cd "$1" && find . -type f ! -iname gpt.ini -print0 | sort -z |
		xargs -0 -r md5sum | awk '{ print tolower($2), $1 }' | sort)
}
errno_of() { # the message of a write to the restore file that must fail
	local out
	out=$(echo "$1" 2>&1 >"$D/restore") && fail "restore '$1' succeeded"
	echo "$out"
}

MNT=$TEST_TMP/mnt
gpofs_mount_corp "$MNT"
D=$MNT/domains/$CORP_DNS
LOG=$D/log
G=$GPO_WMI
P=$D/gpos/$G/DomainSysvol/GPO
grep -q "RestoreGPO" "$D/restore" || fail "reading restore does not show its usage"
ls "$D" | grep -qx restore || fail "restore is not listed in the domain's folder"

# 1. The GPO as the backup keeps it: a file of each half, one to change,
# one to remove.
mkdir -p "$P/Machine/Scripts/Startup" "$P/User/Scripts/Logon"
printf '@echo kept\r\n' >"$P/Machine/Scripts/Startup/kept.cmd"
printf '@echo original\r\n' >"$P/User/Scripts/Logon/changed.cmd"
printf '@echo removed later\r\n' | dd of="$P/Machine/Scripts/Startup/gone.cmd" conv=fsync status=none ||
	fail "the first commit failed"
name0=$(ldap_attr "$(dn_of "$G")" displayName)
flags0=$(ldap_attr "$(dn_of "$G")" flags)
wmi0=$(ldap_attr "$(dn_of "$G")" gPCWQLFilter)
acl0=$(acl_of "$G")
[ -n "$wmi0" ] && [ -n "$acl0" ] || fail "the seeded GPO has no WMI link or no ACL to compare"
sleep 1.1 # the kernel's attribute time: Backup.xml as the commit made it
BK=$TEST_TMP/bk
cp -r "$D/gpos/$G" "$BK" || fail "cp -r of the GPO (the backup)"
grep -q 'gone.cmd' "$BK/Backup.xml" || fail "the backup does not name its files"
files "$BK/DomainSysvol/GPO" >"$TEST_TMP/want"
vb=$(ver "$G")

# 2. Every kind of change.
printf '@echo added\r\n' >"$P/Machine/Scripts/Startup/added.cmd"
printf '@echo changed\r\n' >"$P/User/Scripts/Logon/changed.cmd"
rm "$P/Machine/Scripts/Startup/gone.cmd"
dd if=/dev/null of="$P/Machine/Scripts/Startup/kept.cmd" conv=notrunc,fsync status=none ||
	fail "the changes' commit failed"
ldap_replace "$(dn_of "$G")" displayName "WMI Filtered (changed)"
ldap_replace "$(dn_of "$G")" flags 3
LDAPTLS_CACERT=$CORP_CA ldapmodify -x -H "ldaps://$CORP_DC" -D "Administrator@$CORP_DNS" \
	-y "$TEST_TMP/corp.ldappw" >/dev/null <<LDIF || fail "removing the WMI link"
dn: $(dn_of "$G")
changetype: modify
delete: gPCWQLFilter
LDIF
# security filtering: Domain Users may apply it (a new ACE in the DACL)
st dsacl set --objectdn="$(dn_of "$G")" --sddl="(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;DU)" \
	>/dev/null 2>&1 || fail "samba-tool dsacl set"
[ "$(acl_of "$G")" != "$acl0" ] || fail "the DACL did not change"
vc=$(ver "$G")
note "backed up, then changed: files added, changed, removed; name, flags, WMI link, DACL"

# 3. Restored from the backup folder.
echo "$BK" >"$D/restore" || fail "restore from $BK: $(tail -3 "$LOG")"
grep -q "$G: restored from $BK" "$LOG" || fail "the log does not say it was restored"
files "$CORP_SYSVOL/$G" >"$TEST_TMP/got"
diff "$TEST_TMP/want" "$TEST_TMP/got" >&2 || fail "SYSVOL is not the backup's"
[ "$(ldap_attr "$(dn_of "$G")" displayName)" = "$name0" ] || fail "the name is not the backup's"
[ "$(ldap_attr "$(dn_of "$G")" flags)" = "$flags0" ] || fail "the flags are not the backup's"
[ "$(ldap_attr "$(dn_of "$G")" gPCWQLFilter)" = "$wmi0" ] || fail "the WMI link is not the backup's"
[ "$(acl_of "$G")" = "$acl0" ] || fail "the DACL is not the backup's: $(acl_of "$G") vs $acl0"
aclcheck >&2 || fail "samba-tool gpo aclcheck after the restore"
vr=$(ver "$G")
[ "$(ini_ver "$G")" = "$vr" ] || fail "GPT.INI says $(ini_ver "$G"), versionNumber $vr"
for h in 16 0; do
	now=$(((vr >> h) & 0xffff)) before=$(((vc >> h) & 0xffff)) backup=$(((vb >> h) & 0xffff))
	[ "$now" -gt "$before" ] && [ "$now" -gt "$backup" ] ||
		fail "version half $h: $now, not past $before (before) and $backup (backup)"
done
sleep 1.1
setsid cat "$D/gpos/$G/DomainSysvol/GPO/User/Scripts/Logon/changed.cmd" | grep -q original ||
	fail "the mount does not show the restored file"
note "restored from its folder: SYSVOL, name, flags, WMI link and DACL the backup's; aclcheck clean; versions $vc -> $vr (backup $vb)"

# 4. Deleted with samba-tool, restored from the store by backup ID.
cp -r "$BK" "$MNT/backups/" || fail "cp -r of the backup into backups/"
ID=$(sed -n 's/.*<ID><!\[CDATA\[\({[^}]*}\)\]\]><\/ID>.*/\1/p' "$BK/bkupInfo.xml" | head -1)
[ -n "$ID" ] || fail "no backup ID in bkupInfo.xml"
for _ in $(seq 1 100); do [ -d "$MNT/backups/$ID" ] && break; sleep 0.1; done
[ -d "$MNT/backups/$ID" ] || fail "the backup was not sealed as $ID"
st gpo del "$G" >/dev/null 2>&1 || fail "samba-tool gpo del $G"
[ ! -d "$CORP_SYSVOL/$G" ] || fail "samba-tool gpo del left the folder"
sleep 1.1
echo "$ID" >"$D/restore" || fail "restore of a deleted GPO: $(tail -3 "$LOG")"
grep -q "$G: deleted since the backup: made again" "$LOG" || fail "the log does not say it was made again"
grep -F "$G: import of a backup committed" "$LOG" | tail -1 | grep -qF "as the GPO was born" ||
	fail "the restore's commit wrote the directory of the GPO made again a second time"
[ "$(ldap_attr "$(dn_of "$G")" displayName)" = "$name0" ] || fail "the GPO made again has another name"
files "$CORP_SYSVOL/$G" >"$TEST_TMP/got"
diff "$TEST_TMP/want" "$TEST_TMP/got" >&2 || fail "the GPO made again is not the backup's"
[ "$(acl_of "$G")" = "$acl0" ] || fail "the GPO made again has another DACL"
[ "$(gpo_containers "$G")" = "Machine User " ] || fail "the GPO made again lacks its containers: $(gpo_containers "$G")"
[ "$(ldap_attr "$(dn_of "$G")" gPCWQLFilter)" = "$wmi0" ] || fail "the GPO made again lost its WMI link"
aclcheck >&2 || fail "samba-tool gpo aclcheck after restoring a deleted GPO"
vd=$(ver "$G")
[ "$(ini_ver "$G")" = "$vd" ] || fail "GPT.INI and versionNumber disagree after the GPO was made again"
[ $((vd >> 16)) -gt $((vb >> 16)) ] && [ $((vd & 0xffff)) -gt $((vb & 0xffff)) ] ||
	fail "the GPO made again has version $vd, not past the backup's $vb"
ls "$D/gpos" | grep -qx "$G" || fail "the GPO made again is not listed"
note "deleted with samba-tool gpo del, restored by backup ID under its GUID ($vd)"

# 4b. GPMC interop: a fixture (a backup GPMC made on Windows) imported into
# a new GPO, backed up through the mount, the GPO deleted, then restored:
# its SYSVOL is the fixture's; a backup of the restored GPO is still in
# GPMC's structure.
if [ -n "${FIXTURES_DIR:-}" ] && [ -d "$FIXTURES_DIR" ]; then
	fx=$(ls "$FIXTURES_DIR" | grep -E '^\{' | head -1)
	echo "$FIXTURES_DIR/$fx create \"Restore interop\"" >"$D/import" ||
		fail "import of $fx into a new GPO: $(tail -3 "$LOG")"
	GI=$(ldap_corp -b "CN=Policies,CN=System,$CORP_BASEDN" -s one "(displayName=Restore interop)" cn |
		sed -n 's/^cn: //p')
	[ -n "$GI" ] || fail "the GPO the fixture went into is not there"
	sleep 1.1
	rm -rf "$TEST_TMP/bki"
	cp -r "$D/gpos/$GI" "$TEST_TMP/bki" || fail "cp -r of $GI"
	st gpo del "$GI" >/dev/null 2>&1 || fail "samba-tool gpo del $GI"
	sleep 1.1
	echo "$TEST_TMP/bki" >"$D/restore" || fail "restore of the fixture's GPO: $(tail -3 "$LOG")"
	files "$FIXTURES_DIR/$fx/DomainSysvol/GPO" >"$TEST_TMP/fx.files"
	files "$CORP_SYSVOL/$GI" >"$TEST_TMP/gi.files"
	diff "$TEST_TMP/fx.files" "$TEST_TMP/gi.files" >&2 || fail "the restored GPO does not hold the fixture's files"
	sleep 1.1
	rm -rf "$TEST_TMP/bki2"
	cp -r "$D/gpos/$GI" "$TEST_TMP/bki2" || fail "cp -r of the restored GPO"
	for f in Backup.xml bkupInfo.xml; do
		python3 "$GPOFS_REPO/tests/integration/gpmc_structure.py" \
			"$TEST_TMP/bki2/$f" "$FIXTURES_DIR/$fx/$f" >&2 ||
			fail "the restored GPO's $f is not GPMC's structure"
	done
	aclcheck >&2 || fail "samba-tool gpo aclcheck after the interop restore"
	note "a GPMC fixture imported, backed up, deleted and restored: the fixture's files; backed up again in GPMC's structure"
else
	skip_section "GPMC interop (no fixtures)"
fi

# 5. A backup linking a WMI filter that is gone: restored without the link.
FID="{$(python3 -c 'import uuid; print(str(uuid.uuid4()).upper())')}"
FDN="CN=$FID,CN=SOM,CN=WMIPolicy,CN=System,$CORP_BASEDN"
LDAPTLS_CACERT=$CORP_CA ldapadd -x -H "ldaps://$CORP_DC" -D "Administrator@$CORP_DNS" \
	-y "$TEST_TMP/corp.ldappw" >/dev/null <<LDIF || fail "adding a WMI filter"
dn: $FDN
objectClass: msWMI-Som
msWMI-ID: $FID
msWMI-Name: gpofs restore test
msWMI-Parm2: 1;3;10;45;WQL;root\\CIMv2;SELECT * FROM Win32_OperatingSystem;
LDIF
G5=$GPO_REGISTRY
ldap_replace "$(dn_of "$G5")" gPCWQLFilter "[$CORP_DNS;$FID;0]"
# the mount reads the GPO list again within its 5-second check
for _ in $(seq 1 20); do
	sleep 0.5
	rm -rf "$TEST_TMP/bk5"
	cp -r "$D/gpos/$G5" "$TEST_TMP/bk5" || fail "cp -r of $G5"
	grep -q "$FID" "$TEST_TMP/bk5/Backup.xml" && break
done
grep -q "$FID" "$TEST_TMP/bk5/Backup.xml" || fail "the backup does not hold the WMI link"
LDAPTLS_CACERT=$CORP_CA ldapdelete -x -H "ldaps://$CORP_DC" -D "Administrator@$CORP_DNS" \
	-y "$TEST_TMP/corp.ldappw" "$FDN" || fail "deleting the WMI filter"
echo "$TEST_TMP/bk5" >"$D/restore" || fail "restore with a filter gone: $(tail -3 "$LOG")"
[ -z "$(ldap_attr "$(dn_of "$G5")" gPCWQLFilter)" ] || fail "a link to a filter that is gone was restored"
grep -q "$G5: the WMI filter the backup links .* is gone: the link is dropped" "$LOG" ||
	fail "the log does not say the link was dropped"
note "a WMI filter gone since the backup: its link dropped, the log says so"

# 6. Bad requests change nothing.
before=$(ver "$G")
out=$(errno_of "not-a-backup")
echo "$out" | grep -q "Invalid argument" || fail "a word that is neither ID nor path: $out"
out=$(errno_of "{00000000-0000-0000-0000-000000000001}")
echo "$out" | grep -q "No such file" || fail "an unknown backup ID: $out"
out=$(errno_of "$BK $BK")
echo "$out" | grep -q "Invalid argument" || fail "two backups: $out"
out=$(errno_of "$TEST_TMP/nothere")
echo "$out" | grep -q "Invalid argument\|No such file" || fail "a folder that is not there: $out"
if [ -n "${FIXTURES_DIR:-}" ] && [ -d "$FIXTURES_DIR" ]; then
	fx=$(ls "$FIXTURES_DIR" | grep -E '^\{' | head -1)
	out=$(errno_of "$FIXTURES_DIR/$fx")
	echo "$out" | grep -q "Invalid cross-device link" || fail "another domain's backup: $out"
	grep -q "restore refused: .* is a backup of" "$LOG" || fail "the log does not say why (EXDEV)"
fi
[ "$(ver "$G")" = "$before" ] || fail "a refused restore changed the GPO"
note "bad requests: EINVAL, ENOENT, EXDEV (another domain's backup); nothing changed"

gpofs_stop "$MNT"

# 7. Faults during a restore: the DC stopped, then the daemon killed. The
# backup holds five files of 40 MiB, which the GPO no longer has, and
# another name; the restore is caught while it writes them.
CACHE=$TEST_TMP/cache
mount_it() { gpofs_mount_corp "$MNT" -o "cache_dir=$CACHE,log_dir=$TEST_TMP/log" "$@"; }
export GPOFS_TEST_COMMIT_HOLD=$TEST_TMP/hold
LOG7=$TEST_TMP/log/$CORP_DNS.log
wait_log() {
	for _ in $(seq 1 300); do grep -q -- "$1" "$LOG7" && return 0; sleep 0.1; done
	tail -5 "$LOG7" >&2
	fail "no log line: $1"
}
G7=$GPO_SECURITY
head -c $((40 * 1024 * 1024)) /dev/urandom >"$TEST_TMP/40M"
mount_it
D=$MNT/domains/$CORP_DNS
P7=$D/gpos/$G7/DomainSysvol/GPO/Machine
for i in 1 2 3 4 5; do cp "$TEST_TMP/40M" "$P7/big$i.bin"; done
dd if=/dev/null of="$P7/big1.bin" conv=notrunc,fsync status=none || fail "committing the big files"
sleep 1.1
rm -rf "$TEST_TMP/bk7"
cp -r "$D/gpos/$G7" "$TEST_TMP/bk7" || fail "cp -r of $G7"
for i in 1 2 3 4 5; do rm "$P7/big$i.bin"; done
touch "$P7/gpofs-marker.txt"
dd if=/dev/null of="$P7/gpofs-marker.txt" conv=notrunc,fsync status=none || fail "committing the removal"
nameb=$(ldap_attr "$(dn_of "$G7")" displayName)
ldap_replace "$(dn_of "$G7")" displayName "$nameb (before the restore)"
name7=$(ldap_attr "$(dn_of "$G7")" displayName)
acl7=$(acl_of "$G7")
v7=$(ver "$G7")
# as_before: the GPO as it was before the restore that failed
as_before() {
	[ "$(ver "$G7")" = "$v7" ] || fail "versionNumber $(ver "$G7"), was $v7"
	[ "$(ini_ver "$G7")" = "$v7" ] || fail "GPT.INI $(ini_ver "$G7"), was $v7"
	[ "$(ldap_attr "$(dn_of "$G7")" displayName)" = "$name7" ] || fail "the name was not put back"
	[ "$(acl_of "$G7")" = "$acl7" ] || fail "the DACL was not put back"
	for i in 1 2 3 4 5; do
		[ ! -e "$CORP_SYSVOL/$G7/Machine/big$i.bin" ] || fail "big$i.bin is left in SYSVOL"
	done
	[ -e "$CORP_SYSVOL/$G7/Machine/gpofs-marker.txt" ] || fail "a file the restore removed is not back"
	[ -z "$(ls "$CACHE/journal/$CORP_DNS")" ] || fail "a journal is left: $(ls "$CACHE/journal/$CORP_DNS")"
}
# held: the restore under way, held by the test hook once its commit has
# written the SYSVOL files (GPT.INI and the directory still to come)
count() { log_count "$LOG7" "$1"; }
wait_more() { wait_log_more "$LOG7" "$@"; }
held() { wait_more "$G7: test hook: commit held" "$1"; }
: >"$TEST_TMP/hold"
h0=$(count "test hook: commit held") u0=$(count "$G7: a restore cut short was undone")
echo "$TEST_TMP/bk7" >"$D/restore" 2>"$TEST_TMP/restore.err" &
writer=$!
held "$h0"
dc_stop corp
rm "$TEST_TMP/hold"
wait "$writer" && fail "a restore with the DC stopped succeeded"
out=$(cat "$TEST_TMP/restore.err")
echo "$out" | grep -q "Input/output error" || fail "not EIO: $out"
dc_start corp
gpofs_stop "$MNT" || true
mount_it
wait_more "$G7: a restore cut short was undone" "$u0"
as_before
note "the DC stopped during a restore ($(echo "$out" | sed 's/.*: //')): the next start undid it; name, DACL, SYSVOL, version as before, the journal gone"

: >"$TEST_TMP/hold"
h0=$(count "test hook: commit held") u0=$(count "$G7: a restore cut short was undone")
echo "$TEST_TMP/bk7" >"$D/restore" 2>/dev/null &
writer=$!
held "$h0"
kill -9 "$GPOFS_PID"
wait "$GPOFS_PID" 2>/dev/null || true
wait "$writer" 2>/dev/null || true
rm "$TEST_TMP/hold"
fusermount3 -uz "$MNT"
[ -n "$(ls "$CACHE/journal/$CORP_DNS")" ] || fail "no journal after a kill during a restore"
mount_it
wait_more "$G7: a restore cut short was undone" "$u0"
as_before
note "SIGKILL during a restore: the next start undid it"

# 7a. The ACL helper stays signed in between requests (GPO_ACL_IDLE_S),
# so a DC restarted meanwhile leaves it a dead connection: the next
# restore still sets the folder's ACL, on a new one, and succeeds.
echo "$TEST_TMP/bk7" >"$D/restore" 2>"$TEST_TMP/restore.err" ||
	fail "restore of $G7: $(cat "$TEST_TMP/restore.err"); $(tail -2 "$LOG7")"
helper=$(pgrep -P "$GPOFS_PID" -f "gpofs-acl: ") || fail "no ACL helper after a restore"
# the mount idle meanwhile: gpofs's own connections are made again at
# their next use, the helper's is the one this tests
dc_stop corp
dc_start corp || fail "the corp DC did not start again"
pgrep -P "$GPOFS_PID" -f "gpofs-acl: " | grep -qx "$helper" ||
	fail "the ACL helper did not outlive the DC's restart: nothing tested"
ldap_replace "$(dn_of "$G7")" displayName "$nameb (renamed after the DC restarted)"
echo "$TEST_TMP/bk7" >"$D/restore" 2>"$TEST_TMP/restore.err" ||
	fail "the restore after the DC restarted: $(cat "$TEST_TMP/restore.err"); $(tail -3 "$LOG7")"
[ "$(ldap_attr "$(dn_of "$G7")" displayName)" = "$nameb" ] || fail "the name was not restored"
aclcheck >&2 || fail "samba-tool gpo aclcheck after the restore with the DC restarted"
note "the DC restarted under the kept ACL helper (pid $helper): the next restore set the folder ACL on a new connection, aclcheck clean"
# the backup's five 40 MiB files go again: later tests copy this GPO
for i in 1 2 3 4 5; do rm -f "$P7/big$i.bin"; done
dd if=/dev/null of="$P7/gpofs-marker.txt" conv=notrunc,fsync status=none || fail "committing the removal"

# 7b. SIGKILL while a restore makes a deleted GPO again (held once its
# directory object is added): the next start deletes the half-made GPO,
# and the restore then makes it whole.
gpofs_stop "$MNT"
st gpo del "$G" >/dev/null 2>&1 || fail "samba-tool gpo del $G"
export GPOFS_TEST_CREATE_HOLD=$TEST_TMP/mkhold
: >"$TEST_TMP/mkhold"
mount_it
sleep 1.1
echo "$BK" >"$D/restore" 2>/dev/null &
writer=$!
for _ in $(seq 1 300); do
	[ -n "$(ldap_attr "$(dn_of "$G")" cn 2>/dev/null)" ] && break
	sleep 0.1
done
[ -n "$(ldap_attr "$(dn_of "$G")" cn 2>/dev/null)" ] || fail "the restore did not make $G again"
[ -e "$CACHE/journal/$CORP_DNS/remake-$G" ] || fail "no journal of the GPO the restore makes again"
kill -9 "$GPOFS_PID"
wait "$GPOFS_PID" 2>/dev/null || true
wait "$writer" 2>/dev/null || true
rm "$TEST_TMP/mkhold"
unset GPOFS_TEST_CREATE_HOLD
fusermount3 -uz "$MNT"
u0=$(count "$G: a restore of the deleted GPO cut short was undone: the GPO it made is deleted")
mount_it
wait_more "$G: a restore of the deleted GPO cut short was undone: the GPO it made is deleted" "$u0"
[ -z "$(ldap_attr "$(dn_of "$G")" cn 2>/dev/null)" ] || fail "the half-made $G is left in the directory"
[ ! -e "$CORP_SYSVOL/$G" ] || fail "the half-made $G is left in SYSVOL"
[ -z "$(ls "$CACHE/journal/$CORP_DNS")" ] || fail "a journal is left: $(ls "$CACHE/journal/$CORP_DNS")"
echo "$BK" >"$D/restore" || fail "the restore after the kill: $(tail -3 "$LOG7")"
files "$CORP_SYSVOL/$G" >"$TEST_TMP/got"
diff "$TEST_TMP/want" "$TEST_TMP/got" >&2 || fail "the GPO made again after the kill is not the backup's"
[ "$(ldap_attr "$(dn_of "$G")" displayName)" = "$name0" ] || fail "the GPO made again after the kill has another name"
note "SIGKILL while a restore made a deleted GPO again: the next start deleted the half-made GPO; the restore then made it whole"
aclcheck >&2 || fail "samba-tool gpo aclcheck after the faults"
gpofs_stop "$MNT"

# 8. An account that is not an admin: EACCES, nothing changes.
UCRED=$(user_creds gpofs-rs-$$)
gpofs_start "$MNT" -o "domain=$CORP_DNS,credentials=$UCRED,tls_cacert=$CORP_CA,backup_dir=$TEST_TMP/ub,migtable_dir=$TEST_TMP/um,log_dir=$TEST_TMP/ulog,cache_dir=$TEST_TMP/ucache"
D=$MNT/domains/$CORP_DNS
v8=$(ver "$G") n8=$(ldap_attr "$(dn_of "$G")" displayName) a8=$(acl_of "$G")
out=$(echo "$BK" 2>&1 >"$D/restore") && fail "an ordinary user restored a GPO"
echo "$out" | grep -q "Permission denied" || fail "not EACCES: $out"
[ "$(ver "$G")" = "$v8" ] && [ "$(ldap_attr "$(dn_of "$G")" displayName)" = "$n8" ] &&
	[ "$(acl_of "$G")" = "$a8" ] || fail "a refused restore changed the GPO"
[ -z "$(ls "$TEST_TMP/ucache/journal/$CORP_DNS" 2>/dev/null)" ] || fail "a refused restore left a journal"
gpofs_stop "$MNT"
note "an ordinary account: EACCES, the GPO unchanged"
