/* The import control file: a GPMC backup imported into a GPO in one
 * request, as Import-GPO does (the target's settings become exactly the
 * backup's; its GUID, name, security, links and WMI filter link stay).
 *
 *   {BACKUP-ID} TARGET           a backup sealed in the store
 *   /path/to/backup TARGET       any backup folder
 *   SOURCE create "New name"     a new GPO, made first
 *
 * TARGET is a GPO of this domain: {GUID} or its display name. The
 * request's grammar is gpo_request.h's. What it is made of is the same
 * whole-backup transaction that `cp -r <backup>/. gpos/{G}/` makes
 * (gpo_writes.h, gpo_commit.h). */
#ifndef GPO_IMPORT_H
#define GPO_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gpo_domain.h"
#include "gpo_err.h"
#include "gpo_migration.h"
#include "gpo_request.h"
#include "gpo_writes.h"

/* What reading the import control file shows. */
extern const char gpo_import_usage[];

/* Carries out one request written to d's import control file: len bytes
 * of buf, from writer pid (see gpo_writes_acquire), backups in the store
 * folder store. Writes a line to d's log when it starts (what, into
 * what, how much) and when it fails before the commit (the commit logs
 * its own). Returns 0 when the import is committed, or -errno with the
 * reason in err: -EINVAL (a request that does not parse, a folder that is
 * not a valid backup, a file in it that is neither a file nor a folder),
 * -ENOENT (no such backup, GPO, table or destination account), -EEXIST
 * (create: the name is taken), -ENXIO (strict: something has no mapping
 * in the table; migtable=, or for a backup of another domain the
 * domain's own: gpo_migration.h),
 * -EBUSY (the GPO has changes of its own being written), -EFBIG, -EACCES
 * or -EIO from the DC, -ESTALE (the GPO changed meanwhile). Nothing in the
 * domain changes on failure (a GPO that create made is deleted again). */
int gpo_import_request(struct gpo_writes *w, struct gpo_domain *d,
		       const struct gpo_op_env *env, const char *store, const char *buf,
		       size_t len, pid_t pid, struct gpo_err *err);

/* What a GPO made for a whole-backup import of a backup (or a copy of a
 * GPO) with these extension lists is born with (gpo_born): those lists,
 * canonical (*mext, *uext: the caller frees them), and the version its
 * commit gives it. That commit moves both halves of the GPO, whose folder
 * is born bare, whatever the backup holds: what it holds below a half is
 * written there (the half's folder made), and a half it holds nothing
 * below has no folder (GPMC's Backup.xml never names Machine and User
 * themselves). Returns 0 or -ENOMEM in err. */
int gpo_import_born(const char *machine_ext, const char *user_ext, struct gpo_born *born,
		    char **mext, char **uext, struct gpo_err *err);

/* Imports the backup in folder src into GPO g (a whole-backup
 * transaction, committed before it returns), as a restore when restore
 * is true: the commit moves both halves' versions past the GPO's and past
 * floor (gpo_txn_set_restore); born, when not NULL, is what g was made
 * with for this import (gpo_txn_set_born), and the import waits for the
 * rest of g's creation (gpo_domain_create_settle) before it says it is
 * done. Returns as gpo_import_request. */
int gpo_import_folder_as(struct gpo_writes *w, struct gpo_domain *d,
			 const struct gpo *g, const char *src, pid_t pid,
			 bool restore, uint32_t floor, const struct gpo_born *born,
			 struct gpo_err *err);

/* The folder of a backup a request names: src a path (as it is) or a
 * backup ID (its folder in the store, in any case). Returns 0, or
 * -ENOENT (no such backup) or -ENAMETOOLONG with err set. */
int gpo_backup_source(const char *store, const struct gpo_ref *src, char *out,
		      size_t outlen, struct gpo_err *err);

/* GPO ref of d (a GUID, or a display name in any case) in snap. Returns
 * it (owned by snap), or NULL with err set: -ENOENT (none), -EINVAL (a
 * name several GPOs have: give the GUID). */
const struct gpo *gpo_find_gpo(struct gpo_domain *d, const struct gpo_snapshot *snap,
			       const struct gpo_ref *ref, struct gpo_err *err);

#endif
