# shellcheck shell=bash
# tests/harness/dcs.sh: run two real Samba AD domain controllers for the
# integration tests (sourceable library; bash only).
#
#   dcs_start WORKDIR     provision (in parallel) and start both forests,
#                         write WORKDIR/env.sh and WORKDIR/krb5.conf
#   dcs_stop              stop both DCs (TERM, then KILL after 10 s)
#   dc_stop corp|prod     stop one DC (e.g. to test a DC going away)
#   dc_start corp|prod    start one DC again on the same data, wait till it
#                         listens; env.sh is rewritten with the new pid
#   dc_pid corp|prod      print the pid of a running DC
#   dc_kinit corp|prod CCACHEFILE
#                         get an Administrator ticket into FILE:CCACHEFILE
#   dc_gpupdate corp|prod [ARGS...]
#                         run samba-gpupdate (a Linux Group Policy client) as
#                         the DC's machine account, in the DC's namespace
#
# The forests:
#   corp.test  NetBIOS CORP, DC dc-corp.corp.test, 127.0.0.2
#   prod.test  NetBIOS PROD, DC dc-prod.prod.test, 127.0.0.3
#
# The caller provides the network: the loopback aliases 127.0.0.2/8 and
# 127.0.0.3/8, and /etc/hosts and /etc/resolv.conf (tests/integration/run
# does this in a private network and mount namespace).  Each DC runs in a
# mount namespace of its own, with a private /run/samba (see _dc_launch).  After dcs_start,
# tests source WORKDIR/env.sh; functions other than dcs_start find the
# work dir through GPOFS_WORKDIR.
#
# The Administrator passwords are random per run and per forest and live
# only in mode-0600 files under WORKDIR/secrets; nothing here prints them.

# Seconds to wait for a DC to listen, and for it to exit when stopped.
: "${DCS_START_TIMEOUT:=60}"
: "${DCS_STOP_TIMEOUT:=10}"

# Ports that must listen before a DC counts as started: LDAP, SMB, LDAPS,
# plus Kerberos and DNS, which every test needs as well.
DCS_PORTS=(389 445 636 88 53)

# _dc_def NAME: set DC_* variables describing one forest.
_dc_def() {
	case "$1" in
	corp)
		DC_UP=CORP DC_DNS=corp.test DC_REALM=CORP.TEST DC_NETBIOS=CORP
		DC_HOST=dc-corp DC_IP=127.0.0.2 DC_BASEDN=DC=corp,DC=test
		# corp.test's DNS server is the one in resolv.conf; it forwards
		# what it is not authoritative for (prod.test) to the prod DC.
		DC_FORWARDER=127.0.0.3
		;;
	prod)
		DC_UP=PROD DC_DNS=prod.test DC_REALM=PROD.TEST DC_NETBIOS=PROD
		DC_HOST=dc-prod DC_IP=127.0.0.3 DC_BASEDN=DC=prod,DC=test
		# No forwarder: forwarding back to corp would make a loop.
		DC_FORWARDER=
		;;
	*)
		echo "dcs: unknown DC '$1' (corp or prod)" >&2
		return 2
		;;
	esac
	DC_FQDN=$DC_HOST.$DC_DNS
	DC_DIR=$DCS_WORKDIR/$1
	DC_SMBCONF=$DC_DIR/etc/smb.conf
	DC_PASSFILE=$DCS_WORKDIR/secrets/$1.pass
	DC_AUTHFILE=$DCS_WORKDIR/secrets/$1.auth
	DC_LOG=$DC_DIR/samba.log
	DC_PIDFILE=$DC_DIR/samba.pid
}

_dcs_need_workdir() {
	: "${DCS_WORKDIR:=${GPOFS_WORKDIR:-}}"
	if [[ -z $DCS_WORKDIR || ! -d $DCS_WORKDIR ]]; then
		echo "dcs: no work dir (call dcs_start WORKDIR or set GPOFS_WORKDIR)" >&2
		return 2
	fi
}

_dcs_now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
_dcs_since() { awk -v a="$1" -v b="$(_dcs_now)" 'BEGIN { printf "%.1f", b - a }'; }

# A password that meets AD's complexity rules: 24 random alphanumerics plus
# one character of each class.  base64 reads all its input, so no SIGPIPE
# under pipefail.
_dcs_genpass() {
	local p
	p=$(head -c 48 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9' | cut -c1-24)
	[[ ${#p} -eq 24 ]] || return 1
	printf '%s' "${p}Kq7-"
}

# _dcs_write_secrets NAME: password file (no trailing newline, so that
# `ldapsearch -y` can use it as is) and an smbclient -A style auth file.
_dcs_write_secrets() {
	_dc_def "$1" || return
	local pass
	pass=$(_dcs_genpass) || return
	(
		umask 077
		printf '%s' "$pass" >"$DC_PASSFILE"
		printf 'username = Administrator\npassword = %s\ndomain = %s\n' \
			"$pass" "$DC_NETBIOS" >"$DC_AUTHFILE"
	)
}

# _dc_provision NAME: samba-tool domain provision into DC_DIR.
_dc_provision() {
	_dc_def "$1" || return
	mkdir -p "$DC_DIR/etc" "$DC_DIR/run" "$DC_DIR/ncalrpc" "$DC_DIR/winbindd"
	# An empty smb.conf is taken as "write a fresh one": otherwise provision
	# starts from the host's /etc/samba/smb.conf and copies its settings
	# (log file in /var/log/samba, [homes], [printers], passwd program...).
	: >"$DC_SMBCONF"
	local -a opts=(
		"interfaces=$DC_IP"
		"bind interfaces only=yes"
		# Two DCs on one host clash on these unless each has its own.
		"pid directory=$DC_DIR/run"
		"ncalrpc dir=$DC_DIR/ncalrpc"
		"winbindd socket directory=$DC_DIR/winbindd"
		"log file=$DC_DIR/log.%m"
		"dns forwarder=$DC_FORWARDER"
		# NetBIOS would bind the broadcast address of lo, which both DCs
		# share; nothing here needs it.
		"disable netbios=yes"
		# No printing: avoids cups/printcap probing and spoolss noise.
		"load printers=no"
		"printing=bsd"
		"printcap name=/dev/null"
		"disable spoolss=yes"
	)
	local -a args=()
	local o
	for o in "${opts[@]}"; do args+=("--option=$o"); done
	# --adminpass is the one place the password is on a command line: a
	# provisioning process that lives a few seconds, in a private netns.
	samba-tool domain provision -s "$DC_SMBCONF" \
		--targetdir="$DC_DIR" --realm="$DC_REALM" --domain="$DC_NETBIOS" \
		--server-role=dc --dns-backend=SAMBA_INTERNAL \
		--host-ip="$DC_IP" --host-name="$DC_HOST" \
		--adminpass="$(cat "$DC_PASSFILE")" "${args[@]}" \
		>"$DC_DIR/provision.log" 2>&1 || {
		echo "dcs: provisioning $DC_DNS failed; tail of $DC_DIR/provision.log:" >&2
		tail -n 30 "$DC_DIR/provision.log" | grep -v -i 'password' | sed 's/^/  | /' >&2
		return 1
	}
	sed -n 's/.*DOMAIN SID: *\(S-[0-9-]*\).*/\1/p' "$DC_DIR/provision.log" | tail -n 1 \
		>"$DC_DIR/domain.sid"
	# smbd serves an ordinary user as that user's uid (Administrator is
	# root): the way down to SYSVOL must be passable, not readable.
	chmod 711 "$DCS_WORKDIR" "$DC_DIR" "$DC_DIR/state"
}

# _dcs_listening IP PORT: true if something listens on IP:PORT (tcp).
_dcs_listening() {
	ss -Hltn "src $1:$2" 2>/dev/null | grep -q .
}

# _dc_launch NAME: start samba in the background; the pid goes to DC_PIDFILE.
_dc_launch() {
	_dc_def "$1" || return
	local p
	for p in 389 445 636; do
		if _dcs_listening "$DC_IP" "$p"; then
			echo "dcs: $DC_IP:$p is already in use; is a $1 DC still running?" >&2
			return 1
		fi
	done
	printf '=== samba started %s\n' "$(date -Is)" >>"$DC_LOG"
	# The DC runs in a mount namespace of its own with a private /run/samba
	# whose winbindd/ is the DC's winbindd socket directory.  smbd finds
	# winbindd through libwbclient, which ignores "winbindd socket
	# directory" and always uses the built-in /run/samba/winbindd: with a
	# private socket dir and no such bind, every SMB session setup fails
	# with NT_STATUS_INTERNAL_ERROR; with a shared one, the two DCs clash.
	# setsid: its own session and process group, so that a test's Ctrl-C or
	# timeout does not reach it (-F alone keeps the caller's group).  The
	# shell's background child is no group leader, so setsid, unshare, env
	# and bash all exec in place and $! is the samba master, whose TERM handler
	# then stops the whole group.  Not -i: interactive samba exits at EOF
	# on stdin.
	# The DC gets our krb5.conf and no ticket cache of the caller's.
	# shellcheck disable=SC2016 # $1 and $2 are expanded by the inner bash
	setsid unshare --mount --propagation private -- \
		env -u KRB5CCNAME KRB5_CONFIG="$DCS_WORKDIR/krb5.conf" "$BASH" -c '
		# A FUSE mount copied into this namespace would outlive the
		# test'"'"'s unmount and keep its daemon running: drop them here.
		awk '"'"'$3 ~ /^fuse/ { print $2 }'"'"' /proc/self/mounts |
			while read -r m; do umount -l "$m"; done
		mkdir -p /run/samba &&
		mount -t tmpfs -o mode=0755,size=4m gpofs-dc /run/samba &&
		mkdir /run/samba/winbindd &&
		mount --bind "$1" /run/samba/winbindd &&
		exec samba -F --debug-stdout -s "$2"' dcs-launch \
		"$DC_DIR/winbindd" "$DC_SMBCONF" </dev/null >>"$DC_LOG" 2>&1 &
	echo "$!" >"$DC_PIDFILE"
}

# _dc_wait NAME: wait until the DC listens on all DCS_PORTS.
_dc_wait() {
	_dc_def "$1" || return
	local pid deadline p missing
	pid=$(cat "$DC_PIDFILE")
	deadline=$((SECONDS + DCS_START_TIMEOUT))
	while :; do
		missing=
		for p in "${DCS_PORTS[@]}"; do
			_dcs_listening "$DC_IP" "$p" || missing+=" $p"
		done
		[[ -z $missing ]] && return 0
		if ! _dcs_alive "$pid"; then
			echo "dcs: the $1 DC (samba pid $pid) exited while starting; tail of $DC_LOG:" >&2
			tail -n 40 "$DC_LOG" | sed 's/^/  | /' >&2
			return 1
		fi
		if ((SECONDS >= deadline)); then
			echo "dcs: the $1 DC ($DC_IP) does not listen on port(s)$missing after ${DCS_START_TIMEOUT}s; tail of $DC_LOG:" >&2
			tail -n 40 "$DC_LOG" | sed 's/^/  | /' >&2
			return 1
		fi
		sleep 0.2
	done
}

# _dcs_alive PID: true if PID runs.  kill -0 alone also counts a zombie,
# and a DC whose parent does not reap it (e.g. started by a shell that then
# exec'd something else) stays one.
_dcs_alive() {
	local stat
	kill -0 "$1" 2>/dev/null || return 1
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

# _dcs_descendants PID: PID's descendant pids (from /proc, no pgrep by name).
_dcs_descendants() {
	local -A kids=()
	local stat pid ppid rest
	for stat in /proc/[0-9]*/stat; do
		# Field 2 (comm) may hold spaces; strip through its closing paren.
		read -r rest 2>/dev/null <"$stat" || continue
		pid=${rest%% *}
		rest=${rest##*) }
		read -r _ ppid _ <<<"$rest"
		kids[$ppid]+=" $pid"
	done
	local -a queue=("$1")
	local cur c
	while ((${#queue[@]})); do
		cur=${queue[0]}
		queue=("${queue[@]:1}")
		for c in ${kids[$cur]:-}; do
			echo "$c"
			queue+=("$c")
		done
	done
}

dc_pid() {
	_dcs_need_workdir || return
	_dc_def "$1" || return
	local pid
	pid=$(cat "$DC_PIDFILE" 2>/dev/null) || return 1
	_dcs_alive "$pid" || return 1
	echo "$pid"
}

dc_stop() {
	_dcs_need_workdir || return
	_dc_def "$1" || return
	local pid deadline p
	pid=$(cat "$DC_PIDFILE" 2>/dev/null) || return 0
	local -a kids=()
	mapfile -t kids < <(_dcs_descendants "$pid")
	if kill -TERM "$pid" 2>/dev/null; then
		deadline=$((SECONDS + DCS_STOP_TIMEOUT))
		while _dcs_alive "$pid" && ((SECONDS < deadline)); do
			sleep 0.1
		done
		if _dcs_alive "$pid"; then
			echo "dcs: the $1 DC (pid $pid) ignored TERM for ${DCS_STOP_TIMEOUT}s; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	# Reap it if it is our child (no "Terminated" noise, no zombie).
	wait "$pid" 2>/dev/null || true
	# samba's children (smbd, winbindd, prefork workers) follow their
	# master out; give them a moment, then kill stragglers so that the
	# ports are free for dc_start.
	deadline=$((SECONDS + DCS_STOP_TIMEOUT))
	for p in "${kids[@]}"; do
		while _dcs_alive "$p" && ((SECONDS < deadline)); do sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -f "$DC_PIDFILE"
	printf '=== samba stopped %s\n' "$(date -Is)" >>"$DC_LOG"
}

dc_start() {
	_dcs_need_workdir || return
	_dc_def "$1" || return
	if dc_pid "$1" >/dev/null; then
		return 0
	fi
	_dc_launch "$1" || return
	_dc_wait "$1" || return
	_dcs_write_env
}

dcs_stop() {
	_dcs_need_workdir 2>/dev/null || return 0
	local n
	for n in corp prod; do dc_stop "$n"; done
}

# dc_kinit NAME CCACHEFILE: Administrator ticket into FILE:CCACHEFILE; the
# password comes from the password file on stdin, not the command line.
dc_kinit() {
	_dcs_need_workdir || return
	_dc_def "$1" || return
	local cc=${2:?usage: dc_kinit corp|prod CCACHEFILE}
	KRB5CCNAME=FILE:$cc kinit "Administrator@$DC_REALM" <"$DC_PASSFILE" >/dev/null || {
		echo "dcs: kinit Administrator@$DC_REALM failed" >&2
		return 1
	}
}

# dc_gpupdate corp|prod [ARGS...]: run samba-gpupdate, the Group Policy
# client of Debian's samba package, as the DC's own machine account
# (DC-CORP$ / DC-PROD$) against that DC, with ARGS added (--rsop to print
# what it would apply, --force, -d 3 to have it say what it changed...).
# Prints its output (stdout and stderr) and also appends it to
# DC_DIR/gpupdate.log; returns its exit status, which is 0 even when an
# extension failed (samba-gpupdate logs that and goes on): check effects.
#
# What samba-gpupdate needs, found here (Samba 4.17):
# - The DC's smb.conf (-s): it takes the realm, the private dir (whose
#   secrets.ldb holds the machine password it signs in with, over
#   Kerberos) and the cache directory from it. Its state is in that cache
#   directory: gpo.tdb (the GPT.INI version it last applied per GPO, and
#   what each extension changed, for unapply) and gpo_cache/ (every file
#   of every GPO that applies, fetched again over SMB on each run).
# - DNS: it finds the DC by CLDAP after an SRV lookup of the realm, so the
#   DC must be its resolver (a resolv.conf naming DC_IP is bound here).
# - The DC's winbindd: to build the machine account's token (its groups,
#   for the GPOs' security filtering) libgpo maps the account's SID to a
#   uid through winbindd and then calls getpwuid() on it, which fails
#   ("Failed to get machine token ... The specified account does not
#   exist") unless NSS knows that uid. Hence the DC's mount namespace
#   (nsenter by the DC's pid), whose /run/samba/winbindd is the DC's.
#   NSS: the host has no libnss_winbind (its package would add winbind to
#   the host's /etc/nsswitch.conf, which the running test DCs share), so
#   the passwd entry that winbindd gives for the account (wbinfo -i) is
#   added to a private copy of /etc/passwd bound over it.
# - A ticket cache: without KRB5CCNAME it kinits into the default
#   /tmp/krb5cc_0 of the host; here a file in DC_DIR/gpupdate/.
# - Not "apply group policies": that smb.conf option (default no, as
#   here) only makes the samba daemon run "gpo update command" itself
#   every 90-120 minutes; with it off only these explicit runs apply.
# - Which GPOs: those linked to the domain and to OU=Domain Controllers
#   that the account may apply; a GPO counts as changed when the
#   GPT.INI Version in its SYSVOL differs from the one gpo.tdb recorded
#   (versionNumber in the directory and gPCMachineExtensionNames are not
#   looked at, and every extension sees every changed GPO).
# - On a DC, the GptTmpl.inf [System Access] settings (password length,
#   ages, complexity) are written to the domain object through the local
#   sam.ldb; [Kerberos Policy] goes to gpo.tdb only.
# A run takes about 0.5 s.
#
# It runs in a mount namespace of its own inside the DC's, in which the
# whole file system is read-only but the DC's own directory (DC_DIR) and
# the namespace's /run/samba: samba-gpupdate's other extensions write
# host paths (/etc/sudoers.d, cron, motd, browser policies, smb.conf...)
# when a GPO holds such settings, and a GPO in a test domain must never
# change this machine. Such a write fails (EROFS) and samba-gpupdate logs
# "Failed to apply extension".
dc_gpupdate() {
	_dcs_need_workdir || return
	_dc_def "${1:-}" || return
	local name=$1
	shift
	local pid dir=$DC_DIR/gpupdate rc=0
	local acct=$DC_NETBIOS\\${DC_HOST^^}\$
	pid=$(dc_pid "$name") || {
		echo "dcs: dc_gpupdate: the $name DC is not running" >&2
		return 1
	}
	command -v samba-gpupdate >/dev/null || [[ -x /usr/sbin/samba-gpupdate ]] || {
		echo "dcs: dc_gpupdate: samba-gpupdate is not installed (Debian's samba package)" >&2
		return 1
	}
	mkdir -p "$dir" && chmod 700 "$dir" || return
	rm -f "$dir/krb5cc"
	printf '=== samba-gpupdate %s started %s\n' "$*" "$(date -Is)" >>"$DC_DIR/gpupdate.log"
	# shellcheck disable=SC2016 # expanded by the inner bash
	nsenter -t "$pid" --mount --net -- unshare --mount --propagation private -- \
		env KRB5_CONFIG="$DCS_WORKDIR/krb5.conf" KRB5CCNAME="FILE:$dir/krb5cc" \
		PYTHONDONTWRITEBYTECODE=1 PATH="/usr/sbin:/usr/bin:/sbin:/bin" \
		"$BASH" -c '
		set -e
		dcdir=$1 dir=$2 ip=$3 acct=$4 smbconf=$5
		shift 5
		line=$(wbinfo -i "$acct") || {
			echo "dc_gpupdate: the DC'"'"'s winbindd does not know $acct" >&2
			exit 1
		}
		{ cat /etc/passwd; printf "%s\n" "$line"; } >"$dir/passwd"
		printf "nameserver %s\n" "$ip" >"$dir/resolv.conf"
		mount --bind "$dir/passwd" /etc/passwd
		mount --bind "$dir/resolv.conf" /etc/resolv.conf
		mount --bind "$dcdir" "$dcdir"
		# remount,bind: the flag of this namespace'"'"'s copy of each
		# mount, never the file system'"'"'s (which the host shares)
		awk "{ print \$5 }" /proc/self/mountinfo | sort -u |
			while IFS= read -r mp; do
				mp=$(printf "%b" "$mp")
				case $mp in
				/proc | /proc/* | /sys | /sys/* | /dev | /dev/* | \
				/run/samba | /run/samba/* | "$dcdir" | "$dcdir"/*) ;;
				*) mount -o remount,bind,ro "$mp" 2>/dev/null || true ;;
				esac
			done
		exec samba-gpupdate -s "$smbconf" "$@"' dc-gpupdate \
		"$DC_DIR" "$dir" "$DC_IP" "$acct" "$DC_SMBCONF" "$@" \
		</dev/null >"$dir/output" 2>&1 || rc=$?
	cat "$dir/output"
	{
		cat "$dir/output"
		printf '=== samba-gpupdate exited %s\n' "$rc"
	} >>"$DC_DIR/gpupdate.log"
	return "$rc"
}

_dcs_write_krb5conf() {
	cat >"$DCS_WORKDIR/krb5.conf" <<-EOF
		# Written by tests/harness/dcs.sh: both test realms, no DNS lookups.
		[libdefaults]
		    default_realm = CORP.TEST
		    dns_lookup_kdc = false
		    dns_lookup_realm = false
		    rdns = false
		    forwardable = true

		[realms]
		    CORP.TEST = {
		        kdc = 127.0.0.2
		        admin_server = 127.0.0.2
		        default_domain = corp.test
		    }
		    PROD.TEST = {
		        kdc = 127.0.0.3
		        admin_server = 127.0.0.3
		        default_domain = prod.test
		    }

		[domain_realm]
		    .corp.test = CORP.TEST
		    corp.test = CORP.TEST
		    .prod.test = PROD.TEST
		    prod.test = PROD.TEST
	EOF
}

# _dcs_export NAME VALUE: an "export NAME='VALUE'" line.
_dcs_export() {
	local q="'\\''"
	printf "export %s='%s'\n" "$1" "${2//\'/$q}"
}

# _dcs_write_env: WORKDIR/env.sh, the exported variables tests source.
_dcs_write_env() {
	local n p tmp=$DCS_WORKDIR/env.sh.tmp
	{
		echo "# Written by tests/harness/dcs.sh; source it (every line exports)."
		_dcs_export GPOFS_WORKDIR "$DCS_WORKDIR"
		_dcs_export KRB5_CONFIG "$DCS_WORKDIR/krb5.conf"
		# A default ccache inside the work dir, so that a bare kinit never
		# touches the user's own /tmp/krb5cc_UID.
		_dcs_export KRB5CCNAME "FILE:$DCS_WORKDIR/krb5cc_default"
		for n in corp prod; do
			_dc_def "$n"
			p=$DC_UP
			_dcs_export "${p}_DNS" "$DC_DNS"
			_dcs_export "${p}_REALM" "$DC_REALM"
			_dcs_export "${p}_NETBIOS" "$DC_NETBIOS"
			_dcs_export "${p}_IP" "$DC_IP"
			_dcs_export "${p}_DC" "$DC_FQDN"
			_dcs_export "${p}_BASEDN" "$DC_BASEDN"
			_dcs_export "${p}_SID" "$(cat "$DC_DIR/domain.sid" 2>/dev/null)"
			_dcs_export "${p}_CA" "$DC_DIR/private/tls/ca.pem"
			_dcs_export "${p}_SYSVOL" "$DC_DIR/state/sysvol/$DC_DNS/Policies"
			_dcs_export "${p}_SMBCONF" "$DC_SMBCONF"
			_dcs_export "${p}_PID" "$(cat "$DC_PIDFILE" 2>/dev/null)"
			_dcs_export "${p}_LOG" "$DC_LOG"
			_dcs_export "${p}_ADMIN_PASSFILE" "$DC_PASSFILE"
			_dcs_export "${p}_AUTHFILE" "$DC_AUTHFILE"
		done
	} >"$tmp"
	mv -f "$tmp" "$DCS_WORKDIR/env.sh"
}

# dcs_start WORKDIR: provision both forests in parallel, start both DCs,
# wait until they listen, write env.sh.  Prints timings on stdout.
dcs_start() {
	DCS_WORKDIR=$(cd "${1:?usage: dcs_start WORKDIR}" && pwd) || return
	export GPOFS_WORKDIR=$DCS_WORKDIR
	local n t0 rc=0
	local -A pids=()
	for n in samba samba-tool ss kinit; do
		command -v "$n" >/dev/null || {
			echo "dcs: '$n' is not installed" >&2
			return 1
		}
	done
	chmod 700 "$DCS_WORKDIR"
	mkdir -p "$DCS_WORKDIR/secrets" && chmod 700 "$DCS_WORKDIR/secrets"
	_dcs_write_krb5conf
	for n in corp prod; do _dcs_write_secrets "$n" || return; done

	t0=$(_dcs_now)
	for n in corp prod; do
		_dc_provision "$n" &
		pids[$n]=$!
	done
	for n in corp prod; do wait "${pids[$n]}" || rc=1; done
	((rc == 0)) || return 1
	echo "dcs: provisioned corp.test and prod.test in $(_dcs_since "$t0") s"

	t0=$(_dcs_now)
	for n in corp prod; do _dc_launch "$n" || rc=1; done
	for n in corp prod; do
		[[ -s $DCS_WORKDIR/$n/samba.pid ]] && { _dc_wait "$n" || rc=1; }
	done
	_dcs_write_env
	((rc == 0)) || return 1
	echo "dcs: started both DCs in $(_dcs_since "$t0") s"
}
