#!/usr/bin/env bash
# An error keeps its meaning up to the user: a GPO file the mounting
# account may not read gives EACCES (Permission denied), not EIO, and the
# domain's log says which file and why. The account is an ordinary user,
# made here; the file's ACL on the DC allows administrators only.
source "$(dirname "$0")/lib.sh"

MNT=$TEST_TMP/mnt
USER_NAME=gpofs-errno
FILE=$CORP_SYSVOL/$GPO_REGISTRY/Machine/registry.pol
export KRB5CCNAME=FILE:$(ccache corp)

( umask 077; head -c 12 /dev/urandom | base64 | tr -d '/+=' | sed 's/$/-Aa1!/' >"$TEST_TMP/pw" )
# the Python that runs samba-tool has Samba's bindings (a python3 earlier in
# PATH may not)
py=$(head -n 1 "$(command -v samba-tool)" | sed 's/^#! *//')
"${py:-python3}" "$GPOFS_HARNESS/add_user.py" corp "$USER_NAME" "$TEST_TMP/pw" >/dev/null ||
	fail "cannot make the user $USER_NAME"
( umask 077; printf 'username=%s\npassword=%s\ndomain=%s\n' "$USER_NAME" \
	"$(cat "$TEST_TMP/pw")" "$CORP_NETBIOS" >"$TEST_TMP/user.cred" )

# registry.pol: administrators and the system only (restored at the end)
acl=$(samba-tool ntacl get "$FILE" --as-sddl -s "$CORP_SMBCONF")
restore_acl() { samba-tool ntacl set "$acl" "$FILE" -s "$CORP_SMBCONF" >/dev/null 2>&1 || true; }
trap 'restore_acl; cleanup_mounts' EXIT
samba-tool ntacl set "O:BAG:BAD:P(A;;FA;;;BA)(A;;FA;;;SY)" "$FILE" -s "$CORP_SMBCONF" >/dev/null ||
	fail "cannot set the test ACL"

gpofs_start "$MNT" -o "domain=$CORP_DNS,credentials=$TEST_TMP/user.cred,tls_cacert=$CORP_CA,backup_dir=$TEST_TMP/b,migtable_dir=$TEST_TMP/m,log_dir=$TEST_TMP/log,cache_dir=$TEST_TMP/cache"
D=$MNT/domains/$CORP_DNS
ls "$D/gpos/$GPO_SECURITY/DomainSysvol/GPO" >/dev/null || fail "the user cannot read a GPO it may read"
out=$(cat "$D/gpos/$GPO_REGISTRY/Backup.xml" 2>&1 >/dev/null) && fail "read a GPO whose file the account may not read"
echo "$out" | grep -q "Permission denied" || fail "not EACCES: $out"
grep -q "$GPO_REGISTRY: not captured: reading $GPO_REGISTRY/Machine/registry.pol: Permission denied" "$D/log" ||
	fail "the log does not say which file was refused: $(cat "$D/log")"
gpofs_stop "$MNT"
note "a file the account may not read: EACCES, and the log names it"
