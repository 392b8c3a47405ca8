/* What the parts of a domain (gpo_domain.c, gpo_domain_views.c,
 * gpo_backup_principals.c) share inside ops/, and nothing outside. */
#ifndef GPO_DOMAIN_INTERNAL_H
#define GPO_DOMAIN_INTERNAL_H

#include <sys/types.h>
#include <time.h>

#include "gpo_backup_xml.h"
#include "gpo_domain.h"

/* A process keeps the view it first read a GPO from while it goes on
 * using it (pauses under this long): one cp -r or rsync sees one version
 * throughout, whatever others see meanwhile. */
#define VIEW_PIN_MS 2000

struct gpo_view_pin {
	pid_t pid;
	char guid[GPO_GUID_LEN + 1];
	struct gpo_view *view;
	struct timespec used;
};
/* A view nobody used for this long is dropped from the cache. */
#define VIEW_IDLE_MS (5 * 60 * 1000)

/* An account as a backup names it; sam NULL: the directory has none. */
struct gpo_sid_name {
	char sid[GPO_SID_STR_MAX];
	char *sam;
	const char *type;
};

struct gpo_view_slot {
	char guid[GPO_GUID_LEN + 1];
	struct gpo_view *view;
	struct timespec checked;     /* when it was last found current */
};

/* Prepares d's captures: pool and hooks (gpo_domain_views.c). Returns 0
 * or -ENOMEM. */
int gpo_domain_views_init(struct gpo_domain *d,
			  const struct gpo_worker_target *t,
			  const struct gpo_domain_io *io);

/* Milliseconds since t (CLOCK_MONOTONIC). */
long long gpo_ms_since(const struct timespec *t);

/* SecurityGroups of a backup of v: the settings' principals, then the
 * DACL's, named from the domain's cache or one LDAP search. Returns 0 and
 * a new array (free with gpo_principals_free) or -errno. */
int gpo_domain_principals(struct gpo_domain *d, const struct gpo_view *v,
			  struct gpo_principal **out, size_t *n_out);

/* Frees an array from gpo_domain_principals. */
void gpo_principals_free(struct gpo_principal *p, size_t n);

/* FilePaths of a backup of v: the UNC paths of scripts and folder
 * redirection. Returns 0 and a new array of new strings (caller frees
 * both) or -ENOMEM. */
int gpo_domain_file_paths(const struct gpo_view *v, const char ***out,
			  size_t *n_out);

#endif
