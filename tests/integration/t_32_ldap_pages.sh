#!/usr/bin/env bash
# A paged search of the GPO list that loses its connection after the first
# page (the DC restarted in between) is run again from the start, and each
# GPO is listed once: no entry of the lost attempt is kept. The GPO list
# is made to take two pages, and held between them while the DC restarts,
# by gpofs's test-only hooks (GPOFS_TEST_LDAP_PAGE_SIZE,
# GPOFS_TEST_LDAP_HOLD; see ops/gpo_ldap.h).
source "$(dirname "$0")/lib.sh"

MNT=$TEST_TMP/mnt
D=$MNT/domains/$CORP_DNS
HOLD=$TEST_TMP/hold
make_ldappw corp

ldap_corp -b "CN=Policies,CN=System,$CORP_BASEDN" -s one \
	"(objectClass=groupPolicyContainer)" cn | sed -n 's/^cn: //p' |
	tr '[:lower:]' '[:upper:]' | sort >"$TEST_TMP/ldap.list"
n=$(wc -l <"$TEST_TMP/ldap.list")
[ "$n" -ge 4 ] || fail "only $n GPOs in the directory (test set-up)"
page=$(((n + 1) / 2))

export GPOFS_TEST_LDAP_PAGE_SIZE=$page GPOFS_TEST_LDAP_HOLD=$HOLD
gpofs_mount_corp "$MNT"
unset GPOFS_TEST_LDAP_PAGE_SIZE GPOFS_TEST_LDAP_HOLD
ls "$D/gpos" >"$TEST_TMP/first.list"
diff -u "$TEST_TMP/ldap.list" "$TEST_TMP/first.list" ||
	fail "the GPO list in pages of $page differs from ldapsearch's"
note "$n GPOs listed in pages of $page"

# The next listing re-reads the list (past its 5 s), in two pages; the
# search is held after the first while the DC restarts.
touch "$HOLD"
sleep 5.5
ls "$D/gpos" >"$TEST_TMP/after.list" 2>"$TEST_TMP/after.err" &
ls_pid=$!
for _ in $(seq 1 100); do
	grep -q "test hook: search held after page 1" "$TEST_TMP/gpofs.log" && break
	sleep 0.1
done
grep -q "test hook: search held after page 1" "$TEST_TMP/gpofs.log" ||
	{ rm -f "$HOLD"; fail "the search was not held after its first page"; }
dc_stop corp
dc_start corp
note "corp DC restarted after the first page"
rm -f "$HOLD"
wait "$ls_pid" || { cat "$TEST_TMP/after.err" >&2; fail "ls gpos/ failed after the DC restarted"; }
grep -q "reconnected" "$TEST_TMP/gpofs.log" || fail "gpofs did not reconnect: the search was not repeated"
dups=$(sort "$TEST_TMP/after.list" | uniq -d)
[ -z "$dups" ] || fail "GPOs listed twice after the repeated search: $(echo $dups)"
diff -u "$TEST_TMP/ldap.list" <(sort "$TEST_TMP/after.list") ||
	fail "the GPO list after the repeated search differs from ldapsearch's"
# by-name/ is built from the same list: a GPO there twice would be shown
# as two "<name> ({GUID})" entries of one GUID.
ls "$D/by-name" | grep -oE '\(\{[0-9A-F-]{36}\}\)$' | sort | uniq -d >"$TEST_TMP/dupnames"
[ ! -s "$TEST_TMP/dupnames" ] || fail "by-name/ names a GPO twice: $(cat "$TEST_TMP/dupnames")"
note "after the repeated search: each of the $n GPOs once in gpos/ and by-name/"
gpofs_stop "$MNT"
