#!/usr/bin/env bash
# The read-path benchmark of issue 4: gpofs against smbclient and
# samba-tool on the same machine, in the same run, against the real test
# DCs. Run by tests/bench/run (full: by hand) or by the integration suite
# (quick: so that it never rots). Prints one table of figures and ratios.
#
#   GPOFS_BENCH=quick|full
#   quick: 20 GPOs, a 20 MiB + 200-file GPO, one run of each step; a
#          20 MiB + 200-file backup imported, 10 fixtures imported
#   full:  250, 500 and 1,000 GPOs, a 200 MiB + 2,000-file GPO, median of 3;
#          a 200 MiB + 2,000-file backup imported, 100 fixtures imported
source "$(dirname "$0")/../integration/lib.sh"

MODE=${GPOFS_BENCH:-quick}
if [ "$MODE" = full ]; then
	SIZES="250 500 1000" RUNS=3 BIG_MB=200 SMALL=2000 SAMPLE=20
else
	SIZES="20" RUNS=1 BIG_MB=20 SMALL=200 SAMPLE=5
fi
# by hand, to look at one size: GPOFS_BENCH_SIZES="1000" GPOFS_BENCH_RUNS=1
SIZES=${GPOFS_BENCH_SIZES:-$SIZES} RUNS=${GPOFS_BENCH_RUNS:-$RUNS}
export KRB5CCNAME=FILE:$TEST_TMP/krb5cc
dc_kinit corp "$TEST_TMP/krb5cc"
make_ldappw corp
POL=$CORP_DNS/Policies
TABLE=$TEST_TMP/table
: >"$TABLE"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
stat_of() { awk -v k="$1" '$1 == k { s += $2 } END { print s + 0 }' "$MNT/.stats"; }
row() { echo "$*" >>"$TABLE"; echo "bench: $*"; }
# The machine's CPU time (every process: the DCs', gpofs's, the tools'),
# from /proc/stat: a step that keeps every CPU busy is bound by the
# machine, and no overlap of its parts can make it shorter than its CPU
# time over the CPUs. cpu_mark prints a mark; cpu_since MARK prints the
# CPU seconds used since it and the share of the CPUs that was busy.
NCPU=$(nproc)
HZ=$(getconf CLK_TCK)
cpu_mark() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $5 + $6 + $9 }' /proc/stat; }
cpu_since() {
	local b0 i0 b1 i1
	read -r b0 i0 <<<"$1"
	read -r b1 i1 <<<"$(cpu_mark)"
	awk -v b="$((b1 - b0))" -v i="$((i1 - i0))" -v hz="$HZ" 'BEGIN {
		printf "%.3f %.2f\n", b / hz, (b + i > 0 ? b / (b + i) : 0) }'
}
# cpu_medians "CPU BUSY"...: the median of each
cpu_medians() {
	echo "$(printf '%s\n' "$@" | cut -d' ' -f1 | median) $(printf '%s\n' "$@" | cut -d' ' -f2 | median)"
}

# new_gpo NAME: a GPO object added over LDAP (a second, not samba-tool's 1 s)
new_gpo() {
	local guid
	guid="{$(python3 -c 'import uuid; print(str(uuid.uuid4()).upper())')}"
	cat <<LDIF
dn: CN=$guid,CN=Policies,CN=System,$CORP_BASEDN
objectClass: groupPolicyContainer
displayName: $1
gPCFileSysPath: \\\\$CORP_DNS\\SysVol\\$CORP_DNS\\Policies\\$guid
gPCFunctionalityVersion: 2
flags: 0
versionNumber: 65537
gPCMachineExtensionNames: [{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}][{827D319E-6EAC-11D2-A4EA-00C04F79F83A}{803E14A0-B4FB-11D0-A0D0-00A0C90F574B}]
gPCUserExtensionNames: [{42B5FAAE-6536-11D2-AE5A-0000F87571E3}{40B66650-4972-11D1-A7CA-0000F87571E3}]

LDIF
	echo "$guid" >>"$TEST_TMP/new.guids"
}

# A GPO's SYSVOL folder of realistic size: registry.pol, a security
# template, a logon script with scripts.ini, a Preferences file.
gpo_tree() {
	local d=$1/$2
	mkdir -p "$d/Machine/Microsoft/Windows NT/SecEdit" "$d/User/Scripts/Logon" \
		"$d/User/Preferences/Drives"
	printf '[General]\r\nVersion=65537\r\n' >"$d/GPT.INI"
	cp "$CORP_SYSVOL/$GPO_REGISTRY/Machine/registry.pol" "$d/Machine/registry.pol"
	cp "$CORP_SYSVOL/$GPO_SECURITY/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf" \
		"$d/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf"
	printf '[Logon]\r\n0CmdLine=logon.cmd\r\n0Parameters=\r\n' | iconv -t UTF-16 >"$d/User/Scripts/scripts.ini"
	printf '@echo off\r\nrem %s\r\n' "$2" >"$d/User/Scripts/Logon/logon.cmd"
	printf '<?xml version="1.0" encoding="utf-8"?>\r\n<Drives clsid="{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}"><Drive name="S:" uid="%s"><Properties path="\\\\files\\share\\BenchSetting"/></Drive></Drives>\r\n' "$2" \
		>"$d/User/Preferences/Drives/Drives.xml"
}

# seed_to N: grow the domain's bench GPOs to N (plus the big one, once).
seeded=0
seed_to() {
	local n=$1 ldif=$TEST_TMP/add.ldif tree=$TEST_TMP/tree
	rm -rf "$tree" "$TEST_TMP/new.guids"
	mkdir -p "$tree"
	: >"$ldif"
	for i in $(seq $((seeded + 1)) "$n"); do new_gpo "Bench $i" >>"$ldif"; done
	if [ "$seeded" -eq 0 ]; then
		new_gpo "Bench Big" >>"$ldif"
	fi
	LDAPTLS_CACERT=$CORP_CA ldapadd -x -H "ldaps://$CORP_DC" -D "Administrator@$CORP_DNS" \
		-y "$TEST_TMP/corp.ldappw" -f "$ldif" >/dev/null || fail "ldapadd"
	while read -r g; do gpo_tree "$tree" "$g"; done <"$TEST_TMP/new.guids"
	if [ "$seeded" -eq 0 ]; then
		BIG=$(tail -1 "$TEST_TMP/new.guids")
		head -c $((BIG_MB * 1024 * 1024)) /dev/urandom >"$tree/$BIG/Machine/big.bin"
		mkdir -p "$tree/$BIG/User/Many"
		for j in $(seq 1 "$SMALL"); do echo "small $j" >"$tree/$BIG/User/Many/f$j.txt"; done
	fi
	smb_krb corp sysvol "cd $POL; lcd $tree; prompt off; recurse on; mput *" >/dev/null 2>&1 ||
		fail "smbclient mput of the bench GPOs"
	seeded=$n
}

# Every tool writes its copies to the same place: a tmpfs when one can be
# mounted (this runs in a mount namespace of its own), so that the
# destination disk, the same for all, does not blur what is measured.
DST=$TEST_TMP/dst DST_FS=disk
mkdir -p "$DST"
if mount -t tmpfs -o size=4g,mode=0700 gpofs-bench-dst "$DST" 2>/dev/null; then
	DST_FS=tmpfs
	trap 'umount -l "$DST" 2>/dev/null; cleanup_mounts' EXIT
fi

MNT=$TEST_TMP/mnt
mount_fresh() {
	[ -n "${GPOFS_PID:-}" ] && mountpoint -q "$MNT" && gpofs_stop "$MNT"
	rm -rf "$TEST_TMP/cache"
	gpofs_mount_corp "$MNT" -o "cache_dir=$TEST_TMP/cache"
}

# step NAME GPOFS-COMMAND: times the command over RUNS fresh mounts; sets
# RESULT (median seconds), CPU (the machine's CPU seconds and busy share,
# medians) and COST (the LDAP searches and SMB requests of the last run). Not for $(...): it mounts and unmounts in this shell.
step() {
	local name=$1 t ts=() us=() l0 s0 c
	shift
	for _ in $(seq 1 "$RUNS"); do
		rm -rf "$DST/out"
		mount_fresh
		l0=$(stat_of ldap_searches) s0=$(stat_of smb_requests)
		c=$(cpu_mark) t=$(now)
		"$@" >/dev/null 2>"$TEST_TMP/step.err" || {
			head -5 "$TEST_TMP/step.err" >&2
			tail -5 "$MNT/domains/$CORP_DNS/log" >&2
			fail "$name: $*"
		}
		ts+=("$(elapsed "$t")")
		us+=("$(cpu_since "$c")")
		COST="$(($(stat_of ldap_searches) - l0)) $(($(stat_of smb_requests) - s0))"
	done
	RESULT=$(echo "${ts[*]}" | median)
	CPU=$(cpu_medians "${us[@]}")
}

peer() { # COMMAND: median seconds over RUNS
	local t ts=()
	for _ in $(seq 1 "$RUNS"); do
		rm -rf "$DST/peer"
		mkdir -p "$DST/peer"
		t=$(now)
		(cd "$DST/peer" && "$@") >/dev/null 2>&1 || fail "peer: $*"
		ts+=("$(elapsed "$t")")
	done
	echo "${ts[*]}" | median
}

# (stdin closed: in a `while read` loop it would eat the loop's input)
samba_tool() { samba-tool gpo "$@" -H "ldap://$CORP_DC" --use-kerberos=required </dev/null; }

for n in $SIZES; do
	seed_to "$n"
	D=$MNT/domains/$CORP_DNS
	total=$(ls "$CORP_SYSVOL" | wc -l)

	# A: the big GPO
	step A cp -r "$D/gpos/$BIG" "$DST/out"
	g=$RESULT cost=$COST
	CP_BIG=$RESULT CP_BIG_CPU=$CPU # for the copy below
	s=$(peer smbclient "//$CORP_DC/sysvol" --use-kerberos=required -N \
		--option='client signing=required' -c "cd $POL/$BIG; prompt off; recurse on; mget *")
	st=$(peer samba_tool backup "$BIG" --tmpdir "$DST/peer")
	row "$total A:cp-big $g $s $st $cost"

	# B: every GPO of the domain
	step B cp -r "$D/gpos" "$DST/out"
	g=$RESULT cost=$COST
	s=$(peer smbclient "//$CORP_DC/sysvol" --use-kerberos=required -N \
		--option='client signing=required' -c "cd $POL; prompt off; recurse on; mget *")
	# samba-tool: a sample, scaled to the whole domain
	# (sed, not head: head would leave ls a SIGPIPE, fatal under pipefail)
	# of GPOs samba-tool can back up: one it cannot (an earlier test's
	# file that its parsers refuse, such as a UTF-8 scripts.ini) is
	# passed over and said
	took=0 done_n=0 passed_over=0
	for s1 in $(ls "$CORP_SYSVOL"); do
		[ "$done_n" -ge "$SAMPLE" ] && break
		t=$(now)
		if samba_tool backup "$s1" --tmpdir "$DST/peer" >"$TEST_TMP/st.out" 2>&1; then
			took=$(awk -v a="$took" -v b="$(elapsed "$t")" 'BEGIN { print a + b }')
			done_n=$((done_n + 1))
		else
			passed_over=$((passed_over + 1))
			echo "bench: B: samba-tool gpo backup $s1 failed, passed over: $(tail -2 "$TEST_TMP/st.out" | tr '\n' ' ')"
		fi
	done
	[ "$done_n" -ge 1 ] || fail "samba-tool gpo backup failed for every GPO"
	st=$(awk -v e="$took" -v n="$total" -v k="$done_n" 'BEGIN { printf "%.3f", e * n / k }')
	row "$total B:cp-all $g $s $st $cost"

	# C: listing, cold (just mounted) and warm
	step C ls -l "$D/gpos"
	g=$RESULT cost=$COST
	t=$(now); ls -l "$D/gpos" >/dev/null; w=$(elapsed "$t")
	st=$(peer samba_tool listall)
	row "$total C:ls-cold $g - $st $cost"
	row "$total C:ls-warm $w - $st -"

	# D: a second rsync of an unchanged domain; E: grep for one setting
	# across all GPOs, right after (captures warm). Each on a fresh mount.
	ds=() es=()
	for _ in $(seq 1 "$RUNS"); do
		rm -rf "$DST/rs"
		mount_fresh
		rsync -a "$D/" "$DST/rs/"
		l0=$(stat_of ldap_searches) s0=$(stat_of smb_requests)
		t=$(now); rsync -a "$D/" "$DST/rs/"; ds+=("$(elapsed "$t")")
		dcost="$(($(stat_of ldap_searches) - l0)) $(($(stat_of smb_requests) - s0))"
		l0=$(stat_of ldap_searches) s0=$(stat_of smb_requests)
		t=$(now); grep -rl "BenchSetting" "$D/gpos" >/dev/null; es+=("$(elapsed "$t")")
		ecost="$(($(stat_of ldap_searches) - l0)) $(($(stat_of smb_requests) - s0))"
	done
	row "$total D:rsync-again $(echo "${ds[*]}" | median) - - $dcost"
	row "$total E:grep $(echo "${es[*]}" | median) - - $ecost"

	rss=$(awk '/VmHWM/ { print $2 }' "/proc/$GPOFS_PID/status")
	row "$total peak-RSS-MiB $(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }') - - - -"
	# its SMB workers are processes of their own: their peaks, summed
	wrss=0
	for w in $(pgrep -P "$GPOFS_PID" || true); do
		wrss=$((wrss + $(awk '/VmHWM/ { print $2 }' "/proc/$w/status")))
	done
	row "$total workers-RSS-MiB $(awk -v k="$wrss" 'BEGIN { printf "%.1f", k / 1024 }') - - - -"
	gpofs_stop "$MNT"
	rm -rf "$DST/rs" "$DST/out" "$DST/peer"
done

# I: imports (issue 11), against the same DC: writing a backup into a GPO
# folder is an import, committed to the DC as one transaction. gpofs
# stages what is written in its cache folder: on the tmpfs here, as every
# tool's local copies are (on this machine's disk, busy with other
# processes' files, creating the 2,000 staged files alone took 1.5-2.8 s
# against 0.25-0.4 s on a tmpfs).
#   I1: one GPMC backup of IMP_MB MiB (three large files) and IMP_SMALL
#       small ones, into a new GPO: mkdir by-name/NAME, cp -r into it,
#       and an fsync (dd conv=fsync of a file of it, writing nothing),
#       which commits at once (no quiet time is waited for); against
#       smbclient's recursive mput of its DomainSysvol/GPO into a GPO that
#       samba-tool made (untimed) and samba-tool gpo restore (which makes
#       the GPO too) of a samba-tool backup of the GPO gpofs imported.
#       The same through the import control file: I1:import-ctl.
#   I2: the GPMC fixtures, cycled, into IMP_N new GPOs, one request to the
#       import control file each (it returns once committed), against
#       IMP_N samba-tool gpo restores (which create the GPO too) of
#       samba-tool backups of the same GPOs.
# The split of each figure comes from the domain's log (each creation and
# each commit says where its time went) and /.stats.
if [ "$MODE" = full ]; then
	IMP_MB=200 IMP_SMALL=2000 IMP_N=100
else
	IMP_MB=20 IMP_SMALL=200 IMP_N=10
fi
IMP_MB=${GPOFS_BENCH_IMPORT_MB:-$IMP_MB} IMP_SMALL=${GPOFS_BENCH_IMPORT_SMALL:-$IMP_SMALL}
IMP_N=${GPOFS_BENCH_IMPORT_N:-$IMP_N}
NOTES=$TEST_TMP/notes
: >"$NOTES"
fixtures=()
if [ -d "$FIXTURES_DIR" ]; then
	mapfile -t fixtures < <(ls "$FIXTURES_DIR" | grep -E '^\{' || true)
fi
if [ "${#fixtures[@]}" -eq 0 ]; then
	skip_section "imports (I1, I2)" "no GPMC fixtures in $FIXTURES_DIR"
else
	IMP=$DST/import
	mkdir -p "$IMP/fx" "$IMP/st"
	for fx in "${fixtures[@]}"; do cp -r "$FIXTURES_DIR/$fx" "$IMP/fx/"; done
	python3 "$(dirname "$0")/make_backup.py" "$IMP/fx/${fixtures[0]}" "$IMP/big" \
		"$IMP_MB" "$IMP_SMALL" >/dev/null || fail "make_backup.py"
	big_files=$(find "$IMP/big/DomainSysvol/GPO" -type f | wc -l)
	mount_import() {
		[ -n "${GPOFS_PID:-}" ] && mountpoint -q "$MNT" && gpofs_stop "$MNT"
		rm -rf "$DST/cache"
		gpofs_mount_corp "$MNT" -o "cache_dir=$DST/cache"
	}
	ILOG=$MNT/domains/$CORP_DNS/log
	# the GUID of the GPO named $1, from the directory (untimed: a path
	# through by-name/NAME just made turns from a folder to a symlink
	# after the kernel's 1 s entry time, and a cp still under way there
	# then fails with EIO: so the copy goes through gpos/{GUID})
	guid_named() {
		LDAPTLS_CACERT=$CORP_CA ldapsearch -LLL -x -H "ldaps://$CORP_DC" -D "Administrator@$CORP_DNS" \
			-y "$TEST_TMP/corp.ldappw" -b "CN=Policies,CN=System,$CORP_BASEDN" -s one \
			"(displayName=$1)" cn | sed -n 's/^cn: //p'
	}

	# I1
	g1=() c1=() m1=() s1=() t1=() st1=() k1=() um1=() uc1=() us1=() ust1=()
	for r in $(seq 1 "$RUNS"); do
		mount_import
		D=$MNT/domains/$CORP_DNS
		l0=$(stat_of ldap_searches) q0=$(stat_of smb_requests)
		u=$(cpu_mark) t=$(now)
		mkdir "$D/by-name/Bench import $r" || fail "mkdir by-name/Bench import $r"
		mk=$(elapsed "$t")
		um1+=("$(cpu_since "$u")")
		G=$(guid_named "Bench import $r")
		[ -n "$G" ] || fail "no GPO named Bench import $r"
		u=$(cpu_mark) t=$(now)
		cp -r "$IMP/big/." "$D/gpos/$G/" || fail "cp -r of the big backup into $G"
		cpt=$(elapsed "$t")
		uc1+=("$(cpu_since "$u")")
		u=$(cpu_mark) t=$(now)
		dd if=/dev/null of="$D/gpos/$G/Backup.xml" conv=notrunc,fsync status=none ||
			fail "fsync in $G: $(tail -2 "$ILOG")"
		fs=$(elapsed "$t")
		us1+=("$(cpu_since "$u")")
		grep -qF "$G: import of a backup committed" "$ILOG" || fail "the fsync returned before $G was committed"
		g1+=("$(awk -v a="$mk" -v b="$cpt" -v c="$fs" 'BEGIN { printf "%.3f", a + b + c }')")
		m1+=("$mk") c1+=("$cpt") s1+=("$fs")
		cost1="$(($(stat_of ldap_searches) - l0)) $(($(stat_of smb_requests) - q0))"
		smb_per_file=$(awk -v q="$(($(stat_of smb_requests) - q0))" -v n="$big_files" 'BEGIN { printf "%.2f", q / n }')
		split1=$(grep -F "$G: import of a backup committed" "$ILOG" | sed 's/.*committed: //')
		create1=$(grep -F "created GPO $G" "$ILOG" | sed 's/.*" (/(/')
		# the same backup through the control file
		t=$(now)
		echo "$IMP/big create \"Bench import ctl $r\"" >"$D/import" ||
			fail "import create of the big backup: $(tail -2 "$ILOG")"
		k1+=("$(elapsed "$t")")
		# smbclient: into a GPO samba-tool made (untimed)
		samba_tool create "Bench mput $r" >"$TEST_TMP/create.out" 2>&1 || fail "samba-tool gpo create"
		P=$(sed -n 's/.* created as \({.*}\).*/\1/p' "$TEST_TMP/create.out")
		[ -n "$P" ] || fail "samba-tool gpo create: $(cat "$TEST_TMP/create.out")"
		t=$(now)
		(cd "$IMP/big/DomainSysvol/GPO" && smbclient "//$CORP_DC/sysvol" --use-kerberos=required -N \
			--option='client signing=required' -c "cd $POL/$P; prompt off; recurse on; mput *") \
			>/dev/null 2>&1 || fail "smbclient mput into $P"
		t1+=("$(elapsed "$t")")
		# samba-tool: restore of a samba-tool backup of what gpofs imported
		rm -rf "$IMP/st/policy/$G" "$IMP/rt"
		mkdir -p "$IMP/rt"
		samba_tool backup "$G" --tmpdir "$IMP/st" >/dev/null 2>&1 || fail "samba-tool gpo backup $G"
		u=$(cpu_mark) t=$(now)
		samba_tool restore "Bench restore $r" "$IMP/st/policy/$G" --tmpdir "$IMP/rt" \
			>"$TEST_TMP/restore.out" 2>&1 || fail "samba-tool gpo restore: $(tail -3 "$TEST_TMP/restore.out")"
		st1+=("$(elapsed "$t")")
		ust1+=("$(cpu_since "$u")")
	done
	n_gpos=$(ls "$CORP_SYSVOL" | wc -l)
	row "$n_gpos I1:import-big $(echo "${g1[*]}" | median) $(echo "${t1[*]}" | median) $(echo "${st1[*]}" | median) $cost1"
	row "$n_gpos I1:import-ctl $(echo "${k1[*]}" | median) $(echo "${t1[*]}" | median) $(echo "${st1[*]}" | median)"
	{
		echo "I1 ($big_files files, ${IMP_MB} MiB; medians of $RUNS): mkdir by-name (a new GPO) $(echo "${m1[*]}" | median) s,"
		echo "   cp -r into it (FUSE staging) $(echo "${c1[*]}" | median) s, fsync (the commit) $(echo "${s1[*]}" | median) s;"
		echo "   the last run's creation $create1"
		echo "   and commit: $split1;"
		echo "   SMB requests per file $smb_per_file (create, write, close: as smbclient's mput)"
		awk -v n="$NCPU" -v m="$(echo "${m1[*]}" | median)" -v st="$(echo "${st1[*]}" | median)" \
			-v um="$(cpu_medians "${um1[@]}")" -v uc="$(cpu_medians "${uc1[@]}")" \
			-v us="$(cpu_medians "${us1[@]}")" -v ust="$(cpu_medians "${ust1[@]}")" 'BEGIN {
			split(um, a, " "); split(uc, b, " "); split(us, c, " "); split(ust, d, " ")
			printf "   CPU of the machine (medians, %d CPUs): mkdir %.2f CPU-s (%d%% busy), staging %.2f (%d%%), commit %.2f (%d%%);", n, a[1], a[2] * 100, b[1], b[2] * 100, c[1], c[2] * 100
			printf " samba-tool restore %.2f (%d%%);\n", d[1], d[2] * 100
			lb = m + (b[1] + c[1]) / n
			printf "   staging and commit overlapped perfectly, on these CPUs, would take no less than their CPU time over %d: I1 >= %.3f s, %.3fx samba-tool\n", n, lb, (st > 0 ? lb / st : 0)
		}'
	} >>"$NOTES"

	# I2
	mount_import
	D=$MNT/domains/$CORP_DNS
	: >"$TEST_TMP/i2.guids"
	l0=$(stat_of ldap_searches) q0=$(stat_of smb_requests)
	t=$(now)
	for i in $(seq 1 "$IMP_N"); do
		fx=${fixtures[$(((i - 1) % ${#fixtures[@]}))]}
		echo "$IMP/fx/$fx create \"Bench fixture $i\"" >"$D/import" ||
			fail "import create of $fx: $(tail -2 "$ILOG")"
	done
	g2=$(elapsed "$t")
	cost2="$(($(stat_of ldap_searches) - l0)) $(($(stat_of smb_requests) - q0))"
	# the split, from the log: each creation's and each commit's lines
	grep -F '"Bench fixture ' "$ILOG" | sed -n 's/.*created GPO \({[^}]*}\).*/\1/p' >"$TEST_TMP/i2.guids"
	split2=$(awk -v gf="$TEST_TMP/i2.guids" '
		BEGIN { while ((getline g < gf) > 0) want[g] = 1 }
		{ g = $0; sub(/^[^{]*/, "", g); g = substr(g, 1, 38) }
		!(g in want) { next }
		/created GPO/ {
			if (match($0, /\([0-9.]+ s:/)) cr += substr($0, RSTART + 1, RLENGTH - 4)
			if (match($0, /its ACL [0-9.]+/)) acl += substr($0, RSTART + 8, RLENGTH - 8)
			if (match($0, /directory [0-9.]+/)) dir += substr($0, RSTART + 10, RLENGTH - 10)
			if (match($0, /read again [0-9.]+/)) lst += substr($0, RSTART + 11, RLENGTH - 11)
			if (match($0, /name checked [0-9.]+/)) nck += substr($0, RSTART + 13, RLENGTH - 13)
			if (index($0, "beside the directory add")) early++
		}
		/import of a backup committed/ {
			if (match($0, /\([0-9.]+ s:/)) cm += substr($0, RSTART + 1, RLENGTH - 4)
		}
		END { printf "%.3f %.3f %.3f %.3f %.3f %.3f %d\n", cr, acl, lst, cm, dir, nck, early }' "$ILOG")
	read -r cr acl lst cm dir nck early <<<"$split2"
	# samba-tool: backups of the first GPOs gpofs made (one per fixture,
	# untimed), each restored in turn into IMP_N new GPOs
	stb=()
	while read -r G; do
		[ "${#stb[@]}" -ge "${#fixtures[@]}" ] && break
		samba_tool backup "$G" --tmpdir "$IMP/st" >/dev/null 2>&1 || fail "samba-tool gpo backup $G"
		stb+=("$IMP/st/policy/$G")
	done <"$TEST_TMP/i2.guids"
	rm -rf "$IMP/rt"
	mkdir -p "$IMP/rt"
	t=$(now)
	for i in $(seq 1 "$IMP_N"); do
		samba_tool restore "Bench restored $i" "${stb[$(((i - 1) % ${#stb[@]}))]}" \
			--tmpdir "$IMP/rt" >"$TEST_TMP/restore.out" 2>&1 ||
			fail "samba-tool gpo restore $i: $(tail -3 "$TEST_TMP/restore.out")"
	done
	st2=$(elapsed "$t")
	n_gpos=$(ls "$CORP_SYSVOL" | wc -l)
	row "$n_gpos I2:import-${IMP_N}x $g2 - $st2 $cost2"
	awk -v n="$IMP_N" -v g="$g2" -v cr="$cr" -v acl="$acl" -v lst="$lst" -v cm="$cm" -v st="$st2" -v dir="$dir" -v nck="$nck" -v early="$early" \
		-v l="${cost2% *}" -v q="${cost2#* }" 'BEGIN {
		printf "I2 (per GPO, mean of %d): %.3f s in all (samba-tool %.3f): creating it %.3f", n, g / n, st / n, cr / n
		printf " (the directory object: its name checked and its LDAP adds, %.3f, the check %.3f of it; its folder ACL, set by the python helper, %.3f,", dir / n, nck / n, acl / n
		printf " the folder made beside the adds for %d of %d;", early, n
		printf " the GPO list read again %.3f),\n", lst / n
		printf "   its import commit %.3f, the rest (request, staging the backup, checks) %.3f;", cm / n, (g - cr - cm) / n
		printf " LDAP searches %.1f, SMB requests %.1f\n", l / n, q / n
	}' >>"$NOTES"

	# R (issue 12): the IMP_N GPOs I2 made, backed up through the mount
	# (untimed), restored with one request each: first as they are, then
	# deleted (samba-tool gpo del, untimed) and made again by the
	# restore; against the IMP_N samba-tool gpo restores of I2 (which
	# make new GPOs).
	mkdir -p "$IMP/rb"
	mapfile -t rg <"$TEST_TMP/i2.guids"
	for G in "${rg[@]}"; do cp -r "$D/gpos/$G" "$IMP/rb/$G" || fail "cp -r of $G"; done
	# GPOFS_BENCH_SETTLE=S: time the restores S seconds after those
	# backups. gpofs is idle once a walk ends (its .stats stand still),
	# but right after one the restores' fsyncs (the DC's for each
	# modify, the commit journal's) stall now and then, likely behind
	# the disk writing the backups back; the default, 0, measures them so.
	sleep "${GPOFS_BENCH_SETTLE:-0}"
	t=$(now)
	for G in "${rg[@]}"; do
		echo "$IMP/rb/$G" >"$D/restore" || fail "restore of $G: $(tail -2 "$ILOG")"
	done
	r1=$(elapsed "$t")
	for G in "${rg[@]}"; do samba_tool del "$G" >/dev/null 2>&1 || fail "samba-tool gpo del $G"; done
	sleep 1.1
	t=$(now)
	for G in "${rg[@]}"; do
		echo "$IMP/rb/$G" >"$D/restore" || fail "restore of the deleted $G: $(tail -2 "$ILOG")"
	done
	r2=$(elapsed "$t")
	n_gpos=$(ls "$CORP_SYSVOL" | wc -l)
	row "$n_gpos R:restore-${#rg[@]}x $r1 - $st2"
	row "$n_gpos R:restore-del-${#rg[@]}x $r2 - $st2"
	# C: the big GPO copied (a new GPO), against cp -r of it out (A):
	# on a fresh mount, as A, so that its source is read from the DC
	# (the walks above may or may not have fetched it ahead); then again
	# once the source is read (a copy after a look at it). Medians of
	# RUNS, as A's.
	cp "$ILOG" "$TEST_TMP/imports.log"
	: >"$TEST_TMP/copies.log"
	cbs=() cws=() ucb=()
	for r in $(seq 1 "$RUNS"); do
		mount_import
		u=$(cpu_mark) t=$(now)
		echo "$BIG \"Bench copy $r\"" >"$D/copy" || fail "copy of the big GPO: $(tail -2 "$ILOG")"
		cbs+=("$(elapsed "$t")")
		ucb+=("$(cpu_since "$u")")
		split3=$(grep -F "a copy of $BIG" "$ILOG" | tail -1 | sed 's/.*: a copy/a copy/')
		commit3=$(grep -F "import of a backup committed" "$ILOG" | tail -1 | sed 's/.*committed: //')
		cp -r "$D/gpos/$BIG" "$DST/warm" || fail "cp -r of the big GPO"
		rm -rf "$DST/warm"
		t=$(now)
		echo "$BIG \"Bench copy $r, source read\"" >"$D/copy" || fail "copy of the big GPO: $(tail -2 "$ILOG")"
		cws+=("$(elapsed "$t")")
		split4=$(grep -F "a copy of $BIG" "$ILOG" | tail -1 | sed 's/.*: a copy/a copy/')
		cat "$ILOG" >>"$TEST_TMP/copies.log"
	done
	cb=$(echo "${cbs[*]}" | median) cw=$(echo "${cws[*]}" | median)
	# What creating the big GPO's files costs a plain client on this DC:
	# smbclient's mput of them (from the tmpfs) into a new folder of
	# SYSVOL, all of them and its small ones alone, over one connection.
	# Not a copy (nothing is read from the DC, the large file is sent),
	# but the DC's work to create the same files. Medians of RUNS.
	cp -r "$D/gpos/$BIG/DomainSysvol/GPO" "$DST/bigsrc" || fail "cp -r of the big GPO's files"
	small=$(find "$DST/bigsrc" -name 'f1.txt' | head -1)
	# never an mput of whatever folder dirname "" would give (.)
	[ -n "$small" ] || fail "the big GPO's small files are not in its copy"
	small=$(dirname "$small")
	n_small=$(ls "$small" | wc -l)
	mps=() mss=()
	for r in $(seq 1 "$RUNS"); do
		t=$(now)
		smb_krb corp sysvol "cd $POL; mkdir bench-mput-$r; cd bench-mput-$r; lcd $DST/bigsrc; prompt off; recurse on; mput *" \
			>/dev/null 2>&1 || fail "smbclient mput of the big GPO's files"
		mps+=("$(elapsed "$t")")
		t=$(now)
		smb_krb corp sysvol "cd $POL; mkdir bench-small-$r; cd bench-small-$r; lcd $small; prompt off; mput *" \
			>/dev/null 2>&1 || fail "smbclient mput of the big GPO's small files"
		mss+=("$(elapsed "$t")")
		smb_krb corp sysvol "cd $POL; deltree bench-mput-$r; deltree bench-small-$r" >/dev/null 2>&1 || :
	done
	rm -rf "$DST/bigsrc"
	mp=$(echo "${mps[*]}" | median) ms=$(echo "${mss[*]}" | median)
	row "$n_gpos C:copy-big $cb $mp -"
	row "$n_gpos C:copy-warm $cw $mp -"
	awk -v mp="$mp" -v ms="$ms" -v cp="${CP_BIG:-0}" -v n="$n_small" 'BEGIN {
		if (cp > 0) printf "C, the same files made by a plain client (medians): smbclient mput of the big GPO'"'"'s files into a new folder %.3f s (%.2fx cp -r out), of its %d small files alone %.3f s (%.2fx)\n", mp, mp / cp, n, ms, ms / cp
	}' >>"$NOTES"
	awk -v a="$r1" -v b="$r2" -v n="${#rg[@]}" -v st="$st2" -v c="$cb" -v w="$cw" -v cp="${CP_BIG:-0}" -v runs="$RUNS" 'BEGIN {
		printf "R (per GPO, mean of %d): restore %.3f s, of a deleted GPO %.3f s (samba-tool restore %.3f s: %.3fx, %.3fx)\n", n, a / n, b / n, st / n, a / st, b / st
		if (cp > 0) printf "C (medians of %d): copy of the big GPO %.3f s on a fresh mount, %.3f s once its source was read; cp -r of it out (A) %.3f s: %.2fx, %.2fx\n", runs, c, w, cp, c / cp, w / cp
	}' >>"$NOTES"
	# where each restore's time went (its log line), the two passes apart
	grep -F "restore took" "$TEST_TMP/imports.log" | tail -n $((2 * ${#rg[@]})) | awk -v n="${#rg[@]}" '
		{
			k = NR <= n ? 1 : 2
			for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+,?$/) { v[++j] = $i + 0 }
			read[k] += v[j - 4]; state[k] += v[j - 3]; acl[k] += v[j - 2]; list[k] += v[j - 1]; set[k] += v[j]; j = 0
			if (index($0, "as the backup\047s already")) same[k]++
		}
		END {
			for (k = 1; k <= 2; k++)
				printf "   restore%s (means): reading the GPO and journalling %.3f s, its state %.3f (one LDAP modify; %d of %d already the backup\047s: none), the folder ACL %.3f, its list entry %.3f, the settings (an import commit) %.3f\n",
					k == 1 ? "" : " of a deleted GPO", read[k] / n, state[k] / n, same[k], n, acl[k] / n, list[k] / n, set[k] / n
		}' >>"$NOTES"
	echo "   the last copy: $split3; its commit: $commit3" >>"$NOTES"
	awk -v n="$NCPU" -v cp="${CP_BIG:-0}" -v ua="${CP_BIG_CPU:-0 0}" -v uc="$(cpu_medians "${ucb[@]}")" 'BEGIN {
		split(ua, a, " "); split(uc, c, " ")
		printf "   CPU of the machine (medians, %d CPUs): cp -r out (A) %.2f CPU-s (%d%% busy), the copy on a fresh mount %.2f (%d%%):", n, a[1], a[2] * 100, c[1], c[2] * 100
		printf " however its reads and writes overlapped, on these CPUs it would take no less than %.3f s, %.2fx A\n", c[1] / n, (cp > 0 ? c[1] / n / cp : 0)
	}' >>"$NOTES"
	echo "   the last copy once its source was read: $split4" >>"$NOTES"
	# GPOFS_BENCH_LOG=FILE keeps the domain's logs of the imports (the
	# copies' mounts' after them) for a look
	[ -n "${GPOFS_BENCH_LOG:-}" ] && cat "$TEST_TMP/imports.log" "$TEST_TMP/copies.log" >"$GPOFS_BENCH_LOG"
	gpofs_stop "$MNT"
	rm -rf "$IMP" "$DST/cache"
fi

python3 - "$TABLE" "$MODE" "$DST_FS" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
def num(x):
    try:
        return float(x)
    except ValueError:
        return None
print(f"gpofs read-path benchmark ({sys.argv[2]} mode), seconds; ratios gpofs/peer; copies written to {sys.argv[3]}")
print(f"{'GPOs':>5} {'step':<14} {'gpofs':>9} {'smbclient':>10} {'samba-tool':>11} {'/smbcl':>7} {'/s-tool':>8} {'LDAP':>5} {'SMB':>7}")
for r in rows:
    n, step, g, s, st = r[:5]
    ldap, smb = (r[5], r[6]) if len(r) > 6 else ("-", "-")
    gv, sv, tv = num(g), num(s), num(st)
    rs = f"{gv / sv:.2f}" if gv is not None and sv else "-"
    rt = f"{gv / tv:.3f}" if gv is not None and tv else "-"
    fmt = lambda v: f"{v:.3f}" if v is not None else "-"
    print(f"{n:>5} {step:<14} {fmt(gv):>9} {fmt(sv):>10} {fmt(tv):>11} {rs:>7} {rt:>8} {ldap:>5} {smb:>7}")
PY
if [ -s "$NOTES" ]; then
	echo "what the import figures are made of:"
	cat "$NOTES"
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
