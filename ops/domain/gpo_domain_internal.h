/* What the parts of a domain (gpo_domain.c, gpo_domain_views.c,
 * gpo_backup_principals.c) share inside ops/, and nothing outside. */
#ifndef GPO_DOMAIN_INTERNAL_H
#define GPO_DOMAIN_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#ifndef GPO_OPS_INTERNAL
#error "gpo_domain_internal.h is ops/domain's own: use gpo_domain.h"
/* True when guid is held by a commit (gpo_domain_hold). Caller holds
 * the pool's lock. */
bool gpo_domain_is_held(const struct gpo_domain *d, const char *guid);

/* Drops guid's current view (readers keep theirs). */
void gpo_domain_drop_view(struct gpo_domain *d, const char *guid);

#endif

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "gpo_backup_xml.h"
#include "gpo_acl.h"
#include "gpo_capture.h"
#include "gpo_domain.h"
#include "gpo_err.h"
#include "gpo_ldap.h"
#include "gpo_name.h"
#include "gpo_sd.h"
#include "gpo_time.h"
#include "gpo_view_internal.h"

struct gpo_view_slot;
struct gpo_sid_name;
struct gpo_view_pin;

struct gpo_snapshot {
	atomic_int refs;
	uint64_t generation;
	struct timespec taken;          /* CLOCK_MONOTONIC */
	time_t newest_change;           /* latest whenChanged of any GPO */
	struct gpo *gpos;               /* sorted by guid */
	size_t n;
	struct gpo_name_entry *names;   /* by-name table, sorted by name */
};

struct gpo_domain_children;

struct gpo_domain {
	const struct gpo_domain_conf *conf;
	const struct gpo_log *lg;
	struct gpo_credentials cred;
	char *dc;
	char *netbios;
	char guid[GPO_GUID_LEN + 1];
	struct gpo_sid sid;             /* the domain's SID */
	bool have_sid;
	struct gpo_domain_info info;
	struct gpo_ldap ldap;
	struct gpo_smb smb;
	struct gpo_journal journal;
	unsigned ttl_ms;
	pthread_mutex_t lock;           /* guards snap and its replacement */
	struct gpo_acl_helper acl;      /* sets SYSVOL folders' ACLs */
	pthread_mutex_t create_lock;    /* one creation at a time, so that two
					   of one name cannot both pass the
					   name check (gpo_domain_create.c) */
	struct gpo_domain_children *children;  /* containers still being added
					   for GPOs born for a request
					   (under create_lock) */
	char *born_sddl;                /* the folder ACL of the last GPO
					   this mount made, what the next
					   one's most likely is (under
					   create_lock; gpo_domain_create.c) */
	struct gpo_snapshot *snap;
	uint64_t generations;
	char *cache_dir;                /* where large files are captured */
	/* Captures; its lock also guards views, pins and prefetch. */
	struct gpo_capture_pool pool;
	bool pool_ready;
	struct gpo_view_slot *views;    /* the current view of each GPO, by guid */
	size_t n_views, cap_views;
	struct timespec idle_swept;     /* when views were last dropped */
	struct gpo_view_pin *pins;      /* the view each reading process holds */
	/* GPOs being committed (gpo_domain_hold): readers keep their
	 * current view, and none is captured until released. */
	char (*held)[GPO_GUID_LEN + 1];
	size_t n_held, cap_held;
	pthread_cond_t released;
	/* Where writes go: the PDC emulator's SYSVOL (gpo_domain_write.c). */
	pthread_mutex_t write_lock;
	struct gpo_smb *write_smb;      /* &smb, or pdc_smb */
	struct gpo_smb pdc_smb;
	char *pdc;
	size_t n_pins, cap_pins;
	struct gpo_snapshot *prefetch;  /* the GPOs a walk is going through */
	size_t prefetch_next;           /* where prefetching goes on from */
	struct timespec demanded;       /* when a reader last asked for a GPO */
	char walk_guid[GPO_GUID_LEN + 1];  /* which */
	bool walking;                   /* readers go from GPO to GPO */
	atomic_ulong captures;          /* views taken, for benchmarks */
	atomic_ullong captured_bytes;
	atomic_ulong checks;            /* views found unchanged by one listing */
	atomic_ulong reader_waits;      /* readers that waited for a capture */
	atomic_ulong prefetched;        /* captures started ahead of a walk */
	/* Caches that spare each capture its own LDAP searches. */
	pthread_mutex_t cache_lock;
	struct gpo_links links;         /* every gPLink of the domain */
	struct timespec links_taken;
	bool have_links;
	struct gpo_sid_name *names;     /* SID -> account, known and unknown */
	size_t n_names, cap_names;
	/* Whether the DC answers (gpo_domain_dc.c). While it is away the
	 * last GPO list and captures are served and a prober looks for it
	 * once per ttl. dc_lock comes after lock and pool.lock. */
	pthread_mutex_t dc_lock;
	pthread_cond_t dc_wake;         /* it was lost, or stop */
	pthread_t dc_prober;
	bool dc_prober_running, dc_stopping, dc_ready;
	bool dc_away;
	unsigned dc_outages;            /* outages so far (the current one's
					   number while away) */
	struct timespec dc_lost_at, dc_tried;  /* CLOCK_MONOTONIC */
	unsigned long dc_refused;       /* reads refused in this outage */
	unsigned long dc_served;        /* GPOs served from earlier captures */
};


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

/* Publishes, for GPO guid just made with an empty SYSVOL folder (no
 * GPT.INI, nothing in it), the view a capture of it would build, without
 * reading the folder: the request it was made for begins its changes on
 * it at once rather than wait for a capture (gpo_domain_views.c). Its
 * directory object is d's list entry for guid. Best effort: returns 0,
 * or -errno with nothing published (a reader captures it, as ever). */
int gpo_domain_views_seed_empty(struct gpo_domain *d, const char *guid);

/* Reads the GPO list (LDAP, without d->lock) into a new snapshot with
 * one reference. Returns 0, or -errno recorded in err (may be NULL) with
 * its reason (the LDAP connection's own when it was lost). */
int gpo_domain_read_list(struct gpo_domain *d, struct gpo_snapshot **s,
			 struct gpo_err *err);

/* Makes the domain's GPO list current for GPO guid alone, at the cost of
 * reading that one object rather than every GPO: the list as it is, with
 * guid added, replaced or (gone from the directory) left out. The list
 * keeps its age, so its next full read is not put off. Returns 0, or
 * -errno in err: -ESTALE (no list yet), -EAGAIN (the list was read again
 * meanwhile: that one stands), an LDAP failure. */
int gpo_domain_relist(struct gpo_domain *d, const char *guid, struct gpo_err *err);

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

/* True when guid is held by a commit (gpo_domain_hold). Caller holds
 * the pool's lock. */
bool gpo_domain_is_held(const struct gpo_domain *d, const char *guid);

/* Drops guid's current view (readers keep theirs). */
void gpo_domain_drop_view(struct gpo_domain *d, const char *guid);

#endif
