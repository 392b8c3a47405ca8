/* What the parts of a domain (gpo_domain.c, gpo_domain_views.c,
 * gpo_backup_principals.c) share inside ops/, and nothing outside. */
#ifndef GPO_DOMAIN_INTERNAL_H
#define GPO_DOMAIN_INTERNAL_H

#include <stdbool.h>
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
	unsigned served_outage;      /* the DC outage whose journal says
					that view was served in it */
};

/* Prepares d's captures: pool and hooks (gpo_domain_views.c). Returns 0
 * or -ENOMEM. */
int gpo_domain_views_init(struct gpo_domain *d,
			  const struct gpo_worker_target *t,
			  const struct gpo_domain_io *io);

/* Reads the GPO list (LDAP, without d->lock) into a new snapshot with
 * one reference. Returns 0, or -errno with, when why is not NULL, the
 * reason in why (the LDAP connection's own when it was lost). */
int gpo_domain_read_list(struct gpo_domain *d, struct gpo_snapshot **s,
			 char *why, size_t whylen);

/* Makes s (its reference) the domain's snapshot. Caller holds d->lock. */
void gpo_domain_install(struct gpo_domain *d, struct gpo_snapshot *s);

/* Whether the DC answers (gpo_domain_dc.c). init prepares the state (at
 * open), start runs the prober (with the workers), stop ends it and
 * frees the state (at close; safe when never prepared). */
void gpo_domain_dc_init(struct gpo_domain *d);
void gpo_domain_dc_start(struct gpo_domain *d);
void gpo_domain_dc_stop(struct gpo_domain *d);

/* True while the DC is away. */
bool gpo_domain_dc_away(struct gpo_domain *d);

/* The DC failed a read (gpo_is_dc_failure) for the reason why: unless it
 * is away already, it is now, the journal says so, and the prober looks
 * for it from the next ttl on. */
void gpo_domain_dc_lost(struct gpo_domain *d, const char *why);

/* Counts a read refused because the DC is away. */
void gpo_domain_dc_refused(struct gpo_domain *d);

/* GPO guid is served from its capture of time captured because the DC
 * is away: the first time in an outage (*outage, the GPO's slot's, is
 * then set to it) the journal says so and it is counted. */
void gpo_domain_dc_serving(struct gpo_domain *d, unsigned *outage,
			   const char *guid, time_t captured);

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
