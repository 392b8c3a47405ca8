#!/usr/bin/env bash
# Creating and deleting a GPO (ops/domain gpo_domain_create/delete, through
# tests/gpo_create_probe) against the corp DC, checked with Samba's own
# tools: samba-tool sees the GPO with its name and reports nothing with
# `gpo aclcheck` (the folder's ACL is exactly what Samba derives from the
# directory's); the SYSVOL folder and the directory object hold what
# samba-tool gpo create makes; a name taken (in any case) is EEXIST and
# makes nothing; a failure half-way (a file in the folder's way, the DC
# stopped) undoes what was made or says what it could not; delete removes
# both halves; an ordinary user gets EACCES and nothing is made; a
# Kerberos sign-in works the same; and a DACL changed in the directory
# (a security-filtering group, a deny, Pre-Windows 2000; not protected;
# protected and auto-inherited as a Windows-made GPO's) is carried to the
# folder so that aclcheck agrees again.
source "$(dirname "$0")/lib.sh"

PROBE=${GPOFS_BUILD_DIR:-build}/tests/gpo_create_probe
[[ -x $PROBE ]] || skip "no $PROBE (build first)"
SAMBA_PY=$(head -n 1 "$(command -v samba-tool)" | sed 's/^#! *//')
"$SAMBA_PY" -c 'import samba.samba3.libsmb_samba_internal' 2>/dev/null ||
	skip "Samba's python bindings are missing ($SAMBA_PY)"

export KRB5CCNAME=FILE:$(ccache corp)
CRED=$(creds_file corp)
OPTS="domain=$CORP_DNS,credentials=$CRED,tls_cacert=$CORP_CA"
PDIR=$TEST_TMP/probe
mkdir -p "$PDIR"
LOG=$PDIR/log/$CORP_DNS.log
CREATED=()
REF_GPOS=()

probe() { "$PROBE" -t "$PDIR" -o "$OPTS" "$@"; }
st() { samba-tool "$@" -H "ldap://$CORP_DC" --use-kerberos=required -N </dev/null; }

# Every GPO the test made goes again, whatever happened.
cleanup() {
	local g
	for g in "${CREATED[@]}"; do
		probe delete "$g" >/dev/null 2>&1 || true
	done
	for g in "${REF_GPOS[@]}"; do
		st gpo del "$g" >/dev/null 2>&1 || true
	done
	# the Policies container as it was, should the test stop half-way
	[[ -z ${POL_DACL:-} ]] || set_dacl_dn "$POL" "$POL_DACL" || true
	cleanup_mounts
}
trap cleanup EXIT

# aclcheck stops at the first GPO it finds wrong, with an error
aclcheck() {
	local out
	out=$(st gpo aclcheck 2>&1) || { echo "$out"; return 1; }
	[[ -z $out ]] || { echo "$out"; return 1; }
}

gpo_count() { st gpo listall | grep -c '^GPO  '; }
folder_count() { find "$CORP_SYSVOL" -mindepth 1 -maxdepth 1 | wc -l; }
gpo_dn() { echo "CN=$1,CN=Policies,CN=System,$CORP_BASEDN"; }
object_exists() {
	ldap_gssapi corp -b "$(gpo_dn "$1")" -s base dn 2>/dev/null | grep -q '^dn:'
}
# release_dc_stopped PID HOLD WHAT: stops the DC, lets the creation held
# in PID go on (HOLD removed), and starts the DC again once it ended; WHAT
# must have failed
release_dc_stopped() {
	local rc=0
	dc_stop corp
	rm -f "$2"
	wait "$1" || rc=$?
	dc_start corp || fail "the corp DC did not start again"
	((rc != 0)) || fail "$3 went through with the DC stopped"
}

# The folder's ACL as Samba's python reads it, and what Samba derives
# from the directory's descriptor: the comparison aclcheck makes, for one
# GPO, both printed.
acl_pair() {
	"$SAMBA_PY" - "$1" <<'PY'
import os, sys
from samba import credentials
from samba.dcerpc import security
from samba.ndr import ndr_unpack
from samba.ntacls import dsacl2fsacl
from samba.samba3 import libsmb_samba_internal as libsmb, param as s3param
from samba.samdb import SamDB
from samba.auth import system_session
from samba.param import LoadParm
guid = sys.argv[1]
env = os.environ
lp = LoadParm()
lp.load(env["CORP_SMBCONF"])
creds = credentials.Credentials()
creds.guess(lp)
creds.set_kerberos_state(credentials.MUST_USE_KERBEROS)
samdb = SamDB(url="ldap://" + env["CORP_DC"], session_info=system_session(),
              credentials=creds, lp=lp)
sid = security.dom_sid(samdb.get_domain_sid())
dn = "CN=%s,CN=Policies,CN=System,%s" % (guid, env["CORP_BASEDN"])
res = samdb.search(dn, scope=0, attrs=["nTSecurityDescriptor"],
                   controls=["sd_flags:1:15"])
ds = ndr_unpack(security.descriptor, res[0]["nTSecurityDescriptor"][0]).as_sddl()
s3 = s3param.get_context()
s3.load(env["CORP_SMBCONF"])
creds.set_smb_signing(credentials.SMB_SIGNING_REQUIRED)
conn = libsmb.Conn(env["CORP_DC"], "sysvol", lp=s3, creds=creds)
fs = conn.get_acl("%s\\Policies\\%s" % (env["CORP_DNS"], guid),
                  security.SECINFO_OWNER | security.SECINFO_GROUP |
                  security.SECINFO_DACL)
print(fs.as_sddl(sid))
print(dsacl2fsacl(ds, sid))
PY
}

# Sets the DACL of a GPO's directory object (SD flags 4: the DACL only).
set_dacl() { set_dacl_dn "$(gpo_dn "$1")" "$2"; }

# The DACL of a directory object, as SDDL; and setting it (SD flags 4).
dacl_of_dn() { set_dacl_dn "$1" ""; }
set_dacl_dn() {
	"$SAMBA_PY" - "$1" "$2" <<'PY'
import os, sys
from samba import credentials
from samba.dcerpc import security
from samba.ndr import ndr_pack
from samba.samdb import SamDB
from samba.auth import system_session
from samba.param import LoadParm
import ldb
dn, sddl = sys.argv[1:3]
env = os.environ
lp = LoadParm()
lp.load(env["CORP_SMBCONF"])
creds = credentials.Credentials()
creds.guess(lp)
creds.set_kerberos_state(credentials.MUST_USE_KERBEROS)
samdb = SamDB(url="ldap://" + env["CORP_DC"], session_info=system_session(),
              credentials=creds, lp=lp)
sid = security.dom_sid(samdb.get_domain_sid())
if not sddl:
    from samba.ndr import ndr_unpack
    res = samdb.search(dn, scope=0, attrs=["nTSecurityDescriptor"],
                       controls=["sd_flags:1:4"])
    print(ndr_unpack(security.descriptor, res[0]["nTSecurityDescriptor"][0]).as_sddl(sid))
    sys.exit(0)
m = ldb.Message()
m.dn = ldb.Dn(samdb, dn)
m["nTSecurityDescriptor"] = ldb.MessageElement(
    ndr_pack(security.descriptor.from_sddl(sddl, sid)), ldb.FLAG_MOD_REPLACE,
    "nTSecurityDescriptor")
samdb.modify(m, controls=["sd_flags:1:4"])
PY
}

out=$(aclcheck) || fail "aclcheck is not clean before the test: $out"
n_gpos=$(gpo_count)
n_folders=$(folder_count)

# --- create --------------------------------------------------------------
NAME="gpofs created $$"
t0=$EPOCHREALTIME
G=$(probe create "$NAME") || fail "create failed"
CREATED+=("$G")
secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
[[ $G =~ ^\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}$ ]] || fail "not an upper-case GUID: $G"
note "created $G in ${secs}s (sign-in included); listed at once under its name"

show=$(st gpo show "$G") || fail "samba-tool gpo show $G failed"
grep -q "^display name : $NAME\$" <<<"$show" || fail "samba-tool shows another name: $show"
grep -q '^version      : 0$' <<<"$show" || fail "version not 0: $show"
grep -q '^flags        : NONE$' <<<"$show" || fail "flags not 0: $show"
st gpo listall | grep -A1 "^GPO          : $G\$" | grep -q "^display name : $NAME\$" ||
	fail "samba-tool gpo listall does not list $G as $NAME"
out=$(aclcheck) || fail "aclcheck after create: $out"
mapfile -t pair < <(acl_pair "$G")
note "folder ACL: ${pair[0]}"
[[ -n ${pair[0]} && ${pair[0]} == "${pair[1]}" ]] ||
	fail "folder ACL ${pair[0]} is not what Samba derives: ${pair[1]}"

make_ldappw corp
ldap_entry "$(gpo_dn "$G")" displayName gPCFileSysPath versionNumber gPCFunctionalityVersion flags
assert_eq "${ENTRY[displayName]:-}" "$NAME" displayName
assert_eq "${ENTRY[gPCFileSysPath]:-}" "\\\\$CORP_DNS\\sysvol\\$CORP_DNS\\Policies\\$G" gPCFileSysPath
assert_eq "${ENTRY[versionNumber]:-}" 0 versionNumber
assert_eq "${ENTRY[gPCFunctionalityVersion]:-}" 2 gPCFunctionalityVersion
assert_eq "${ENTRY[flags]:-}" 0 flags
kids=$(ldap_corp -b "$(gpo_dn "$G")" -s one "(objectClass=container)" cn | sed -n 's/^cn: //p' | sort | tr '\n' ' ')
assert_eq "$kids" "Machine User " "containers under $G"

F=$CORP_SYSVOL/$G
[[ -d $F/Machine && -d $F/User && -f $F/GPT.INI ]] || fail "$F lacks Machine/, User/ or GPT.INI: $(ls -la "$F")"
assert_eq "$(find "$F" -mindepth 1 | sed "s|^$F/||" | sort | tr '\n' ' ')" "GPT.INI Machine User " "the new folder"
cmp -s "$F/GPT.INI" <(printf '[General]\r\nVersion=0\r\n') || fail "GPT.INI is $(od -c "$F/GPT.INI")"
# What is inside has the ACLs it has in a GPO samba-tool made: Machine/,
# User/ and GPT.INI were made after the folder's ACL was set, and inherit
# it (the Apply Group Policy ACE exists nowhere above the GPO). Samba's
# file server gives the inherited object ACE an object type of whatever
# was in memory, or none, from one file to the next (seen in 4.17): the
# object GUIDs of inherited ACEs are not compared.
REF=$(st gpo create "samba-tool reference $$" --tmpdir "$TEST_TMP" | grep -o '{[0-9A-F-]*}') ||
	fail "samba-tool gpo create failed"
REF_GPOS+=("$REF")
file_acl() {
	smbcacls "//$CORP_DC/sysvol" "$CORP_DNS/Policies/$1" --use-kerberos=required -N --sddl 2>&1 |
		sed -E 's/\((OA;[A-Z]*;[^;]*);[0-9a-f-]*;[0-9a-f-]*;/(\1;;;/g'
}
for p in Machine User GPT.INI; do
	ours=$(file_acl "$G/$p") || fail "smbcacls $G/$p: $ours"
	ref=$(file_acl "$REF/$p") || fail "smbcacls $REF/$p: $ref"
	assert_eq "$ours" "$ref" "the ACL of $p"
	grep -q '(OA;' <<<"$ours" || fail "$p did not inherit the GPO's ACL: $ours"
done
st gpo del "$REF" >/dev/null || fail "samba-tool gpo del $REF"
REF_GPOS=()
grep -q "created GPO $G \"$NAME\"" "$LOG" || fail "the log does not say: $(cat "$LOG")"
note "directory object, containers, SYSVOL folder and GPT.INI as samba-tool makes them; aclcheck clean"

# --- the name taken --------------------------------------------------------
n1=$(gpo_count)
f1=$(folder_count)
err=$(probe create "${NAME^^}" 2>&1) && fail "a second GPO named ${NAME^^} was made"
grep -q '^error: EEXIST: the name is taken' <<<"$err" || fail "not EEXIST: $err"
assert_eq "$(gpo_count)" "$n1" "GPOs after EEXIST"
assert_eq "$(folder_count)" "$f1" "SYSVOL folders after EEXIST"
err=$(probe create-guid "$G" "another name $$" 2>&1) && fail "a second GPO $G was made"
grep -q "^error: EEXIST: GPO $G exists" <<<"$err" || fail "not EEXIST: $err"
note "a name taken (in another case), or a GUID: EEXIST, nothing made"

# --- bad names --------------------------------------------------------------
for bad in "" "$(printf 'x%.0s' {1..257})" "$(printf 'bad\xff')"; do
	err=$(probe create "$bad" 2>&1) && fail "created a GPO named '${bad:0:20}'"
	grep -qE '^error: (EINVAL|ENAMETOOLONG)' <<<"$err" || fail "bad name: $err"
done
assert_eq "$(gpo_count)" "$n1" "GPOs after bad names"
note "empty, too long, not UTF-8: EINVAL/ENAMETOOLONG"

# --- a failure half-way: something in the folder's way ----------------------
G2=$(python3 -c 'import uuid; print("{%s}" % str(uuid.uuid4()).upper())')
printf 'in the way\n' >"$TEST_TMP/inway"
smb_krb corp sysvol "cd $CORP_DNS/Policies; put $TEST_TMP/inway $G2" >/dev/null 2>&1 ||
	fail "cannot put a file named $G2"
err=$(probe create-guid "$G2" "half way $$" 2>&1) && { CREATED+=("$G2"); fail "created over a file"; }
grep -q '^error: EEXIST: cannot create the SYSVOL folder' <<<"$err" || fail "not EEXIST at the folder: $err"
object_exists "$G2" && { CREATED+=("$G2"); fail "the directory object of $G2 was left behind"; }
st gpo listall | grep -q "half way $$" && fail "samba-tool still lists the half-made GPO"
cmp -s "$CORP_SYSVOL/$G2" "$TEST_TMP/inway" || fail "the file in the way was touched"
grep -q "creating GPO \"half way $$\" failed: .*(what was made is removed again)" "$LOG" ||
	fail "the log does not say it was undone: $(tail -n 3 "$LOG")"
smb_krb corp sysvol "cd $CORP_DNS/Policies; del $G2" >/dev/null 2>&1 || true
out=$(aclcheck) || fail "aclcheck after an undone create: $out"
note "the SYSVOL step failed: the directory object was removed again, the file left alone"

# --- a failure half-way: the DC stopped ---------------------------------------
hold=$TEST_TMP/hold
touch "$hold"
GPOFS_TEST_CREATE_HOLD=$hold "$PROBE" -t "$PDIR" -o "$OPTS" create "dc stopped $$" \
	>"$TEST_TMP/held.out" 2>"$TEST_TMP/held.err" &
held=$!
for _ in $(seq 1 300); do
	grep -q 'test hook: creation of' "$TEST_TMP/held.err" && break
	kill -0 "$held" 2>/dev/null || break
	sleep 0.1
done
G3=$(grep -o 'creation of {[0-9A-F-]*}' "$TEST_TMP/held.err" | grep -o '{.*}') ||
	fail "the creation was not held: $(cat "$TEST_TMP/held.err")"
CREATED+=("$G3")
object_exists "$G3" || fail "held after the directory object, but there is none"
release_dc_stopped "$held" "$hold" "the creation"
grep -qE '^error: (EIO|ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH)' "$TEST_TMP/held.err" ||
	fail "not a DC failure: $(cat "$TEST_TMP/held.err")"
grep -q "creating GPO $G3 \"dc stopped $$\" failed: .* could not be removed again .*: delete $G3" "$LOG" ||
	fail "the log does not say what was left: $(tail -n 3 "$LOG")"
# what could not be undone with the DC away, delete removes
for _ in $(seq 1 30); do probe list >/dev/null 2>&1 && break; sleep 1; done
probe delete "$G3" || fail "delete of the half-made $G3"
object_exists "$G3" && fail "$G3 is still in the directory"
[[ -e $CORP_SYSVOL/$G3 ]] && fail "$G3 is still in SYSVOL"
note "the DC stopped half-way: EIO, the log names what was left, delete removes it"

# --- delete ------------------------------------------------------------------
probe delete "$G" || fail "delete $G"
object_exists "$G" && fail "$G is still in the directory"
[[ -e $F ]] && fail "$F is still there"
st gpo listall | grep -q "^GPO          : $G\$" && fail "samba-tool still lists $G"
err=$(probe delete "$G" 2>&1) && fail "a second delete of $G succeeded"
grep -q '^error: ENOENT' <<<"$err" || fail "not ENOENT: $err"
grep -q "deleted GPO $G\$" "$LOG" || fail "the log does not say: $(tail -n 2 "$LOG")"
assert_eq "$(gpo_count)" "$n_gpos" "GPOs after delete"
assert_eq "$(folder_count)" "$n_folders" "SYSVOL folders after delete"
note "delete removes the directory object and the folder; again: ENOENT"

# --- an ordinary user ----------------------------------------------------------
USER_NAME=gpofs-cr-$$
( umask 077; head -c 12 /dev/urandom | base64 | tr -d '/+=' | sed 's/$/-Aa1!/' >"$TEST_TMP/pw" )
"$SAMBA_PY" "$GPOFS_HARNESS/add_user.py" corp "$USER_NAME" "$TEST_TMP/pw" >/dev/null ||
	fail "cannot make the user $USER_NAME"
( umask 077; printf 'username=%s\npassword=%s\ndomain=%s\n' "$USER_NAME" \
	"$(cat "$TEST_TMP/pw")" "$CORP_NETBIOS" >"$TEST_TMP/user.cred" )
err=$("$PROBE" -t "$PDIR" -o "domain=$CORP_DNS,credentials=$TEST_TMP/user.cred,tls_cacert=$CORP_CA" \
	create "user's $$" 2>&1) && fail "an ordinary user created a GPO"
grep -q '^error: EACCES' <<<"$err" || fail "not EACCES: $err"
st gpo listall | grep -q "user's $$" && fail "the refused GPO is listed"
assert_eq "$(gpo_count)" "$n_gpos" "GPOs after EACCES"
assert_eq "$(folder_count)" "$n_folders" "SYSVOL folders after EACCES"
note "an ordinary user: EACCES ($(grep "^error:" <<<"$err")), nothing made"

# --- Kerberos ----------------------------------------------------------------
KOPTS="domain=$CORP_DNS,krb5"
GK=$("$PROBE" -t "$PDIR" -o "$KOPTS" create "kerberos $$") || fail "create with Kerberos"
CREATED+=("$GK")
out=$(aclcheck) || fail "aclcheck after a Kerberos create: $out"
note "Kerberos: created $GK, aclcheck clean"

# --- a DACL changed in the directory, carried to the folder --------------------
S=$CORP_SID
for dacl in \
	"D:P(A;CI;RPWPCCDCLCLORCWOWDSDDTSW;;;DA)(A;CI;RPWPCCDCLCLORCWOWDSDDTSW;;;EA)(A;CIIO;RPWPCCDCLCLORCWOWDSDDTSW;;;CO)(A;CI;RPWPCCDCLCLORCWOWDSDDTSW;;;SY)(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;$CORP_SID_GG_FINANCE_USERS)(A;CI;RPLCLORC;;;$CORP_SID_GG_FINANCE_USERS)(D;;WP;;;$CORP_SID_GG_SERVER_ADMINS)(A;;RPLCLORC;;;RU)(A;CI;RPLCLORC;;;ED)" \
	"D:AI(A;CI;RPWPCCDCLCLORCWOWDSDDTSW;;;DA)(A;CI;RPLCLORC;;;AU)(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)(A;;RP;;;$S-1106)" \
	"D:PAI(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)(A;;RPWPCCDCLCLORCWOWDSDDTSW;;;DA)(A;CI;RPWPCCDCLCLORCWOWDSDDTSW;;;DA)(A;CI;RPWPCCDCLCLORCWOWDSDDTSW;;;EA)(A;CI;RPLCLORC;;;ED)(A;CI;RPLCLORC;;;AU)(A;CI;RPWPCCDCLCLORCWOWDSDDTSW;;;SY)(A;CIIO;RPWPCCDCLCLORCWOWDSDDTSW;;;CO)"; do
	set_dacl "$GK" "$dacl" || fail "cannot set the DACL $dacl"
	out=$(aclcheck) && fail "aclcheck did not see the folder ACL go stale"
	grep -q "Invalid GPO ACL" <<<"$out" || fail "aclcheck: $out"
	probe set-acl "$GK" || fail "set-acl $GK"
	out=$(aclcheck) || fail "aclcheck after set-acl of $dacl: $out"
	mapfile -t pair < <(acl_pair "$GK")
	[[ ${pair[0]} == "${pair[1]}" ]] || fail "folder ACL ${pair[0]}, Samba derives ${pair[1]}"
	note "folder ACL carried: ${pair[0]}"
done
probe delete "$GK" || fail "delete $GK"
CREATED=()
out=$(aclcheck) || fail "aclcheck at the end: $out"
note "a changed DACL (filtering group, deny, Pre-Windows 2000; unprotected; GPMC's D:PAI) carried to the folder; aclcheck clean"

# --- a mount's next GPOs: the folder made beside the directory add ------------
# A mount makes a GPO's SYSVOL folder with the ACL its last new GPO got,
# while the DC adds the directory object; the descriptor the DC gave is
# read all the same, and a folder it does not match gets its own before
# anything goes in. A new GPO's DACL is the schema's default, protected:
# an ACE the Policies container hands down changes nothing. A wrong
# guess is made by a test hook (GPOFS_TEST_BORN_SDDL) on a second mount.
MNT=$TEST_TMP/mnt
BY=$MNT/domains/$CORP_DNS/by-name
MLOG=$MNT/domains/$CORP_DNS/log
guid_named() { st gpo listall | grep -B1 "^display name : $1\$" | sed -n 's/^GPO *: //p'; }
# early_made NAME WORDS: mkdir by-name/NAME, its GPO (into GE) created
# with the log's WORDS, its folder ACL what Samba derives (into EPAIR)
early_made() {
	mkdir "$BY/$1" || fail "mkdir by-name/$1"
	GE=$(guid_named "$1")
	[[ -n $GE ]] || fail "no GPO named $1"
	CREATED+=("$GE")
	grep -F "created GPO $GE " "$MLOG" | grep -qF -- "$2" ||
		fail "$1: the log does not say \"$2\": $(grep -F "created GPO $GE" "$MLOG")"
	mapfile -t EPAIR < <(acl_pair "$GE")
	[[ -n ${EPAIR[0]} && ${EPAIR[0]} == "${EPAIR[1]}" ]] ||
		fail "$1: folder ACL ${EPAIR[0]}, Samba derives ${EPAIR[1]}"
}
POL="CN=Policies,CN=System,$CORP_BASEDN"
gpofs_mount_corp "$MNT"
early_made "early a $$" "created GPO"
grep -F "created GPO $GE " "$MLOG" | grep -qF "beside the directory add" &&
	fail "the mount's first GPO was made beside the add, with nothing to go by"
A1=${EPAIR[0]}
early_made "early b $$" "with the ACL the last GPO got, as this one's is"
assert_eq "${EPAIR[0]}" "$A1" "the second GPO's folder ACL"
POL_DACL=$(dacl_of_dn "$POL") || fail "cannot read the DACL of $POL"
[[ $POL_DACL == D:* ]] || fail "the DACL of $POL: $POL_DACL"
set_dacl_dn "$POL" "$POL_DACL(A;CI;RPLCLORC;;;$CORP_SID_GG_FINANCE_USERS)" ||
	fail "cannot add an ACE to $POL"
early_made "early c $$" "with the ACL the last GPO got, as this one's is"
assert_eq "${EPAIR[0]}" "$A1" "the folder ACL with an ACE on the Policies container"
set_dacl_dn "$POL" "$POL_DACL" || fail "cannot put $POL back"
POL_DACL=
gpofs_stop "$MNT"
# a guess the DC does not bear out: the folder is given its own
export GPOFS_TEST_BORN_SDDL="${A1}(A;OICI;0x001200a9;;;$CORP_SID_GG_FINANCE_USERS)"
gpofs_mount_corp "$MNT"
unset GPOFS_TEST_BORN_SDDL
for n in d e; do
	early_made "early $n $$" "then given its own: the DC gave it another descriptor"
	assert_eq "${EPAIR[0]}" "$A1" "the folder ACL set again"
	for f in Machine User GPT.INI; do
		acl=$(file_acl "$GE/$f") || fail "smbcacls $GE/$f: $acl"
		grep -q '(OA;' <<<"$acl" || fail "$f did not inherit the GPO's ACL: $acl"
		grep -q "$CORP_SID_GG_FINANCE_USERS" <<<"$acl" &&
			fail "$f was made before the folder got its own ACL: $acl"
	done
done
gpofs_stop "$MNT"
# the folder's side failing half-way (an ACL Samba refuses): the object
# the DC added meanwhile goes again, and nothing is left
n_before=$(gpo_count) f_before=$(folder_count)
export GPOFS_TEST_BORN_SDDL="not an SDDL"
gpofs_mount_corp "$MNT"
unset GPOFS_TEST_BORN_SDDL
mkdir "$BY/early f $$" 2>"$TEST_TMP/early.err" && fail "a GPO was made with an ACL Samba refuses"
grep -F "creating GPO \"early f $$\" failed: " "$MLOG" | grep -qF "(what was made is removed again)" ||
	fail "the log does not say it was undone: $(tail -n 3 "$MLOG")"
gpofs_stop "$MNT"
assert_eq "$(gpo_count)" "$n_before" "GPOs after the folder's side failed"
assert_eq "$(folder_count)" "$f_before" "SYSVOL folders after the folder's side failed"
# the DC stopped half-way through a mount's next GPO (its folder made
# beside the directory add, held once both are there): mkdir fails with
# the DC's errno, the log names what is left, and the mount's next start
# deletes it (its crash journal)
n_before=$(gpo_count) f_before=$(folder_count)
hold=$TEST_TMP/hold-early
rm -f "$hold"
export GPOFS_TEST_CREATE_HOLD=$hold
gpofs_mount_corp "$MNT" -o "cache_dir=$TEST_TMP/cache-early"
unset GPOFS_TEST_CREATE_HOLD
early_made "early g $$" "created GPO"
touch "$hold"
mkdir "$BY/early h $$" 2>"$TEST_TMP/early-h.err" &
held=$!
GH=
for _ in $(seq 1 300); do
	GH=$(grep -o 'creation of {[0-9A-F-]*} held' "$TEST_TMP/gpofs.log" 2>/dev/null | tail -n 1 | grep -o '{.*}') && break
	kill -0 "$held" 2>/dev/null || break
	sleep 0.1
done
[[ -n $GH ]] || fail "the creation was not held: $(tail -n 3 "$TEST_TMP/gpofs.log")"
CREATED+=("$GH")
object_exists "$GH" || fail "held after the directory object, but there is none"
[[ -d $CORP_SYSVOL/$GH ]] || fail "held with no folder: not made beside the directory add"
release_dc_stopped "$held" "$hold" mkdir
grep -qE 'Input/output error|Connection refused|timed out|No route' "$TEST_TMP/early-h.err" ||
	fail "mkdir: not a DC failure: $(cat "$TEST_TMP/early-h.err")"
grep -qF "creating GPO $GH \"early h $$\" failed: " "$MLOG" ||
	fail "the log does not say the creation failed: $(tail -n 3 "$MLOG")"
grep -F "creating GPO $GH \"early h $$\" failed: " "$MLOG" | grep -q "could not be removed again .*: delete $GH" ||
	fail "the log does not say what was left: $(grep -F "$GH" "$MLOG")"
gpofs_stop "$MNT"
for _ in $(seq 1 30); do probe list >/dev/null 2>&1 && break; sleep 1; done
gpofs_mount_corp "$MNT" -o "cache_dir=$TEST_TMP/cache-early"
for _ in $(seq 1 100); do grep -qF "$GH: " "$MLOG" 2>/dev/null && grep -F "$GH: " "$MLOG" | grep -q "cut short" && break; sleep 0.1; done
grep -F "$GH: " "$MLOG" | grep -q "cut short was undone: the GPO it made is deleted" ||
	fail "the next start did not delete $GH: $(grep -F "$GH" "$MLOG")"
gpofs_stop "$MNT"
object_exists "$GH" && fail "$GH is still in the directory"
[[ -e $CORP_SYSVOL/$GH ]] && fail "$GH is still in SYSVOL"
mapfile -t CREATED < <(printf '%s\n' "${CREATED[@]}" | grep -vxF "$GH")
assert_eq "$(gpo_count)" "$((n_before + 1))" "GPOs after the DC stopped half-way (early g made)"
assert_eq "$(folder_count)" "$((f_before + 1))" "SYSVOL folders after the DC stopped half-way"
for g in "${CREATED[@]}"; do
	probe delete "$g" || fail "delete $g"
done
CREATED=()
out=$(aclcheck) || fail "aclcheck after the mount's GPOs: $out"
note "a mount's next GPOs get their folders beside the directory add (an ACE on the Policies container changes nothing: the DACL is protected); a wrong guess: the folder given its own ACL before Machine/, User/ and GPT.INI; the folder side failing: the object removed again, nothing left; the DC stopped half-way: mkdir fails, the next start deletes what was left; aclcheck clean"
