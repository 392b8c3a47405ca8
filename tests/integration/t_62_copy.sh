#!/usr/bin/env bash
# The copy control file (GPMC's Copy within a domain): `echo 'SOURCE "New
# name" [acl=source]' > copy` makes a new GPO (new GUID, the name, no
# links) with the source's SYSVOL and extension lists and its WMI filter
# link; the security of a new GPO, or the source's DACL with acl=source;
# samba-tool gpo aclcheck clean after each. A source by name; a name taken
# is EEXIST and bad requests their errno, with nothing made. A copy cut
# short by SIGKILL or a stopped DC leaves nothing once the daemon is back.
source "$(dirname "$0")/lib.sh"

SAMBA_PY=$(head -n 1 "$(command -v samba-tool)" | sed 's/^#! *//')
"$SAMBA_PY" -c 'import samba.samba3.libsmb_samba_internal' 2>/dev/null ||
	skip "Samba's python bindings are missing ($SAMBA_PY)"
export KRB5CCNAME=FILE:$(ccache corp)
make_ldappw corp
st() { samba-tool "$@" -H "ldap://$CORP_DC" --use-kerberos=required -N </dev/null; }
dn_of() { echo "CN=$1,CN=Policies,CN=System,$CORP_BASEDN"; }
dacl_of() { st gpo show "$1" | sed -n 's/^ACL *: *//p' | sed 's/^.*D:/D:/'; }
aclcheck() {
	local out
	out=$(st gpo aclcheck 2>&1) || { echo "$out"; return 1; }
	[[ -z $out ]] || { echo "$out"; return 1; }
}
files() {
	(cd "$1" && find . -type f ! -iname gpt.ini -print0 | sort -z |
		xargs -0 -r md5sum | awk '{ print tolower($2), $1 }' | sort)
}
guid_named() {
	ldap_corp -b "CN=Policies,CN=System,$CORP_BASEDN" -s one "(displayName=$1)" cn | sed -n 's/^cn: //p'
}
gpo_count() { ls "$CORP_SYSVOL" | wc -l; }
fails_with() { # WHAT REQUEST: the write fails with WHAT
	local out
	out=$(echo "$2" 2>&1 >"$D/copy") && fail "copy '$2' succeeded"
	echo "$out" | grep -q "$1" || fail "copy '$2': not $1: $out"
}

CACHE=$TEST_TMP/cache
MNT=$TEST_TMP/mnt
# a commit held while this file exists, once its SYSVOL files are written
export GPOFS_TEST_COMMIT_HOLD=$TEST_TMP/hold
mount_it() { gpofs_mount_corp "$MNT" -o "cache_dir=$CACHE,log_dir=$TEST_TMP/log" "$@"; }
LOG=$TEST_TMP/log/$CORP_DNS.log
mount_it
D=$MNT/domains/$CORP_DNS
grep -q "GPMC's Copy" "$D/copy" || fail "reading copy does not show its usage"

# 1. A source whose DACL has an ACE of its own (security filtering).
S=$GPO_PREFS
st dsacl set --objectdn="$(dn_of "$S")" --sddl="(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;DU)" \
	>/dev/null 2>&1 || fail "samba-tool dsacl set"
# and its folder's ACL derived again, as an admin's tool would (else
# aclcheck stops at the source)
PROBE=${GPOFS_BUILD_DIR:-build}/tests/gpo_create_probe
mkdir -p "$TEST_TMP/probe"
"$PROBE" -t "$TEST_TMP/probe" -o "domain=$CORP_DNS,credentials=$(creds_file corp),tls_cacert=$CORP_CA" \
	set-acl "$S" >/dev/null || fail "setting the source folder's ACL"
aclcheck >&2 || fail "samba-tool gpo aclcheck before any copy"
mkdir "$D/by-name/gpofs fresh" || fail "mkdir of a fresh GPO (for its default DACL)"
FRESH=$(guid_named "gpofs fresh")
echo "$S \"Prefs copy\"" >"$D/copy" || fail "copy of $S: $(tail -3 "$LOG")"
C1=$(guid_named "Prefs copy")
[ "$(gpo_containers "$C1")" = "Machine User " ] || fail "the copy lacks its containers: $(gpo_containers "$C1")"
[ -n "$C1" ] && [ "$C1" != "$S" ] || fail "no new GPO named Prefs copy"
files "$CORP_SYSVOL/$S" >"$TEST_TMP/src"
files "$CORP_SYSVOL/$C1" >"$TEST_TMP/got"
diff "$TEST_TMP/src" "$TEST_TMP/got" >&2 || fail "the copy's SYSVOL is not the source's"
for a in gPCMachineExtensionNames gPCUserExtensionNames; do
	[ "$(ldap_attr "$(dn_of "$C1")" "$a")" = "$(ldap_attr "$(dn_of "$S")" "$a")" ] ||
		fail "$a of the copy is not the source's"
done
[ "$(dacl_of "$C1")" = "$(dacl_of "$FRESH")" ] || fail "the copy's DACL is not a new GPO's: $(dacl_of "$C1")"
[ "$(dacl_of "$C1")" != "$(dacl_of "$S")" ] || fail "the copy took the source's DACL without acl=source"
[ -z "$(st gpo listcontainers "$C1" 2>/dev/null | grep -i 'DC=\|OU=')" ] || fail "the copy is linked"
v=$(ldap_attr "$(dn_of "$C1")" versionNumber)
[ "$v" -gt 0 ] && [ "$(sed -n 's/^Version=\([0-9]*\).*/\1/Ip' "$CORP_SYSVOL/$C1/GPT.INI" | tr -d '\r')" = "$v" ] ||
	fail "the copy's versions: versionNumber $v, GPT.INI disagrees or 0"
grep -F "$C1: import of a backup committed" "$LOG" | grep -qF "as the GPO was born" ||
	fail "the copy's commit wrote the directory of the GPO made for it again"
aclcheck >&2 || fail "samba-tool gpo aclcheck after a copy"
note "copy by GUID: new GPO $C1, the source's files and extension lists, a new GPO's DACL, unlinked, version $v"

# 2. acl=source, the source by name.
echo "\"$(ldap_attr "$(dn_of "$S")" displayName)\" \"Prefs copy 2\" acl=source" >"$D/copy" ||
	fail "copy by name with acl=source: $(tail -3 "$LOG")"
C2=$(guid_named "Prefs copy 2")
[ -n "$C2" ] || fail "no GPO named Prefs copy 2"
[ "$(dacl_of "$C2")" = "$(dacl_of "$S")" ] || fail "acl=source: the DACL is not the source's"
aclcheck >&2 || fail "samba-tool gpo aclcheck after a copy with acl=source"
note "copy by name with acl=source: the source's DACL, the folder's ACL derived from it"

# 3. The WMI filter link is kept within the domain.
echo "$GPO_WMI \"WMI copy\"" >"$D/copy" || fail "copy of the WMI-filtered GPO: $(tail -3 "$LOG")"
C3=$(guid_named "WMI copy")
[ -n "$(ldap_attr "$(dn_of "$GPO_WMI")" gPCWQLFilter)" ] || fail "the source has no WMI link"
[ "$(ldap_attr "$(dn_of "$C3")" gPCWQLFilter)" = "$(ldap_attr "$(dn_of "$GPO_WMI")" gPCWQLFilter)" ] ||
	fail "the copy lost the WMI filter link"
aclcheck >&2 || fail "samba-tool gpo aclcheck after copying a WMI-filtered GPO"
note "a WMI-filtered GPO copied: the link kept"

# 4. Refusals: nothing is made.
n=$(gpo_count)
fails_with "File exists" "$S \"prefs COPY\""
fails_with "No such file" "{00000000-0000-0000-0000-00000000ABCD} \"x\""
fails_with "No such file" "\"no GPO has this name\" \"x\""
fails_with "Invalid argument" "$S"
fails_with "Invalid argument" "$S \"y\" acl=everyone"
fails_with "Invalid argument" "$S \"y\" colour=blue"
[ "$(gpo_count)" = "$n" ] || fail "a refused copy made a GPO"
grep -q "copy refused: .*taken\|copy refused: .*exists\|copy refused" "$LOG" || fail "no log line for a refused copy"
note "name taken EEXIST (any case), unknown source ENOENT, bad requests EINVAL; nothing made"

# 5. Cut short: the daemon killed, then the DC stopped, while the copy
# writes its files (a source of five 40 MiB files): nothing is left once
# the daemon is back.
B=$GPO_SECURITY
head -c $((40 * 1024 * 1024)) /dev/urandom >"$TEST_TMP/40M"
PB=$D/gpos/$B/DomainSysvol/GPO/Machine
for i in 1 2 3 4 5; do cp "$TEST_TMP/40M" "$PB/cbig$i.bin"; done
dd if=/dev/null of="$PB/cbig1.bin" conv=notrunc,fsync status=none || fail "committing the big files"
sleep 1.1
n=$(gpo_count)
count() { log_count "$LOG" "$1"; }
# held N: until the log has more than N "commit held" lines
held() { wait_log_more "$LOG" "test hook: commit held" "$1"; }
: >"$TEST_TMP/hold"
h0=$(count "test hook: commit held")
echo "$B \"Cut short\"" >"$D/copy" 2>/dev/null &
writer=$!
held "$h0"
kill -9 "$GPOFS_PID"
wait "$GPOFS_PID" 2>/dev/null || true
wait "$writer" 2>/dev/null || true
rm "$TEST_TMP/hold"
fusermount3 -uz "$MNT"
u0=$(count "a copy cut short was undone")
mount_it
wait_log_more "$LOG" "a copy cut short was undone" "$u0"
[ -z "$(guid_named "Cut short")" ] || fail "the GPO of a copy cut short is left"
[ "$(gpo_count)" = "$n" ] || fail "a folder of the copy cut short is left"
[ -z "$(ls "$CACHE/journal/$CORP_DNS")" ] || fail "a journal is left: $(ls "$CACHE/journal/$CORP_DNS")"
note "SIGKILL during a copy: the next start deletes what it made"

: >"$TEST_TMP/hold"
h0=$(count "test hook: commit held")
# (acl=source: a GPO born for its copy has nothing left to write after
# its SYSVOL files but its security, here the source's)
echo "$B \"Cut short 2\" acl=source" >"$D/copy" 2>"$TEST_TMP/copy.err" &
writer=$!
held "$h0"
dc_stop corp
rm "$TEST_TMP/hold"
wait "$writer" && fail "a copy with the DC stopped succeeded"
out=$(cat "$TEST_TMP/copy.err")
echo "$out" | grep -q "Input/output error" || fail "not EIO: $out"
dc_start corp
gpofs_stop "$MNT" || true
mount_it
for _ in $(seq 1 100); do [ -z "$(ls "$CACHE/journal/$CORP_DNS")" ] && break; sleep 0.1; done
[ -z "$(guid_named "Cut short 2")" ] || fail "the GPO of a copy the DC stopped is left"
[ "$(gpo_count)" = "$n" ] || fail "a folder of the copy the DC stopped is left"
[ -z "$(ls "$CACHE/journal/$CORP_DNS")" ] || fail "a journal is left"
note "the DC stopped during a copy: $(echo "$out" | sed 's/.*: //'); nothing left once it is back"

# 5b. The large files of a source in the same domain are copied on the DC
# (SMB2 copy-chunk), each only while it still is as the copy read it: a
# file changed on the DC behind gpofs's back (GPT.INI as it was, so the
# mount's capture of the source stands) fails the copy with ESTALE and
# nothing made; the next copy reads the source afresh. A source the
# mount has not read is listed for the copy, its large files not read.
captured() { awk '$1 == "captured_bytes" { s += $2 } END { print s + 0 }' "$MNT/.stats"; }
k0=$(captured)
echo "$B \"Big copy\"" >"$D/copy" || fail "copy of the source with 200 MiB: $(tail -3 "$LOG")"
k=$(($(captured) - k0))
[ "$k" -lt $((40 * 1024 * 1024)) ] || fail "the copy read its source's files that the DC copies: $k bytes captured"
C5=$(guid_named "Big copy")
[ -n "$C5" ] || fail "no GPO named Big copy"
grep -q "$C5: a copy of $B: .* of which 5 files, 200.0 MiB for the DC to copy itself" "$LOG" ||
	fail "the copy's large files were not copied on the DC: $(grep "$C5: a copy" "$LOG")"
grep -q "$C5: import of a backup committed: .*as the GPO was born" "$LOG" ||
	fail "the commit into the GPO made for the big copy wrote the directory again"
files "$CORP_SYSVOL/$B" >"$TEST_TMP/src"
files "$CORP_SYSVOL/$C5" >"$TEST_TMP/got"
diff "$TEST_TMP/src" "$TEST_TMP/got" >&2 || fail "the copy's SYSVOL (copied on the DC) is not the source's"
note "a copy of a GPO with five 40 MiB files: those copied on the DC ($k bytes of the source read), SYSVOL the source's"
n=$(gpo_count)
BIG2=$(find "$CORP_SYSVOL/$B" -iname cbig2.bin)
# the source read by the mount (a cp -r of it), then changed on the DC
cp -r "$D/gpos/$B" "$TEST_TMP/read-b" || fail "cp -r of $B"
rm -rf "$TEST_TMP/read-b"
printf 'changed behind gpofs' >>"$BIG2"
out=$(echo "$B \"Stale copy\"" 2>&1 >"$D/copy") && fail "a copy of a source changed on the DC succeeded"
echo "$out" | grep -q "Stale file handle" || fail "not ESTALE: $out"
grep -q "commit failed: copying .*cbig2.bin: it changed on the DC since it was read; the GPO was made for it, and goes with it" "$LOG" ||
	fail "no log line for the stale source, failing the commit into the GPO born for it: $(tail -3 "$LOG")"
[ -z "$(guid_named "Stale copy")" ] && [ "$(gpo_count)" = "$n" ] || fail "a stale copy left a GPO"
echo "$B \"Stale copy\"" >"$D/copy" || fail "the copy again after ESTALE: $(tail -3 "$LOG")"
C6=$(guid_named "Stale copy")
cmp "$BIG2" "$(find "$CORP_SYSVOL/$C6" -iname cbig2.bin)" || fail "the copy again did not copy the changed file"
note "a source file changed on the DC: the commit into the GPO born for the copy fails half-way through SYSVOL, ESTALE, nothing left; again, it copies the change"
# A server that does not copy (taken for one by the test switch): the
# bytes are sent through gpofs, the copy the same, the log says so once
# per connection.
gpofs_stop "$MNT"
GPOFS_TEST_NO_SERVER_COPY=1 mount_it
echo "$B \"Through copy\"" >"$D/copy" || fail "a copy sent through: $(tail -3 "$LOG")"
C7=$(guid_named "Through copy")
[ -n "$C7" ] || fail "no GPO named Through copy"
files "$CORP_SYSVOL/$B" >"$TEST_TMP/src"
files "$CORP_SYSVOL/$C7" >"$TEST_TMP/got"
diff "$TEST_TMP/src" "$TEST_TMP/got" >&2 || fail "the copy sent through is not the source"
said=$(grep -c "the server does not copy files itself" "$TEST_TMP/gpofs.log" || true)
# once per SMB connection that copied (each worker has its own), not per file
[ "$said" -ge 1 ] && [ "$said" -le 4 ] || fail "the log said $said times that the copy was sent through"
note "a server that does not copy: the five 40 MiB files sent through gpofs, SYSVOL the source's; the log says so on $said connections"
for i in 1 2 3 4 5; do rm -f "$PB/cbig$i.bin"; done
gpofs_stop "$MNT"

# 6. An account that is not an admin: EACCES, nothing made.
UCRED=$(user_creds gpofs-cp-$$)
gpofs_start "$MNT" -o "domain=$CORP_DNS,credentials=$UCRED,tls_cacert=$CORP_CA,backup_dir=$TEST_TMP/ub,migtable_dir=$TEST_TMP/um,log_dir=$TEST_TMP/ulog,cache_dir=$TEST_TMP/ucache"
D=$MNT/domains/$CORP_DNS
n=$(gpo_count)
out=$(echo "$GPO_PREFS \"User's copy\"" 2>&1 >"$D/copy") && fail "an ordinary user copied a GPO"
echo "$out" | grep -q "Permission denied" || fail "not EACCES: $out"
[ "$(gpo_count)" = "$n" ] && [ -z "$(guid_named "User's copy")" ] || fail "a refused copy made a GPO"
gpofs_stop "$MNT"
note "an ordinary account: EACCES, nothing made"
