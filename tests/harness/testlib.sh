# shellcheck shell=bash
# tests/harness/testlib.sh: helpers for tests/integration/t_*.sh.
#
#   . "$GPOFS_HARNESS/testlib.sh"
#
# Sets -euo pipefail and sources dcs.sh (dc_stop, dc_start, dc_kinit...).
#
#   fail MSG...            print "FAIL: MSG" and exit 1
#   skip MSG...            print "skip: MSG" and exit 77 (the runner's skip)
#   skip_section WHAT WHY  a part of the test did not run: print
#                          "skipped section: WHAT: WHY" (the runner shows it
#                          next to the test's result, which stays a pass)
#   note MSG...            progress line in the test's log
#   assert_eq GOT WANT [WHAT]
#   need_gpofs             skip unless the gpofs binary (GPOFS_BIN) exists
#   need_fixtures          skip unless GPMC backup fixtures were seeded
#   ccache corp|prod       print the path of an Administrator ticket cache for
#                          that realm (made on first use, in GPOFS_TEST_TMPDIR)
#   ldap_gssapi corp|prod LDAPSEARCH-ARGS...
#                          ldapsearch over SASL GSSAPI, signed and sealed
#                          (-O minssf=56), LDIF without line wrapping
#   smb_krb corp|prod SHARE COMMANDS
#                          smbclient -c COMMANDS with Kerberos, signing required

set -Eeuo pipefail
# A command that ends the test through set -e says which one, so that a
# failure is never a silent exit 1.
trap 'echo "error: ${BASH_SOURCE[0]##*/}:$LINENO: exit $? from: $BASH_COMMAND" >&2' ERR

# shellcheck source=tests/harness/dcs.sh
. "${GPOFS_HARNESS:?run this through tests/integration/run}/dcs.sh"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "skip: $*"
	exit 77
}

skip_section() {
	echo "skipped section: $1: $2"
}

note() { echo "-- $*"; }

assert_eq() {
	[[ $1 == "$2" ]] || fail "${3:-value}: expected '$2', got '$1'"
}

need_gpofs() {
	[[ -n ${GPOFS_BIN:-} && -x $GPOFS_BIN ]] ||
		skip "no gpofs binary in ${GPOFS_BUILD_DIR:-?} (build first, or set GPOFS_BIN)"
}

need_fixtures() {
	[[ -n ${FIXTURE_GPOS:-} ]] || skip "no GPMC backup fixtures were seeded"
}

# _tl_dom corp|prod: set TL_DC and TL_BASEDN for one domain (from env.sh).
# shellcheck disable=SC2034 # TL_BASEDN is for the tests
_tl_dom() {
	case "$1" in
	corp) TL_DC=$CORP_DC TL_BASEDN=$CORP_BASEDN ;;
	prod) TL_DC=$PROD_DC TL_BASEDN=$PROD_BASEDN ;;
	*) fail "unknown domain '$1' (corp or prod)" ;;
	esac
}

ccache() {
	local cc=${GPOFS_TEST_TMPDIR:?}/krb5cc_$1
	_tl_dom "$1"
	[[ -s $cc ]] || dc_kinit "$1" "$cc" || fail "kinit for $1 failed"
	echo "$cc"
}

ldap_gssapi() {
	local dom=$1 cc
	shift
	_tl_dom "$dom"
	cc=$(ccache "$dom")
	KRB5CCNAME=FILE:$cc ldapsearch -LLL -Q -o ldif-wrap=no -Y GSSAPI -O minssf=56 \
		-H "ldap://$TL_DC" "$@"
}

smb_krb() {
	local dom=$1 share=$2 cmds=$3 cc
	_tl_dom "$dom"
	cc=$(ccache "$dom")
	KRB5CCNAME=FILE:$cc smbclient --use-kerberos=required -N \
		--option='client signing=required' "//$TL_DC/$share" -c "$cmds"
}
