#!/usr/bin/env bash
# Two forests in one mount from a config file, one [section] per domain.
source "$(dirname "$0")/lib.sh"

MNT=$TEST_TMP/mnt
cat >"$TEST_TMP/gpofs.conf" <<CONF
# two forests
backup_dir = $TEST_TMP/backups
migtable_dir = $TEST_TMP/migtables
log_dir = $TEST_TMP/log

[$CORP_DNS]
server = $CORP_DC
credentials = $(creds_file corp)
tls_cacert = $CORP_CA

[$PROD_DNS]
credentials = $(creds_file prod)
tls_cacert = $PROD_CA
CONF
gpofs_start "$MNT" -o "config=$TEST_TMP/gpofs.conf"
[ "$(ls "$MNT/domains" | tr '\n' ' ')" = "$CORP_DNS $PROD_DNS " ] ||
	fail "domains/ lists $(ls "$MNT/domains")"
for dom in corp prod; do
	up=${dom^^}
	dns_var=${up}_DNS
	sysvol_var=${up}_SYSVOL
	n_mount=$(ls "$MNT/domains/${!dns_var}/gpos" | wc -l)
	n_disk=$(ls "${!sysvol_var}" | wc -l)
	[ "$n_mount" = "$n_disk" ] || fail "$dom: $n_mount GPOs mounted, $n_disk in SYSVOL"
	note "$dom: $n_mount GPOs"
done
[ -d "$MNT/backups" ] && [ -d "$MNT/migtables" ] || fail "no backups/ or migtables/"
[ "$(stat -c %a "$TEST_TMP/backups")" = 700 ] || fail "backup_dir is not private"
grep -q "by-name" "$MNT/README" || fail "README"
gpofs_stop "$MNT"

# As a daemon (no -f): it detaches, serves, and leaves on unmount.
"$GPOFS_BIN" -o "config=$TEST_TMP/gpofs.conf" "$MNT" || fail "daemon mount failed"
mountpoint -q "$MNT" || fail "the daemon did not mount"
pid=$(pgrep -f "^$GPOFS_BIN -o config=$TEST_TMP/gpofs.conf" | head -1)
[ -n "$pid" ] || fail "no daemon process"
ls "$MNT/domains/$PROD_DNS/gpos" >/dev/null
fusermount3 -u "$MNT"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$pid" 2>/dev/null || fail "the daemon did not exit after unmount"
note "daemon mode: mounted, served, exited on unmount"
