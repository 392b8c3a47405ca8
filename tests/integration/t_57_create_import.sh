#!/usr/bin/env bash
# New GPOs and imports into them: mkdir by-name/NAME makes a GPO (listed
# at once, EEXIST for a name taken in any case); every GPMC fixture is
# imported into a new GPO, by mkdir and cp -r or through the import
# control file, and its SYSVOL is then exactly the backup's, its extension
# lists the backup's, and a cp -r of it is a backup in GPMC's structure;
# requests that do not parse, name nothing or a backup that does not hold
# together fail with the design's errno and change nothing.
source "$(dirname "$0")/lib.sh"
need_fixtures

MNT=$TEST_TMP/mnt
make_ldappw corp
gpofs_mount_corp "$MNT"
D=$MNT/domains/$CORP_DNS
LOG=$D/log

dn_of() { echo "CN=$1,CN=Policies,CN=System,$CORP_BASEDN"; }
ver() { ldap_attr "$(dn_of "$1")" versionNumber; }
ini_ver() { sed -n 's/^Version=\([0-9]*\).*/\1/p' "$CORP_SYSVOL/$1/GPT.INI" | tr -d '\r'; }
# the GUID of GPO NAME, from the directory (for a second after a mkdir the
# kernel keeps by-name/NAME as the folder it made, not as the symlink)
guid_of() {
	LDAPTLS_CACERT=$CORP_CA ldapsearch -LLL -x -H "ldaps://$CORP_DC" -D "Administrator@$CORP_DNS" \
		-y "$TEST_TMP/corp.ldappw" -b "CN=Policies,CN=System,$CORP_BASEDN" -s one \
		"(displayName=$1)" cn | sed -n 's/^cn: //p'
}
gpo_count() {
	LDAPTLS_CACERT=$CORP_CA ldapsearch -LLL -x -H "ldaps://$CORP_DC" -D "Administrator@$CORP_DNS" \
		-y "$TEST_TMP/corp.ldappw" -b "CN=Policies,CN=System,$CORP_BASEDN" -s one \
		'(objectClass=groupPolicyContainer)' dn | grep -c '^dn:'
}
xp() { xpath "$1" "b:GroupPolicyObject/b:GroupPolicyCoreSettings/b:$2" | tr -d ' \r\n'; }
# wait_log TEXT: until the domain's log has a line holding TEXT (30 s)
wait_log() {
	for _ in $(seq 1 300); do grep -qF -- "$1" "$LOG" && return 0; sleep 0.1; done
	tail -5 "$LOG" >&2
	fail "no log line: $1"
}
# imported GUID FIXTURE: the GPO's SYSVOL is exactly the backup's files,
# its extension lists are the backup's, its two versions agree
imported() {
	local g=$1 fx=$FIXTURES_DIR/$2 f real want got
	( cd "$CORP_SYSVOL/$g" && find . -type f ! -name GPT.INI | sort -f ) >"$TEST_TMP/dc.list"
	( cd "$fx/DomainSysvol/GPO" && find . -type f | sort -f ) >"$TEST_TMP/fx.list"
	diff -i "$TEST_TMP/fx.list" "$TEST_TMP/dc.list" >&2 || fail "$2: SYSVOL of $g is not the backup's"
	while read -r f; do
		real=$(cd "$CORP_SYSVOL/$g" && find . -type f -ipath "$f" | head -1)
		cmp -s "$fx/DomainSysvol/GPO/$f" "$CORP_SYSVOL/$g/$real" || fail "$2: $f differs"
	done <"$TEST_TMP/fx.list"
	for half in Machine User; do
		# the folder of each half, even one the backup has nothing in
		[ -n "$(find "$CORP_SYSVOL/$g" -mindepth 1 -maxdepth 1 -type d -iname "$half")" ] ||
			fail "$2: SYSVOL of $g has no $half folder"
		want=$(xp "$fx/Backup.xml" "${half}ExtensionGuids")
		got=$(ldap_attr "$(dn_of "$g")" "gPC${half}ExtensionNames")
		[ "$got" = "$want" ] || fail "$2: ${half,,} extensions $got, backup $want"
	done
	[ "$(ver "$g")" = "$(ini_ver "$g")" ] || fail "$2: versions differ: $(ver "$g") / $(ini_ver "$g")"
}

# 1. mkdir by-name/NAME: a GPO, listed at once; the name taken in any case
before=$(gpo_count)
mkdir "$D/by-name/Kiosk lockdown" || fail "mkdir of a new GPO failed"
ls "$D/by-name" | grep -qx "Kiosk lockdown" || fail "by-name/Kiosk lockdown is not listed at once"
ls "$D/by-name/Kiosk lockdown/DomainSysvol/GPO" >/dev/null || fail "the new GPO's folder cannot be listed"
K=$(guid_of "Kiosk lockdown")
[ "$(gpo_count)" = $((before + 1)) ] || fail "not one more GPO in the directory"
[ "$(ldap_attr "$(dn_of "$K")" displayName)" = "Kiosk lockdown" ] || fail "the display name is not set"
for f in GPT.INI Machine User; do
	[ -e "$CORP_SYSVOL/$K/$f" ] || fail "the new GPO has no $f in SYSVOL"
done
[ -d "$D/gpos/$K/DomainSysvol/GPO" ] || fail "the new GPO has no folder"
out=$(mkdir "$D/by-name/KIOSK LOCKDOWN" 2>&1) && fail "a taken name (in other case) made a GPO"
echo "$out" | grep -q "File exists" || fail "not EEXIST: $out"
[ "$(gpo_count)" = $((before + 1)) ] || fail "the refused mkdir made a GPO"
sleep 1.1 # past the kernel's entry time: by-name/NAME is the symlink again
[ "$(readlink "$D/by-name/Kiosk lockdown")" = "../gpos/$K" ] || fail "by-name/Kiosk lockdown is not a symlink to $K"
note "mkdir by-name/NAME made $K, listed at once; the name in other case: EEXIST"

# 2. every fixture into a new GPO: mkdir then cp -r (at once, through the
# folder the mkdir left) or the import control file, alternately
mkdir -p "$TEST_TMP/b"
n=0
for fx in $(ls "$FIXTURES_DIR" | grep -E '^\{'); do
	n=$((n + 1))
	name="import $n $fx"
	if ((n % 2)); then
		mkdir "$D/by-name/$name" && cp -r "$FIXTURES_DIR/$fx/." "$D/by-name/$name/" ||
			fail "mkdir and cp -r of $fx"
		g=$(guid_of "$name")
		wait_log "$g: import of a backup committed"
		how="mkdir + cp -r"
	else
		echo "$FIXTURES_DIR/$fx create \"$name\"" >"$D/import" || fail "import of $fx"
		g=$(guid_of "$name")
		grep -qF "$g: import of a backup committed" "$LOG" || fail "import returned before its commit"
		# made for the import: born with the versions and lists its
		# commit gives it, which then leaves the directory alone
		grep -F "$g: import of a backup committed" "$LOG" | grep -qF "as the GPO was born" ||
			fail "the commit into $g (made for it) wrote the directory again"
		grep -F "created GPO $g" "$LOG" | grep -qF "born at the version of its import" ||
			fail "$g was not made with its import's version"
		# its containers, added beside the import, are in once it returns
		[ "$(gpo_containers "$g")" = "Machine User " ] || fail "$g lacks its containers: $(gpo_containers "$g")"
		how="import create"
	fi
	imported "$g" "$fx"
	note "$fx into a new GPO ($how): SYSVOL and extension lists are the backup's"
done

# the last one backs up again in GPMC's structure
sleep 1.1
cp -r "$D/gpos/$g" "$TEST_TMP/again" || fail "cp -r of an imported GPO"
( cd "$FIXTURES_DIR/$fx/DomainSysvol" && find . -type f | sort ) >"$TEST_TMP/a.list"
( cd "$TEST_TMP/again/DomainSysvol" && find . -type f | sort ) >"$TEST_TMP/b.list"
diff "$TEST_TMP/a.list" "$TEST_TMP/b.list" >&2 || fail "the imported GPO backs up other files"
for f in Backup.xml bkupInfo.xml; do
	python3 "$GPOFS_REPO/tests/integration/gpmc_structure.py" \
		"$TEST_TMP/again/$f" "$FIXTURES_DIR/$fx/$f" >&2 ||
		fail "the imported GPO's $f is not GPMC's structure"
done
note "an imported GPO backs up again in GPMC's structure"

# 3. the import control file with a sealed backup, into a GPO by GUID and
# by name; two imports in a row replace the settings whole
fx1=$(ls "$FIXTURES_DIR" | grep -E '^\{' | sed -n 1p)
fx2=$(ls "$FIXTURES_DIR" | grep -E '^\{' | sed -n 2p)
for fx in "$fx1" "$fx2"; do
	cp -r "$FIXTURES_DIR/$fx" "$MNT/backups/"
done
id1=$(sed -n 's/.*<ID><!\[CDATA\[\({[^]]*}\)\]\]>.*/\1/p' "$FIXTURES_DIR/$fx1/bkupInfo.xml")
id2=$(sed -n 's/.*<ID><!\[CDATA\[\({[^]]*}\)\]\]>.*/\1/p' "$FIXTURES_DIR/$fx2/bkupInfo.xml")
for _ in $(seq 1 100); do [ -d "$MNT/backups/$id1" ] && [ -d "$MNT/backups/$id2" ] && break; sleep 0.1; done
[ -d "$MNT/backups/$id1" ] || fail "backup $id1 not sealed"
v0=$(ver "$K")
echo "$id1 $K" >"$D/import" || fail "import of $id1 into $K"
imported "$K" "$fx1"
echo "${id2,,} \"Kiosk lockdown\"" >"$D/import" || fail "import of $id2 into \"Kiosk lockdown\""
imported "$K" "$fx2"
v2=$(ver "$K")
(( (v2 >> 16) > (v0 >> 16) || (v2 & 0xffff) > (v0 & 0xffff) )) || fail "no version went up: $v0 -> $v2"
[ "$(ldap_attr "$(dn_of "$K")" displayName)" = "Kiosk lockdown" ] || fail "the import renamed the GPO"
grep -qF "$K: importing $MNT" "$LOG" && fail "the log names a path in the mount"
note "import control file: $id1 then $id2 into $K by GUID and by name: the second replaced the first whole"

# a stray file at the top of a backup folder (a migration table kept with
# it) does not fail the copy, and does not reach SYSVOL
cp -r "$FIXTURES_DIR/$fx1" "$TEST_TMP/stray"
printf '<MigrationTable/>' >"$TEST_TMP/stray/corp-to-prod.migtable"
n=$(grep -c "$K: import of a backup committed" "$LOG")
cp -r "$TEST_TMP/stray/." "$D/gpos/$K/" || fail "cp -r of a backup with a stray file failed"
for _ in $(seq 1 100); do [ "$(grep -c "$K: import of a backup committed" "$LOG")" -gt "$n" ] && break; sleep 0.1; done
imported "$K" "$fx1"
find "$CORP_SYSVOL/$K" -iname '*.migtable' | grep -q . && fail "the stray file reached SYSVOL"
note "a backup folder with a stray .migtable at its top: imported, the stray file ignored"

# a name with '/' (percent-encoded in by-name/) makes a GPO of that name
mkdir "$D/by-name/Lab%2FKiosk" || fail "mkdir of an encoded name"
[ -n "$(guid_of "Lab/Kiosk")" ] || fail "no GPO named Lab/Kiosk"
out=$(mkdir "$D/by-name/bad%ZZname" 2>&1) && fail "a name that does not unescape made a GPO"
echo "$out" | grep -q "Invalid argument" || fail "not EINVAL: $out"
note "mkdir by-name/Lab%2FKiosk made \"Lab/Kiosk\"; a malformed escape: EINVAL"

# 4. requests that fail: the design's errno, one line in the log, nothing changed
cat "$D/import" | grep -q "^import: imports a GPMC backup" || fail "reading import does not print its usage"
before=$(gpo_count)
v=$(ver "$K")
refused() { # WANT REQUEST...: the request fails with WANT
	local want=$1 out lines
	shift
	lines=$(grep -c "import refused" "$LOG" || true)
	out=$( (printf '%s\n' "$*" >"$D/import") 2>&1) && fail "accepted: $*"
	echo "$out" | grep -q "$want" || fail "$*: not '$want': $out"
	[ "$(grep -c "import refused" "$LOG")" -gt "$lines" ] || fail "$*: no line in the log"
}
refused "Invalid argument" "$id1 \"unterminated"
refused "Invalid argument" "$id1"
refused "Invalid argument" "$id1 $K extra"
refused "No such file or directory" "$id1 $K migtable=nothere"
refused "Invalid argument" "$id1 $K acl=source"
refused "Invalid argument" "$id1 $K migtable=../escape"
refused "Invalid argument" "relative/path $K"
refused "No such file or directory" "{00000000-0000-0000-0000-000000000001} $K"
refused "No such file or directory" "$id1 {00000000-0000-0000-0000-000000000002}"
refused "No such file or directory" "$id1 \"No such GPO\""
refused "File exists" "$id1 create \"kiosk LOCKDOWN\""
cp -r "$FIXTURES_DIR/$fx1" "$TEST_TMP/bad"
sed -i 's/bkp:Location="DomainSysvol\\GPO\\/bkp:Location="DomainSysvol\\..\\..\\/' "$TEST_TMP/bad/Backup.xml"
refused "Invalid argument" "$TEST_TMP/bad $K"
refused "Invalid argument" "$TEST_TMP/bad create \"Never made\""
printf '<not xml' >"$TEST_TMP/bad/Backup.xml"
refused "Invalid argument" "$TEST_TMP/bad $K"
# a file SYSVOL cannot hold ('?' in its name, beside files it can hold)
# is refused once the GPO made for the import (born with the import's
# version and lists, so claiming settings it does not hold yet) is
# there: that GPO goes with the import
# (a character Windows names cannot hold, and bytes that are no UTF-8,
# so no UTF-16 name)
for bad in 'bad?name.txt' $'bad\xffname.txt'; do
rm -rf "$TEST_TMP/badname"
cp -r "$FIXTURES_DIR/$fx1" "$TEST_TMP/badname"
for i in $(seq 1 20); do printf 'fine %d\r\n' "$i" >"$TEST_TMP/badname/DomainSysvol/GPO/Machine/fine$i.txt"; done
printf 'x\r\n' >"$TEST_TMP/badname/DomainSysvol/GPO/Machine/$bad"
lines=$(grep -c "import refused" "$LOG" || true)
born=$(grep -c "created GPO .* \"t57 bad name\", born at the version of its import" "$LOG" || true)
out=$( (echo "$TEST_TMP/badname create \"t57 bad name\"" >"$D/import") 2>&1) &&
	fail "an import of a file SYSVOL cannot hold ($bad) was accepted"
echo "$out" | grep -q "Invalid argument" || fail "$bad: not EINVAL: $out"
[ "$(grep -c "created GPO .* \"t57 bad name\", born at the version of its import" "$LOG")" -gt "$born" ] ||
	fail "no GPO was born for the import of a file SYSVOL cannot hold ($bad)"
[ "$(grep -c "import refused" "$LOG")" -gt "$lines" ] || fail "no log line for the refused import ($bad)"
[ -z "$(guid_of "t57 bad name")" ] || fail "the GPO born for a refused import ($bad) is left"
done
note "a file SYSVOL cannot hold, refused after a GPO was born for its import: EINVAL, the GPO deleted"
[ "$(gpo_count)" = "$before" ] || fail "a refused request left a GPO behind"
[ ! -e "$D/by-name/Never made" ] || fail "a refused create is listed"
[ "$(ver "$K")" = "$v" ] || fail "a refused request changed $K"
imported "$K" "$fx1"
note "bad requests and backups: EINVAL/ENOENT/EEXIST, a log line each, nothing changed"
gpofs_stop "$MNT"

# 5. The daemon killed (SIGKILL) while an import makes a new GPO (its
# commit held) or while a mkdir makes one (held once its directory object
# is made): the next start deletes the half-made GPO, so the name is free
# again, and leaves no journal.
CACHE=$TEST_TMP/cache
LOGF=$TEST_TMP/log/$CORP_DNS.log
export GPOFS_TEST_COMMIT_HOLD=$TEST_TMP/hold GPOFS_TEST_CREATE_HOLD=$TEST_TMP/mkhold
mount_it() { gpofs_mount_corp "$MNT" -o "cache_dir=$CACHE" "$@"; }
# cut_short NAME KIND: kill the daemon once GPO NAME is in the directory
# (its request held), mount again, and check the GPO is gone
cut_short() {
	local name=$1 kind=$2 G="" u0
	for _ in $(seq 1 300); do
		G=$(guid_of "$name")
		[ -n "$G" ] && break
		sleep 0.1
	done
	[ -n "$G" ] || fail "$kind: no GPO \"$name\" made before the hold"
	[ -e "$CACHE/journal/$CORP_DNS/$kind-$G" ] || fail "$kind: no journal of the GPO it makes"
	kill -9 "$GPOFS_PID"
	wait "$GPOFS_PID" 2>/dev/null || true
	wait "$writer" 2>/dev/null || true
	rm -f "$TEST_TMP/hold" "$TEST_TMP/mkhold"
	fusermount3 -uz "$MNT"
	u0=$(log_count "$LOGF" "$G: .* cut short was undone: the GPO it made is deleted")
	mount_it
	wait_log_more "$LOGF" "$G: .* cut short was undone: the GPO it made is deleted" "$u0"
	[ -z "$(guid_of "$name")" ] || fail "$kind: the half-made GPO $G is left"
	[ ! -e "$CORP_SYSVOL/$G" ] || fail "$kind: the SYSVOL folder of $G is left"
	[ "$(gpo_count)" = "$before" ] || fail "$kind: not as many GPOs as before"
	[ -z "$(ls "$CACHE/journal/$CORP_DNS")" ] || fail "$kind: a journal is left: $(ls "$CACHE/journal/$CORP_DNS")"
	gpofs_stop "$MNT"
}
before=$(gpo_count)
mount_it
: >"$TEST_TMP/hold"
h0=$(log_count "$LOGF" "test hook: commit held")
echo "$FIXTURES_DIR/$fx1 create \"t57 import cut short\"" >"$D/import" 2>/dev/null &
writer=$!
wait_log_more "$LOGF" "test hook: commit held" "$h0"
cut_short "t57 import cut short" import
mount_it
echo "$FIXTURES_DIR/$fx1 create \"t57 import cut short\"" >"$D/import" || fail "the retried import create failed"
g=$(guid_of "t57 import cut short")
imported "$g" "$fx1"
gpofs_stop "$MNT"
note "SIGKILL during an import into a new GPO: the next start deletes that GPO; the retry works"
before=$(gpo_count)
mount_it
: >"$TEST_TMP/mkhold"
mkdir "$D/by-name/t57 mkdir cut short" 2>/dev/null &
writer=$!
cut_short "t57 mkdir cut short" mkdir
note "SIGKILL during a mkdir of a GPO: the next start deletes the half-made GPO"

# 6. A GPO born for an import is taken as its creation listed it until its
# SYSVOL files are written, and checked in the directory then: one moved
# meanwhile by another tool fails the import with ESTALE, and the GPO made
# for it goes.
before=$(gpo_count)
mount_it
: >"$TEST_TMP/hold"
h0=$(log_count "$LOGF" "test hook: commit held")
(echo "$FIXTURES_DIR/$fx1 create \"t57 moved meanwhile\"" >"$D/import") 2>"$TEST_TMP/moved.err" &
writer=$!
wait_log_more "$LOGF" "test hook: commit held" "$h0"
g=$(guid_of "t57 moved meanwhile")
[ -n "$g" ] || fail "no GPO made for the held import"
ldap_replace "$(dn_of "$g")" versionNumber 7
rm -f "$TEST_TMP/hold"
rc=0
wait "$writer" || rc=$?
((rc != 0)) || fail "the import went through though its GPO moved in the directory"
grep -q "Stale file handle" "$TEST_TMP/moved.err" || fail "not ESTALE: $(cat "$TEST_TMP/moved.err")"
grep -q "$g: commit failed: it changed in the directory while it was written (version [0-9]*, now 7); the GPO was made for it, and goes with it" "$LOGF" ||
	fail "the log does not say why: $(tail -n 4 "$LOGF")"
[ -z "$(guid_of "t57 moved meanwhile")" ] || fail "the GPO made for the import is left"
[ ! -e "$CORP_SYSVOL/$g" ] || fail "the SYSVOL folder of $g is left"
[ "$(gpo_count)" = "$before" ] || fail "not as many GPOs as before"
gpofs_stop "$MNT"
note "a GPO born for an import and moved in the directory during its commit: ESTALE, the GPO deleted"
