/* The plumbing shared by gpo_migrate.c and the file kinds' rewriters
 * (gpo_migrate_inf.c, gpo_migrate_xml.c); not for other callers. */
#ifndef GPO_MIGRATE_INTERNAL_H
#define GPO_MIGRATE_INTERNAL_H

#ifndef GPO_OPS_INTERNAL
#error "gpo_migrate_internal.h is ops/format's own: use gpo_migrate.h"
#endif

#include "gpo_buf.h"
#include "gpo_migrate.h"

struct gpo_mig {
	const struct gpo_mapper *m;
	const char *relpath;
	struct gpo_err *err;
};

/* Offers a principal to the mapper. sid_in is a SID as written (any
 * case; NULL when none), name_in a name (NULL when none). Returns 0 with
 * the verdict in *v and, on REPLACE, the new values in *out (the caller
 * frees them with gpo_mig_out_free); -EINVAL (reason set) when sid_in is
 * not a SID or REPLACE left both fields NULL; or the mapper's error. */
int gpo_mig_principal(struct gpo_mig *g, unsigned line, const char *what,
		      bool can_drop, const char *sid_in, size_t sid_len,
		      const char *name_in, size_t name_len,
		      enum gpo_map_verdict *v, struct gpo_map_principal_out *out);

/* Offers a UNC path of len bytes. Returns 0 and *out NULL (keep) or the
 * new path (caller frees); -EINVAL for DROP, an empty path or one with
 * control characters; or the mapper's error. */
int gpo_mig_path(struct gpo_mig *g, unsigned line, const char *what,
		 const char *path, size_t len, char **out);

void gpo_mig_out_free(struct gpo_map_principal_out *out);

/* Whether the len bytes at p start a UNC path: "\\\\" and a server
 * name (not "\\\\?\\" or "\\\\.\\", which are device paths). */
bool gpo_mig_is_unc(const char *p, size_t len);

/* The INI kinds (gpo_migrate_inf.c) and Preferences XML
 * (gpo_migrate_xml.c) on decoded UTF-8 text of len bytes: the new text
 * in b (always filled, changed or not). Returns 0, -EINVAL (reason set),
 * -ENOMEM or the mapper's error. */
enum gpo_mig_ini_kind { GPO_MIG_SECEDIT, GPO_MIG_SCRIPTS, GPO_MIG_FDEPLOY,
			GPO_MIG_FDEPLOY1 };
int gpo_mig_ini(struct gpo_mig *g, enum gpo_mig_ini_kind kind,
		const char *text, size_t len, struct gpo_buf *b);

int gpo_mig_xml(struct gpo_mig *g, const char *text, size_t len,
		struct gpo_buf *b);
#endif
