/* Committing a transaction (gpo_txn.h) to its GPO, whole or not at all.
 *
 * A commit writes SYSVOL on the PDC emulator, then GPT.INI with the new
 * version, then the directory object (versionNumber and the extension
 * lists, in one compare-and-swap modify): the directory is the commit
 * point. Before the first write it records its intent in a journal kept
 * outside the mount's cache (the steps, and the original content of every
 * file it replaces or removes, GPT.INI's too), so that a commit that
 * fails half-way puts SYSVOL back as it was, and one cut short (the
 * daemon killed, the DC lost) is finished or undone by the next
 * gpo_commit_recover: finished when the directory shows the new version,
 * undone otherwise.
 *
 * Files are written several at once where the domain can (its SMB
 * workers, when they connect to the PDC emulator: see
 * gpo_domain_sysvol_put_many), after the folders they go in; a failure
 * puts back every file whose write had begun.
 *
 * A transaction that wrote a bkupInfo.xml at the top of the GPO folder is
 * a whole-backup import (GPMC's Import): the GPO's SYSVOL becomes exactly
 * what the backup's Backup.xml names, and its extension lists the
 * backup's; its GUID, name, security, links and WMI filter link stay.
 *
 * Versions (MS-GPOL): each half whose files or extension list changed is
 * bumped (a half never wraps to 0), from the higher of the directory's and
 * GPT.INI's, so that both say the same afterwards. Nothing changed: no
 * commit at all. */
#ifndef GPO_COMMIT_H
#define GPO_COMMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "gpo_domain.h"
#include "gpo_err.h"
#include "gpo_txn.h"

struct gpo_commit_result {
	bool whole_backup;
	bool changed;              /* false: nothing to write */
	uint32_t from, to;         /* the versions */
	size_t written, removed;   /* files */
	size_t connections;        /* the puts went over so many side by side */
	/* Where the time went, in ms: checks and journal (the originals
	 * saved), SYSVOL (its steps and GPT.INI), the directory. */
	long long ms_prepare, ms_sysvol, ms_directory;
};

/* Commits t to GPO guid of d, journalling under journal_dir (the
 * domain's folder of journals, made if missing). Returns 0 (and fills
 * res), or -errno with the reason in err: -ESTALE when the GPO changed
 * on the DC after the transaction began (nothing written), -EINVAL for
 * a whole-backup import whose backup does not parse or names a file it
 * does not hold (nothing written), -ENOENT when the GPO is gone, or what
 * the DC answered (-EACCES, -EIO...), after SYSVOL was put back. The
 * domain's log says what happened either way. */
int gpo_commit(struct gpo_domain *d, const char *journal_dir, const char *guid,
	       struct gpo_txn *t, struct gpo_commit_result *res,
	       struct gpo_err *err);

/* Finishes or undoes the commits that journals under journal_dir say
 * were under way (and that no live process holds), logging each.
 * Returns how many are still left (their DC unreachable, say). */
int gpo_commit_recover(struct gpo_domain *d, const char *journal_dir);

#endif
