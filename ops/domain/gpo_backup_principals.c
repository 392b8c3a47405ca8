/* The principals and UNC paths a backup names (Backup.xml's
 * SecurityGroups and FilePaths), as GPMC lists them. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpo_backup_ext.h"
#include "gpo_array.h"
#include "gpo_buf.h"
#include "gpo_domain_internal.h"
#include "gpo_inf.h"
#include "gpo_sd.h"

/* The principals a backup lists, gathered before one LDAP search names
 * them all. sids[i] is the SID to look up for p[i], or "". */
struct principals {
	struct gpo_principal *p;
	char (*sids)[GPO_SID_STR_MAX];
	size_t n, cap, cap_sids;
	const struct gpo_domain *d;
};

static int want(struct principals *r, bool from_dacl, const char *sid,
		const char *name)
{
	struct gpo_principal *p;

	for (size_t i = 0; sid && i < r->n; i++)
		if (r->p[i].from_dacl == from_dacl && !strcmp(r->sids[i], sid))
			return 0;
	/* two arrays side by side, grown to the same length */
	if (gpo_array_reserve(&r->p, &r->cap, r->n + 1, sizeof(*r->p)) ||
	    gpo_array_reserve(&r->sids, &r->cap_sids, r->n + 1, sizeof(*r->sids)))
		return -ENOMEM;
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
	n = gpo_array_push(&d->names, &d->n_names, &d->cap_names, sizeof(*n));
	if (!n)
		return; /* a cache: doing without is fine */
	snprintf(n->sid, sizeof(n->sid), "%s", sid);
	n->sam = sam ? strdup(sam) : NULL;
	n->type = type;
	if (sam && !n->sam)
		d->n_names--;
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

/* Reads file rel of view v (any letter case, as Windows finds it) whole,
 * up to max bytes, into a new NUL-terminated buffer (caller frees).
 * Returns 0, -ENOENT, -EFBIG past max, or -errno. */
static int read_view_file(const struct gpo_view *v, const char *rel, size_t max,
			  char **data, size_t *len)
{
	const struct gpo_view_node *n = gpo_view_lookup_nocase(v, rel);

	if (!n || !S_ISREG(n->st.st_mode))
		return -ENOENT;
	return gpo_view_read(n, max, data, len);
}

/* Principals named in the security template, in the order GPMC lists
 * them. A template that cannot be read adds none. */
static int settings_principals(struct gpo_domain *d, const struct gpo_view *v,
			       struct principals *r)
{
	struct gpo_inf_principal *names = NULL;
	char *raw = NULL, *text = NULL;
	size_t len = 0, n = 0;
	int rc = 0;

	rc = read_view_file(v, "Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf",
			    GPO_INF_MAX, &raw, &len);
	if (rc == -ENOENT)
		return 0;
	if (rc || gpo_inf_text(raw, len, &text) ||
	    gpo_inf_principals(text, &names, &n)) {
		rc = 0;
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
	free(raw);
	free(text);
	gpo_inf_principals_free(names, n);
	return rc;
}

/* The UNC paths named by the scripts and folder redirection settings of
 * v, for Backup.xml's FilePaths; files that cannot be read add none. */
int gpo_domain_file_paths(const struct gpo_view *v, const char ***out,
			  size_t *n_out)
{
	static const char *const files[] = {
		"Machine/Scripts/scripts.ini", "Machine/Scripts/psscripts.ini",
		"User/Scripts/scripts.ini", "User/Scripts/psscripts.ini",
		"User/Documents & Settings/fdeploy.ini",
		"User/Documents & Settings/fdeploy1.ini",
	};
	const char **paths = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	for (size_t f = 0; !rc && f < sizeof(files) / sizeof(files[0]); f++) {
		struct gpo_inf_principal *found = NULL;
		size_t n_found = 0;
		char *raw = NULL, *text = NULL;
		size_t len = 0;

		if (!read_view_file(v, files[f], GPO_INF_MAX, &raw, &len) &&
		    !gpo_inf_text(raw, len, &text) &&
		    !gpo_ini_unc_paths(text, &found, &n_found)) {
			for (size_t i = 0; !rc && i < n_found; i++) {
				bool seen = false;
				const char **q;

				for (size_t j = 0; j < n && !seen; j++)
					seen = !strcasecmp(paths[j], found[i].name);
				if (seen)
					continue;
				q = gpo_array_push(&paths, &n, &cap, sizeof(*q));
				if (!q || !(*q = strdup(found[i].name))) {
					n -= q != NULL;
					rc = -ENOMEM;
				}
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

void gpo_principals_free(struct gpo_principal *p, size_t n)
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
		char *text = NULL;
		size_t got = 0;

		if (e[i].dir || len < 4 || strcasecmp(path + len - 4, ".xml") ||
		    !strcasestr(path, "/Preferences/"))
			continue;
		if (!read_view_file(v, path, GPO_INF_MAX, &text, &got)) {
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
int gpo_domain_principals(struct gpo_domain *d, const struct gpo_view *v,
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
	gpo_principals_free(r.p, r.n);
	free(r.sids);
	free(sids);
	gpo_buf_free(&filter);
	return rc;
}
