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
	rm -rf "$TEST_TMP/out"
	n=$((n + 1))
done
note "$n GPMC fixtures: DomainSysvol byte-identical, core settings equal"
gpofs_stop "$MNT"
