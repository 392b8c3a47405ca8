# shellcheck shell=bash
# tests/harness/seed.sh: seed the test forests with GPOs (sourceable).
#
#   seed_corp WORKDIR   realistic GPOs, groups, OUs, links, a WMI filter and
#                       the GPMC backup fixtures (if present) in corp.test
#   seed_prod WORKDIR   a few simple GPOs and the same groups in prod.test
#
# Both need the DCs of dcs_start WORKDIR running.  Each writes its part to
# WORKDIR/seeded-corp.env or seeded-prod.env and then WORKDIR/seeded.env,
# all parts together: export lines that tests source.  See seed.py for the
# content and the variable names.  They can run in parallel.
#
# seed.py writes SYSVOL over SMB (ACLs by inheritance), so no "samba-tool
# ntacl sysvolreset" is needed; a test that writes on the DC's disk must
# run one itself.
#
# Fixtures: GPOFS_FIXTURES, or else ../shared/fixtures/gpmc-backups next to
# the repository; absent, FIXTURE_GPOS is empty.

_SEED_HARNESS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/harness/dcs.sh
declare -F dc_kinit >/dev/null || . "$_SEED_HARNESS/dcs.sh"

seed_corp() { _seed corp "${1:?usage: seed_corp WORKDIR}"; }
seed_prod() { _seed prod "${1:?usage: seed_prod WORKDIR}"; }

# The Python that runs samba-tool has Samba's bindings; a python3 earlier in
# PATH (pyenv, venv) may not.
_seed_python() {
	local line
	read -r line <"$(command -v samba-tool)" || return
	line=${line#\#!}
	line=${line# }
	printf '%s' "${line:-python3}"
}

_seed_fixtures_dir() {
	if [[ -n ${GPOFS_FIXTURES:-} ]]; then
		printf '%s' "$GPOFS_FIXTURES"
		return
	fi
	local repo
	repo=$(cd "$_SEED_HARNESS/../.." && pwd)
	printf '%s' "$(dirname "$repo")/shared/fixtures/gpmc-backups"
}

_seed() {
	local which=$1 work
	work=$(cd "$2" && pwd) || return
	local log=$work/$which/seed.log t0=$EPOCHREALTIME py fixtures=
	py=$(_seed_python) || return
	[[ $which == corp ]] && fixtures=$(_seed_fixtures_dir)
	# A subshell on the left of || runs with errexit off: every step is
	# checked by hand.
	(
		# shellcheck disable=SC1091 # written by dcs_start
		. "$work/env.sh" || exit
		cc=$work/$which/seed.ccache
		dc_kinit "$which" "$cc" || exit
		KRB5CCNAME=FILE:$cc "$py" "$_SEED_HARNESS/seed.py" "$which" \
			"$work/seeded-$which.env" ${fixtures:+"$fixtures"} || exit
		rm -f "$cc"
	) >"$log" 2>&1 || {
		echo "seed: seeding $which.test failed; tail of $log:" >&2
		tail -n 30 "$log" | sed 's/^/  | /' >&2
		return 1
	}
	awk -v a="$t0" -v b="$EPOCHREALTIME" -v w="$which" \
		'BEGIN { printf "seed: %s.test seeded in %.1f s\n", w, b - a }'
	_seed_write_env "$work"
}

# seeded.env: every part present, written atomically.  Whichever of two
# parallel seeders writes last has both parts.
_seed_write_env() {
	local work=$1 part tmp
	tmp=$(mktemp "$work/seeded.env.XXXXXX")
	for part in "$work/seeded-corp.env" "$work/seeded-prod.env"; do
		[[ -f $part ]] && cat "$part"
	done >"$tmp"
	chmod 644 "$tmp"
	mv -f "$tmp" "$work/seeded.env"
}
