#!/usr/bin/env bash
# Writing into a GPO folder is an import: changes gathered into one
# transaction per GPO reach the DC whole after a quiet time (or at once on
# fsync), with the half whose files changed bumped in GPT.INI and
# versionNumber alike; the writing session reads its own writes, others
# the GPO as committed; names go where SYSVOL has them, in any case; a
# whole backup copied in replaces the settings whole; a GPO changed behind
# gpofs's back is not overwritten; a backup that does not hold together
# changes nothing.
source "$(dirname "$0")/lib.sh"

MNT=$TEST_TMP/mnt
make_ldappw corp
gpofs_mount_corp "$MNT"
D=$MNT/domains/$CORP_DNS
LOG=$D/log
DDP={31B2F340-016D-11D2-945F-00C04FB984F9}

dn_of() { echo "CN=$1,CN=Policies,CN=System,$CORP_BASEDN"; }
ver() { ldap_attr "$(dn_of "$1")" versionNumber; }
ini_ver() { sed -n 's/^Version=\([0-9]*\).*/\1/p' "$CORP_SYSVOL/$1/GPT.INI" | tr -d '\r'; }
commits() { grep -c "$1: .*committed" "$LOG" || true; }
# wait_commit GUID N: until the log has N commit lines for GUID (30 s)
wait_commit() {
	for _ in $(seq 1 300); do
		[ "$(commits "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	cat "$LOG" >&2
	fail "no commit number $2 of $1"
}
# same_versions GUID: GPT.INI and versionNumber agree
same_versions() {
	local a b
	a=$(ini_ver "$1")
	b=$(ver "$1")
	[ "$a" = "$b" ] || fail "$1: GPT.INI says $a, versionNumber $b"
}
halves() { echo "$(($1 >> 16)) $(($1 & 0xffff))"; }

# 1. An edit of the machine half: its half goes up by one, in both places.
G=$GPO_SCRIPTS
P=$D/gpos/$G/DomainSysvol/GPO
v0=$(ver "$G")
# UTF-16LE with a BOM, as Windows writes scripts.ini (samba-tool's own
# parser reads no other, and later tests back this GPO up with it)
{
	printf '\xff\xfe'
	printf '[Startup]\r\n0CmdLine=startup.cmd\r\n0Parameters=/new\r\n' | iconv -f UTF-8 -t UTF-16LE
} >"$P/Machine/Scripts/scripts.ini"
# the writing session reads it at once; another session still the old
iconv -f UTF-16LE -t UTF-8 "$P/Machine/Scripts/scripts.ini" | grep -q "/new" || fail "the writer does not read its write"
sleep 1.1 # past the kernel's attribute time: the size it learnt from the write
setsid cat "$P/Machine/Scripts/scripts.ini" | iconv -f UTF-16LE -t UTF-8 | grep -q "/new" && fail "another session read an uncommitted write"
wait_commit "$G" 1
v1=$(ver "$G")
[ "$(halves "$v1")" = "$(( (v0 >> 16) )) $(( (v0 & 0xffff) + 1 ))" ] ||
	fail "machine edit: version $(halves "$v0") -> $(halves "$v1")"
same_versions "$G"
iconv -f UTF-16LE -t UTF-8 "$CORP_SYSVOL/$G/Machine/Scripts/scripts.ini" 2>/dev/null | grep -q /new ||
	grep -q /new "$CORP_SYSVOL/$G/Machine/Scripts/scripts.ini" || fail "scripts.ini did not reach SYSVOL"
sleep 1.1
setsid cat "$P/Machine/Scripts/scripts.ini" | iconv -f UTF-16LE -t UTF-8 | grep -q "/new" || fail "others do not read the commit"
note "machine edit: $(halves "$v0") -> $(halves "$v1") in GPT.INI and versionNumber; committed for all"

# 2. Both halves in one transaction: both go up.
echo "@echo user" >"$P/User/Scripts/Logon/extra.cmd"
echo "@echo machine" >"$P/Machine/Scripts/Startup/extra.cmd"
wait_commit "$G" 2
v2=$(ver "$G")
[ "$(halves "$v2")" = "$(( (v1 >> 16) + 1 )) $(( (v1 & 0xffff) + 1 ))" ] ||
	fail "both halves: $(halves "$v1") -> $(halves "$v2")"
same_versions "$G"
note "both halves: $(halves "$v1") -> $(halves "$v2")"

# 3. fsync commits at once; an editor's write-aside-then-rename works.
printf 'echo one\r\n' >"$P/Machine/Scripts/Startup/.extra.cmd.swp"
mv "$P/Machine/Scripts/Startup/.extra.cmd.swp" "$P/Machine/Scripts/Startup/extra.cmd"
printf 'x' | dd of="$P/Machine/Scripts/Startup/sync.txt" conv=fsync status=none ||
	fail "dd conv=fsync failed"
[ "$(commits "$G")" -ge 3 ] || fail "fsync did not commit at once"
grep -q "echo one" "$CORP_SYSVOL/$G/Machine/Scripts/Startup/extra.cmd" || fail "the renamed file is not in SYSVOL"
[ ! -e "$CORP_SYSVOL/$G/Machine/Scripts/Startup/.extra.cmd.swp" ] || fail "the temporary file reached SYSVOL"
same_versions "$G"
note "fsync commits at once; write-aside-then-rename lands as one file"

# 4. SYSVOL's letter case: Samba provisions MACHINE; writing Machine/...
# goes into it, never into a second folder.
echo case >"$D/gpos/$DDP/DomainSysvol/GPO/Machine/gpofs-case.txt"
wait_commit "$DDP" 1
[ -f "$CORP_SYSVOL/$DDP/MACHINE/gpofs-case.txt" ] || fail "not written into MACHINE/"
[ ! -e "$CORP_SYSVOL/$DDP/Machine" ] || fail "a second folder Machine/ was made"
rm "$D/gpos/$DDP/DomainSysvol/GPO/machine/GPOFS-CASE.TXT"
wait_commit "$DDP" 2
[ ! -e "$CORP_SYSVOL/$DDP/MACHINE/gpofs-case.txt" ] || fail "rm in another case did not remove it"
note "Machine/ in a GPO whose folder is MACHINE: one folder, any case"

# 5. No lost update: the GPO changed on the DC after the changes began.
echo "lost?" >"$P/Machine/Scripts/Startup/conflict.txt"
vnow=$(ver "$G")
ldap_replace "$(dn_of "$G")" versionNumber $((vnow + 1))
out=$(printf 'y' | dd of="$P/Machine/Scripts/Startup/conflict2.txt" conv=fsync status=none 2>&1) &&
	fail "a commit over another writer's change succeeded"
echo "$out" | grep -q "Stale file handle" || fail "not ESTALE: $out"
[ ! -e "$CORP_SYSVOL/$G/Machine/Scripts/Startup/conflict.txt" ] || fail "the refused change reached SYSVOL"
grep -q "$G: changes refused: it changed in the directory" "$LOG" || fail "the log does not say why"
ldap_replace "$(dn_of "$G")" versionNumber "$vnow"
note "a GPO changed behind gpofs's back: ESTALE, nothing written, the log says why"

# 6. A whole backup copied in: SYSVOL becomes exactly the backup's, the
# extension lists the backup's; the GUID and name stay.
if [ -n "${FIXTURES_DIR:-}" ] && [ -d "$FIXTURES_DIR" ]; then
	T=$GPO_PREFS
	name=$(ldap_attr "$(dn_of "$T")" displayName)
	n=0
	for fx in $(ls "$FIXTURES_DIR" | grep -E '^\{' | head -3); do
		n=$((n + 1))
		cp -r "$FIXTURES_DIR/$fx/." "$D/gpos/$T/" || fail "cp -r of $fx"
		wait_commit "$T" "$n"
		grep -q "$T: import of a backup committed" "$LOG" || fail "not a whole-backup import"
		( cd "$CORP_SYSVOL/$T" && find . -type f ! -name GPT.INI | sort ) >"$TEST_TMP/dc.list"
		( cd "$FIXTURES_DIR/$fx/DomainSysvol/GPO" && find . -type f | sort ) >"$TEST_TMP/fx.list"
		diff -i "$TEST_TMP/fx.list" "$TEST_TMP/dc.list" >&2 || fail "SYSVOL is not exactly $fx's"
		while read -r f; do
			real=$(cd "$CORP_SYSVOL/$T" && find . -type f -ipath "$f" | head -1)
			cmp -s "$FIXTURES_DIR/$fx/DomainSysvol/GPO/$f" "$CORP_SYSVOL/$T/$real" || fail "$f differs"
		done <"$TEST_TMP/fx.list"
		want=$(xpath "$FIXTURES_DIR/$fx/Backup.xml" b:GroupPolicyObject/b:GroupPolicyCoreSettings/b:MachineExtensionGuids | tr -d ' \r\n')
		got=$(ldap_attr "$(dn_of "$T")" gPCMachineExtensionNames)
		[ "$got" = "$want" ] || fail "$fx: machine extensions $got, backup $want"
		[ "$(ldap_attr "$(dn_of "$T")" displayName)" = "$name" ] || fail "the import renamed the GPO"
		same_versions "$T"
		note "backup $fx imported: SYSVOL and extension lists are the backup's"
	done
	# and it reads back as a GPMC backup of the same files
	sleep 6
	cp -r "$D/gpos/$T" "$TEST_TMP/again" || fail "cp -r of the imported GPO"
	# the same files (git keeps no empty folder, so the fixture lacks the
	# empty ones its Backup.xml names and the import made)
	( cd "$FIXTURES_DIR/$fx/DomainSysvol" && find . -type f | sort ) >"$TEST_TMP/a.list"
	( cd "$TEST_TMP/again/DomainSysvol" && find . -type f | sort ) >"$TEST_TMP/b.list"
	diff "$TEST_TMP/a.list" "$TEST_TMP/b.list" >&2 || fail "the imported GPO backs up other files"
	while read -r f; do
		cmp -s "$FIXTURES_DIR/$fx/DomainSysvol/$f" "$TEST_TMP/again/DomainSysvol/$f" ||
			fail "$f backs up differently"
	done <"$TEST_TMP/a.list"
	for f in Backup.xml bkupInfo.xml; do
		python3 "$GPOFS_REPO/tests/integration/gpmc_structure.py" \
			"$TEST_TMP/again/$f" "$FIXTURES_DIR/$fx/$f" >&2 ||
			fail "the imported GPO's $f is not GPMC's structure"
	done
	note "two imports in a row replaced the settings whole; cp -r backs it up again"

	# rsync --delete of a backup does the same
	rsync -a --delete "$FIXTURES_DIR/$fx/" "$D/gpos/$GPO_WMI/" || fail "rsync into a GPO failed"
	wait_commit "$GPO_WMI" 1
	grep -q "$GPO_WMI: import of a backup committed" "$LOG" || fail "rsync: not a whole-backup import"
	note "rsync -a --delete of a backup into a GPO imports it"

	# A backup that does not hold together changes nothing.
	cp -r "$FIXTURES_DIR/$fx" "$TEST_TMP/bad"
	sed -i 's/bkp:Location="DomainSysvol\\GPO\\Machine\\registry.pol"/bkp:Location="DomainSysvol\\GPO\\Machine\\nothere.pol"/' \
		"$TEST_TMP/bad/Backup.xml"
	before=$(ver "$GPO_REGISTRY")
	cp -r "$TEST_TMP/bad/." "$D/gpos/$GPO_REGISTRY/"
	for _ in $(seq 1 100); do grep -q "$GPO_REGISTRY: changes refused" "$LOG" && break; sleep 0.1; done
	grep -q "$GPO_REGISTRY: changes refused: the backup names Machine/nothere.pol" "$LOG" ||
		fail "a backup naming a missing file was not refused: $(tail -3 "$LOG")"
	[ "$(ver "$GPO_REGISTRY")" = "$before" ] || fail "the refused import changed the version"
	note "a backup naming a file it does not hold: refused whole, nothing changed"
else
	skip_section "whole-backup imports (no GPMC fixtures)"
fi

# 7. The writer copies the GPO out before its changes were committed: the
# backup is one (Backup.xml names the files it holds), because reading a
# generated file commits the writer's changes first.
G7=$GPO_SCRIPTS
c7=$(commits "$G7")
echo "copied out at once" >"$D/gpos/$G7/DomainSysvol/GPO/Machine/gpofs-copyout.txt"
rm -rf "$TEST_TMP/out7"
cp -r "$D/gpos/$G7" "$TEST_TMP/out7" || fail "cp -r of a GPO with changes under way"
[ -f "$TEST_TMP/out7/DomainSysvol/GPO/Machine/gpofs-copyout.txt" ] || fail "the copy lacks the writer's file"
grep -q 'gpofs-copyout.txt' "$TEST_TMP/out7/Backup.xml" || fail "Backup.xml does not name the writer's file"
[ "$(commits "$G7")" -gt "$c7" ] || fail "the changes were not committed before Backup.xml was read"
same_versions "$G7"
note "the writer's cp -r before a commit: its changes committed, the backup holds together"

# 8. A large file is written in pieces over several connections side by
# side, and arrives whole; replacing it in place keeps no old byte.
G8=$GPO_REGISTRY
c8=$(commits "$G8")
head -c $((40 * 1024 * 1024 + 12345)) /dev/urandom >"$TEST_TMP/large.bin"
cp "$TEST_TMP/large.bin" "$D/gpos/$G8/DomainSysvol/GPO/Machine/large.msi"
dd if=/dev/null of="$D/gpos/$G8/DomainSysvol/GPO/Machine/large.msi" conv=notrunc,fsync status=none ||
	fail "commit of a large file"
wait_commit "$G8" $((c8 + 1))
big=$(ls "$CORP_SYSVOL/$G8"/*/large.msi)
cmp "$TEST_TMP/large.bin" "$big" || fail "the large file arrived changed"
grep "$G8: changes committed" "$LOG" | tail -1 | grep -Eq 'over ([2-9]|[1-9][0-9]+) connections' ||
	fail "not written over several connections: $(grep "$G8: changes committed" "$LOG" | tail -1)"
head -c $((20 * 1024 * 1024)) /dev/urandom >"$TEST_TMP/large.bin"
cp "$TEST_TMP/large.bin" "$D/gpos/$G8/DomainSysvol/GPO/Machine/large.msi"
dd if=/dev/null of="$D/gpos/$G8/DomainSysvol/GPO/Machine/large.msi" conv=notrunc,fsync status=none ||
	fail "commit of a smaller large file"
cmp "$TEST_TMP/large.bin" "$big" || fail "the replaced large file differs (old bytes left?)"
rm "$D/gpos/$G8/DomainSysvol/GPO/Machine/large.msi"
same_versions "$G8"
note "a 40 MiB file written in pieces side by side arrives whole; a shorter one replaces it whole"

gpofs_stop "$MNT"
