#include "gpo_migration.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpo_array.h"
#include "gpo_backup_read.h"
#include "gpo_file.h"
#include "gpo_journal.h"
#include "gpo_migrate.h"
#include "gpo_migtable.h"
#include "gpo_request.h"
#include "gpo_sd.h"
#include "gpo_writes.h"
#include "gpo_view.h"

/* A destination account looked up in the target domain, kept: a table
 * maps many settings to the same few accounts. */
struct resolved {
	char *account;          /* as asked, after its domain was checked */
	char sid[GPO_SID_STR_MAX];
	char *sam;
};

struct gpo_migration {
	struct gpo_domain *target;
	struct gpo_migtable *table;
	char *table_name;
	struct gpo_backup source;       /* only its SecurityGroups are used */
	bool strict, dry_run;
	struct resolved *res;
	size_t n_res, cap_res;
	char **lines;                   /* "mapped"/"dropped" lines, in order */
	size_t n_lines, cap_lines;
	char **unmapped;                /* each principal or path once */
	size_t n_unmapped, cap_unmapped;
	size_t mapped, dropped;
	struct gpo_err *err;            /* the walk's, for the callbacks */
};

static int add_line(char ***v, size_t *n, size_t *cap, bool once, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int add_line(char ***v, size_t *n, size_t *cap, bool once, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL, **slot;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	for (size_t i = 0; once && i < *n; i++) {
		if (!strcmp((*v)[i], s)) {
			free(s);
			return 0;
		}
	}
	slot = gpo_array_push(v, n, cap, sizeof(*slot));
	if (!slot) {
		free(s);
		return -ENOMEM;
	}
	*slot = s;
	return 0;
}

static void free_lines(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* What the source's Backup.xml says of the principal a setting names by
 * sid, or by name ("DOMAIN\name", "name@dns" or "name"). */
static const struct gpo_backup_group *source_group(const struct gpo_migration *m,
						   const char *sid, const char *account)
{
	for (size_t i = 0; sid && i < m->source.n_groups; i++) {
		const struct gpo_backup_group *g = &m->source.groups[i];

		if (g->sid && !strcasecmp(g->sid, sid))
			return g;
	}
	for (size_t i = 0; !sid && account && i < m->source.n_groups; i++) {
		const struct gpo_backup_group *g = &m->source.groups[i];

		if (g->sam && !strcasecmp(g->sam, account))
			return g;
	}
	return NULL;
}

/* The target's account for a destination name: its domain part (if any)
 * must be the target's own. */
static int resolve(struct gpo_migration *m, const char *dest, const struct resolved **out)
{
	const char *nb = gpo_domain_netbios(m->target), *dns = gpo_domain_name(m->target);
	char *dom = NULL, *acct = NULL;
	struct gpo_err e2 = { 0 };
	struct resolved *r;
	int rc;

	rc = gpo_mig_split_name(dest, &dom, &acct);
	if (rc) {
		rc = gpo_err_set(m->err, rc == -ENOMEM ? rc : -EINVAL,
				 "%s: the destination \"%s\" is not an account name", m->table_name,
				 dest);
		goto out;
	}
	if (dom && !(nb && !strcasecmp(dom, nb)) && strcasecmp(dom, dns)) {
		rc = gpo_err_set(m->err, -ENOENT, "%s: the destination %s is not in %s",
				 m->table_name, dest, dns);
		goto out;
	}
	for (size_t i = 0; i < m->n_res; i++) {
		if (!strcasecmp(m->res[i].account, acct)) {
			*out = &m->res[i];
			goto out;
		}
	}
	r = gpo_array_push(&m->res, &m->n_res, &m->cap_res, sizeof(*r));
	if (!r) {
		rc = gpo_err_set(m->err, -ENOMEM, "out of memory");
		goto out;
	}
	memset(r, 0, sizeof(*r));
	rc = gpo_domain_find_account(m->target, acct, r->sid, &r->sam, &e2);
	if (rc == -ENOENT)
		gpo_err_set(m->err, rc, "%s: the destination %s does not exist in %s",
			    m->table_name, dest, dns);
	else if (rc)
		gpo_err_set(m->err, rc, "%s", gpo_err_reason(&e2));
	if (rc) {
		m->n_res--;
		goto out;
	}
	r->account = acct;
	acct = NULL;
	*out = r;
out:
	free(dom);
	free(acct);
	return rc;
}

/* How the setting wrote a name, with the target's account in its place. */
static char *name_like(const struct gpo_migration *m, const char *was, const char *sam)
{
	const char *nb = gpo_domain_netbios(m->target);
	char *s = NULL;

	if (was && strchr(was, '\\'))
		return asprintf(&s, "%s\\%s", nb ? nb : gpo_domain_name(m->target), sam) < 0
		       ? NULL : s;
	if (was && strchr(was, '@'))
		return asprintf(&s, "%s@%s", sam, gpo_domain_name(m->target)) < 0 ? NULL : s;
	return strdup(sam);
}

static int on_principal(void *ctx, const struct gpo_map_where *w, const char *sid,
			const char *name, enum gpo_map_verdict *v,
			struct gpo_map_principal_out *out)
{
	struct gpo_migration *m = ctx;
	struct gpo_mig_principal p = { .sid = sid, .type = GPO_MIG_UNKNOWN };
	const struct gpo_backup_group *g;
	const struct gpo_mig_entry *e;
	const struct resolved *r = NULL;
	char *dom = NULL, *acct = NULL, *dest = NULL;
	const char *shown = sid ? sid : name;
	int rc = 0;

	*v = GPO_MAP_KEEP;
	if (sid && gpo_sid_is_builtin(sid))
		return 0; /* the same in every domain */
	if (name && gpo_mig_split_name(name, &dom, &acct) == -ENOMEM)
		return gpo_err_set(m->err, -ENOMEM, "out of memory");
	g = source_group(m, sid, acct);
	if (g) {
		p.sam = g->sam;
		p.netbios = g->netbios;
		p.dns = g->dns;
		p.upn = g->upn;
		if (g->type && gpo_mig_type_parse(g->type) >= 0)
			p.type = (enum gpo_mig_type)gpo_mig_type_parse(g->type);
	} else if (acct) {
		p.sam = acct;
		if (dom && strchr(dom, '.'))
			p.dns = dom;
		else
			p.netbios = dom;
		/* the other name of that domain, as the source's record pairs
		 * them, so that "CORP\x" matches a Source "x@corp.example" */
		for (size_t i = 0; dom && i < m->source.n_groups; i++) {
			const struct gpo_backup_group *o = &m->source.groups[i];

			if (p.netbios && o->netbios && o->dns && !strcasecmp(o->netbios, dom))
				p.dns = o->dns;
			if (p.dns && o->netbios && o->dns && !strcasecmp(o->dns, dom))
				p.netbios = o->netbios;
		}
	}
	e = gpo_migtable_find_principal(m->table, &p);
	if (!e) {
		rc = add_line(&m->unmapped, &m->n_unmapped, &m->cap_unmapped, true,
			      "%s%s%s%s", shown, g && g->sam ? " (" : "",
			      g && g->sam ? g->sam : "", g && g->sam ? ")" : "");
		goto out;
	}
	if (e->dest_kind == GPO_MIG_DEST_SAME)
		goto out;
	if (e->dest_kind == GPO_MIG_DEST_NONE) {
		if (!w->can_drop)
			goto out; /* an SDDL owner or group stays */
		*v = GPO_MAP_DROP;
		m->dropped++;
		rc = add_line(&m->lines, &m->n_lines, &m->cap_lines, false,
			      "%s line %u, %s: %s dropped (%s line %ld)", w->relpath, w->line,
			      w->what, shown, m->table_name, e->line);
		goto out;
	}
	rc = gpo_migtable_dest_name(e, &p, gpo_domain_netbios(m->target),
				    gpo_domain_name(m->target), &dest);
	if (rc < 0) {
		rc = gpo_err_set(m->err, rc, "%s line %ld: no account name for %s in %s",
				 m->table_name, e->line, shown, gpo_domain_name(m->target));
		goto out;
	}
	rc = resolve(m, dest, &r);
	if (rc || !r)
		goto out;
	*v = GPO_MAP_REPLACE;
	out->sid = strdup(r->sid);
	out->name = name_like(m, name, r->sam);
	if (!out->sid || !out->name) {
		rc = gpo_err_set(m->err, -ENOMEM, "out of memory");
		goto out;
	}
	m->mapped++;
	rc = add_line(&m->lines, &m->n_lines, &m->cap_lines, false,
		      "%s line %u, %s: %s%s%s%s to %s\\%s (%s)", w->relpath, w->line, w->what,
		      shown, p.sam && sid ? " (" : "", p.sam && sid ? p.sam : "",
		      p.sam && sid ? ")" : "",
		      gpo_domain_netbios(m->target) ? gpo_domain_netbios(m->target)
						    : gpo_domain_name(m->target),
		      r->sam, out->sid);
out:
	free(dom);
	free(acct);
	free(dest);
	return rc;
}

static int on_path(void *ctx, const struct gpo_map_where *w, const char *path,
		   enum gpo_map_verdict *v, char **out)
{
	struct gpo_migration *m = ctx;
	const struct gpo_mig_entry *hit = NULL;
	int rc;

	*v = GPO_MAP_KEEP;
	rc = gpo_migtable_map_path(m->table, path, out, &hit);
	if (rc < 0)
		return gpo_err_set(m->err, rc, "out of memory");
	if (rc == 0)
		return add_line(&m->unmapped, &m->n_unmapped, &m->cap_unmapped, true, "%s", path);
	if (!strcmp(*out, path)) {
		free(*out);
		*out = NULL;
		return 0;
	}
	*v = GPO_MAP_REPLACE;
	m->mapped++;
	return add_line(&m->lines, &m->n_lines, &m->cap_lines, false,
			"%s line %u, %s: %s to %s", w->relpath, w->line, w->what, path, *out);
}

int gpo_migration_new(struct gpo_domain *target, const char *dir, const char *table,
		      const char *backup_xml, size_t len, bool strict, bool dry_run,
		      struct gpo_migration **out, struct gpo_err *err)
{
	struct gpo_migration *m = NULL;
	char path[PATH_MAX], why[256] = "";
	char *data = NULL;
	size_t dlen = 0;
	int rc;

	*out = NULL;
	if (!*table || (table[0] != '/' && (strchr(table, '/') || !strcmp(table, "..") ||
					    !strcmp(table, "."))))
		return gpo_err_set(err, -EINVAL, "\"%s\" is not a table of migtables/", table);
	if (snprintf(path, sizeof(path), "%s%s%s", table[0] == '/' ? "" : dir,
		     table[0] == '/' ? "" : "/", table) >= (int)sizeof(path))
		return gpo_err_set(err, -ENAMETOOLONG, "the table's path is too long");
	m = calloc(1, sizeof(*m));
	if (!m)
		return gpo_err_set(err, -ENOMEM, "out of memory");
	m->target = target;
	m->strict = strict;
	m->dry_run = dry_run;
	m->table_name = strdup(table);
	if (!m->table_name) {
		rc = gpo_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = gpo_file_read(path, GPO_MIGTABLE_MAX_BYTES, &data, &dlen, NULL);
	if (rc == -EFBIG)
		rc = gpo_err_set(err, rc, "%s is larger than a migration table may be (%d MiB)",
				 table, GPO_MIGTABLE_MAX_BYTES >> 20);
	else if (rc)
		rc = gpo_err_set(err, rc, "no migration table %s: %s", table, strerror(-rc));
	if (!rc)
		rc = gpo_migtable_parse(data, dlen, table, &m->table, err);
	if (!rc && backup_xml) {
		rc = gpo_backup_read(backup_xml, len, &m->source, why, sizeof(why));
		if (rc)
			gpo_err_set(err, rc, "the source's Backup.xml: %s", why);
	}
out:
	free(data);
	if (rc)
		gpo_migration_free(m);
	else
		*out = m;
	return rc;
}

int gpo_migration_file(struct gpo_migration *m, const char *rel, const void *data,
		       size_t len, char **out, size_t *out_len, struct gpo_err *err)
{
	const struct gpo_mapper mapper = { on_principal, on_path, m };

	*out = NULL;
	*out_len = 0;
	if (!gpo_migrate_handles(rel))
		return 0;
	m->err = err;
	return gpo_migrate_file(rel, data, len, &mapper, out, out_len, err);
}

int gpo_migration_sd(struct gpo_migration *m, const unsigned char *sd, size_t len,
		     unsigned char **out, size_t *out_len, struct gpo_err *err)
{
	struct gpo_sd d;
	size_t kept = 0;
	bool changed = false;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (!sd || !len)
		return 0;
	if (gpo_sd_parse(sd, len, &d))
		return gpo_err_set(err, -EINVAL, "the source's security descriptor does not parse");
	m->err = err;
	for (size_t i = 0, line = 1; i < d.dacl.n_aces; i++, line++) {
		struct gpo_ace *a = &d.dacl.aces[i];
		struct gpo_map_where w = { "the GPO's DACL", (unsigned)line, "ACE", true };
		struct gpo_map_principal_out o = { NULL, NULL };
		enum gpo_map_verdict v = GPO_MAP_KEEP;
		char sid[GPO_SID_STR_MAX];

		rc = gpo_sid_to_string(&a->sid, sid, sizeof(sid)) < 0 ? -EINVAL
			: on_principal(m, &w, sid, NULL, &v, &o);
		if (!rc && v == GPO_MAP_REPLACE && gpo_sid_from_string(o.sid, &a->sid))
			rc = gpo_err_set(err, -EINVAL, "%s is not a SID", o.sid);
		free(o.sid);
		free(o.name);
		if (rc) {
			/* the ACEs not looked at yet stay, each once, to be freed */
			for (size_t j = i; j < d.dacl.n_aces; j++)
				d.dacl.aces[kept++] = d.dacl.aces[j];
			d.dacl.n_aces = (uint16_t)kept;
			goto out;
		}
		changed |= v != GPO_MAP_KEEP;
		if (v != GPO_MAP_DROP)
			d.dacl.aces[kept++] = *a;
		else
			free(a->extra);
	}
	d.dacl.n_aces = (uint16_t)kept;
	if (!changed) {
		rc = 0;
		goto out;
	}
	gpo_sd_forget_raw(&d);
	rc = gpo_sd_to_binary(&d, out, out_len);
	if (rc)
		gpo_err_set(err, rc, "the mapped security descriptor cannot be written");
out:
	gpo_sd_free(&d);
	return rc;
}

struct gpo_domain *gpo_op_env_domain(const struct gpo_op_env *env, const char *dns)
{
	for (size_t i = 0; env && i < env->n_domains; i++)
		if (!strcasecmp(gpo_domain_name(env->domains[i]), dns))
			return env->domains[i];
	return NULL;
}

/* Maps one file's bytes and throws the result away. */
static int scan_bytes(struct gpo_migration *m, const char *rel, const char *data, size_t len,
		      struct gpo_err *err)
{
	char *out = NULL;
	size_t out_len = 0;
	int rc = gpo_migration_file(m, rel, data, len, &out, &out_len, err);

	free(out);
	return rc;
}

int gpo_migration_scan_view(struct gpo_migration *m, struct gpo_view *v, struct gpo_err *err)
{
	int rc = 0;

	for (size_t i = 1; !rc && i < gpo_view_count(v); i++) {
		const struct gpo_view_node *n = gpo_view_node_at(v, i);
		const char *rel = gpo_view_node_path(n);
		char *data = NULL;
		size_t len = 0;

		if (!S_ISREG(gpo_view_node_stat(n)->st_mode) || !gpo_migrate_handles(rel))
			continue;
		rc = gpo_view_read(n, GPO_MIGRATE_MAX, &data, &len);
		if (rc)
			gpo_err_set(err, rc, "reading %s: %s", rel, strerror(-rc));
		else
			rc = scan_bytes(m, rel, data, len, err);
		free(data);
	}
	return rc;
}

/* scan_folder's walk of dir (rel in the GPO folder). */
static int scan_dir(struct gpo_migration *m, const char *dir, const char *rel, int depth,
		    struct gpo_err *err)
{
	DIR *dd = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!dd)
		return gpo_err_set(err, -errno, "%s: %s", dir, strerror(errno));
	while (!rc && (de = readdir(dd))) {
		char path[PATH_MAX], child[PATH_MAX];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path) ||
		    snprintf(child, sizeof(child), "%s%s%s", rel, *rel ? "/" : "", de->d_name) >=
			    (int)sizeof(child)) {
			rc = gpo_err_set(err, -ENAMETOOLONG, "%s/%s: path too long", dir, de->d_name);
			break;
		}
		if (lstat(path, &st) < 0) {
			rc = gpo_err_set(err, -errno, "%s: %s", path, strerror(errno));
		} else if (S_ISDIR(st.st_mode) && depth < 64) {
			rc = scan_dir(m, path, child, depth + 1, err);
		} else if (S_ISREG(st.st_mode) && gpo_migrate_handles(child)) {
			char *data = NULL;
			size_t len = 0;

			rc = gpo_file_read(path, GPO_MIGRATE_MAX, &data, &len, NULL);
			if (rc)
				gpo_err_set(err, rc, "reading %s: %s", path, strerror(-rc));
			else
				rc = scan_bytes(m, child, data, len, err);
			free(data);
		}
	}
	closedir(dd);
	return rc;
}

int gpo_migration_scan_folder(struct gpo_migration *m, const char *dir, struct gpo_err *err)
{
	return scan_dir(m, dir, "", 0, err);
}

int gpo_migration_finish(struct gpo_migration *m, const char *what, struct gpo_err *err)
{
	struct gpo_journal *j = gpo_domain_journal(m->target);
	const char *how = m->dry_run || (m->strict && m->n_unmapped) ? "would be" : "were";

	for (size_t i = 0; m->dry_run && i < m->n_lines; i++)
		gpo_journal_add(j, "%s: dry run: %s", what, m->lines[i]);
	for (size_t i = 0; i < m->n_unmapped; i++)
		gpo_journal_add(j, "%s: %s: no mapping in %s for %s", what,
				m->strict ? "refused" : "left as it is", m->table_name,
				m->unmapped[i]);
	gpo_journal_add(j, "%s: through %s, %zu principals and paths %s mapped, %zu dropped, %zu left unmapped%s",
			what, m->table_name, m->mapped, how, m->dropped, m->n_unmapped,
			m->strict && m->n_unmapped ? " (strict: nothing is changed)" : "");
	if (m->strict && m->n_unmapped)
		return gpo_err_set(err, -GPO_MIGRATION_UNMAPPED,
				   "%zu principals and paths have no mapping in %s (strict): the log lists them",
				   m->n_unmapped, m->table_name);
	return 0;
}

bool gpo_migration_dry_run(const struct gpo_migration *m)
{
	return m->dry_run;
}

void gpo_migration_free(struct gpo_migration *m)
{
	if (!m)
		return;
	gpo_migtable_free(m->table);
	gpo_backup_free(&m->source);
	for (size_t i = 0; i < m->n_res; i++) {
		free(m->res[i].account);
		free(m->res[i].sam);
	}
	free(m->res);
	free_lines(m->lines, m->n_lines);
	free_lines(m->unmapped, m->n_unmapped);
	free(m->table_name);
	free(m);
}

const char gpo_migtable_usage[] =
"migtable: the migration table (a file of migtables/) that imports and\n"
"copies into this domain from another domain map their principals and\n"
"UNC paths through when their request names none (migtable=):\n"
"\n"
"  echo to-prod.migtable > migtable       use it (it must parse)\n"
"  echo none > migtable                   use none\n"
"\n"
"The setting lasts until the mount ends. The write fails with EINVAL (a\n"
"request or table that is not valid) or ENOENT (no such table); the\n"
"reason goes to log.\n";

int gpo_migtable_request(struct gpo_writes *w, struct gpo_domain *d, const char *dir,
			 const char *buf, size_t len, struct gpo_err *err)
{
	struct gpo_request r = { 0 };
	struct gpo_migration *m = NULL;
	const char *name;
	int rc;

	rc = gpo_request_parse(buf, len, NULL, &r, err);
	if (!rc)
		rc = gpo_request_check(&r, 1, 1, NULL, err);
	if (rc)
		goto out;
	name = r.pos[0].value;
	if (gpo_request_word_is(&r.pos[0], "none")) {
		rc = gpo_writes_set_migtable(w, dir, NULL);
		if (!rc)
			gpo_journal_add(gpo_domain_journal(d),
					"imports and copies from other domains use no migration table");
		goto out;
	}
	/* refused now rather than at the copy that would use it */
	rc = gpo_migration_new(d, dir, name, NULL, 0, false, false, &m, err);
	if (!rc)
		rc = gpo_writes_set_migtable(w, dir, name);
	if (!rc)
		gpo_journal_add(gpo_domain_journal(d),
				"imports and copies from other domains map through %s (%zu mappings)",
				name, gpo_migtable_count(m->table));
out:
	if (rc)
		gpo_journal_add(gpo_domain_journal(d), "migtable refused: %s", gpo_err_reason(err));
	gpo_migration_free(m);
	gpo_request_free(&r);
	return rc;
}
