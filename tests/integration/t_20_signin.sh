#!/usr/bin/env bash
# Both ways of signing in mount and read; each error a user can act on ends
# the mount at start with a one-line message naming the cause.
source "$(dirname "$0")/lib.sh"

MNT=$TEST_TMP/mnt
COMMON="domain=$CORP_DNS,backup_dir=$TEST_TMP/b,migtable_dir=$TEST_TMP/m,log_dir=$TEST_TMP/log"
CRED=$(creds_file corp)

# expect_refused PATTERN OPTIONS...: gpofs must exit non-zero, unmounted,
# printing exactly one line, which says PATTERN (the README promises one).
expect_refused() {
	local pattern=$1 rc=0
	shift
	mkdir -p "$MNT"
	timeout 60 "$GPOFS_BIN" -f "$@" "$MNT" >"$TEST_TMP/out" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || fail "gpofs mounted: $*"
	[ "$rc" -ne 124 ] || fail "gpofs hung: $*"
	! mountpoint -q "$MNT" || fail "left a mount: $*"
	grep -qi -- "$pattern" "$TEST_TMP/out" ||
		{ cat "$TEST_TMP/out" >&2; fail "no '$pattern' in the message"; }
	[ "$(wc -l <"$TEST_TMP/out")" -eq 1 ] ||
		{ cat "$TEST_TMP/out" >&2; fail "not one line: $*"; }
	note "refused ($(cat "$TEST_TMP/out"))"
}

# 1. Kerberos: a ticket from kinit.
export KRB5CCNAME=FILE:$TEST_TMP/krb5cc
dc_kinit corp "$TEST_TMP/krb5cc"
gpofs_start "$MNT" -o "$COMMON,krb5"
ls "$MNT/domains/$CORP_DNS/gpos/$GPO_REGISTRY/DomainSysvol/GPO/Machine/registry.pol" >/dev/null
cmp "$MNT/domains/$CORP_DNS/gpos/$GPO_REGISTRY/DomainSysvol/GPO/Machine/registry.pol" \
	"$CORP_SYSVOL/$GPO_REGISTRY/Machine/registry.pol" || fail "krb5 read differs"
gpofs_stop "$MNT"
note "krb5 ticket: mounted and read"

# 1b. Kerberos from a keytab (gpofs gets its own ticket into a private cache).
samba-tool domain exportkeytab "$TEST_TMP/admin.keytab" -s "$CORP_SMBCONF" \
	--principal="Administrator@$CORP_REALM" >/dev/null 2>&1
KRB5CCNAME=FILE:$TEST_TMP/unused gpofs_start "$MNT" \
	-o "$COMMON,keytab=$TEST_TMP/admin.keytab,principal=Administrator@$CORP_REALM"
cmp "$MNT/domains/$CORP_DNS/gpos/$GPO_REGISTRY/DomainSysvol/GPO/Machine/registry.pol" \
	"$CORP_SYSVOL/$GPO_REGISTRY/Machine/registry.pol" || fail "keytab read differs"
gpofs_stop "$MNT"
[ ! -e "$TEST_TMP/unused" ] || fail "keytab sign-in wrote the caller's ticket cache"
note "keytab: mounted and read"

# 2. Password from a credentials file, over LDAPS and over StartTLS.
for tls in ldaps starttls; do
	gpofs_start "$MNT" -o "$COMMON,credentials=$CRED,tls_cacert=$CORP_CA,ldap_tls=$tls"
	cmp "$MNT/domains/$CORP_DNS/gpos/$GPO_REGISTRY/DomainSysvol/GPO/User/registry.pol" \
		"$CORP_SYSVOL/$GPO_REGISTRY/User/registry.pol" || fail "$tls read differs"
	gpofs_stop "$MNT"
	note "credentials over $tls: mounted and read"
done

# 3. What must fail, and say why.
bad=$TEST_TMP/bad.cred
( umask 077; sed 's/^\( *password *= *\).*/\1Wrong-Passw0rd!/' "$CRED" >"$bad" )
expect_refused "wrong user name or password" -o "$COMMON,credentials=$bad,tls_cacert=$CORP_CA"
chmod 644 "$bad"
expect_refused "chmod 600" -o "$COMMON,credentials=$bad,tls_cacert=$CORP_CA"
expect_refused "plain-text simple bind" -o "$COMMON,credentials=$CRED,ldap_tls=none"
expect_refused "cannot reach domain controller" \
	-o "$COMMON,credentials=$CRED,tls_cacert=$CORP_CA,server=127.0.0.9"
expect_refused "cannot resolve domain controller" \
	-o "$COMMON,credentials=$CRED,tls_cacert=$CORP_CA,server=nosuchdc.corp.test"
expect_refused "certificate" -o "$COMMON,credentials=$CRED,tls_cacert=$PROD_CA"
expect_refused "no DNS SRV record" \
	-o "domain=nosuch.test,credentials=$CRED,backup_dir=$TEST_TMP/b,migtable_dir=$TEST_TMP/m,log_dir=$TEST_TMP/log"
KRB5CCNAME=FILE:$TEST_TMP/none expect_refused "no Kerberos ticket" -o "$COMMON,krb5"

# An expired ticket: the shortest lifetime the KDC gives, then wait it out.
KRB5CCNAME=FILE:$TEST_TMP/short kinit -l 5s "Administrator@$CORP_REALM" \
	<"$CORP_ADMIN_PASSFILE" >/dev/null
sleep 7
KRB5CCNAME=FILE:$TEST_TMP/short expect_refused "expired" -o "$COMMON,krb5"

# No secret in what gpofs printed.
pw=$(sed -n 's/^ *password *= *//p' "$CRED")
! grep -rqF -- "$pw" "$TEST_TMP"/out "$TEST_TMP"/gpofs.log 2>/dev/null ||
	fail "the password appeared in gpofs's output"
note "no password in any message"
