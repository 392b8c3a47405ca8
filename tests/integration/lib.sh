# shellcheck shell=bash
# Helpers for the mounted tests. Sourced by each t_*.sh, which run under
# tests/integration/run with the DCs' env.sh and seeded.env exported.
# fail, skip, note, dc_stop, dc_start, dc_kinit, ldap_gssapi, smb_krb
GPOFS_HARNESS=${GPOFS_HARNESS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../harness" && pwd)}
# shellcheck source=tests/harness/testlib.sh
source "$GPOFS_HARNESS/testlib.sh"

: "${GPOFS_BIN:=${GPOFS_BUILD_DIR:-build}/fs/gpofs}"
: "${FIXTURES_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared/fixtures/gpmc-backups}"
TEST_NAME=$(basename "$0" .sh)
TEST_TMP=$(mktemp -d "/tmp/gpofs-$TEST_NAME.XXXXXX")
GPOFS_PIDS=()

cleanup_mounts() {
	local m
	for m in $(awk -v t="$TEST_TMP" '$2 ~ "^"t {print $2}' /proc/mounts); do
		fusermount3 -uz "$m" 2>/dev/null || true
	done
	for p in "${GPOFS_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	if [ "${GPOFS_KEEP:-}" = 1 ]; then
		echo "kept: $TEST_TMP" >&2
	else
		rm -rf "$TEST_TMP"
	fi
}
trap cleanup_mounts EXIT

# A credentials file for a domain (corp|prod), private as gpofs demands.
creds_file() {
	local up=${1^^}
	local f=$TEST_TMP/$1.cred
	local pass_var=${up}_AUTHFILE
	install -m 600 "${!pass_var}" "$f"
	echo "$f"
}

# log_count LOG PATTERN: how many lines of the log file LOG match.
log_count() { grep -c -- "$2" "$1" 2>/dev/null || true; }

# wait_log_more LOG PATTERN N: until LOG has more than N lines matching
# (60 s), else the test fails.
wait_log_more() {
	for _ in $(seq 1 600); do [ "$(log_count "$1" "$2")" -gt "$3" ] && return 0; sleep 0.1; done
	tail -3 "$1" >&2
	fail "no new log line: $2"
}

# user_creds NAME: makes NAME an ordinary user of corp (no admin) with a
# random password, and prints the path of a credentials file for it.
user_creds() {
	local py pw=$TEST_TMP/$1.pw f=$TEST_TMP/$1.cred
	# the Python that runs samba-tool has Samba's bindings
	py=$(head -n 1 "$(command -v samba-tool)" | sed 's/^#! *//')
	( umask 077; head -c 12 /dev/urandom | base64 | tr -d '/+=' | sed 's/$/-Aa1!/' >"$pw" )
	"${py:-python3}" "$GPOFS_HARNESS/add_user.py" corp "$1" "$pw" >/dev/null ||
		fail "cannot make the user $1"
	( umask 077; printf 'username=%s\npassword=%s\ndomain=%s\n' "$1" "$(cat "$pw")" \
		"$CORP_NETBIOS" >"$f" )
	echo "$f"
}

# gpofs_start MNT OPTIONS...: mounts in the foreground (in the background of
# this shell) so that its exit status can be checked; waits for the mount.
# Sets GPOFS_PID. Returns gpofs's exit status if it ends before mounting.
gpofs_start() {
	local mnt=$1
	shift
	mkdir -p "$mnt"
	# (with the MALLOC_PERTURB_ meson gave the run, if any: see run)
	env ${GPOFS_MALLOC_PERTURB:+MALLOC_PERTURB_=$GPOFS_MALLOC_PERTURB} \
		"$GPOFS_BIN" -f "$@" "$mnt" >"$TEST_TMP/gpofs.log" 2>&1 &
	GPOFS_PID=$!
	GPOFS_PIDS+=("$GPOFS_PID")
	for _ in $(seq 1 200); do
		if mountpoint -q "$mnt"; then
			return 0
		fi
		if ! kill -0 "$GPOFS_PID" 2>/dev/null; then
			local rc=0
			wait "$GPOFS_PID" || rc=$?
			cat "$TEST_TMP/gpofs.log" >&2
			return "$rc"
		fi
		sleep 0.1
	done
	fail "gpofs did not mount $mnt in 20 s"
}

# gpofs_stop MNT: unmounts and checks that the daemon exited with 0.
gpofs_stop() {
	local mnt=$1 rc=0
	fusermount3 -u "$mnt" || fail "fusermount3 -u $mnt failed"
	for _ in $(seq 1 200); do
		kill -0 "$GPOFS_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$GPOFS_PID" 2>/dev/null && fail "gpofs still running 20 s after unmount"
	wait "$GPOFS_PID" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$TEST_TMP/gpofs.log" >&2; fail "gpofs exited $rc"; }
}

# gpofs_mount_corp MNT [more -o options]: the usual password mount of corp.
gpofs_mount_corp() {
	local mnt=$1
	shift
	gpofs_start "$mnt" -o "domain=$CORP_DNS,credentials=$(creds_file corp),tls_cacert=$CORP_CA,backup_dir=$TEST_TMP/backups,migtable_dir=$TEST_TMP/migtables,log_dir=$TEST_TMP/log" "$@"
}

# ldap_corp ARGS...: ldapsearch against corp over LDAPS as Administrator.
ldap_corp() {
	LDAPTLS_CACERT=$CORP_CA ldapsearch -LLL -o ldif-wrap=no -x \
		-H "ldaps://$CORP_DC" -D "Administrator@$CORP_DNS" \
		-y "$TEST_TMP/corp.ldappw" "$@"
}

# gpo_containers GUID: the CNs of the containers under corp's GPO GUID,
# sorted, space-ended ("Machine User " for a whole GPO; make_ldappw corp
# first).
gpo_containers() {
	ldap_corp -b "CN=$1,CN=Policies,CN=System,$CORP_BASEDN" -s one "(objectClass=container)" cn |
		sed -n 's/^cn: //p' | sort | tr '\n' ' '
}

# The password alone, for ldapsearch -y (no newline, mode 0600).
make_ldappw() {
	local f=$TEST_TMP/$1.ldappw up=${1^^}
	local auth_var=${up}_AUTHFILE
	( umask 077; sed -n 's/^ *password *= *//p' "${!auth_var}" | tr -d '\n' >"$f" )
}

# ldap_replace DN ATTR VALUE: sets one attribute of a corp object over
# LDAPS as Administrator (make_ldappw corp first).
ldap_replace() {
	LDAPTLS_CACERT=$CORP_CA ldapmodify -x -H "ldaps://$CORP_DC" \
		-D "Administrator@$CORP_DNS" -y "$TEST_TMP/corp.ldappw" >/dev/null <<LDIF
dn: $1
changetype: modify
replace: $2
$2: $3
LDIF
}

# ldap_entry DN ATTR...: fills the associative array ENTRY with the
# attributes of one object (base64 values decoded), in one search.
declare -A ENTRY
ldap_entry() {
	local dn=$1 k v
	shift
	ENTRY=()
	while IFS= read -r -d '' k && IFS= read -r -d '' v; do
		ENTRY[$k]=$v
	done < <(ldap_corp -b "$dn" -s base "(objectClass=*)" "$@" | python3 -c '
import sys, base64
for line in sys.stdin:
    k, sep, v = line.rstrip("\n").partition(":")
    if not sep or k == "dn":
        continue
    v = base64.b64decode(v[2:]).decode("utf-8", "replace") if v.startswith(": ") else v[1:]
    sys.stdout.write(k + "\0" + v + "\0")
')
}

# ldap_attr DN ATTR: one attribute's value.
ldap_attr() {
	ldap_entry "$1" "$2"
	printf '%s' "${ENTRY[$2]:-}"
}

# smb_get_gpo GUID DEST: smbclient recursive mget of a GPO's SYSVOL folder.
smb_get_gpo() {
	local guid=$1 dest=$2
	mkdir -p "$dest"
	(cd "$dest" && smbclient "//$CORP_DC/sysvol" -A "$CORP_AUTHFILE" \
		--option='client signing=required' \
		-c "cd $CORP_DNS/Policies/$guid; prompt off; recurse on; mget *" \
		>/dev/null 2>"$TEST_TMP/smbclient.err") ||
		{ cat "$TEST_TMP/smbclient.err" >&2; fail "smbclient mget $guid"; }
}

# xpath FILE EXPR: the string value of an XPath over a GPMC file, with the
# backup namespace bound to b: and the manifest one to m:.
xpath() {
	python3 - "$1" "$2" <<'PY'
import sys
import xml.dom.minidom  # noqa: F401 (checks the file parses)
from xml.etree import ElementTree as ET
ns = {"b": "http://www.microsoft.com/GroupPolicy/GPOOperations",
      "m": "http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest"}
root = ET.parse(sys.argv[1]).getroot()
expr = sys.argv[2]
node = root if expr == "." else root.find(expr, ns)
if node is None:
    sys.exit(3)
sys.stdout.write(node.text or "")
PY
}
