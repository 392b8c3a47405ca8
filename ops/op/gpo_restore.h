/* The restore control file: a GPO returned to its state in a GPMC backup
 * of this domain, as RestoreGPO does: the same GUID, the settings (its
 * SYSVOL becomes exactly the backup's), the DACL in the directory and the
 * matching ACL on its SYSVOL folder, the display name, the status (flags)
 * and the WMI filter link when that filter still exists. Links are not
 * touched. A GPO that was deleted is made again under its GUID. Both
 * halves' versions go past the GPO's and the backup's, so that clients
 * apply the restored settings again.
 *
 *   {BACKUP-ID}              a backup sealed in the store
 *   /path/to/backup          any backup folder
 *
 * The steps: the directory object (made again when gone; then its name,
 * status, WMI link and DACL in one LDAP modify), the folder's ACL from
 * that DACL, then the settings as a whole-backup import (gpo_import.h)
 * whose commit moves both versions. What the object held before is kept
 * in a journal first (journal_dir/restore-{GUID}): a failure puts it back
 * (and deletes a GPO made again), and gpo_restore_recover does the same
 * at start for a daemon killed half-way, unless the commit had landed. */
#ifndef GPO_RESTORE_H
#define GPO_RESTORE_H

#include <stddef.h>
#include <sys/types.h>

#include "gpo_domain.h"
#include "gpo_err.h"
#include "gpo_writes.h"

/* What reading the restore control file shows. */
extern const char gpo_restore_usage[];

/* Carries out one request written to d's restore control file: len bytes
 * of buf, from writer pid, backups in the store folder store, the journal
 * under journal_dir. Logs what it does and why it failed. Returns 0 when
 * restored, or -errno with the reason in err: -EINVAL (a request that does
 * not parse, a folder that is not a valid backup), -ENOENT (no such
 * backup), -EXDEV (a backup of another domain), -EEXIST (a GPO deleted
 * since, whose name another GPO now has), -EBUSY (the GPO has changes of
 * its own being written), -EACCES or -EIO from the DC, -ESTALE (the GPO
 * changed meanwhile). On failure the domain is as it was. */
int gpo_restore_request(struct gpo_writes *w, struct gpo_domain *d,
			const char *store, const char *journal_dir,
			const char *buf, size_t len, pid_t pid,
			struct gpo_err *err);

/* Puts back what restores that journal_dir's journals say were under way
 * had changed, unless their commit landed (then they were done), and
 * removes the journals. Returns how many are left (their DC away). */
int gpo_restore_recover(struct gpo_domain *d, const char *journal_dir);

#endif
