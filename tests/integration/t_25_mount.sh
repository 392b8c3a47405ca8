#!/usr/bin/env bash
# Mounting like other filesystems: every option and the mount point are
# checked before any sign-in, "mounted" is said only once the mount exists,
# each start-up failure is one line and a non-zero exit, and an fstab line
# and mount -t fuse.gpofs mount through mount.fuse3 (the daemon then
# leaves when unmounted).
source "$(dirname "$0")/lib.sh"

command -v mount.fuse3 >/dev/null || skip "mount.fuse3 is not installed"

MNT=$TEST_TMP/mnt
CRED=$(creds_file corp)
# cache_dir too: a daemon killed below must leave nothing outside TEST_TMP
COMMON="backup_dir=$TEST_TMP/b,migtable_dir=$TEST_TMP/m,cache_dir=$TEST_TMP/cache,log_dir=$TEST_TMP/log"
CORP_OPTS="server=$CORP_DC,credentials=$CRED,tls_cacert=$CORP_CA,$COMMON"
REG=domains/$CORP_DNS/gpos/$GPO_REGISTRY/DomainSysvol/GPO/Machine/registry.pol
mkdir -p "$MNT"

# refused PATTERN COMMAND...: COMMAND (a gpofs start) must exit non-zero
# without mounting, and print exactly one line, matching PATTERN, with no
# "mounted" in it.
mounts() { awk -v m="$1" '$5 == m' /proc/self/mountinfo | wc -l; }
refused() {
	local pattern=$1 rc=0 lines before
	shift
	before=$(mounts "$MNT")
	timeout 60 "$@" >"$TEST_TMP/out.all" 2>&1 </dev/null || rc=$?
	if [ -n "${IGNORED:-}" ]; then
		grep -v -e "$IGNORED" "$TEST_TMP/out.all" >"$TEST_TMP/out" || true
	else
		cp "$TEST_TMP/out.all" "$TEST_TMP/out"
	fi
	[ "$rc" -ne 0 ] || fail "it mounted: $*"
	[ "$rc" -ne 124 ] || fail "it hung: $*"
	[ "$(mounts "$MNT")" -eq "$before" ] || fail "left a mount: $*"
	lines=$(wc -l <"$TEST_TMP/out")
	if grep -qi "mounted" "$TEST_TMP/out" || [ "$lines" -ne 1 ] ||
		! grep -qi -- "$pattern" "$TEST_TMP/out"; then
		sed 's/^/    | /' "$TEST_TMP/out" >&2
		fail "wanted one line saying '$pattern' and no 'mounted' ($lines lines): $*"
	fi
	note "refused: $(cat "$TEST_TMP/out")"
}

# daemon_of MNT: the pid of the gpofs process serving MNT (its last
# argument but the options), found by its command line.
daemon_of() {
	local p a
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$(readlink -f "$GPOFS_BIN")" ] || continue
		while IFS= read -r -d '' a; do
			if [ "$a" = "$1" ]; then
				echo "${p#/proc/}"
				return 0
			fi
		done <"$p/cmdline"
	done
	return 1
}

# gone PID: true once PID has exited (a zombie counts: init reaps it).
gone() {
	local s
	for _ in $(seq 1 200); do
		s=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
		[ "$s" = Z ] && return 0
		sleep 0.1
	done
	return 1
}

# 1. Options are checked before any sign-in: an unknown option (FUSE's to
# judge) fails at once, not after a sign-in that printed "mounted". With an
# unreachable DC, any sign-in attempted first would say so instead.
refused "unknown option.*bogus" \
	"$GPOFS_BIN" -f -o "domain=$CORP_DNS,$CORP_OPTS,bogus=1" "$MNT"
refused "unknown option.*bogus" \
	"$GPOFS_BIN" -f -o "domain=$CORP_DNS,$CORP_OPTS,server=127.0.0.9,bogus=1" "$MNT"
# ...and so is the mount point
touch "$TEST_TMP/file"
refused "not a directory" \
	"$GPOFS_BIN" -f -o "domain=$CORP_DNS,$CORP_OPTS,server=127.0.0.9" "$TEST_TMP/file"
refused "does not exist" \
	"$GPOFS_BIN" -f -o "domain=$CORP_DNS,$CORP_OPTS,server=127.0.0.9" "$TEST_TMP/nowhere"

# 2. A stale mount point (its daemon killed): the next gpofs says what it
# is and what to run, before signing in.
gpofs_start "$MNT" -o "domain=$CORP_DNS,$CORP_OPTS"
grep -q "^gpofs: $CORP_DNS: mounted from $CORP_DC" "$TEST_TMP/gpofs.log" ||
	{ cat "$TEST_TMP/gpofs.log" >&2; fail "no 'mounted from' line once mounted"; }
[ "$(grep -c mounted "$TEST_TMP/gpofs.log")" -eq 1 ] || fail "'mounted' said more than once"
kill -9 "$GPOFS_PID"
wait "$GPOFS_PID" 2>/dev/null || true
stat -f "$MNT" >/dev/null 2>"$TEST_TMP/stat.err" && fail "the mount did not go stale"
grep -q "not connected" "$TEST_TMP/stat.err" || fail "stat: $(cat "$TEST_TMP/stat.err")"
refused "stale.*fusermount3 -u $MNT" "$GPOFS_BIN" -f -o "domain=$CORP_DNS,$CORP_OPTS" "$MNT"
fusermount3 -uz "$MNT"
rm -rf "$TEST_TMP/cache"
note "stale mount point: refused with the fusermount3 -u hint"

# 3. A missing keytab is said to be missing (it was "Cannot contact any KDC
# for realm 'ATHENA.MIT.EDU'").
refused "keytab $TEST_TMP/nosuch.keytab does not exist" "$GPOFS_BIN" -f \
	-o "domain=$CORP_DNS,server=$CORP_DC,keytab=$TEST_TMP/nosuch.keytab,principal=Administrator@$CORP_REALM,$COMMON" "$MNT"

# 4. An fstab line, mounted through mount(8) and mount.fuse3, which runs
# "gpofs SOURCE MOUNTPOINT -o OPTIONS" and adds dev,suid; the options
# mount(8) and systemd use must not disturb gpofs. mount(8) clears PATH
# first, so the shell mount.fuse3 starts finds gpofs only in its default
# PATH, as installed: here the build's, in a tmpfs over /usr/local/sbin
# (this run's mount namespace is private; the tmpfs goes at exit).
mount -t tmpfs -o mode=755,size=1m gpofs-t25-sbin /usr/local/sbin
trap 'umount /usr/local/sbin; cleanup_mounts' EXIT
ln -s "$GPOFS_BIN" /usr/local/sbin/gpofs
[ "$(env -i /bin/sh -c 'command -v gpofs')" = /usr/local/sbin/gpofs ] ||
	fail "the default PATH does not find /usr/local/sbin/gpofs"
cat >"$TEST_TMP/fstab" <<FSTAB
# a test fstab
$CORP_DNS $MNT fuse.gpofs noauto,nofail,_netdev,x-systemd.automount,x-systemd.mount-timeout=60,$CORP_OPTS 0 0
FSTAB
mount -T "$TEST_TMP/fstab" "$MNT" >"$TEST_TMP/mount.out" 2>&1 ||
	{ cat "$TEST_TMP/mount.out" >&2; fail "mount -T fstab failed"; }
mountpoint -q "$MNT" || fail "mount -T returned, but nothing is mounted"
[ "$(findmnt -n -o FSTYPE,SOURCE "$MNT")" = "fuse.gpofs $CORP_DNS" ] ||
	fail "findmnt shows $(findmnt -n -o FSTYPE,SOURCE "$MNT"), not fuse.gpofs $CORP_DNS"
grep -q "$CORP_DNS: mounted from" "$TEST_TMP/mount.out" ||
	{ cat "$TEST_TMP/mount.out" >&2; fail "mount said nothing of the domain"; }
cmp "$MNT/$REG" "$CORP_SYSVOL/$GPO_REGISTRY/Machine/registry.pol" || fail "fstab mount: read differs"
pid=$(daemon_of "$MNT") || fail "no gpofs daemon for $MNT"
umount "$MNT" || fail "umount failed"
gone "$pid" || fail "gpofs $pid still runs 20 s after umount"
note "fstab line: mounted by mount -T, read, unmounted, daemon gone"

# 5. mount -t fuse.gpofs SOURCE MNT -o ...: the source names the domain.
mount -t fuse.gpofs -o "$CORP_OPTS" "$CORP_DNS" "$MNT" >"$TEST_TMP/mount.out" 2>&1 ||
	{ cat "$TEST_TMP/mount.out" >&2; fail "mount -t fuse.gpofs failed"; }
[ "$(ls "$MNT/domains")" = "$CORP_DNS" ] || fail "domains/: $(ls "$MNT/domains")"
cmp "$MNT/$REG" "$CORP_SYSVOL/$GPO_REGISTRY/Machine/registry.pol" || fail "mount -t: read differs"
# Outside the stores every change is EROFS, as the man page says, a new
# name and a link too (they were ENOENT and EPERM).
erofs() {
	local out
	if out=$("$@" 2>&1); then fail "write succeeded: $*"; fi
	grep -q "Read-only file system" <<<"$out" || fail "not EROFS: $* -> $out"
}
D=$MNT/domains/$CORP_DNS
G=$D/gpos/$GPO_REGISTRY/DomainSysvol/GPO
erofs touch "$MNT/new-at-top"
erofs mkdir "$MNT/domains/new.test"
erofs touch "$D/new-file"
erofs mkdir "$D/gpos/new-folder"
erofs ln -s Machine "$G/link"
erofs ln "$MNT/$REG" "$G/hardlink"
erofs mkfifo "$G/fifo"
erofs mv "$MNT/$REG" "$D/moved.pol"
note "writes outside the stores: EROFS, new names and links too"
pid=$(daemon_of "$MNT") || fail "no gpofs daemon for $MNT"
fusermount3 -u "$MNT" || fail "fusermount3 -u failed"
gone "$pid" || fail "gpofs $pid still runs 20 s after fusermount3 -u"
note "mount -t fuse.gpofs: mounted, read, unmounted, daemon gone"

# With a config file: source "none" mounts its domains; a domain as source
# mounts that one only, with the settings of its section.
PCRED=$(creds_file prod)
cat >"$TEST_TMP/gpofs.conf" <<CONF
backup_dir = $TEST_TMP/b
migtable_dir = $TEST_TMP/m
cache_dir = $TEST_TMP/cache
log_dir = $TEST_TMP/log
[$CORP_DNS]
server = $CORP_DC
credentials = $CRED
tls_cacert = $CORP_CA
[$PROD_DNS]
server = $PROD_DC
credentials = $PCRED
tls_cacert = $PROD_CA
CONF
mount -t fuse.gpofs -o "config=$TEST_TMP/gpofs.conf" none "$MNT" >"$TEST_TMP/mount.out" 2>&1 ||
	{ cat "$TEST_TMP/mount.out" >&2; fail "mount -t fuse.gpofs none -o config= failed"; }
[ "$(ls "$MNT/domains" | tr '\n' ' ')" = "$CORP_DNS $PROD_DNS " ] || fail "none: domains/: $(ls "$MNT/domains")"
[ "$(grep -c ": mounted from" "$TEST_TMP/mount.out")" -eq 2 ] || fail "not one 'mounted' line per domain"
pid=$(daemon_of "$MNT") || fail "no gpofs daemon for $MNT"
umount "$MNT"
gone "$pid" || fail "gpofs $pid still runs after umount"
mount -t fuse.gpofs -o "config=$TEST_TMP/gpofs.conf" "$PROD_DNS" "$MNT" >"$TEST_TMP/mount.out" 2>&1 ||
	{ cat "$TEST_TMP/mount.out" >&2; fail "mount -t fuse.gpofs $PROD_DNS -o config= failed"; }
[ "$(ls "$MNT/domains")" = "$PROD_DNS" ] || fail "$PROD_DNS: domains/: $(ls "$MNT/domains")"
pid=$(daemon_of "$MNT") || fail "no gpofs daemon for $MNT"
umount "$MNT"
gone "$pid" || fail "gpofs $pid still runs after umount"
note "config= with source none: both domains; with source $PROD_DNS: that one"

# 6. A user who may not use /dev/fuse is told before signing in; a mount
# that fusermount3 refuses after the sign-in is one line of gpofs's, not
# "mounted" and then fusermount3's complaints. Run as nobody, in a mount
# namespace of its own where /dev/fuse and fusermount3 are stand-ins.
NB=$TEST_TMP/nobody
chmod 711 "$TEST_TMP"
mkdir -p "$NB/mnt" "$NB/run" "$NB/dev"
install -m 600 "$CRED" "$NB/corp.cred"
install -m 644 "$CORP_CA" "$NB/ca.pem"
# a copy nobody may run, wherever the build is
install -m 755 "$GPOFS_BIN" "$NB/gpofs"
chown -R nobody "$NB"
NB_OPTS="domain=$CORP_DNS,server=$CORP_DC,credentials=$NB/corp.cred,tls_cacert=$NB/ca.pem,log_dir=$NB/log,cache_dir=$NB/cache,backup_dir=$NB/b,migtable_dir=$NB/m"
# as nobody: DIR MODE FUSERMOUNT GPOFS OPTIONS, /dev/fuse made MODE
AS_NOBODY='
	set -e
	mount -t tmpfs -o mode=755 gpofs-t25 "$0/dev"
	mknod -m "$1" "$0/dev/fuse" c 10 229
	mount --bind "$0/dev/fuse" /dev/fuse
	[ -z "$2" ] || mount --bind "$2" "$(command -v fusermount3)"
	exec setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env HOME="$0" XDG_RUNTIME_DIR="$0/run" "$3" -f -o "$4" "$0/mnt"'
# nobody's home does not exist: libsmbclient says so (not gpofs's words)
IGNORED='^gencache_init: Failed to expand path: ~/.cache/samba'
refused "cannot open /dev/fuse: Permission denied" \
	unshare --mount --propagation private bash -c "$AS_NOBODY" "$NB" 600 "" "$NB/gpofs" "$NB_OPTS"
printf '#!/bin/sh\necho "fusermount3: refused by the test" >&2\nexit 1\n' >"$TEST_TMP/fusermount3"
chmod 755 "$TEST_TMP/fusermount3"
refused "cannot mount on $NB/mnt: refused by the test" \
	unshare --mount --propagation private bash -c "$AS_NOBODY" "$NB" 666 "$TEST_TMP/fusermount3" "$NB/gpofs" "$NB_OPTS"
note "as nobody: no /dev/fuse refused before sign-in; fusermount3's refusal is one line"
