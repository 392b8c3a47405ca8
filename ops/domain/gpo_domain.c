#include "gpo_domain.h"
#include "gpo_time.h"
#include "gpo_array.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpo_backup_ext.h"
#include "gpo_inf.h"
#include "gpo_krb5.h"
#include "gpo_sd.h"
#include "gpo_buf.h"
#include "gpo_srv.h"

#include "gpo_domain_internal.h"
#include "gpo_err.h"
#include "gpo_ad_error.h"

#define DEFAULT_TTL_MS 5000

static int read_identity_entry(void *arg, const struct gpo_ldap_entry *e)
{
	struct gpo_domain *d = arg;
	char *bin = NULL;
	size_t len = 0;
	int rc;

	rc = gpo_ldap_entry_value(e, "objectGUID", &bin, &len);
	if (!rc)
		rc = gpo_guid_from_binary((unsigned char *)bin, len, d->guid);
	free(bin);
	bin = NULL;
	if (!rc && !gpo_ldap_entry_value(e, "objectSid", &bin, &len))
		d->have_sid = !gpo_sid_parse(bin, len, &d->sid, NULL);
	free(bin);
	return rc;
}

static int read_netbios_entry(void *arg, const struct gpo_ldap_entry *e)
{
	struct gpo_domain *d = arg;

	free(d->netbios);
	d->netbios = NULL;
	return gpo_ldap_entry_value(e, "nETBIOSName", &d->netbios, NULL);
}

static int read_identity(struct gpo_domain *d)
{
	static const char *const guid_attrs[] = { "objectGUID", "objectSid", NULL };
	static const char *const nb_attrs[] = { "nETBIOSName", NULL };
	char *base = NULL;
	char *filter = NULL;
	int rc;

	rc = gpo_ldap_search(&d->ldap, d->ldap.base_dn, -1, "(objectClass=*)",
			     guid_attrs, 0, read_identity_entry, d);
	if (rc)
		goto out;
	if (asprintf(&base, "CN=Partitions,%s", d->ldap.config_dn) < 0 ||
	    asprintf(&filter, "(&(objectClass=crossRef)(nCName=%s))",
		     d->ldap.base_dn) < 0) {
		base = filter = NULL;
		rc = -ENOMEM;
		goto out;
	}
	rc = gpo_ldap_search(&d->ldap, base, 0, filter, nb_attrs, 0,
			     read_netbios_entry, d);
out:
	free(base);
	free(filter);
	return rc;
}

static int domain_open(struct gpo_domain *d, const struct gpo_log *lg,
		       struct gpo_smb_lib *smb_lib,
		       const struct gpo_domain_conf *conf, const char *cache_dir,
		       const struct gpo_domain_io *io, char *msg, size_t msglen)
{
	struct gpo_worker_target target;
	char host[256];
	char *log = NULL;
	int rc;

	d->conf = conf;
	d->lg = lg;
	d->ttl_ms = DEFAULT_TTL_MS;
	pthread_mutex_init(&d->lock, NULL);
	pthread_mutex_init(&d->create_lock, NULL);
	gpo_acl_helper_init(&d->acl);
	pthread_mutex_init(&d->cache_lock, NULL);
	pthread_mutex_init(&d->write_lock, NULL);
	pthread_cond_init(&d->released, NULL);
	gpo_domain_dc_init(d);
	if (asprintf(&d->cache_dir, "%s/%s", cache_dir, conf->domain) < 0) {
		d->cache_dir = NULL;
		return -ENOMEM;
	}
	if (mkdir(d->cache_dir, 0700) < 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(msg, msglen, "%s: cannot create %s: %s", conf->domain,
			 d->cache_dir, strerror(errno));
		return rc;
	}
	if (asprintf(&log, "%s/%s.log", io->log_dir, conf->domain) < 0)
		return -ENOMEM;
	rc = gpo_journal_open(&d->journal, log, GPO_JOURNAL_MAX);
	if (rc)
		snprintf(msg, msglen, "%s: cannot open its log %s: %s",
			 conf->domain, log, strerror(-rc));
	free(log);
	if (rc)
		return rc;
	if (conf->server) {
		snprintf(host, sizeof(host), "%s", conf->server);
	} else {
		rc = gpo_srv_find_dc(lg, conf->domain, host, sizeof(host));
		if (rc) {
			snprintf(msg, msglen,
				 "%s: cannot find a domain controller: no DNS SRV record _ldap._tcp.dc._msdcs.%s (give server=HOST)",
				 conf->domain, conf->domain);
			return -EHOSTUNREACH;
		}
	}
	d->dc = strdup(host);
	if (!d->dc)
		return -ENOMEM;
	if (conf->credentials) {
		rc = gpo_credentials_load(conf->credentials, &d->cred, msg, msglen);
		if (rc)
			return rc;
	} else {
		char why[256];

		rc = gpo_krb5_check_ticket(why, sizeof(why));
		if (rc) {
			snprintf(msg, msglen, "%s: %s", conf->domain, why);
			return rc;
		}
	}
	rc = gpo_ldap_open(&d->ldap, lg, conf,
			   conf->credentials ? &d->cred : NULL, host, msg, msglen);
	if (rc)
		return rc;
	pthread_mutex_lock(&d->ldap.lock);
	rc = read_identity(d);
	pthread_mutex_unlock(&d->ldap.lock);
	if (rc) {
		snprintf(msg, msglen, "%s: cannot read the domain object: %s",
			 conf->domain, strerror(-rc));
		return rc;
	}
	rc = gpo_smb_open(&d->smb, smb_lib, lg, host, conf->domain,
			  conf->credentials ? &d->cred : NULL, msg, msglen);
	if (rc)
		return rc;
	target = (struct gpo_worker_target){
		.host = d->dc, .domain = conf->domain, .tmpdir = io->tmpdir,
		.cred = conf->credentials ? &d->cred : NULL, .lg = lg,
	};
	rc = gpo_domain_views_init(d, &target, io);
	if (rc)
		return rc;
	d->info.dns = conf->domain;
	d->info.netbios = d->netbios;
	d->info.guid = d->guid;
	d->info.dc = d->dc;
	/* not "mounted": the mount comes later, and says so itself */
	gpo_log(lg, GPO_LOG_DEBUG, "%s: signed in to %s", conf->domain, d->dc);
	return 0;
}

int gpo_domain_open(struct gpo_domain **out, const struct gpo_log *lg,
		    struct gpo_smb_lib *smb_lib,
		    const struct gpo_domain_conf *conf, const char *cache_dir,
		    const struct gpo_domain_io *io, char *msg, size_t msglen)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	return domain_open(*out, lg, smb_lib, conf, cache_dir, io, msg, msglen);
}

const char *gpo_domain_name(const struct gpo_domain *d)
{
	return d->conf->domain;
}

const char *gpo_domain_dc(const struct gpo_domain *d)
{
	return d->dc;
}

struct gpo_journal *gpo_domain_journal(struct gpo_domain *d)
{
	return &d->journal;
}

static void snapshot_free(struct gpo_snapshot *s)
{
	for (size_t i = 0; i < s->n; i++)
		gpo_clear(&s->gpos[i]);
	free(s->gpos);
	gpo_names_free(s->names, s->n);
	free(s);
}

void gpo_snapshot_put(struct gpo_snapshot *snap)
{
	if (snap && atomic_fetch_sub(&snap->refs, 1) == 1)
		snapshot_free(snap);
}

void gpo_domain_start(struct gpo_domain *d)
{
	if (d->pool_ready)
		gpo_capture_pool_start(&d->pool);
	gpo_domain_dc_start(d);
}

void gpo_domain_close(struct gpo_domain *d)
{
	if (!d)
		return;
	/* a request's creation, if any is left, ends before its connection */
	gpo_domain_create_settle_all(d);
	/* the prober uses the connections and the snapshot */
	gpo_domain_dc_stop(d);
	/* first: the drivers hold references to views and the connection */
	if (d->pool_ready)
		gpo_capture_pool_stop(&d->pool);
	d->pool_ready = false;
	gpo_snapshot_put(d->prefetch);
	for (size_t i = 0; i < d->n_pins; i++)
		gpo_view_put(d->pins[i].view);
	free(d->pins);
	for (size_t i = 0; i < d->n_views; i++)
		gpo_view_put(d->views[i].view);
	free(d->views);
	if (d->cache_dir)
		rmdir(d->cache_dir);
	free(d->cache_dir);
	pthread_mutex_destroy(&d->cache_lock);
	if (d->pdc_smb.root)
		gpo_smb_close(&d->pdc_smb);
	free(d->pdc);
	free(d->held);
	pthread_mutex_destroy(&d->write_lock);
	pthread_cond_destroy(&d->released);
	gpo_links_clear(&d->links);
	for (size_t i = 0; i < d->n_names; i++)
		free(d->names[i].sam);
	free(d->names);
	gpo_snapshot_put(d->snap);
	d->snap = NULL;
	if (d->smb.root)
		gpo_smb_close(&d->smb);
	if (d->ldap.host)
		gpo_ldap_close(&d->ldap);
	gpo_credentials_free(&d->cred);
	free(d->dc);
	free(d->netbios);
	gpo_journal_close(&d->journal);
	gpo_acl_helper_stop(&d->acl);
	free(d->born_sddl);
	pthread_mutex_destroy(&d->create_lock);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

struct collect {
	struct gpo *gpos;
	size_t n, cap;
	const struct gpo_log *lg;
};

/* Reads an optional attribute; absent, it is dflt (NULL stays NULL). */
static int opt_str(const struct gpo_ldap_entry *e, const char *attr,
		   char **out, const char *dflt)
{
	int rc = gpo_ldap_entry_value(e, attr, out, NULL);

	if (rc != -ENOENT)
		return rc;
	*out = dflt ? strdup(dflt) : NULL;
	return dflt && !*out ? -ENOMEM : 0;
}

static int gpo_from_entry(void *arg, const struct gpo_ldap_entry *e)
{
	struct collect *c = arg;
	struct gpo g = { 0 };
	struct gpo *slot;
	char *s = NULL;
	int rc;

	rc = gpo_ldap_entry_value(e, "cn", &s, NULL);
	if (rc || !gpo_guid_valid(s)) {
		/* Not a GPO we can name: skip it rather than fail the list. */
		gpo_log(c->lg, GPO_LOG_WARN, "skipping a policy object named %s",
			s ? s : "(none)");
		free(s);
		return rc == -ENOMEM ? rc : 0;
	}
	for (size_t i = 0; i < GPO_GUID_LEN; i++)
		g.guid[i] = (char)toupper((unsigned char)s[i]);
	free(s);
	s = NULL;
	rc = gpo_ldap_entry_dn(e, &g.dn);
	if (rc)
		goto out;
	rc = opt_str(e, "displayName", &g.display_name, "");
	if (!rc)
		rc = opt_str(e, "gPCMachineExtensionNames", &g.machine_ext, "");
	if (!rc)
		rc = opt_str(e, "gPCUserExtensionNames", &g.user_ext, "");
	if (!rc)
		rc = opt_str(e, "gPCWQLFilter", &g.wmi_filter, NULL);
	if (rc)
		goto out;
	if (!gpo_ldap_entry_value(e, "flags", &s, NULL))
		g.flags = (unsigned)strtoul(s, NULL, 10);
	free(s);
	s = NULL;
	if (!gpo_ldap_entry_value(e, "versionNumber", &s, NULL))
		g.version = (uint32_t)strtoll(s, NULL, 10);
	free(s);
	s = NULL;
	if (!gpo_ldap_entry_value(e, "whenChanged", &s, NULL))
		gpo_parse_gentime(s, &g.changed);
	free(s);
	s = NULL;
	if (!gpo_ldap_entry_value(e, "whenCreated", &s, NULL))
		gpo_parse_gentime(s, &g.created);
	free(s);
	s = NULL;
	rc = gpo_ldap_entry_value(e, "nTSecurityDescriptor", (char **)&g.sd,
				  &g.sd_len);
	if (rc == -ENOENT)
		rc = 0;
	if (rc)
		goto out;
	slot = gpo_array_push(&c->gpos, &c->n, &c->cap, sizeof(*slot));
	if (!slot) {
		rc = -ENOMEM;
		goto out;
	}
	*slot = g;
	return 0;
out:
	gpo_clear(&g);
	return rc;
}

struct wmi_names {
	struct gpo *gpos;
	size_t n;
};

static int wmi_from_entry(void *arg, const struct gpo_ldap_entry *e)
{
	struct wmi_names *w = arg;
	char *id = NULL;
	char *name = NULL;
	char guid[GPO_GUID_LEN + 1];
	int rc = 0;

	if (gpo_ldap_entry_value(e, "msWMI-ID", &id, NULL) ||
	    gpo_ldap_entry_value(e, "msWMI-Name", &name, NULL))
		goto out;
	for (size_t i = 0; i < w->n; i++) {
		struct gpo *g = &w->gpos[i];

		if (!g->wmi_filter || gpo_wmi_filter_guid(g->wmi_filter, guid) ||
		    strcasecmp(guid, id) || g->wmi_filter_name)
			continue;
		g->wmi_filter_name = strdup(name);
		if (!g->wmi_filter_name) {
			rc = -ENOMEM;
			break;
		}
	}
out:
	free(id);
	free(name);
	return rc;
}

static int cmp_gpo(const void *a, const void *b)
{
	return strcmp(((const struct gpo *)a)->guid,
		      ((const struct gpo *)b)->guid);
}

/* Reads the GPOs that filter finds at base (scope as gpo_ldap_search's:
 * 0 its children, -1 base itself) into c, with the names of the WMI
 * filters they link. */
static int read_gpos(struct gpo_domain *d, const char *base, int scope,
		     const char *filter, struct collect *c, struct gpo_err *err)
{
	static const char *const attrs[] = {
		"cn", "displayName", "flags", "versionNumber",
		"gPCMachineExtensionNames", "gPCUserExtensionNames",
		"gPCWQLFilter", "whenChanged", "whenCreated",
		"nTSecurityDescriptor", NULL
	};
	static const char *const wmi_attrs[] = { "msWMI-ID", "msWMI-Name", NULL };
	struct wmi_names w;
	char *som = NULL;
	bool any_wmi = false;
	int rc;

	pthread_mutex_lock(&d->ldap.lock);
	/* SD flags 4: the DACL alone, as GPMC stores it in a backup. */
	rc = gpo_ldap_search(&d->ldap, base, scope, filter, attrs, 4, gpo_from_entry, c);
	for (size_t i = 0; !rc && i < c->n; i++)
		any_wmi |= c->gpos[i].wmi_filter != NULL;
	if (!rc && any_wmi) {
		if (asprintf(&som, "CN=SOM,CN=WMIPolicy,CN=System,%s", d->ldap.base_dn) < 0) {
			som = NULL;
			rc = -ENOMEM;
		} else {
			w.gpos = c->gpos;
			w.n = c->n;
			rc = gpo_ldap_search(&d->ldap, som, 0, "(objectClass=msWMI-Som)",
					     wmi_attrs, 0, wmi_from_entry, &w);
			if (rc == -ENOENT)
				rc = 0;
		}
	}
	if (rc)
		/* the connection's own account of it, if it was lost */
		gpo_err_set(err, rc, "%s", *d->ldap.error ? d->ldap.error : strerror(-rc));
	pthread_mutex_unlock(&d->ldap.lock);
	free(som);
	return rc;
}

/* A snapshot of the n GPOs gpos (sorted here; taken over: freed on
 * failure too), taken at *taken. */
static int snapshot_make(struct gpo *gpos, size_t n, const struct timespec *taken,
			 struct gpo_snapshot **out)
{
	struct gpo_snapshot *s = NULL;
	const char **names = NULL;
	const char **guids = NULL;
	int rc;

	if (n)
		qsort(gpos, n, sizeof(*gpos), cmp_gpo);
	s = calloc(1, sizeof(*s));
	names = calloc(n ? n : 1, sizeof(*names));
	guids = calloc(n ? n : 1, sizeof(*guids));
	if (!s || !names || !guids) {
		rc = -ENOMEM;
		for (size_t i = 0; i < n; i++)
			gpo_clear(&gpos[i]);
		free(gpos);
		goto out;
	}
	s->gpos = gpos;
	s->n = n;
	for (size_t i = 0; i < s->n; i++) {
		names[i] = s->gpos[i].display_name;
		guids[i] = s->gpos[i].guid;
		if (s->gpos[i].changed > s->newest_change)
			s->newest_change = s->gpos[i].changed;
	}
	rc = gpo_names_build(names, guids, s->n, &s->names);
	if (rc)
		goto out;
	atomic_init(&s->refs, 1);
	s->taken = *taken;
	*out = s;
	s = NULL;
out:
	if (s)
		snapshot_free(s);
	free(names);
	free(guids);
	return rc;
}

int gpo_domain_read_list(struct gpo_domain *d, struct gpo_snapshot **out,
			 struct gpo_err *err)
{
	struct collect c = { .lg = d->lg };
	struct timespec now;
	char *base = NULL;
	int rc;

	if (asprintf(&base, "CN=Policies,CN=System,%s", d->ldap.base_dn) < 0)
		return -ENOMEM;
	rc = read_gpos(d, base, 0, "(objectClass=groupPolicyContainer)", &c, err);
	free(base);
	if (rc) {
		for (size_t i = 0; i < c.n; i++)
			gpo_clear(&c.gpos[i]);
		free(c.gpos);
		return rc;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	return snapshot_make(c.gpos, c.n, &now, out);
}

int gpo_domain_relist(struct gpo_domain *d, const char *guid, struct gpo_err *err)
{
	struct collect c = { .lg = d->lg };
	struct gpo_snapshot *old = NULL, *s = NULL;
	struct gpo *gpos = NULL;
	size_t n = 0;
	char *dn = NULL;
	int rc;

	if (asprintf(&dn, "CN=%s,CN=Policies,CN=System,%s", guid, d->ldap.base_dn) < 0)
		return gpo_err_set(err, -ENOMEM, "out of memory");
	rc = read_gpos(d, dn, -1, "(objectClass=groupPolicyContainer)", &c, err);
	if (rc == -ENOENT) {
		memset(err, 0, sizeof(*err));
		rc = 0; /* gone: the list without it */
	}
	if (rc)
		goto out;
	pthread_mutex_lock(&d->lock);
	if (d->snap) {
		old = d->snap;
		atomic_fetch_add(&old->refs, 1);
	}
	pthread_mutex_unlock(&d->lock);
	if (!old) {
		rc = gpo_err_set(err, -ESTALE, "no GPO list yet");
		goto out;
	}
	/* the list as it was, but for this GPO */
	gpos = calloc(old->n + c.n + 1, sizeof(*gpos));
	if (!gpos) {
		rc = gpo_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; !rc && i < old->n; i++) {
		if (strcasecmp(old->gpos[i].guid, guid))
			rc = gpo_copy(&gpos[n++], &old->gpos[i]);
	}
	for (size_t i = 0; i < c.n; i++)
		gpos[n++] = c.gpos[i];
	c.n = 0;
	if (rc) {
		gpo_err_set(err, rc, "out of memory");
		for (size_t i = 0; i < n; i++)
			gpo_clear(&gpos[i]);
		free(gpos);
		goto out;
	}
	/* as old as the list it came from: the next full read is not put off */
	rc = snapshot_make(gpos, n, &old->taken, &s);
	if (rc) {
		gpo_err_set(err, rc, "out of memory");
		goto out;
	}
	pthread_mutex_lock(&d->lock);
	if (d->snap == old) {
		gpo_domain_install(d, s);
		s = NULL;
	}
	pthread_mutex_unlock(&d->lock);
	if (s)
		rc = gpo_err_set(err, -EAGAIN, "the GPO list was read again meanwhile");
out:
	for (size_t i = 0; i < c.n; i++)
		gpo_clear(&c.gpos[i]);
	free(c.gpos);
	if (s)
		snapshot_free(s);
	gpo_snapshot_put(old);
	free(dn);
	return rc;
}

void gpo_domain_install(struct gpo_domain *d, struct gpo_snapshot *s)
{
	s->generation = ++d->generations;
	gpo_snapshot_put(d->snap);
	d->snap = s;
	gpo_log(d->lg, GPO_LOG_DEBUG, "%s: %zu GPOs", d->conf->domain, s->n);
}

static bool fresh(const struct gpo_domain *d)
{
	long long ms;

	if (!d->snap)
		return false;
	ms = gpo_ms_since(&d->snap->taken);
	return ms >= 0 && ms < d->ttl_ms;
}

int gpo_domain_snapshot(struct gpo_domain *d, struct gpo_snapshot **snap)
{
	struct gpo_snapshot *s = NULL;
	struct gpo_err err = { 0 };
	int rc = 0;

	pthread_mutex_lock(&d->lock);
	/* a DC that is away is not tried: its prober does that */
	if (!fresh(d) && !gpo_domain_dc_away(d)) {
		rc = gpo_domain_read_list(d, &s, &err);
		if (!rc) {
			gpo_domain_install(d, s);
		} else if (gpo_is_dc_failure(rc)) {
			gpo_domain_dc_lost(d, gpo_err_reason(&err));
			rc = 0; /* the last list, if any */
		} else {
			/* an answer (a refusal, say): the caller gets it */
			gpo_journal_add(&d->journal,
					"cannot read the GPO list from %s: %s",
					d->dc, gpo_err_reason(&err));
			goto out;
		}
	}
	if (!d->snap) {
		/* never listed, and the DC away */
		gpo_domain_dc_refused(d);
		rc = -EIO;
		goto out;
	}
	atomic_fetch_add(&d->snap->refs, 1);
	*snap = d->snap;
out:
	pthread_mutex_unlock(&d->lock);
	return rc;
}

const struct gpo *gpo_snapshot_find(const struct gpo_snapshot *snap,
				    const char *guid)
{
	struct gpo key;

	if (!gpo_guid_valid(guid) || !snap->n)
		return NULL; /* no GPOs: gpos may be NULL, not for bsearch */
	for (size_t i = 0; i <= GPO_GUID_LEN; i++)
		key.guid[i] = (char)toupper((unsigned char)guid[i]);
	return bsearch(&key, snap->gpos, snap->n, sizeof(key), cmp_gpo);
}

size_t gpo_snapshot_count(const struct gpo_snapshot *snap)
{
	return snap->n;
}

const struct gpo *gpo_snapshot_at(const struct gpo_snapshot *snap, size_t i)
{
	return i < snap->n ? &snap->gpos[i] : NULL;
}

time_t gpo_snapshot_newest_change(const struct gpo_snapshot *snap)
{
	return snap->newest_change;
}

const char *gpo_snapshot_name_at(const struct gpo_snapshot *snap, size_t i)
{
	return i < snap->n ? snap->names[i].name : NULL;
}

const struct gpo *gpo_snapshot_find_name(const struct gpo_snapshot *snap,
					 const char *name)
{
	const struct gpo_name_entry *e = gpo_names_find(snap->names, snap->n, name);

	return e ? &snap->gpos[e->index] : NULL;
}

int gpo_domain_stats(struct gpo_domain *d, char **text, size_t *len)
{
	struct gpo_buf b = GPO_BUF_INIT;
	int pids[GPO_WORKERS_MAX];
	unsigned long reqs[GPO_WORKERS_MAX];
	size_t n_workers = 0;
	unsigned long searches;
	int n;

	pthread_mutex_lock(&d->ldap.lock);
	searches = d->ldap.searches;
	pthread_mutex_unlock(&d->ldap.lock);
	n = asprintf(text,
		     "domain %s\nldap_searches %lu\nsmb_requests %lu\n"
		     "captures %lu\ncaptured_bytes %llu\nchecks %lu\n"
		     "reader_waits %lu\nprefetched %lu\ncapture_restarts %lu\n",
		     d->conf->domain, searches,
		     (unsigned long)atomic_load(&d->smb.requests),
		     (unsigned long)atomic_load(&d->captures),
		     (unsigned long long)atomic_load(&d->captured_bytes),
		     (unsigned long)atomic_load(&d->checks),
		     (unsigned long)atomic_load(&d->reader_waits),
		     (unsigned long)atomic_load(&d->prefetched),
		     (unsigned long)atomic_load(&d->pool.restarts));
	if (n < 0) {
		*text = NULL;
		return -ENOMEM;
	}
	/* each SMB worker's pid and its own count of SMB requests: what
	 * was read through the workers rather than in process */
	if (d->pool_ready)
		n_workers = gpo_capture_pool_workers(&d->pool, pids, reqs,
						     GPO_WORKERS_MAX);
	if (n_workers > GPO_WORKERS_MAX)
		n_workers = GPO_WORKERS_MAX;
	if (gpo_buf_add(&b, *text, (size_t)n))
		goto nomem;
	for (size_t i = 0; i < n_workers; i++)
		if (gpo_buf_printf(&b, "worker%zu_pid %d\nworker%zu_smb_requests %lu\n",
				   i, pids[i], i, reqs[i]))
			goto nomem;
	free(*text);
	*text = gpo_buf_steal(&b, len);
	return 0;
nomem:
	gpo_buf_free(&b);
	free(*text);
	*text = NULL;
	return -ENOMEM;
}

static int link_entry(void *arg, const struct gpo_ldap_entry *e)
{
	struct gpo_links *links = arg;
	char *dn = NULL, *gplink = NULL;
	int rc;

	rc = gpo_ldap_entry_dn(e, &dn);
	if (!rc)
		rc = gpo_ldap_entry_value(e, "gPLink", &gplink, NULL);
	if (!rc && gpo_links_parse(links, dn, gplink) == -ENOMEM)
		rc = -ENOMEM;
	else if (rc == -ENOENT)
		rc = 0;
	free(dn);
	free(gplink);
	return rc;
}

int gpo_domain_links(struct gpo_domain *d, const char *guid,
		     struct gpo_links *out)
{
	static const char *const attrs[] = { "gPLink", NULL };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&d->cache_lock);
	if (!d->have_links || gpo_ms_since(&d->links_taken) >= d->ttl_ms) {
		struct gpo_links fresh = { 0 };

		pthread_mutex_lock(&d->ldap.lock);
		rc = gpo_ldap_search(&d->ldap, d->ldap.base_dn, 1, "(gPLink=*)",
				     attrs, 0, link_entry, &fresh);
		pthread_mutex_unlock(&d->ldap.lock);
		if (rc) {
			gpo_links_clear(&fresh);
			goto out;
		}
		gpo_links_clear(&d->links);
		d->links = fresh;
		d->have_links = true;
		clock_gettime(CLOCK_MONOTONIC, &d->links_taken);
	}
	for (size_t i = 0; i < d->links.n; i++) {
		const struct gpo_link *l = &d->links.items[i];
		struct gpo_link *slot;
		char *dn = NULL;

		if (strcmp(l->guid, guid))
			continue;
		dn = strdup(l->som_dn);
		/* gpo_links_parse appends; reuse it through a copy */
		if (!dn) {
			rc = -ENOMEM;
			break;
		}
		slot = gpo_array_push(&out->items, &out->n, &out->cap,
				      sizeof(*slot));
		if (!slot) {
			free(dn);
			rc = -ENOMEM;
			break;
		}
		*slot = *l;
		slot->som_dn = dn;
	}
out:
	pthread_mutex_unlock(&d->cache_lock);
	if (rc)
		gpo_links_clear(out);
	return rc;
}
