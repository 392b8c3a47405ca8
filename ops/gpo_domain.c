#include "gpo_domain.h"

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
#include "gpo_store.h"
#include "gpo_sd.h"
#include "gpo_buf.h"
#include "gpo_srv.h"

#define DEFAULT_TTL_MS 5000
#define JOURNAL_MAX (256 * 1024)

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

int gpo_domain_open(struct gpo_domain *d, const struct gpo_log *lg,
		    struct gpo_smb_lib *smb_lib,
		    const struct gpo_domain_conf *conf, const char *cache_dir,
		    char *msg, size_t msglen)
{
	char host[256];
	int rc;

	d->conf = conf;
	d->lg = lg;
	d->ttl_ms = DEFAULT_TTL_MS;
	pthread_mutex_init(&d->lock, NULL);
	pthread_mutex_init(&d->views_lock, NULL);
	pthread_mutex_init(&d->capture_lock, NULL);
	pthread_mutex_init(&d->cache_lock, NULL);
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
	rc = gpo_journal_init(&d->journal, JOURNAL_MAX);
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
	d->info.dns = conf->domain;
	d->info.netbios = d->netbios;
	d->info.guid = d->guid;
	d->info.dc = d->dc;
	gpo_log(lg, GPO_LOG_INFO, "%s: mounted from %s", conf->domain, d->dc);
	return 0;
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

void gpo_domain_close(struct gpo_domain *d)
{
	for (size_t i = 0; i < d->n_pins; i++)
		gpo_view_put(d->pins[i].view);
	free(d->pins);
	for (size_t i = 0; i < d->n_views; i++)
		gpo_view_put(d->views[i].view);
	free(d->views);
	if (d->cache_dir)
		rmdir(d->cache_dir);
	free(d->cache_dir);
	pthread_mutex_destroy(&d->views_lock);
	pthread_mutex_destroy(&d->capture_lock);
	pthread_mutex_destroy(&d->cache_lock);
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
	gpo_journal_destroy(&d->journal);
	pthread_mutex_destroy(&d->lock);
	memset(d, 0, sizeof(*d));
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
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct gpo *p = realloc(c->gpos, cap * sizeof(*p));

		if (!p) {
			rc = -ENOMEM;
			goto out;
		}
		c->gpos = p;
		c->cap = cap;
	}
	c->gpos[c->n++] = g;
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

static int refresh(struct gpo_domain *d)
{
	static const char *const attrs[] = {
		"cn", "displayName", "flags", "versionNumber",
		"gPCMachineExtensionNames", "gPCUserExtensionNames",
		"gPCWQLFilter", "whenChanged", "whenCreated",
		"nTSecurityDescriptor", NULL
	};
	static const char *const wmi_attrs[] = { "msWMI-ID", "msWMI-Name", NULL };
	struct collect c = { .lg = d->lg };
	struct gpo_snapshot *s = NULL;
	struct wmi_names w;
	const char **names = NULL;
	const char **guids = NULL;
	char *base = NULL;
	bool any_wmi = false;
	int rc;

	if (asprintf(&base, "CN=Policies,CN=System,%s", d->ldap.base_dn) < 0) {
		base = NULL;
		return -ENOMEM;
	}
	pthread_mutex_lock(&d->ldap.lock);
	/* SD flags 4: the DACL alone, as GPMC stores it in a backup. */
	rc = gpo_ldap_search(&d->ldap, base, 0,
			     "(objectClass=groupPolicyContainer)", attrs, 4,
			     gpo_from_entry, &c);
	for (size_t i = 0; !rc && i < c.n; i++)
		any_wmi |= c.gpos[i].wmi_filter != NULL;
	if (!rc && any_wmi) {
		free(base);
		if (asprintf(&base, "CN=SOM,CN=WMIPolicy,CN=System,%s",
			     d->ldap.base_dn) < 0) {
			base = NULL;
			rc = -ENOMEM;
		} else {
			w.gpos = c.gpos;
			w.n = c.n;
			rc = gpo_ldap_search(&d->ldap, base, 0,
					     "(objectClass=msWMI-Som)", wmi_attrs,
					     0, wmi_from_entry, &w);
			if (rc == -ENOENT)
				rc = 0;
		}
	}
	pthread_mutex_unlock(&d->ldap.lock);
	if (rc)
		goto out;

	qsort(c.gpos, c.n, sizeof(*c.gpos), cmp_gpo);
	s = calloc(1, sizeof(*s));
	names = calloc(c.n ? c.n : 1, sizeof(*names));
	guids = calloc(c.n ? c.n : 1, sizeof(*guids));
	if (!s || !names || !guids) {
		rc = -ENOMEM;
		goto out;
	}
	s->gpos = c.gpos;
	s->n = c.n;
	c.gpos = NULL;
	c.n = 0;
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
	clock_gettime(CLOCK_MONOTONIC, &s->taken);
	s->generation = ++d->generations;
	gpo_snapshot_put(d->snap);
	d->snap = s;
	s = NULL;
	gpo_log(d->lg, GPO_LOG_DEBUG, "%s: %zu GPOs", d->conf->domain,
		d->snap->n);
out:
	if (s)
		snapshot_free(s);
	for (size_t i = 0; i < c.n; i++)
		gpo_clear(&c.gpos[i]);
	free(c.gpos);
	free(names);
	free(guids);
	free(base);
	return rc;
}

static bool fresh(const struct gpo_domain *d)
{
	struct timespec now;
	long long ms;

	if (!d->snap)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - d->snap->taken.tv_sec) * 1000LL +
	     (now.tv_nsec - d->snap->taken.tv_nsec) / 1000000;
	return ms >= 0 && ms < d->ttl_ms;
}

int gpo_domain_snapshot(struct gpo_domain *d, struct gpo_snapshot **snap)
{
	int rc = 0;

	pthread_mutex_lock(&d->lock);
	if (!fresh(d)) {
		rc = refresh(d);
		if (rc) {
			gpo_journal_add(&d->journal,
					"cannot read the GPO list from %s: %s",
					d->dc, strerror(-rc));
			rc = rc == -ENOMEM ? rc : -EIO;
			goto out;
		}
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

	if (!gpo_guid_valid(guid))
		return NULL;
	for (size_t i = 0; i <= GPO_GUID_LEN; i++)
		key.guid[i] = (char)toupper((unsigned char)guid[i]);
	return bsearch(&key, snap->gpos, snap->n, sizeof(key), cmp_gpo);
}

static long long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000LL +
	       (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* The principals a backup lists, gathered before one LDAP search names
 * them all. sids[i] is the SID to look up for p[i], or "". */
struct principals {
	struct gpo_principal *p;
	char (*sids)[GPO_SID_STR_MAX];
	size_t n, cap;
	const struct gpo_domain *d;
};

static int want(struct principals *r, bool from_dacl, const char *sid,
		const char *name)
{
	struct gpo_principal *p;

	for (size_t i = 0; sid && i < r->n; i++)
		if (r->p[i].from_dacl == from_dacl && !strcmp(r->sids[i], sid))
			return 0;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct gpo_principal *q = realloc(r->p, cap * sizeof(*q));
		char (*t)[GPO_SID_STR_MAX];

		if (!q)
			return -ENOMEM;
		r->p = q;
		t = realloc(r->sids, cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		r->sids = t;
		r->cap = cap;
	}
	p = &r->p[r->n];
	memset(p, 0, sizeof(*p));
	p->from_dacl = from_dacl;
	snprintf(r->sids[r->n], GPO_SID_STR_MAX, "%s", sid ? sid : "");
	if (name) {
		/* given by name in the settings: GPMC leaves it unresolved */
		p->sam = strdup(name);
		p->type = "Unknown";
		if (!p->sam)
			return -ENOMEM;
	}
	r->n++;
	return 0;
}

/* GPMC's name for an account's kind, from sAMAccountType and groupType. */
static const char *principal_type(const char *sam_type, const char *group_type)
{
	long long st = sam_type ? strtoll(sam_type, NULL, 10) : 0;
	long long gt = group_type ? strtoll(group_type, NULL, 10) : 0;

	if (st == 0x30000000)
		return "User";
	if (st == 0x30000001)
		return "Computer";
	if (gt & 0x2)
		return "GlobalGroup";
	if (gt & 0x4)
		return "LocalGroup";
	if (gt & 0x8)
		return "UniversalGroup";
	return "Unknown";
}

/* Looks sid up in the name cache; caller holds cache_lock. */
static struct gpo_sid_name *cached_name(struct gpo_domain *d, const char *sid)
{
	for (size_t i = 0; i < d->n_names; i++)
		if (!strcmp(d->names[i].sid, sid))
			return &d->names[i];
	return NULL;
}

/* Remembers what the directory said of sid (sam NULL: nothing). Caller
 * holds cache_lock. */
static void remember_name(struct gpo_domain *d, const char *sid,
			  const char *sam, const char *type)
{
	struct gpo_sid_name *n = cached_name(d, sid);

	if (n)
		return;
	if (d->n_names == d->cap_names) {
		size_t cap = d->cap_names ? d->cap_names * 2 : 32;
		struct gpo_sid_name *p = realloc(d->names, cap * sizeof(*p));

		if (!p)
			return; /* a cache: doing without is fine */
		d->names = p;
		d->cap_names = cap;
	}
	n = &d->names[d->n_names];
	snprintf(n->sid, sizeof(n->sid), "%s", sid);
	n->sam = sam ? strdup(sam) : NULL;
	n->type = type;
	if (sam && !n->sam)
		return;
	d->n_names++;
}

/* Fills p from a cached name. Returns 0, or -ENOMEM. */
static int use_name(const struct gpo_domain *d, struct gpo_principal *p,
		    const char *sid, const struct gpo_sid_name *n)
{
	if (!n->sam)
		return 0;
	p->sid = strdup(sid);
	p->sam = strdup(n->sam);
	p->type = n->type;
	p->netbios = d->netbios;
	p->dns = d->conf->domain;
	if (!p->sid || !p->sam ||
	    asprintf((char **)&p->upn, "%s@%s", n->sam, d->conf->domain) < 0) {
		p->upn = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int principal_entry(void *arg, const struct gpo_ldap_entry *e)
{
	struct principals *r = arg;
	char *bin = NULL, *sam = NULL, *st = NULL, *gt = NULL;
	size_t len = 0;
	struct gpo_sid sid;
	char text[GPO_SID_STR_MAX];
	int rc = 0;

	if (gpo_ldap_entry_value(e, "objectSid", &bin, &len) ||
	    gpo_sid_parse(bin, len, &sid, NULL) ||
	    gpo_sid_to_string(&sid, text, sizeof(text)) < 0 ||
	    gpo_ldap_entry_value(e, "sAMAccountName", &sam, NULL))
		goto out;
	gpo_ldap_entry_value(e, "sAMAccountType", &st, NULL);
	gpo_ldap_entry_value(e, "groupType", &gt, NULL);
	remember_name((struct gpo_domain *)r->d, text, sam, principal_type(st, gt));
out:
	free(bin);
	free(sam);
	free(st);
	free(gt);
	return rc;
}

/* Principals named in the security template, in the order GPMC lists
 * them. A template that cannot be read adds none. */
static int settings_principals(struct gpo_domain *d, const struct gpo_view *v,
			       struct principals *r)
{
	struct gpo_inf_principal *names = NULL;
	char path[4096];
	char *raw = NULL, *text = NULL;
	size_t len = 0, n = 0;
	FILE *f = NULL;
	int rc = 0;

	if (gpo_resolve_nocase(v->dir, "Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf",
			       path, sizeof(path)))
		return 0;
	f = fopen(path, "rbe");
	raw = malloc(GPO_INF_MAX + 1);
	if (!f || !raw)
		goto out;
	len = fread(raw, 1, GPO_INF_MAX + 1, f);
	if (gpo_inf_text(raw, len, &text) || gpo_inf_principals(text, &names, &n)) {
		gpo_journal_add(&d->journal, "%s: GptTmpl.inf cannot be read: its principals are not listed",
				v->gpo.guid);
		goto out;
	}
	for (size_t i = 0; !rc && i < n; i++) {
		const char *name = names[i].name;

		if (name[0] != '*')
			rc = want(r, false, NULL, name);
		else if (!strncmp(name + 1, "S-1-5-21-", 9))
			rc = want(r, false, name + 1, NULL);
		/* well-known SIDs (*S-1-5-32-544 ...) need no migration */
	}
out:
	if (f)
		fclose(f);
	free(raw);
	free(text);
	gpo_inf_principals_free(names, n);
	return rc;
}

/* The UNC paths named by the scripts and folder redirection settings of
 * v, for Backup.xml's FilePaths; files that cannot be read add none. */
static int backup_file_paths(const struct gpo_view *v, const char ***out,
			     size_t *n_out)
{
	static const char *const files[] = {
		"Machine/Scripts/scripts.ini", "Machine/Scripts/psscripts.ini",
		"User/Scripts/scripts.ini", "User/Scripts/psscripts.ini",
		"User/Documents & Settings/fdeploy.ini",
		"User/Documents & Settings/fdeploy1.ini",
	};
	const char **paths = NULL;
	size_t n = 0;
	int rc = 0;

	for (size_t f = 0; !rc && f < sizeof(files) / sizeof(files[0]); f++) {
		struct gpo_inf_principal *found = NULL;
		size_t n_found = 0;
		char path[4096];
		char *raw = NULL, *text = NULL;
		size_t len;
		FILE *fp;

		if (gpo_resolve_nocase(v->dir, files[f], path, sizeof(path)))
			continue;
		fp = fopen(path, "rbe");
		raw = fp ? malloc(GPO_INF_MAX + 1) : NULL;
		len = raw ? fread(raw, 1, GPO_INF_MAX + 1, fp) : 0;
		if (fp)
			fclose(fp);
		if (raw && !gpo_inf_text(raw, len, &text) &&
		    !gpo_ini_unc_paths(text, &found, &n_found)) {
			for (size_t i = 0; !rc && i < n_found; i++) {
				bool seen = false;
				const char **q;

				for (size_t j = 0; j < n && !seen; j++)
					seen = !strcasecmp(paths[j], found[i].name);
				if (seen)
					continue;
				q = realloc(paths, (n + 1) * sizeof(*q));
				if (!q) {
					rc = -ENOMEM;
					break;
				}
				paths = q;
				paths[n] = strdup(found[i].name);
				rc = paths[n] ? 0 : -ENOMEM;
				n += !rc;
			}
		}
		gpo_inf_principals_free(found, n_found);
		free(raw);
		free(text);
	}
	if (rc) {
		for (size_t i = 0; i < n; i++)
			free((char *)paths[i]);
		free(paths);
		return rc;
	}
	*out = paths;
	*n_out = n;
	return 0;
}

static void principals_free(struct gpo_principal *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++) {
		free((char *)p[i].sid);
		free((char *)p[i].sam);
		free((char *)p[i].upn);
	}
	free(p);
}

/* Principals that Group Policy Preferences name (sid="S-1-5-21-..."
 * attributes of Groups.xml, Drives.xml and the like): GPMC does not list
 * them, but a migration needs them, so they follow the template's. */
static int preference_principals(const struct gpo_view *v, struct principals *r)
{
	struct gpo_sysvol_entry *e = NULL;
	size_t n = 0;
	int rc;

	rc = gpo_view_entries(v, &e, &n);
	for (size_t i = 0; !rc && i < n; i++) {
		const char *path = e[i].path;
		size_t len = strlen(path);
		char full[8192];
		char *text = NULL;
		size_t got = 0;
		FILE *fp;

		if (e[i].dir || len < 4 || strcasecmp(path + len - 4, ".xml") ||
		    !strcasestr(path, "/Preferences/"))
			continue;
		snprintf(full, sizeof(full), "%s/%s", v->dir, path);
		fp = fopen(full, "rbe");
		text = fp ? malloc(GPO_INF_MAX + 1) : NULL;
		if (text)
			got = fread(text, 1, GPO_INF_MAX, fp);
		if (fp)
			fclose(fp);
		if (text) {
			text[got] = '\0';
			for (char *p = strstr(text, "sid=\"S-1-5-21-"); !rc && p;
			     p = strstr(p + 1, "sid=\"S-1-5-21-")) {
				size_t slen = strspn(p + 5, "S0123456789-");
				char sid[GPO_SID_STR_MAX];

				if (slen >= sizeof(sid))
					continue;
				memcpy(sid, p + 5, slen);
				sid[slen] = '\0';
				rc = want(r, false, sid, NULL);
			}
		}
		free(text);
	}
	gpo_view_entries_free(e, n);
	return rc;
}

/* SecurityGroups as GPMC writes it: the principals of the settings, then
 * the domain principals of the DACL, each looked up in one LDAP search;
 * a SID the directory does not know is left out. */
static int backup_principals(struct gpo_domain *d, const struct gpo_view *v,
			     struct gpo_principal **out, size_t *n_out)
{
	static const char *const attrs[] = {
		"objectSid", "sAMAccountName", "sAMAccountType", "groupType", NULL
	};
	struct principals r = { .d = d };
	struct gpo_buf filter = GPO_BUF_INIT;
	struct gpo_sid *sids = NULL;
	struct gpo_sd sd;
	size_t n = 0, kept = 0, asked = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	rc = settings_principals(d, v, &r);
	if (!rc)
		rc = preference_principals(v, &r);
	if (!rc && v->gpo.sd && !gpo_sd_parse(v->gpo.sd, v->gpo.sd_len, &sd)) {
		rc = gpo_sd_domain_principals(&sd, &sids, &n);
		gpo_sd_free(&sd);
		for (size_t i = 0; !rc && i < n; i++) {
			char text[GPO_SID_STR_MAX];

			gpo_sid_to_string(&sids[i], text, sizeof(text));
			rc = want(&r, true, text, NULL);
		}
	}
	/* One search for the SIDs the cache does not know yet; the cache
	 * (under its lock for the whole search) then names them all. */
	pthread_mutex_lock(&d->cache_lock);
	if (!rc)
		rc = gpo_buf_printf(&filter, "(|");
	for (size_t i = 0; !rc && i < r.n; i++) {
		struct gpo_sid sid;
		unsigned char bin[8 + 4 * 15];
		int blen;

		if (!r.sids[i][0] || gpo_sid_from_string(r.sids[i], &sid) ||
		    cached_name(d, r.sids[i]))
			continue;
		blen = gpo_sid_to_binary(&sid, bin, sizeof(bin));
		rc = blen < 0 ? blen : gpo_buf_printf(&filter, "(objectSid=");
		for (int k = 0; !rc && k < blen; k++)
			rc = gpo_buf_printf(&filter, "\\%02x", bin[k]);
		if (!rc)
			rc = gpo_buf_printf(&filter, ")");
		asked++;
	}
	if (!rc)
		rc = gpo_buf_printf(&filter, ")");
	if (!rc && asked) {
		pthread_mutex_lock(&d->ldap.lock);
		rc = gpo_ldap_search(&d->ldap, d->ldap.base_dn, 1, filter.data,
				     attrs, 0, principal_entry, &r);
		pthread_mutex_unlock(&d->ldap.lock);
	}
	for (size_t i = 0; !rc && i < r.n; i++) {
		struct gpo_sid_name *nm;

		if (!r.sids[i][0] || r.p[i].sam)
			continue;
		nm = cached_name(d, r.sids[i]);
		if (!nm) {
			/* asked, and the directory has no such account */
			remember_name(d, r.sids[i], NULL, NULL);
			continue;
		}
		rc = use_name(d, &r.p[i], r.sids[i], nm);
	}
	pthread_mutex_unlock(&d->cache_lock);
	if (rc)
		goto out;
	for (size_t i = 0; i < r.n; i++) {
		if (r.p[i].sam)
			r.p[kept++] = r.p[i]; /* unknown SIDs are left out */
	}
	*out = r.p;
	*n_out = kept;
	r.p = NULL;
out:
	principals_free(r.p, r.n);
	free(r.sids);
	free(sids);
	gpo_buf_free(&filter);
	return rc;
}

static int build_files(struct gpo_domain *d, struct gpo_view *v)
{
	struct gpo g = v->gpo; /* shallow: only the time differs */
	struct gpo_backup_extras x = { 0 };
	struct gpo_backup_ext_in ext = {
		.gpo_guid = g.guid, .dc = d->dc, .domain = d->conf->domain,
		.machine_ext = g.machine_ext, .user_ext = g.user_ext,
	};
	struct gpo_sysvol_entry *entries = NULL;
	struct gpo_principal *groups = NULL;
	const char **file_paths = NULL;
	size_t n_entries = 0, n_groups = 0, ext_len = 0, n_file_paths = 0;
	char *ext_xml = NULL;
	int rc;

	g.changed = v->changed;
	rc = gpo_view_entries(v, &entries, &n_entries);
	if (!rc) {
		ext.entries = entries;
		ext.n_entries = n_entries;
		rc = gpo_backup_ext_xml(&ext, &ext_xml, &ext_len);
	}
	if (!rc)
		rc = backup_principals(d, v, &groups, &n_groups);
	if (!rc)
		rc = backup_file_paths(v, &file_paths, &n_file_paths);
	if (rc)
		goto out;
	x.file_paths = file_paths;
	x.n_file_paths = n_file_paths;
	x.groups = groups;
	x.n_groups = n_groups;
	x.extensions = ext_xml;
	rc = gpo_backup_xml(&d->info, &g, v->sysvol_version, &x,
			    &v->data[GPO_GEN_BACKUP_XML],
			    &v->len[GPO_GEN_BACKUP_XML]);
	if (!rc)
		rc = gpo_bkupinfo_xml(&d->info, &g, v->sysvol_version,
				      &v->data[GPO_GEN_BKUPINFO_XML],
				      &v->len[GPO_GEN_BKUPINFO_XML]);
	if (!rc)
		rc = gpo_domain_report(d, v, &v->data[GPO_GEN_REPORT_XML],
				       &v->len[GPO_GEN_REPORT_XML]);
out:
	gpo_view_entries_free(entries, n_entries);
	principals_free(groups, n_groups);
	for (size_t i = 0; i < n_file_paths; i++)
		free((char *)file_paths[i]);
	free(file_paths);
	free(ext_xml);
	return rc;
}

static struct gpo_view_slot *find_slot(struct gpo_domain *d, const char *guid)
{
	for (size_t i = 0; i < d->n_views; i++)
		if (!strcmp(d->views[i].guid, guid))
			return &d->views[i];
	return NULL;
}

/* Returns a referenced view that may be served without looking at the
 * DC (pinned by use, or checked within the ttl), or NULL. Caller holds
 * views_lock. */
static struct gpo_view *usable(struct gpo_domain *d, const struct gpo *g)
{
	struct gpo_view_slot *slot = find_slot(d, g->guid);
	struct gpo_view *v = slot ? slot->view : NULL;

	if (!v || v->gpo.version != g->version || v->gpo.changed != g->changed ||
	    ms_since(&slot->checked) >= d->ttl_ms)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &v->used);
	gpo_view_get(v);
	return v;
}

/* The view pid is pinned to for guid, referenced, or NULL. Drops pins that
 * have rested. Caller holds views_lock. */
static struct gpo_view *pinned(struct gpo_domain *d, pid_t pid, const char *guid)
{
	struct gpo_view *v = NULL;

	for (size_t i = 0; i < d->n_pins;) {
		struct gpo_view_pin *p = &d->pins[i];

		if (ms_since(&p->used) >= VIEW_PIN_MS) {
			gpo_view_put(p->view);
			d->pins[i] = d->pins[--d->n_pins];
			continue;
		}
		if (p->pid == pid && !strcmp(p->guid, guid)) {
			clock_gettime(CLOCK_MONOTONIC, &p->used);
			p->view->used = p->used;
			gpo_view_get(p->view);
			v = p->view;
		}
		i++;
	}
	return v;
}

/* Pins v for pid (a reference of its own). Caller holds views_lock. */
static void pin(struct gpo_domain *d, pid_t pid, const char *guid,
		struct gpo_view *v)
{
	struct gpo_view_pin *p;

	if (d->n_pins == d->cap_pins) {
		size_t cap = d->cap_pins ? d->cap_pins * 2 : 16;
		struct gpo_view_pin *q = realloc(d->pins, cap * sizeof(*q));

		if (!q)
			return; /* unpinned: the next call may see a newer view */
		d->pins = q;
		d->cap_pins = cap;
	}
	p = &d->pins[d->n_pins++];
	p->pid = pid;
	memcpy(p->guid, guid, sizeof(p->guid));
	gpo_view_get(v);
	p->view = v;
	clock_gettime(CLOCK_MONOTONIC, &p->used);
}

/* Drops views nobody has used for a long time (their files are on disk,
 * but there is no need to keep a whole domain's SYSVOL). */
static void drop_idle(struct gpo_domain *d)
{
	for (size_t i = 0; i < d->n_views;) {
		if (ms_since(&d->views[i].view->used) >= VIEW_IDLE_MS) {
			gpo_view_put(d->views[i].view);
			d->views[i] = d->views[--d->n_views];
		} else {
			i++;
		}
	}
}

static int publish(struct gpo_domain *d, const char *guid, struct gpo_view *v)
{
	struct gpo_view_slot *slot;

	drop_idle(d);
	slot = find_slot(d, guid);
	if (!slot) {
		if (d->n_views == d->cap_views) {
			size_t cap = d->cap_views ? d->cap_views * 2 : 64;
			struct gpo_view_slot *p = realloc(d->views, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			d->views = p;
			d->cap_views = cap;
		}
		slot = &d->views[d->n_views++];
		memset(slot, 0, sizeof(*slot));
		memcpy(slot->guid, guid, sizeof(slot->guid));
	}
	if (slot->view != v) {
		gpo_view_put(slot->view);
		gpo_view_get(v);
		slot->view = v;
	}
	clock_gettime(CLOCK_MONOTONIC, &slot->checked);
	return 0;
}

int gpo_domain_view(struct gpo_domain *d, const struct gpo *g, pid_t pid,
		    struct gpo_view **view)
{
	struct gpo_view *v = NULL;
	uint32_t sysvol = 0;
	int rc = 0;

	pthread_mutex_lock(&d->views_lock);
	v = pinned(d, pid, g->guid);
	if (!v) {
		v = usable(d, g);
		if (v)
			pin(d, pid, g->guid, v);
	}
	pthread_mutex_unlock(&d->views_lock);
	if (v)
		goto done;

	pthread_mutex_lock(&d->capture_lock);
	/* Another thread may have captured it while we waited. */
	pthread_mutex_lock(&d->views_lock);
	v = usable(d, g);
	if (!v) {
		struct gpo_view_slot *slot = find_slot(d, g->guid);

		if (slot && slot->view->gpo.version == g->version &&
		    slot->view->gpo.changed == g->changed) {
			v = slot->view;
			gpo_view_get(v);
		}
	}
	pthread_mutex_unlock(&d->views_lock);
	if (v) {
		/* Same directory object: still current if GPT.INI is too. */
		rc = gpo_view_sysvol_version(&d->smb, g->guid, &sysvol);
		if (rc || sysvol != v->sysvol_version) {
			gpo_view_put(v);
			v = NULL;
		}
	}
	if (!v) {
		rc = gpo_view_capture(&d->smb, g, d->cache_dir, &v);
		if (!rc) {
			atomic_fetch_add(&d->captures, 1);
			atomic_fetch_add(&d->captured_bytes, v->bytes);
			rc = build_files(d, v);
		}
		if (rc && rc != -ENOMEM)
			gpo_journal_add(&d->journal, "%s: cannot read its SYSVOL folder: %s",
					g->guid, strerror(-rc));
	}
	if (!rc) {
		pthread_mutex_lock(&d->views_lock);
		rc = publish(d, g->guid, v);
		if (!rc)
			pin(d, pid, g->guid, v);
		pthread_mutex_unlock(&d->views_lock);
	}
	pthread_mutex_unlock(&d->capture_lock);
	if (rc) {
		gpo_view_put(v);
		return rc == -ENOMEM ? rc : -EIO;
	}
done:
	*view = v;
	return 0;
}

void gpo_view_file(const struct gpo_view *v, enum gpo_genfile which,
		   const char **data, size_t *len)
{
	*data = v->data[which];
	*len = v->len[which];
}

int gpo_domain_stats(struct gpo_domain *d, char **text, size_t *len)
{
	unsigned long searches;
	int n;

	pthread_mutex_lock(&d->ldap.lock);
	searches = d->ldap.searches;
	pthread_mutex_unlock(&d->ldap.lock);
	n = asprintf(text,
		     "domain %s\nldap_searches %lu\nsmb_requests %lu\n"
		     "captures %lu\ncaptured_bytes %llu\n",
		     d->conf->domain, searches,
		     (unsigned long)atomic_load(&d->smb.requests),
		     (unsigned long)atomic_load(&d->captures),
		     (unsigned long long)atomic_load(&d->captured_bytes));
	if (n < 0) {
		*text = NULL;
		return -ENOMEM;
	}
	*len = (size_t)n;
	return 0;
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
	if (!d->have_links || ms_since(&d->links_taken) >= d->ttl_ms) {
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
		char *dn = NULL;

		if (strcmp(l->guid, guid))
			continue;
		dn = strdup(l->som_dn);
		/* gpo_links_parse appends; reuse it through a copy */
		if (!dn) {
			rc = -ENOMEM;
			break;
		}
		if (out->n == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 4;
			struct gpo_link *p = realloc(out->items, cap * sizeof(*p));

			if (!p) {
				free(dn);
				rc = -ENOMEM;
				break;
			}
			out->items = p;
			out->cap = cap;
		}
		out->items[out->n] = *l;
		out->items[out->n++].som_dn = dn;
	}
out:
	pthread_mutex_unlock(&d->cache_lock);
	if (rc)
		gpo_links_clear(out);
	return rc;
}
