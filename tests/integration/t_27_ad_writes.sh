#!/usr/bin/env bash
# ops/ad's write primitives against the real corp DC, driven through
# tests/integration/ad_write_probe.c (nothing mounted writes yet): SMB
# mkdir, put (inline and from a file, 20 MiB), rename with and without
# replace, set_times, unlink, rmdir, in process and through SMB workers,
# checked against smbclient's view of SYSVOL and the DC's own disk; LDAP
# add, modify, a compare-and-swap that holds and one that fails with
# ENODATA, a DACL written with the SD-flags control, a subtree delete,
# the PDC emulator's name; and an ordinary user refused (EACCES) with
# nothing changed.
source "$(dirname "$0")/lib.sh"

PROBE=${GPOFS_BUILD_DIR:-build}/tests/ad_write_probe
[ -x "$PROBE" ] || skip "no $PROBE (build first)"
# the Python that runs samba-tool has Samba's bindings (a python3 earlier in
# PATH may not)
PY=$(head -n 1 "$(command -v samba-tool)" | sed 's/^#! *//')
PY=${PY:-python3}

ADMIN_CRED=$(creds_file corp)
make_ldappw corp
probe_as() { # CREDFILE ARGS...
	local cred=$1
	shift
	"$PROBE" -d "$CORP_DNS" -s "$CORP_DC" -c "$cred" -a "$CORP_CA" "$@"
}
probe() { probe_as "$ADMIN_CRED" "$@"; }
# expect_err ERRNAME ARGS...: the probe fails with exactly that errno
expect_err() {
	local want=$1 out
	shift
	if out=$(probe "$@" 2>&1); then
		fail "probe $* succeeded; expected $want"
	fi
	grep -q "^error: $want " <<<"$out" || fail "probe $*: expected $want, got: $out"
}
smbc() { # COMMANDS: smbclient in corp's Policies folder as Administrator
	smbclient "//$CORP_DC/sysvol" -A "$CORP_AUTHFILE" --option='client signing=required' \
		-D "$CORP_DNS/Policies" -c "$1" 2>&1
}
# smb_get REL LOCAL: the file as smbclient reads it
smb_get() {
	rm -f "$2"
	smbc "get \"$1\" \"$2\"" >"$TEST_TMP/smbget.out" ||
		{ cat "$TEST_TMP/smbget.out" >&2; fail "smbclient get $1"; }
}
# smb_absent REL: smbclient does not find it
smb_absent() {
	local out
	out=$(smbc "allinfo \"$1\"") || true
	grep -q "NT_STATUS_OBJECT_NAME_NOT_FOUND\|NT_STATUS_OBJECT_PATH_NOT_FOUND" <<<"$out" ||
		fail "$1 still seen by smbclient: $out"
}

head -c $((20 * 1024 * 1024)) /dev/urandom >"$TEST_TMP/big.bin"
printf 'first\r\n' >"$TEST_TMP/first.txt"

# --- SMB, once in process and once through two workers ------------------------
for how in in-process workers; do
	W=()
	[ "$how" = workers ] && W=(-w 2)
	T=gpofs-adw-$how
	D=$CORP_SYSVOL/$T

	probe "${W[@]}" smb-mkdir "$T" || fail "$how: mkdir"
	[ -d "$D" ] || fail "$how: mkdir made no folder on the DC"
	expect_err EEXIST "${W[@]}" smb-mkdir "$T"
	expect_err EEXIST "${W[@]}" smb-mkdir "${T^^}" # SYSVOL ignores case
	probe "${W[@]}" smb-mkdir "$T/Sub" || fail "$how: mkdir Sub"

	# small, inline
	printf 'hello\r\nworld\r\n' | probe "${W[@]}" smb-put "$T/Sub/a.txt" - || fail "$how: put inline"
	smb_get "$T/Sub/a.txt" "$TEST_TMP/got"
	cmp -s "$TEST_TMP/got" <(printf 'hello\r\nworld\r\n') || fail "$how: inline put: smbclient reads other bytes"
	# empty
	probe "${W[@]}" smb-put "$T/Sub/empty" - </dev/null || fail "$how: put empty"
	[ -f "$D/Sub/empty" ] && [ ! -s "$D/Sub/empty" ] || fail "$how: the empty file is not empty on the DC"

	# 20 MiB from a local path
	start=$(date +%s.%N)
	probe "${W[@]}" smb-put "$T/big.bin" "$TEST_TMP/big.bin" || fail "$how: put 20 MiB"
	secs=$(echo "$(date +%s.%N) - $start" | bc)
	smb_get "$T/big.bin" "$TEST_TMP/got"
	cmp -s "$TEST_TMP/got" "$TEST_TMP/big.bin" || fail "$how: 20 MiB put: smbclient reads other bytes"
	note "$how: 20 MiB put in ${secs} s (a process start and sign-in included)"
	# written whole again: truncated, not overwritten in place
	probe "${W[@]}" smb-put "$T/big.bin" "$TEST_TMP/first.txt" || fail "$how: put over"
	smb_get "$T/big.bin" "$TEST_TMP/got"
	cmp -s "$TEST_TMP/got" "$TEST_TMP/first.txt" || fail "$how: a put over a larger file left other bytes"
	expect_err ENOENT "${W[@]}" smb-put "$T/no/such/dir/x" "$TEST_TMP/first.txt"
	expect_err ENOENT "${W[@]}" smb-put "$T/x" "$TEST_TMP/no-such-local-file"

	# rename: plain, refused over a file, replacing, case only
	probe "${W[@]}" smb-rename "$T/Sub/a.txt" "$T/Sub/b.txt" || fail "$how: rename"
	[ ! -e "$D/Sub/a.txt" ] && [ -f "$D/Sub/b.txt" ] || fail "$how: rename: not moved on the DC"
	probe "${W[@]}" smb-put "$T/Sub/a.txt" "$TEST_TMP/first.txt" || fail "$how: put a.txt"
	expect_err EEXIST "${W[@]}" smb-rename "$T/Sub/a.txt" "$T/Sub/b.txt"
	expect_err EEXIST "${W[@]}" smb-rename "$T/Sub/a.txt" "$T/Sub/B.TXT"
	smb_get "$T/Sub/b.txt" "$TEST_TMP/got"
	cmp -s "$TEST_TMP/got" <(printf 'hello\r\nworld\r\n') || fail "$how: a refused rename changed the target"
	smb_get "$T/Sub/a.txt" "$TEST_TMP/got"
	cmp -s "$TEST_TMP/got" "$TEST_TMP/first.txt" || fail "$how: a refused rename changed the source"
	probe "${W[@]}" smb-rename "$T/Sub/a.txt" "$T/Sub/b.txt" replace || fail "$how: rename with replace"
	smb_absent "$T/Sub/a.txt"
	smb_get "$T/Sub/b.txt" "$TEST_TMP/got"
	cmp -s "$TEST_TMP/got" "$TEST_TMP/first.txt" || fail "$how: rename with replace: b.txt is not a.txt's"
	probe "${W[@]}" smb-rename "$T/Sub/b.txt" "$T/Sub/B.txt" || fail "$how: a rename of case only"
	ls "$D/Sub" | grep -qx B.txt || fail "$how: case-only rename: the DC has $(ls "$D/Sub")"
	smbc "ls \"$T/Sub/*\"" | grep -q ' B\.txt ' || fail "$how: smbclient does not list B.txt"
	expect_err ENOENT "${W[@]}" smb-rename "$T/Sub/none" "$T/Sub/other"

	# times
	probe "${W[@]}" smb-times "$T/Sub/B.txt" 1000000000 || fail "$how: set_times"
	assert_eq "$(stat -c %Y "$D/Sub/B.txt")" 1000000000 "$how: mtime on the DC"
	assert_eq "$(probe "${W[@]}" smb-stat "$T/Sub/B.txt")" "7 1000000000" "$how: size and mtime read back"
	smbc "allinfo \"$T/Sub/B.txt\"" | grep -q "write_time:.*2001" ||
		fail "$how: smbclient's write_time is not of 2001: $(smbc "allinfo \"$T/Sub/B.txt\"")"

	# unlink, rmdir
	probe "${W[@]}" smb-unlink "$T/Sub/B.txt" || fail "$how: unlink"
	smb_absent "$T/Sub/B.txt"
	expect_err ENOENT "${W[@]}" smb-unlink "$T/Sub/B.txt"
	expect_err ENOTEMPTY "${W[@]}" smb-rmdir "$T"
	probe "${W[@]}" smb-unlink "$T/Sub/empty" || fail "$how: unlink empty"
	probe "${W[@]}" smb-rmdir "$T/Sub" || fail "$how: rmdir Sub"
	probe "${W[@]}" smb-unlink "$T/big.bin" || fail "$how: unlink big"
	probe "${W[@]}" smb-rmdir "$T" || fail "$how: rmdir"
	expect_err ENOENT "${W[@]}" smb-rmdir "$T"
	smb_absent "$T"
	[ ! -e "$D" ] || fail "$how: the folder is still on the DC"
	note "$how: mkdir, put, rename, set_times, unlink, rmdir as smbclient and the DC see them"
done

# --- a worker lost before a write: made in process, and what the lost
# request may have done counts as done --------------------------------------
T=gpofs-adw-lost
killed() { # ARGS: the probe through one worker, killed before the call
	PROBE_KILL_WORKER=1 probe -w 1 "$@" 2>"$TEST_TMP/killed.err" ||
		{ cat "$TEST_TMP/killed.err" >&2; return 1; }
	grep -q "ended: working in process instead" "$TEST_TMP/killed.err" ||
		fail "$*: the lost worker went unnoticed: $(cat "$TEST_TMP/killed.err")"
}
killed smb-mkdir "$T" || fail "mkdir, worker lost"
[ -d "$CORP_SYSVOL/$T" ] || fail "mkdir, worker lost: no folder on the DC"
killed smb-put "$T/a" "$TEST_TMP/big.bin" || fail "put, worker lost"
cmp -s "$CORP_SYSVOL/$T/a" "$TEST_TMP/big.bin" || fail "put, worker lost: other bytes on the DC"
probe smb-rename "$T/a" "$T/b" || fail "rename"
expect_err ENOENT -w 1 smb-rename "$T/a" "$T/b"
killed smb-rename "$T/a" "$T/b" || fail "a rename made already, worker lost: not taken for done"
killed smb-unlink "$T/b" || fail "unlink, worker lost"
killed smb-unlink "$T/b" || fail "an unlink made already, worker lost: not taken for done"
killed smb-rmdir "$T" || fail "rmdir, worker lost"
[ ! -e "$CORP_SYSVOL/$T" ] || fail "rmdir, worker lost: the folder is still on the DC"
note "a lost worker: the write made in process; a rename or unlink already made counts as done"

# --- connections cut under a call (ss -K) ---------------------------------------
# held PORT ARGS...: the probe signs in and waits; its connections to the
# DC's PORT are cut; then it makes its call. Output in held.out/held.err.
held() {
	local port=$1 cut
	shift
	touch "$TEST_TMP/hold"
	PROBE_HOLD=$TEST_TMP/hold probe "$@" >"$TEST_TMP/held.out" 2>"$TEST_TMP/held.err" &
	local pid=$!
	for _ in $(seq 1 200); do
		grep -q '^held$' "$TEST_TMP/held.err" && break
		sleep 0.1
	done
	cut=$(ss -K dst "$CORP_IP" dport = "$port" 2>/dev/null | grep -c ESTAB) || true
	rm -f "$TEST_TMP/hold"
	[ "$cut" -gt 0 ] || { wait "$pid" || true; skip_section "cut connections" "ss -K cut nothing"; return 2; }
	wait "$pid"
}
# SMB: cut in the middle of a put (100 MiB take a few tenths of a second):
# written again whole on a new connection
probe smb-mkdir "$T" || fail "mkdir"
head -c $((100 * 1024 * 1024)) /dev/urandom >"$TEST_TMP/huge.bin"
hit=
for delay in 0.1 0.2 0.05; do
	touch "$TEST_TMP/hold"
	PROBE_HOLD=$TEST_TMP/hold probe smb-put "$T/big" "$TEST_TMP/huge.bin" 2>"$TEST_TMP/cut.err" &
	pid=$!
	for _ in $(seq 1 200); do
		grep -q '^held$' "$TEST_TMP/cut.err" && break
		sleep 0.1
	done
	rm -f "$TEST_TMP/hold"
	sleep "$delay"
	ss -K dst "$CORP_IP" dport = 445 >/dev/null 2>&1 || true
	wait "$pid" || fail "a put cut in the middle failed: $(cat "$TEST_TMP/cut.err")"
	cmp -s "$CORP_SYSVOL/$T/big" "$TEST_TMP/huge.bin" || fail "a put cut in the middle left other bytes"
	if grep -q "connection lost .*: writing it again" "$TEST_TMP/cut.err"; then
		hit=1
		break
	fi
done
rm -f "$TEST_TMP/huge.bin"
if [ -n "$hit" ]; then
	note "SMB put cut in the middle: written whole again on a new connection"
else
	skip_section "a put cut in the middle" "three cuts missed the transfer"
fi
probe smb-unlink "$T/big" && probe smb-rmdir "$T" || fail "clean up $T"

# --- a tree: 4 workers against one connection in process and smbclient's mput --
TREE=$TEST_TMP/tree
for d in $(seq 1 10); do
	mkdir -p "$TREE/Machine/d$d"
	for f in $(seq 1 30); do
		head -c $((RANDOM * 2 + 1)) /dev/urandom >"$TREE/Machine/d$d/f$f.xml"
	done
done
cp "$TEST_TMP/big.bin" "$TREE/Machine/big.bin"
for w in 0 4; do
	T=gpofs-adw-tree-$w
	fig=$(probe -w "$w" smb-put-tree "$TREE" "$T") || fail "put-tree with $w workers"
	note "put-tree, $w workers (0: in process): $fig"
	diff -r "$TREE" "$CORP_SYSVOL/$T" >/dev/null || fail "put-tree with $w workers: the DC holds other files"
	rm -rf "${CORP_SYSVOL:?}/$T"
done
start=$(date +%s.%N)
(cd "$TREE" && smbclient "//$CORP_DC/sysvol" -A "$CORP_AUTHFILE" --option='client signing=required' \
	-c "cd $CORP_DNS/Policies; mkdir gpofs-adw-mput; cd gpofs-adw-mput; prompt off; recurse on; mput *" \
	>/dev/null 2>&1) || fail "smbclient mput"
note "smbclient recursive mput of the same tree: $(echo "$(date +%s.%N) - $start" | bc) s"
diff -r "$TREE" "$CORP_SYSVOL/gpofs-adw-mput" >/dev/null || fail "smbclient's mput differs (the comparison is void)"
rm -rf "${CORP_SYSVOL:?}/gpofs-adw-mput"

# --- LDAP ----------------------------------------------------------------------
POL="CN=Policies,CN=System,$CORP_BASEDN"
G="CN=gpofs-adw-test,$POL"
assert_eq "$(probe ldap-pdc)" "$CORP_DC" "the PDC emulator"

probe ldap-add "$G" objectClass=groupPolicyContainer displayName=adw versionNumber=5 ||
	fail "ldap add"
expect_err EEXIST ldap-add "$G" objectClass=groupPolicyContainer
probe ldap-add "CN=User,$G" objectClass=container || fail "ldap add User"
probe ldap-add "CN=Machine,$G" objectClass=container || fail "ldap add Machine"
assert_eq "$(ldap_attr "$G" displayName)" adw "displayName after add"
probe ldap-modify "$G" replace:displayName=adw2 replace:flags=0 || fail "ldap modify replace"
assert_eq "$(ldap_attr "$G" displayName)" adw2 "displayName after replace"
assert_eq "$(probe ldap-read "$G" displayName)" adw2 "displayName read by the probe"
expect_err ENOENT ldap-read "CN=none,$POL" displayName

# compare-and-swap of versionNumber: holds, then fails after another writer
probe ldap-modify "$G" delete:versionNumber=5 add:versionNumber=6 || fail "a compare-and-swap that should hold"
assert_eq "$(ldap_attr "$G" versionNumber)" 6 "versionNumber after the swap"
ldap_replace "$G" versionNumber 7 || fail "ldapmodify versionNumber"
expect_err ENODATA ldap-modify "$G" delete:versionNumber=6 add:versionNumber=8 replace:displayName=lost
assert_eq "$(ldap_attr "$G" versionNumber)" 7 "versionNumber after a failed swap"
assert_eq "$(ldap_attr "$G" displayName)" adw2 "the failed swap's other change was not applied"

# an LDAP write over a cut connection is not sent again: -EIO, unapplied;
# a read is, on a new connection
rc=0
held 636 ldap-modify "$G" replace:displayName=cut || rc=$?
if [ "$rc" -ne 2 ]; then
	[ "$rc" -ne 0 ] || fail "an LDAP modify over a cut connection succeeded (sent again?)"
	grep -q "^error: EIO " "$TEST_TMP/held.err" || fail "LDAP modify, cut: not EIO: $(cat "$TEST_TMP/held.err")"
	grep -q "may or may not have been applied" "$TEST_TMP/held.err" ||
		fail "LDAP modify, cut: l->error does not say it: $(cat "$TEST_TMP/held.err")"
	assert_eq "$(ldap_attr "$G" displayName)" adw2 "displayName after a modify over a cut connection"
	held 636 ldap-read "$G" displayName || fail "a read over a cut connection: $(cat "$TEST_TMP/held.err")"
	assert_eq "$(cat "$TEST_TMP/held.out")" adw2 "a read over a cut connection"
	note "LDAP: a write over a cut connection: EIO, not sent again; a read reconnects"
fi

# the DACL alone, with SD flags 4: an ACE added; the owner in the written
# descriptor (Builtin Users) is not applied
probe -f 7 ldap-read "$G" nTSecurityDescriptor >"$TEST_TMP/sd.bin" || fail "read the descriptor"
"$PY" - "$TEST_TMP/sd.bin" "$TEST_TMP/sd.new" <<'PY' || fail "cannot make the new descriptor"
import sys
from samba.dcerpc import security
from samba.ndr import ndr_pack, ndr_unpack
sd = ndr_unpack(security.descriptor, open(sys.argv[1], "rb").read())
ace = security.ace()
ace.type = security.SEC_ACE_TYPE_ACCESS_ALLOWED
ace.access_mask = security.SEC_ADS_READ_PROP
ace.trustee = security.dom_sid("S-1-5-32-550")  # Print Operators: in no default DACL
sd.dacl_add(ace)
sd.owner_sid = security.dom_sid("S-1-5-32-545")
open(sys.argv[2], "wb").write(ndr_pack(sd))
PY
probe -f 4 ldap-modify "$G" 'replace:nTSecurityDescriptor<'"$TEST_TMP/sd.new" || fail "write the DACL with SD flags 4"
# read back by ldapsearch with the control encoded by hand (30 03 02 01 07)
ldap_corp -b "$G" -s base -E '!1.2.840.113556.1.4.801=::MAMCAQc=' '(objectClass=*)' nTSecurityDescriptor |
	sed -n 's/^nTSecurityDescriptor:: //p' | base64 -d >"$TEST_TMP/sd.back"
sddl=$("$PY" - "$TEST_TMP/sd.back" "$TEST_TMP/sd.bin" <<'PY'
import sys
from samba.dcerpc import security
from samba.ndr import ndr_unpack
back = ndr_unpack(security.descriptor, open(sys.argv[1], "rb").read())
was = ndr_unpack(security.descriptor, open(sys.argv[2], "rb").read())
print("owner-kept" if str(back.owner_sid) == str(was.owner_sid) else "owner-changed")
print(back.as_sddl())
PY
) || fail "cannot read back the descriptor"
grep -q "owner-kept" <<<"$sddl" || fail "SD flags 4 wrote the owner too: $sddl"
grep -q ';;;PO)' <<<"$sddl" || fail "the new ACE is not in the DACL: $sddl"
note "DACL written with SD flags 4: the ACE is there, the owner was left alone"

# --- an ordinary user: refused, nothing changes --------------------------------
export KRB5CCNAME=FILE:$(ccache corp)
USER_NAME=gpofs-adw
( umask 077; head -c 12 /dev/urandom | base64 | tr -d '/+=' | sed 's/$/-Aa1!/' >"$TEST_TMP/pw" )
"$PY" "$GPOFS_HARNESS/add_user.py" corp "$USER_NAME" "$TEST_TMP/pw" >/dev/null ||
	fail "cannot make the user $USER_NAME"
( umask 077; printf 'username=%s\npassword=%s\ndomain=%s\n' "$USER_NAME" \
	"$(cat "$TEST_TMP/pw")" "$CORP_NETBIOS" >"$TEST_TMP/user.cred" )
GD="CN=$GPO_REGISTRY,$POL"
GFOLDER=$(ls "$CORP_SYSVOL" | grep -ixF "$GPO_REGISTRY")
[ -n "$GFOLDER" ] || fail "no SYSVOL folder for $GPO_REGISTRY"
MFOLDER=$(ls "$CORP_SYSVOL/$GFOLDER" | grep -ixF machine)
ver=$(ldap_attr "$GD" versionNumber)
[ -n "$ver" ] || fail "cannot read versionNumber of $GD"
out=$(probe_as "$TEST_TMP/user.cred" ldap-modify "$GD" "replace:versionNumber=$((ver + 1))" 2>&1) &&
	fail "an ordinary user modified a GPO"
grep -q "^error: EACCES " <<<"$out" || fail "LDAP modify as a user: not EACCES: $out"
assert_eq "$(ldap_attr "$GD" versionNumber)" "$ver" "versionNumber after the refused modify"
out=$(probe_as "$TEST_TMP/user.cred" -w 1 smb-put "$GFOLDER/$MFOLDER/adw.txt" "$TEST_TMP/first.txt" 2>&1) &&
	fail "an ordinary user wrote into a GPO's SYSVOL folder"
grep -q "^error: EACCES " <<<"$out" || fail "SYSVOL put as a user: not EACCES: $out"
[ ! -e "$CORP_SYSVOL/$GFOLDER/$MFOLDER/adw.txt" ] || fail "the refused put left a file"
out=$(probe_as "$TEST_TMP/user.cred" smb-mkdir "$GFOLDER/adw" 2>&1) &&
	fail "an ordinary user made a folder in a GPO"
grep -q "^error: EACCES " <<<"$out" || fail "SYSVOL mkdir as a user: not EACCES: $out"
note "an ordinary user: EACCES for LDAP modify, SYSVOL put and mkdir; nothing changed"

# --- subtree delete ------------------------------------------------------------
expect_err ENOTEMPTY ldap-delete "$G"
probe ldap-delete "$G" tree || fail "subtree delete"
expect_err ENOENT ldap-read "$G" displayName
expect_err ENOENT ldap-read "CN=User,$G" cn
expect_err ENOENT ldap-delete "$G" tree
note "LDAP: add, replace, compare-and-swap (ENODATA when changed), DACL, subtree delete, PDC $CORP_DC"
