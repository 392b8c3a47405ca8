/* A migration table to start from, as GPMC's "populate from backup" makes
 * one: every principal and UNC path that a backup's or a GPO's settings
 * name, each with DestinationSameAsSource, so that a user edits the
 * destinations and has a table that covers everything a copy or an
 * import will meet (a strict one included).
 *
 * The settings are walked with gpo_migrate_file (every file
 * gpo_migrate_handles takes) through a mapper that keeps everything and
 * records what it is offered; the source's Backup.xml <SecurityGroups>
 * names the SIDs. The entries, in order:
 *   - each principal once, in the order first met (the settings' files,
 *     then SecurityGroups, FromDACL ones too: a copy with acl=source maps
 *     the DACL): a SID that SecurityGroups knows as its UPN (sam@dns,
 *     when the group gives no UPN) with the group's Type; a name that
 *     SecurityGroups does not know as the setting wrote it, and a SID it
 *     does not know as the bare SID, both Type Unknown. Builtin and
 *     well-known SIDs (gpo_sid_is_builtin) and names in BUILTIN, NT
 *     AUTHORITY or NT SERVICE are left out: they are never mapped;
 *   - each UNC path's \\server\share once (case ignored), Type UNCPath,
 *     the share covering every path below it.
 * A principal or path that a table could not hold as written (a control
 * character, say) is left out rather than making the whole table fail. */
#ifndef GPO_MIGTABLE_GEN_H
#define GPO_MIGTABLE_GEN_H

#include <stddef.h>

#include "gpo_err.h"
#include "gpo_view.h"

/* The table for the GPMC backup in folder backup_folder (its Backup.xml
 * and DomainSysvol/GPO/, found in any letter case; a backup without a
 * GPO folder has no settings). Returns 0 with the table in *out (GPMC's
 * format, UTF-16LE with a BOM: gpo_migtable_write; caller frees; *len
 * bytes); -ENOENT (no Backup.xml), -EINVAL (a Backup.xml or a settings
 * file that does not parse), -EFBIG (a file too large to be one),
 * -ENOMEM or another -errno of reading, with the reason in err (which
 * may be NULL). *out is NULL on failure. */
int gpo_migtable_gen_folder(const char *backup_folder, char **out, size_t *len,
			    struct gpo_err *err);

/* The same for a GPO of a mounted domain, from view v: its generated
 * Backup.xml (whose SecurityGroups the domain's directory named) and its
 * SYSVOL files as captured. The caller keeps its reference to v. Returns
 * as gpo_migtable_gen_folder (never -ENOENT for Backup.xml). */
int gpo_migtable_gen_view(struct gpo_view *v, char **out, size_t *len, struct gpo_err *err);

#endif
