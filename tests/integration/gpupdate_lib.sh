# Sourced by the tests that run samba-gpupdate (t_22, t_58), after lib.sh:
# the Default Domain Policy's template, GPT.INI and versionNumber saved
# and put back at exit with the password policy and samba-gpupdate's own
# state; the helpers that write a template, bump the version and read the
# applied minimum password length; and a first run as the baseline (the
# notes at the top of t_22 say why). Leaves BASE, the baseline's minimum
# password length.

command -v samba-gpupdate >/dev/null || [[ -x /usr/sbin/samba-gpupdate ]] ||
	skip "samba-gpupdate is not installed (Debian's samba package)"
command -v iconv >/dev/null || skip "iconv is not installed"
make_ldappw corp

DDP='{31B2F340-016D-11D2-945F-00C04FB984F9}'
DDP_DN="CN=$DDP,CN=Policies,CN=System,$CORP_BASEDN"
DDP_DIR=$CORP_SYSVOL/$DDP
GPT=$DDP_DIR/GPT.INI
SECEDIT="MACHINE/Microsoft/Windows NT/SecEdit"
TMPL=$DDP_DIR/$SECEDIT/GptTmpl.inf
CACHE=$(sed -n 's/^[[:space:]]*cache directory[[:space:]]*=[[:space:]]*//p' "$CORP_SMBCONF")
[[ -n $CACHE && -d $CACHE ]] || fail "no cache directory in $CORP_SMBCONF"
[[ -f $GPT ]] || fail "no GPT.INI for the Default Domain Policy at $GPT"
POLICY_ATTRS=(minPwdLength minPwdAge maxPwdAge pwdProperties)

# --- what is put back -------------------------------------------------------
SAVED=$TEST_TMP/saved
mkdir -p "$SAVED"
cp -p "$GPT" "$SAVED/GPT.INI"
VERSION0=$(ldap_attr "$DDP_DN" versionNumber)
[[ $VERSION0 =~ ^[0-9]+$ ]] || fail "versionNumber of the Default Domain Policy: '$VERSION0'"
declare -A POLICY0
for a in "${POLICY_ATTRS[@]}"; do
	POLICY0[$a]=$(ldap_attr "$CORP_BASEDN" "$a")
	[[ -n ${POLICY0[$a]} ]] || fail "$a of $CORP_BASEDN is not set"
done
# the first folder of the template's path that does not exist yet: made
# here, removed at the end
MADE=
p=$DDP_DIR
IFS=/ read -r -a parts <<<"$SECEDIT"
for part in "${parts[@]}"; do
	p=$p/$part
	[[ -e $p ]] || { MADE=$p; break; }
done
[[ -n $MADE || ! -e $TMPL ]] || cp -p "$TMPL" "$SAVED/GptTmpl.inf"
for f in gpo.tdb gpo_cache; do
	[[ -e $CACHE/$f ]] && cp -a "$CACHE/$f" "$SAVED/cache-$f"
done

restore() {
	local a f
	set +e
	# in place, so that GPT.INI keeps its inode and its ACL
	cat "$SAVED/GPT.INI" >"$GPT"
	if [[ -n $MADE ]]; then
		rm -rf -- "$MADE"
	elif [[ -e $SAVED/GptTmpl.inf ]]; then
		cat "$SAVED/GptTmpl.inf" >"$TMPL"
	else
		rm -f -- "$TMPL"
	fi
	ldap_replace "$DDP_DN" versionNumber "$VERSION0"
	for a in "${POLICY_ATTRS[@]}"; do
		ldap_replace "$CORP_BASEDN" "$a" "${POLICY0[$a]}"
	done
	for f in gpo.tdb gpo_cache; do
		rm -rf -- "${CACHE:?}/$f"
		[[ -e $SAVED/cache-$f ]] && cp -a "$SAVED/cache-$f" "$CACHE/$f"
	done
	set -e
}
trap 'restore; cleanup_mounts' EXIT

# --- helpers ------------------------------------------------------------------
min_length() {
	samba-tool domain passwordsettings show -s "$CORP_SMBCONF" |
		sed -n 's/^Minimum password length: *//p'
}

# write_template N: the Default Domain Policy's security template as GPMC
# writes one (UTF-16LE with a BOM, CRLF), setting MinimumPasswordLength.
write_template() {
	mkdir -p "$DDP_DIR/$SECEDIT"
	{
		printf '\xff\xfe'
		# shellcheck disable=SC2016 # $CHICAGO$ is literal
		printf '[Unicode]\r\nUnicode=yes\r\n[System Access]\r\nMinimumPasswordLength = %s\r\n[Version]\r\nsignature="$CHICAGO$"\r\nRevision=1\r\n' "$1" |
			iconv -f UTF-8 -t UTF-16LE
	} >"$TMPL"
}

# bump: the machine half of the version up by one, in GPT.INI and in the
# directory alike; prints the new version.
bump() {
	local v
	v=$(ldap_attr "$DDP_DN" versionNumber)
	v=$((v + 1))
	sed -E "s/^(Version[[:space:]]*=[[:space:]]*)[0-9]+/\1$v/I" "$SAVED/GPT.INI" >"$GPT"
	grep -aqE "^Version *= *$v" "$GPT" || fail "GPT.INI: Version=$v not written"
	ldap_replace "$DDP_DN" versionNumber "$v"
	echo "$v"
}

# gpupdate [ARGS]: one run of the client; its output in $OUT, its time in
# $SECS; fails on a Python traceback or a failed GPT download.
gpupdate() {
	local t0=$EPOCHREALTIME rc=0
	OUT=$(dc_gpupdate corp "$@") || rc=$?
	SECS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
	if ((rc)) || grep -q -e '^Traceback' -e 'Failed downloading gpt cache' <<<"$OUT"; then
		printf '%s\n' "$OUT" | sed 's/^/  | /' >&2
		fail "samba-gpupdate $* failed (exit $rc)"
	fi
}

# rsop_ddp KEY: the value the client reads for KEY in the Default Domain
# Policy (its --rsop section).
rsop_ddp() {
	gpupdate --rsop
	awk -v k="$1" '
		/^GPO: / { in_ddp = ($0 == "GPO: Default Domain Policy") }
		in_ddp && index($0, "[ " k " ] = ") { sub(/.*\] = /, ""); print; exit }
	' <<<"$OUT"
}

# --- 1. the client runs at all ------------------------------------------------
gpupdate --rsop
grep -q '^GPO: Default Domain Policy$' <<<"$OUT" ||
	{ printf '%s\n' "$OUT" | sed 's/^/  | /' >&2; fail "--rsop does not list the Default Domain Policy"; }
note "samba-gpupdate --rsop lists $(grep -c '^GPO: ' <<<"$OUT") GPOs for DC-CORP\$ (${SECS} s)"
# a baseline: everything that applies now is applied once and recorded
gpupdate
note "baseline run: ${SECS} s"
[[ -z $OUT ]] || printf '%s\n' "$OUT" | sed 's/^/   | /'
BASE=$(min_length)
[[ $BASE =~ ^[0-9]+$ ]] || fail "minimum password length after the baseline: '$BASE'"
