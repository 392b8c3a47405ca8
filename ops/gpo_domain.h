/* One mounted domain: its connections, its GPOs and its journal.
 *
 * The GPO list is an immutable, reference-counted snapshot taken by one
 * paged LDAP search and refreshed when older than the domain's ttl; a
 * reader holds a snapshot for the length of one operation and never sees
 * it change. Thread-safe. */
#ifndef GPO_DOMAIN_H
#define GPO_DOMAIN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "gpo_backup_xml.h"
#include "gpo_capture.h"
#include "gpo_conf.h"
#include "gpo_journal.h"
#include "gpo_ldap.h"
#include "gpo_links.h"
#include "gpo_log.h"
#include "gpo_model.h"
#include "gpo_name.h"
#include "gpo_sd.h"
#include "gpo_smb.h"
#include "gpo_view.h"

/* A GPO's generated files. */
enum gpo_genfile { GPO_GEN_BACKUP_XML, GPO_GEN_BKUPINFO_XML, GPO_GEN_REPORT_XML,
		   GPO_GEN_COUNT };

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

/* How a domain reads SYSVOL: over `workers` SMB worker processes started
 * from exe (the gpofs binary) with their private files under tmpdir; 0
 * workers reads in process only. And where its journal is. */
struct gpo_domain_io {
	size_t workers;
	const char *exe;
	const char *tmpdir;
	struct gpo_cache *cache;  /* the mount's bound on large files */
	const char *log_dir;    /* where the journal file is kept */
};

/* Opens the journal (<io->log_dir>/<domain>.log), finds the DC
 * (conf->server or DNS SRV), signs in over LDAP and SMB and reads the
 * domain's identity. Writes nothing to the journal. Returns 0, or -errno
 * with one line for the user in msg. d must be zeroed. */
int gpo_domain_open(struct gpo_domain *d, const struct gpo_log *lg,
		    struct gpo_smb_lib *smb_lib,
		    const struct gpo_domain_conf *conf, const char *cache_dir,
		    const struct gpo_domain_io *io, char *msg, size_t msglen);

/* Starts d's SMB workers in the background (see gpo_capture_pool_start)
 * and the thread that looks for a lost DC. */
void gpo_domain_start(struct gpo_domain *d);

/* Closes the connections and frees everything d owns. */
void gpo_domain_close(struct gpo_domain *d);

/* Returns a reference to a snapshot no older than the ttl (refreshing it
 * first if needed) in *snap; release it with gpo_snapshot_put. While the
 * DC is away (or found so now) the last snapshot, without trying the DC.
 * Returns 0, or -EIO when the directory cannot be read and there is no
 * snapshot to fall back on (or it refused). */
int gpo_domain_snapshot(struct gpo_domain *d, struct gpo_snapshot **snap);

/* Drops a reference taken by gpo_domain_snapshot. */
void gpo_snapshot_put(struct gpo_snapshot *snap);

/* Finds a GPO by GUID (any case) in a snapshot. Returns it or NULL. */
const struct gpo *gpo_snapshot_find(const struct gpo_snapshot *snap,
				    const char *guid);

/* Returns the view of GPO g (from a snapshot) to serve process pid from,
 * with a reference the caller drops with gpo_view_put. A process that
 * used a view of g in the last two seconds gets that view again, so that
 * one copy sees one version throughout; otherwise it gets the current
 * view, captured anew when the GPO changed (directory object or
 * GPT.INI). While the DC is away (or found so now): the last capture of
 * g, without trying the DC (the journal says once from when), or -EIO
 * when there is none. Returns 0 or -errno. */
int gpo_domain_view(struct gpo_domain *d, const struct gpo *g, pid_t pid,
		    struct gpo_view **view);

/* Builds gpreport.xml for view v: identity, times, versions, enabled
 * halves, the DACL as SDDL, WMI filter, links (one LDAP search) and the
 * extension list. Returns 0 and a new buffer (caller frees) or -errno. */
int gpo_domain_report(struct gpo_domain *d, const struct gpo_view *v,
		      char **data, size_t *len);

/* Copies the links to GPO guid (from a cache of every gPLink of the
 * domain, read again when older than the ttl) into a new array (free with
 * gpo_links_clear). Returns 0 or -errno. */
int gpo_domain_links(struct gpo_domain *d, const char *guid,
		     struct gpo_links *out);

/* Writes the domain's counters (LDAP searches, SMB requests, captures)
 * as "name value" lines into a new string (caller frees). Returns 0 or
 * -ENOMEM. */
int gpo_domain_stats(struct gpo_domain *d, char **text, size_t *len);

/* Points *data at a generated file of view v (owned by v, valid while the
 * caller holds its reference). */
void gpo_view_file(const struct gpo_view *v, enum gpo_genfile which,
		   const char **data, size_t *len);

#endif
