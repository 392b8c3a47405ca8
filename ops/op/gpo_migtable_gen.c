#include "gpo_migtable_gen.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "gpo_array.h"
#include "gpo_backup_read.h"
#include "gpo_file.h"
#include "gpo_migrate.h"
#include "gpo_migtable.h"
#include "gpo_store.h"

/* One entry of the table being made. */
struct gen_entry {
	enum gpo_mig_type type;
	char *source;
	char *sid;              /* the principal's SID when known, for
				   finding it again however it is named */
};

struct gen {
	struct gpo_backup b;    /* only its SecurityGroups are used */
	struct gen_entry *p;    /* principals, in order first met */
	size_t n_p, cap_p;
	struct gen_entry *u;    /* UNC shares */
	size_t n_u, cap_u;
	struct gpo_err *err;
};

static void entries_free(struct gen_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].source);
		free(e[i].sid);
	}
	free(e);
}

static void gen_free(struct gen *g)
{
	gpo_backup_free(&g->b);
	entries_free(g->p, g->n_p);
	entries_free(g->u, g->n_u);
}

static bool is_sep(char c)
{
	return c == '\\' || c == '/';
}

/* True when name lies in a domain whose accounts are the same on every
 * machine: like a builtin SID, never mapped. */
static bool well_known_name(const char *name)
{
	static const char *const doms[] = { "BUILTIN\\", "NT AUTHORITY\\", "NT SERVICE\\" };

	for (size_t i = 0; i < sizeof(doms) / sizeof(*doms); i++)
		if (!strncasecmp(name, doms[i], strlen(doms[i])))
			return true;
	return false;
}

/* The group of SecurityGroups that names the principal a setting gives
 * by sid, or by name ("DOMAIN\\sam", "sam@dns" or "sam": when both the
 * name and the group say a domain, they must agree). Sets *k (NULL for
 * none); returns 0 or -ENOMEM. */
static int known(const struct gen *g, const char *sid, const char *name,
		 const struct gpo_backup_group **k)
{
	char *dom = NULL, *acct = NULL;
	int rc;

	*k = NULL;
	for (size_t i = 0; sid && i < g->b.n_groups; i++)
		if (g->b.groups[i].sid && !strcasecmp(g->b.groups[i].sid, sid))
			*k = &g->b.groups[i];
	if (sid || !name)
		return 0;
	rc = gpo_mig_split_name(name, &dom, &acct);
	if (rc)
		return rc == -ENOMEM ? rc : 0; /* not an account name: none */
	for (size_t i = 0; !*k && i < g->b.n_groups; i++) {
		const struct gpo_backup_group *c = &g->b.groups[i];

		if (!c->sam || strcasecmp(c->sam, acct))
			continue;
		if (dom && (c->netbios || c->dns) && !(c->netbios && !strcasecmp(c->netbios, dom)) &&
		    !(c->dns && !strcasecmp(c->dns, dom)))
			continue;
		*k = c;
	}
	free(dom);
	free(acct);
	return 0;
}

/* The Source GPMC writes for a principal SecurityGroups knows: its UPN
 * form, else the most qualified name it has. */
static char *group_source(const struct gpo_backup_group *k)
{
	char *s = NULL;

	if (k->upn)
		return strdup(k->upn);
	if (k->sam && k->dns && asprintf(&s, "%s@%s", k->sam, k->dns) >= 0)
		return s;
	if (k->sam && k->netbios && asprintf(&s, "%s\\%s", k->netbios, k->sam) >= 0)
		return s;
	return strdup(k->sam ? k->sam : k->sid);
}

/* Whether the table can hold source as written: checked alone, so that
 * one odd name costs its own entry and not the whole table. */
static int holdable(enum gpo_mig_type type, const char *source)
{
	struct gpo_mig_entry_in in = { type, GPO_MIG_DEST_SAME, source, NULL };
	char *out = NULL;
	size_t len = 0;
	int rc = gpo_migtable_write(&in, 1, &out, &len);

	free(out);
	return rc == -EINVAL ? 0 : rc ? rc : 1;
}

/* Adds an entry to *v unless one has the same SID or (ignoring case)
 * the same Source. Takes source. Returns 0 or -ENOMEM. */
static int add(struct gen_entry **v, size_t *n, size_t *cap, enum gpo_mig_type type,
	       char *source, const char *sid)
{
	struct gen_entry *e;
	int rc;

	if (!source)
		return -ENOMEM;
	for (size_t i = 0; i < *n; i++) {
		if ((sid && (*v)[i].sid && !strcasecmp((*v)[i].sid, sid)) ||
		    !strcasecmp((*v)[i].source, source)) {
			free(source);
			return 0;
		}
	}
	rc = holdable(type, source);
	if (rc <= 0) {
		free(source);
		return rc;
	}
	e = gpo_array_push(v, n, cap, sizeof(*e));
	if (!e || (sid && !(e->sid = strdup(sid)))) {
		if (e)
			(*n)--;
		free(source);
		return -ENOMEM;
	}
	e->type = type;
	e->source = source;
	return 0;
}

static int add_group(struct gen *g, const struct gpo_backup_group *k)
{
	int t = k->type ? gpo_mig_type_parse(k->type) : -EINVAL;

	/* a UNCPath type would make a principal a path */
	if (t < 0 || t == GPO_MIG_UNC_PATH)
		t = GPO_MIG_UNKNOWN;
	return add(&g->p, &g->n_p, &g->cap_p, (enum gpo_mig_type)t, group_source(k), k->sid);
}

static int on_principal(void *ctx, const struct gpo_map_where *w, const char *sid,
			const char *name, enum gpo_map_verdict *v,
			struct gpo_map_principal_out *out)
{
	struct gen *g = ctx;
	const struct gpo_backup_group *k;
	int rc;

	(void)w;
	(void)out;
	*v = GPO_MAP_KEEP;
	if ((sid && gpo_sid_is_builtin(sid)) || (!sid && well_known_name(name)))
		return 0; /* the same in every domain */
	rc = known(g, sid, name, &k);
	if (!rc)
		rc = k ? add_group(g, k)
		       : add(&g->p, &g->n_p, &g->cap_p, GPO_MIG_UNKNOWN,
			     strdup(name ? name : sid), sid);
	return rc ? gpo_err_set(g->err, rc, "out of memory") : 0;
}

static int on_path(void *ctx, const struct gpo_map_where *w, const char *path,
		   enum gpo_map_verdict *v, char **out)
{
	struct gen *g = ctx;
	size_t end = 2, n;
	char *share;
	int rc;

	(void)w;
	(void)out;
	*v = GPO_MAP_KEEP;
	/* \\server\share: what a table maps, with everything below it */
	while (path[end] && !is_sep(path[end]))
		end++;
	if (is_sep(path[end]) && path[end + 1] && !is_sep(path[end + 1])) {
		end++;
		while (path[end] && !is_sep(path[end]))
			end++;
	}
	n = end;
	while (n > 2 && strchr(" \t\r\n", path[n - 1]))
		n--;
	share = strndup(path, n);
	rc = add(&g->u, &g->n_u, &g->cap_u, GPO_MIG_UNC_PATH, share, NULL);
	return rc ? gpo_err_set(g->err, rc, "out of memory") : 0;
}

/* Records what one settings file names (rel: its path in the GPO). */
static int scan_bytes(struct gen *g, const char *rel, const char *data, size_t len)
{
	const struct gpo_mapper m = { on_principal, on_path, g };
	char *out = NULL;
	size_t out_len = 0;
	int rc;

	rc = gpo_migrate_file(rel, data, len, &m, &out, &out_len, g->err);
	free(out);
	if (rc)
		gpo_err_set(g->err, rc, "%s: %s", rel, strerror(-rc));
	return rc;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Walks folder dir (rel in the GPO folder) in name order, so that the
 * same backup gives the same table wherever it lies. */
static int scan_dir(struct gen *g, const char *dir, const char *rel, int depth)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, by_name), rc = 0;

	if (n < 0)
		return gpo_err_set(g->err, -errno, "%s: %s", dir, strerror(errno));
	for (int i = 0; i < n && !rc; i++) {
		const char *name = names[i]->d_name;
		char path[PATH_MAX], child[PATH_MAX];
		struct stat st;

		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) ||
		    snprintf(child, sizeof(child), "%s%s%s", rel, *rel ? "/" : "", name) >=
			    (int)sizeof(child)) {
			rc = gpo_err_set(g->err, -ENAMETOOLONG, "%s/%s: path too long", dir, name);
		} else if (lstat(path, &st) < 0) {
			rc = gpo_err_set(g->err, -errno, "%s: %s", path, strerror(errno));
		} else if (S_ISDIR(st.st_mode) && depth < 64) {
			rc = scan_dir(g, path, child, depth + 1);
		} else if (S_ISREG(st.st_mode) && gpo_migrate_handles(child)) {
			char *data = NULL;
			size_t len = 0;

			rc = gpo_file_read(path, GPO_MIGRATE_MAX, &data, &len, NULL);
			if (rc)
				gpo_err_set(g->err, rc, "reading %s: %s", child, strerror(-rc));
			else
				rc = scan_bytes(g, child, data, len);
			free(data);
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static void drop_empty(char **s)
{
	if (*s && !**s) {
		free(*s);
		*s = NULL;
	}
}

/* Reads the source's SecurityGroups from its Backup.xml. GPMC writes
 * what it does not know as an empty element (<Sid/>, <UPN/>): absent,
 * here. */
static int read_groups(struct gen *g, const char *xml, size_t len)
{
	char why[256] = "";
	int rc = gpo_backup_read(xml, len, &g->b, why, sizeof(why));

	if (rc)
		return gpo_err_set(g->err, rc, "Backup.xml: %s", why[0] ? why : strerror(-rc));
	for (size_t i = 0; i < g->b.n_groups; i++) {
		struct gpo_backup_group *k = &g->b.groups[i];

		drop_empty(&k->sid);
		drop_empty(&k->sam);
		drop_empty(&k->type);
		drop_empty(&k->netbios);
		drop_empty(&k->dns);
		drop_empty(&k->upn);
	}
	return 0;
}

/* Adds the principals SecurityGroups lists that the settings did not
 * name, then writes the table. */
static int finish(struct gen *g, char **out, size_t *len)
{
	struct gpo_mig_entry_in *in = NULL;
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; !rc && i < g->b.n_groups; i++) {
		const struct gpo_backup_group *k = &g->b.groups[i];

		if ((k->sid && gpo_sid_is_builtin(k->sid)) ||
		    (!k->sid && (!k->sam || well_known_name(k->sam))))
			continue;
		rc = add_group(g, k);
	}
	if (!rc && g->n_p + g->n_u) {
		in = calloc(g->n_p + g->n_u, sizeof(*in));
		rc = in ? 0 : -ENOMEM;
	}
	for (size_t i = 0; !rc && i < g->n_p + g->n_u; i++) {
		const struct gen_entry *e = i < g->n_p ? &g->p[i] : &g->u[i - g->n_p];

		in[n++] = (struct gpo_mig_entry_in){ e->type, GPO_MIG_DEST_SAME, e->source, NULL };
	}
	if (!rc)
		rc = gpo_migtable_write(in, n, out, len);
	free(in);
	return rc ? gpo_err_set(g->err, rc, "writing the table: %s", strerror(-rc)) : 0;
}

int gpo_migtable_gen_folder(const char *backup_folder, char **out, size_t *len,
			    struct gpo_err *err)
{
	struct gen g = { .err = err };
	char path[PATH_MAX], sysvol[PATH_MAX];
	char *xml = NULL;
	size_t xlen = 0;
	int rc;

	*out = NULL;
	*len = 0;
	rc = gpo_resolve_nocase(backup_folder, "Backup.xml", path, sizeof(path));
	if (rc) {
		gpo_err_set(err, rc, "%s holds no Backup.xml", backup_folder);
		goto out;
	}
	rc = gpo_file_read(path, GPO_BACKUP_XML_MAX, &xml, &xlen, NULL);
	if (rc) {
		gpo_err_set(err, rc, "reading %s: %s", path, strerror(-rc));
		goto out;
	}
	rc = read_groups(&g, xml, xlen);
	if (!rc && !gpo_resolve_nocase(backup_folder, "DomainSysvol/GPO", sysvol, sizeof(sysvol)))
		rc = scan_dir(&g, sysvol, "", 0);
	if (!rc)
		rc = finish(&g, out, len);
out:
	free(xml);
	gen_free(&g);
	return rc;
}

int gpo_migtable_gen_view(struct gpo_view *v, char **out, size_t *len, struct gpo_err *err)
{
	struct gen g = { .err = err };
	const char *xml = NULL;
	size_t xlen = 0;
	int rc;

	*out = NULL;
	*len = 0;
	gpo_view_generated(v, GPO_GEN_BACKUP_XML, &xml, &xlen);
	rc = read_groups(&g, xml, xlen);
	/* node 0 is the GPO folder itself */
	for (size_t i = 1; !rc && i < gpo_view_count(v); i++) {
		const struct gpo_view_node *n = gpo_view_node_at(v, i);
		const char *rel = gpo_view_node_path(n);
		char *data = NULL;
		size_t dlen = 0;

		if (!S_ISREG(gpo_view_node_stat(n)->st_mode) || !gpo_migrate_handles(rel))
			continue;
		rc = gpo_view_read(n, GPO_MIGRATE_MAX, &data, &dlen);
		if (rc)
			gpo_err_set(err, rc, "reading %s: %s", rel, strerror(-rc));
		else
			rc = scan_bytes(&g, rel, data, dlen);
		free(data);
	}
	if (!rc)
		rc = finish(&g, out, len);
	gen_free(&g);
	return rc;
}
