/* The backup store: a local folder of GPMC backups, each in a folder named
 * by its backup ID once it is sealed.
 *
 * A folder copied into the store is sealed when it is a complete, valid
 * backup: it is renamed to its backup ID and made read-only (files 0400,
 * folders 0500). A sealed folder is one named as a GUID that has no write
 * permission. manifest.xml, GPMC's index of a backup folder, is generated
 * from the sealed backups. */
#ifndef GPO_STORE_H
#define GPO_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "gpo_backup_read.h"
#include "gpo_model.h"

/* Checks that dir holds a GPMC backup: bkupInfo.xml names a backup ID and
 * a GPO GUID, Backup.xml is a GroupPolicyBackupScheme, and every
 * bkp:Location is a path under DomainSysvol\ (no "..") naming something
 * present in dir. The files' bytes are read by gpo_backup_read.h.
 * Returns 0 and fills info (free with gpo_backup_info_free), or -EINVAL /
 * -ENOENT with the reason in why, or -ENOMEM. */
int gpo_backup_check(const char *dir, struct gpo_backup_info *info,
		     char *why, size_t whylen);

/* The same without looking for what the Locations name: what an import
 * checks first (it makes a folder the backup names and lacks, as a copy
 * that lost its empty folders does; a missing file refuses the commit). */
int gpo_backup_check_form(const char *dir, struct gpo_backup_info *info,
			  char *why, size_t whylen);

/* True when store/name is a sealed backup. */
bool gpo_store_is_sealed(const char *store, const char *name);

#define GPO_STORE_GONE 2

/* Seals store/name: checks it, then renames it to its backup ID and makes
 * it read-only; when that ID is already sealed with the same content, the
 * new copy is removed instead. Holds an flock on the store folder
 * meanwhile, so that several mounts of one store seal one at a time.
 * Fills info (free with gpo_backup_info_free) when it returns 0 or 1.
 * Returns 0 when sealed, 1 when it was a copy of a sealed backup (and is
 * gone), GPO_STORE_GONE when store/name no longer exists (removed, or
 * sealed by another mount); -EINVAL/-ENOENT (not a valid backup) or
 * -EEXIST (a different backup with that ID is sealed) with the reason in
 * why; or -errno. */
int gpo_store_seal(const char *store, const char *name,
		   struct gpo_backup_info *info, char *why, size_t whylen);

/* Finds rel ('/'-separated) under dir ignoring case, as Windows resolves
 * a path, and writes the path found into out. Returns 0 or -ENOENT. */
int gpo_resolve_nocase(const char *dir, const char *rel, char *out,
		       size_t outlen);

/* Removes a folder tree, sealed or not. Returns 0 or -errno. */
int gpo_store_remove_tree(const char *path);

/* Builds manifest.xml for the sealed backups in store, sorted by ID.
 * Returns 0 and a new buffer (caller frees) or -errno. */
int gpo_store_manifest(const char *store, char **data, size_t *len);

#endif
