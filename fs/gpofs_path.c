#include "gpofs_path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gpofs_control.h"

const char *const gpofs_genfile_names[GPO_GEN_COUNT] = {
	[GPO_GEN_BACKUP_XML] = "Backup.xml",
	[GPO_GEN_BKUPINFO_XML] = "bkupInfo.xml",
	[GPO_GEN_REPORT_XML] = "gpreport.xml",
};

/* Copies the next component of *p into out and advances *p past it.
 * Returns its length, 0 at the end, or -ENAMETOOLONG. */
static int next_component(const char **p, char *out, size_t outlen)
{
	const char *s = *p;
	size_t n;

	while (*s == '/')
		s++;
	n = strcspn(s, "/");
	if (n >= outlen)
		return -ENAMETOOLONG;
	memcpy(out, s, n);
	out[n] = '\0';
	*p = s + n;
	return (int)n;
}

static int parse_local(const char *dir, const char *rest, bool backups,
		       struct gpofs_path *p)
{
	const char *s = rest;
	int n;

	/* The kernel resolves "..", but refuse it anyway: the backing
	 * folder must never be left. */
	for (const char *c = rest; *c;) {
		size_t len;

		while (*c == '/')
			c++;
		len = strcspn(c, "/");
		if ((len == 2 && !strncmp(c, "..", 2)) || (len == 1 && *c == '.'))
			return -ENOENT;
		c += len;
	}
	n = next_component(&s, p->top, sizeof(p->top));
	if (n < 0)
		return n;
	while (*s == '/')
		s++;
	p->below_top = *s != '\0';
	p->backups = backups;
	if (backups && !p->below_top && !strcmp(p->top, "manifest.xml")) {
		p->kind = GPOFS_MANIFEST;
		return 0;
	}
	p->kind = GPOFS_LOCAL;
	if (asprintf(&p->rel, "%s%s", dir, rest) < 0) {
		p->rel = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* The name of a generated table ("{GUID}.migtable") into guid. */
static int table_name(const char *name, char guid[GPO_GUID_LEN + 1])
{
	if (strlen(name) != GPO_GUID_LEN + strlen(".migtable") ||
	    strcmp(name + GPO_GUID_LEN, ".migtable"))
		return -ENOENT;
	memcpy(guid, name, GPO_GUID_LEN);
	guid[GPO_GUID_LEN] = '\0';
	return gpo_guid_valid(guid) ? 0 : -ENOENT;
}

/* The mounted domain named dns into p. Returns 0 or -ENOENT. */
static int find_domain(struct gpofs *fs, const char *dns, struct gpofs_path *p)
{
	for (size_t i = 0; i < fs->n_domains; i++) {
		if (!strcmp(gpo_domain_name(fs->domains[i]), dns)) {
			p->dom = fs->domains[i];
			p->dom_i = i;
			return 0;
		}
	}
	return -ENOENT;
}

/* rest is below migtables/generated: the tables gpofs makes, one per
 * sealed backup (backups/) and one per GPO of each mounted domain.
 * Whether the backup or the GPO exists is the caller's to find. */
static int parse_generated(struct gpofs *fs, const char *rest, struct gpofs_path *p)
{
	char comp[256];
	const char *s = rest;
	int n;

	p->kind = GPOFS_MIGGEN;
	n = next_component(&s, comp, sizeof(comp));
	if (n <= 0)
		return n;
	if (!strcmp(comp, "backups")) {
		p->gen_backups = true;
	} else {
		n = find_domain(fs, comp, p);
		if (n)
			return n;
	}
	n = next_component(&s, comp, sizeof(comp));
	if (n <= 0)
		return n;
	p->kind = GPOFS_MIGGEN_FILE;
	if (*s)
		return -ENOTDIR;
	if (table_name(comp, p->guid))
		return -ENOENT;
	if (p->gen_backups)
		memcpy(p->top, p->guid, sizeof(p->guid));
	return 0;
}

/* path is domains/D/by-name/<name>/rest: parses domains/D/gpos/{G}/rest
 * into p instead, {G} being the GPO <name> names now. */
static int byname_alias(struct gpofs *fs, struct gpofs_path *p, const char *name)
{
	struct gpo_snapshot *snap = NULL;
	const struct gpo *g = NULL;
	size_t n = strcspn(name, "/");
	char entry[256], *alias = NULL;
	int rc;

	if (n >= sizeof(entry))
		return -ENAMETOOLONG;
	memcpy(entry, name, n);
	entry[n] = '\0';
	rc = gpo_domain_snapshot(p->dom, &snap);
	if (!rc) {
		g = gpo_snapshot_find_name(snap, entry);
		rc = g ? 0 : -ENOENT;
	}
	if (!rc && asprintf(&alias, "/domains/%s/gpos/%s%s", gpo_domain_name(p->dom),
			    g->guid, name + n) < 0) {
		alias = NULL;
		rc = -ENOMEM;
	}
	gpo_snapshot_put(snap);
	if (rc)
		return rc;
	rc = gpofs_path_parse(fs, alias, p);
	p->alias = alias;
	return rc;
}

int gpofs_path_parse(struct gpofs *fs, const char *path, struct gpofs_path *p)
{
	char comp[256];
	const char *s = path;
	int n;

	memset(p, 0, sizeof(*p));
	n = next_component(&s, comp, sizeof(comp));
	if (n < 0)
		return n;
	if (n == 0) {
		p->kind = GPOFS_ROOT;
		return 0;
	}
	if (!strcmp(comp, "README"))
		return *s ? -ENOTDIR : (p->kind = GPOFS_README, 0);
	if (!strcmp(comp, ".stats"))
		return *s ? -ENOTDIR : (p->kind = GPOFS_STATS, 0);
	if (!strcmp(comp, "backups"))
		return parse_local(fs->conf.backup_dir, s, true, p);
	if (!strcmp(comp, "migtables")) {
		const char *rest = s;

		/* generated/ hides anything of that name in the folder */
		if (next_component(&rest, comp, sizeof(comp)) > 0 && !strcmp(comp, "generated"))
			return parse_generated(fs, rest, p);
		return parse_local(fs->conf.migtable_dir, s, false, p);
	}
	if (strcmp(comp, "domains"))
		return -ENOENT;

	if (next_component(&s, comp, sizeof(comp)) <= 0) {
		p->kind = GPOFS_DOMAINS;
		return 0;
	}
	n = find_domain(fs, comp, p);
	if (n)
		return n;

	if (next_component(&s, comp, sizeof(comp)) <= 0) {
		p->kind = GPOFS_DOMAIN;
		return 0;
	}
	if (!strcmp(comp, "log")) {
		p->kind = GPOFS_LOG;
		return *s ? -ENOTDIR : 0;
	}
	for (int c = 0; c < GPOFS_CTL_COUNT; c++) {
		if (!strcmp(comp, gpofs_control_names[c])) {
			p->kind = GPOFS_CONTROL;
			p->control = (enum gpofs_control)c;
			return *s ? -ENOTDIR : 0;
		}
	}
	if (!strcmp(comp, "by-name")) {
		const char *name = s;

		while (*name == '/')
			name++;
		p->kind = *name ? GPOFS_BYNAME_LINK : GPOFS_BYNAME;
		p->name = name;
		return strchr(name, '/') ? byname_alias(fs, p, name) : 0;
	}
	if (strcmp(comp, "gpos"))
		return -ENOENT;

	if (next_component(&s, comp, sizeof(comp)) <= 0) {
		p->kind = GPOFS_GPOS;
		return 0;
	}
	if (!gpo_guid_valid(comp))
		return -ENOENT;
	memcpy(p->guid, comp, sizeof(p->guid));

	n = next_component(&s, comp, sizeof(comp));
	if (n <= 0) {
		p->kind = GPOFS_GPO;
		return n;
	}
	for (int k = 0; k < GPO_GEN_COUNT; k++) {
		if (!strcmp(comp, gpofs_genfile_names[k])) {
			p->kind = GPOFS_GENFILE;
			p->gen = (enum gpo_genfile)k;
			return *s ? -ENOTDIR : 0;
		}
	}
	if (strcmp(comp, "DomainSysvol")) {
		/* anything else at the top: what a copy of a backup writes
		 * there besides its files (rsync's temporary names...) */
		p->kind = GPOFS_GPO_TOP;
		p->name = s - n;
		return *s ? -ENOENT : 0;
	}
	if (next_component(&s, comp, sizeof(comp)) <= 0) {
		p->kind = GPOFS_DOMAINSYSVOL;
		return 0;
	}
	if (strcmp(comp, "GPO"))
		return -ENOENT;
	while (*s == '/')
		s++;
	/* A backup holds no GPT.INI: its versions are in Backup.xml. */
	if (!strncasecmp(s, "GPT.INI", 7) && (s[7] == '\0' || s[7] == '/'))
		return -ENOENT;
	p->kind = GPOFS_SYSVOL;
	if (asprintf(&p->rel, "%s%s%s", p->guid, *s ? "/" : "", s) < 0) {
		p->rel = NULL;
		return -ENOMEM;
	}
	return 0;
}

void gpofs_path_free(struct gpofs_path *p)
{
	free(p->rel);
	p->rel = NULL;
	free(p->alias);
	p->alias = NULL;
}
