/* The copy control file: a new GPO holding another's settings, as GPMC's
 * CopyTo does within a domain: a new GUID, the given name, unlinked; the
 * source's SYSVOL and extension lists; its WMI filter link; the default
 * security of a new GPO, or with acl=source the source's DACL (and the
 * matching folder ACL).
 *
 *   SOURCE "New name" [acl=default|source] [migtable=T] [strict] [dry-run]
 *
 * SOURCE is a GPO of this domain or (domain/SOURCE) of another mounted
 * one, by {GUID} or display name; from another domain its principals and
 * paths are mapped through a migration table (gpo_migration.h). The settings
 * are those of the source as it was captured (one version throughout, as
 * a cp -r of its folder would copy), written into the new GPO as a
 * whole-backup import (gpo_import.h). */
#ifndef GPO_COPY_H
#define GPO_COPY_H

#include <stddef.h>
#include <sys/types.h>

#include "gpo_domain.h"
#include "gpo_err.h"
#include "gpo_migration.h"
#include "gpo_writes.h"

/* What reading the copy control file shows. */
extern const char gpo_copy_usage[];

/* Carries out one request written to d's copy control file: len bytes of
 * buf, from writer pid. Logs what it does and why it failed. Returns 0
 * when the copy is committed, or -errno with the reason in err: -EINVAL
 * (a request or table that does not parse; a name several GPOs have),
 * -ENOENT (no such source, domain, table or destination account), -EEXIST
 * (the name is taken), -ENXIO (strict: something unmapped), -EACCES or
 * -EIO from the DC. A dry run returns 0 having made nothing.
 * On failure the new GPO is deleted again: nothing is left. */
int gpo_copy_request(struct gpo_writes *w, struct gpo_domain *d,
		     const struct gpo_op_env *env, const char *buf, size_t len, pid_t pid,
		     struct gpo_err *err);

#endif
