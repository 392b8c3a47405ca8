/* FUSE handlers: parse the path, call ops/, return 0 or -errno. The
 * calls that change something are gpofs_write.c's. */
#include "gpofs_ops.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "gpofs.h"
#include "gpofs_handle.h"
#include "gpofs_path.h"
#include "gpofs_byname.h"
#include "gpofs_control.h"
#include "gpofs_gpo.h"
#include "gpofs_store.h"
#include "gpofs_write.h"
#include "gpo_buf.h"
#include "gpo_import.h"
#include "gpo_migtable_gen.h"
#include "gpo_store.h"

struct gpofs *gpofs_get(void)
{
	return fuse_get_context()->private_data;
}

static void fill_dir(struct gpofs *fs, struct stat *st, time_t t)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFDIR | 0555;
	st->st_nlink = 2;
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_atime = st->st_mtime = st->st_ctime = t;
}

static void fill_file(struct gpofs *fs, struct stat *st, time_t t, off_t size,
		      mode_t type)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = type | (type == S_IFLNK ? 0777 : 0444);
	st->st_nlink = 1;
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_size = size;
	st->st_blocks = (size + 511) / 512;
	st->st_atime = st->st_mtime = st->st_ctime = t;
}

/* SYSVOL's own modes say little on Linux: show what the mount allows
 * (the mounting user writes into a GPO; the DC has the last word). */
static void fix_sysvol_stat(struct gpofs *fs, struct stat *st)
{
	st->st_mode = S_ISDIR(st->st_mode) ? S_IFDIR | 0755 : S_IFREG | 0644;
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_nlink = S_ISDIR(st->st_mode) ? 2 : 1;
	st->st_ino = 0;
	st->st_dev = 0;
}

/* Looks the path's GPO up in a fresh snapshot; the GUID must be spelled
 * as the directory spells it so that each GPO has one path. */
static int find_gpo(struct gpofs_path *p, struct gpo_snapshot **snap,
		    const struct gpo **g)
{
	int rc = gpo_domain_snapshot(p->dom, snap);

	if (rc)
		return rc;
	*g = gpo_snapshot_find(*snap, p->guid);
	if (!*g || strcmp((*g)->guid, p->guid)) {
		gpo_snapshot_put(*snap);
		*snap = NULL;
		return -ENOENT;
	}
	return 0;
}

/* The view to serve the path's GPO folder from (a reference the caller
 * drops with gpo_view_put). */
static int find_view(struct gpofs_path *p, struct gpo_view **v)
{
	struct gpo_snapshot *snap = NULL;
	const struct gpo *g;
	int rc;

	rc = find_gpo(p, &snap, &g);
	if (rc)
		return rc;
	/* pinned per reading process: one cp -r sees one version */
	rc = gpo_domain_view(p->dom, g, fuse_get_context()->pid, v);
	gpo_snapshot_put(snap);
	/* The GPO is listed, but its folder could not be read (none on
	 * SYSVOL): never ENOENT for a folder that is there, which
	 * readdir(3) would take for the end of an empty one (a silent,
	 * empty cp -r) */
	return rc == -ENOENT ? -EIO : rc;
}

/* The node of view v at a DomainSysvol/GPO/... path, or NULL. */
static const struct gpo_view_node *view_node(const struct gpo_view *v,
					     const struct gpofs_path *p)
{
	const char *rel = p->rel + GPO_GUID_LEN;
	const struct gpo_view_node *n;

	rel = *rel == '/' ? rel + 1 : rel;
	n = gpo_view_lookup(v, rel);
	/* SYSVOL finds a name in any case, and so does its GPO folder */
	return n ? n : gpo_view_lookup_nocase(v, rel);
}

static void node_stat(struct gpofs *fs, const struct gpo_view_node *n,
		      struct stat *st)
{
	*st = *gpo_view_node_stat(n);
	st->st_nlink = S_ISDIR(st->st_mode) ? 2 : 1;
	st->st_blocks = (st->st_size + 511) / 512;
	st->st_blksize = GPOFS_BLKSIZE;
	st->st_ino = 0;
	st->st_dev = 0;
	fix_sysvol_stat(fs, st);
}

static int genfile(struct gpofs_path *p, char **data, size_t *len, time_t *t)
{
	struct gpo_view *v = NULL;
	const char *d;
	int rc;

	rc = find_view(p, &v);
	if (rc)
		return rc;
	gpo_view_generated(v, p->gen, &d, len);
	/* gpreport.xml is UTF-16: no terminating NUL to copy */
	*data = malloc(*len ? *len : 1);
	if (*data)
		memcpy(*data, d, *len);
	else
		rc = -ENOMEM;
	if (t)
		*t = gpo_view_changed(v);
	gpo_view_put(v);
	return rc;
}

/* A generated migration table (MIGGEN_FILE), made anew at each look from
 * the sealed backup or the GPO's view, into *data (caller frees), with
 * the time of what it was made from into *t unless t is NULL. Why one
 * cannot be made goes to the log (the domain's for a GPO). */
static int gen_table(struct gpofs *fs, struct gpofs_path *p, char **data, size_t *len,
		     time_t *t)
{
	struct gpo_err err = { 0 };
	struct gpo_view *v = NULL;
	char dir[PATH_MAX];
	struct stat st;
	int rc;

	*data = NULL;
	*len = 0;
	rc = gpofs_store_caller_ok(fs);
	if (rc)
		goto out;
	if (p->gen_backups) {
		if (!gpo_store_is_sealed(fs->conf.backup_dir, p->top)) {
			rc = -ENOENT;
			goto out;
		}
		if (snprintf(dir, sizeof(dir), "%s/%s", fs->conf.backup_dir, p->top) >=
		    (int)sizeof(dir)) {
			rc = -ENAMETOOLONG;
			goto out;
		}
		rc = stat(dir, &st) < 0 ? -errno : 0;
		if (!rc)
			rc = gpo_migtable_gen_folder(dir, data, len, &err);
		if (rc && err.code)
			gpo_log(&fs->log, GPO_LOG_WARN, "migtables/generated/backups/%s.migtable: %s",
				p->top, gpo_err_reason(&err));
		if (!rc && t)
			*t = st.st_mtime;
		goto out;
	}
	rc = find_view(p, &v);
	if (!rc)
		rc = gpo_migtable_gen_view(v, data, len, &err);
	if (rc && err.code)
		gpo_journal_add(gpo_domain_journal(p->dom), "migtables/generated/%s/%s.migtable: %s",
				gpo_domain_name(p->dom), p->guid, gpo_err_reason(&err));
	if (!rc && t)
		*t = gpo_view_changed(v);
out:
	gpo_view_put(v);
	return rc;
}

/* The time of the latest change to any GPO of dom (of any domain when dom
 * is NULL): what the folders above the GPOs show, so that they look the
 * same to rsync across remounts while nothing changes. */
static time_t newest_change(struct gpofs *fs, struct gpo_domain *dom)
{
	time_t t = 0;

	for (size_t i = 0; i < fs->n_domains; i++) {
		struct gpo_snapshot *snap = NULL;

		if (dom && dom != fs->domains[i])
			continue;
		if (gpo_domain_snapshot(fs->domains[i], &snap))
			continue;
		if (gpo_snapshot_newest_change(snap) > t)
			t = gpo_snapshot_newest_change(snap);
		gpo_snapshot_put(snap);
	}
	return t ? t : fs->mounted;
}

/* /.stats: every domain's counters, one block each. */
static int stats_text(struct gpofs *fs, char **data, size_t *len)
{
	struct gpo_buf b = GPO_BUF_INIT;
	int rc;

	/* the mount's own, then one block per domain */
	rc = gpo_buf_printf(&b, "cache_bytes %llu\ncache_peak_bytes %llu\n"
			    "cache_max_bytes %llu\ncache_refused %lu\n",
			    (unsigned long long)atomic_load(&fs->cache.used),
			    (unsigned long long)atomic_load(&fs->cache.peak),
			    (unsigned long long)fs->cache.max,
			    (unsigned long)atomic_load(&fs->cache.refused));
	for (size_t i = 0; !rc && i < fs->n_domains; i++) {
		char *one = NULL;
		size_t n = 0;

		rc = gpo_domain_stats(fs->domains[i], &one, &n);
		if (!rc)
			rc = gpo_buf_add(&b, one, n);
		free(one);
	}
	if (!rc)
		rc = gpo_buf_add(&b, "", 0);
	if (rc) {
		gpo_buf_free(&b);
		return rc;
	}
	*data = gpo_buf_steal(&b, len);
	return 0;
}

static int link_target(struct gpofs_path *p, char *guid)
{
	struct gpo_snapshot *snap = NULL;
	const struct gpo *g;
	int rc;

	rc = gpo_domain_snapshot(p->dom, &snap);
	if (rc)
		return rc;
	g = gpo_snapshot_find_name(snap, p->name);
	if (g)
		memcpy(guid, g->guid, GPO_GUID_LEN + 1);
	gpo_snapshot_put(snap);
	return g ? 0 : -ENOENT;
}

static int gpofs_getattr(const char *path, struct stat *st,
			 struct fuse_file_info *fi)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;
	struct gpo_snapshot *snap = NULL;
	const struct gpo *g;
	char guid[GPO_GUID_LEN + 1];
	struct gpo_view *view = NULL;
	char *data = NULL;
	size_t len = 0;
	time_t t = 0;
	int rc;

	rc = gpofs_path_parse(fs, path, &p);
	if (rc)
		goto out;
	if (p.kind == GPOFS_BYNAME_LINK &&
	    gpofs_byname_just_made(fs, &p, fuse_get_context()->pid, guid)) {
		p.kind = GPOFS_GPO; /* the mkdir's own lookup: a folder */
		memcpy(p.guid, guid, sizeof(p.guid));
	}
	if (gpofs_gpo_path(&p)) {
		/* its writer sees its own changes */
		rc = gpofs_gpo_getattr(fs, &p, st);
		if (rc != 1)
			goto out;
		rc = 0;
	}
	switch (p.kind) {
	case GPOFS_ROOT:
		fill_dir(fs, st, fs->mounted);
		break;
	case GPOFS_GPO_TOP:
		rc = -ENOENT; /* only its writer has it */
		break;
	case GPOFS_DOMAINS:
		fill_dir(fs, st, newest_change(fs, NULL));
		break;
	case GPOFS_DOMAIN:
	case GPOFS_BYNAME:
		fill_dir(fs, st, newest_change(fs, p.dom));
		break;
	case GPOFS_README:
		fill_file(fs, st, fs->mounted, (off_t)strlen(gpofs_readme), S_IFREG);
		break;
	case GPOFS_CONTROL:
		/* the domain's time, as its folder: not the mount's, so that
		 * rsync of an unchanged domain finds nothing new across
		 * remounts */
		fill_file(fs, st, newest_change(fs, p.dom),
			  (off_t)strlen(gpofs_control_usage(p.control)), S_IFREG);
		st->st_mode |= S_IWUSR;
		break;
	case GPOFS_LOG: {
		struct stat js;

		/* the file as it is: its size now, its last line's time */
		rc = gpo_journal_stat(gpo_domain_journal(p.dom), &js);
		if (!rc)
			fill_file(fs, st, js.st_mtime, js.st_size, S_IFREG);
		break;
	}
	case GPOFS_GPOS:
		rc = gpo_domain_snapshot(p.dom, &snap);
		if (!rc)
			fill_dir(fs, st, gpo_snapshot_newest_change(snap)
						 ? gpo_snapshot_newest_change(snap)
							     : fs->mounted);
		break;
	case GPOFS_GPO:
	case GPOFS_DOMAINSYSVOL:
		rc = find_gpo(&p, &snap, &g);
		if (!rc) {
			fill_dir(fs, st, g->changed);
			st->st_mode |= S_IWUSR; /* written into: an import */
		}
		break;
	case GPOFS_GENFILE:
		rc = genfile(&p, &data, &len, &t);
		if (!rc) {
			fill_file(fs, st, t, (off_t)len, S_IFREG);
			st->st_mode |= S_IWUSR; /* a backup's own may be written */
		}
		break;
	case GPOFS_SYSVOL: {
		const struct gpo_view_node *n;

		rc = find_view(&p, &view);
		if (rc)
			break;
		n = view_node(view, &p);
		if (n)
			node_stat(fs, n, st);
		else
			rc = -ENOENT;
		break;
	}
	case GPOFS_BYNAME_LINK:
		rc = link_target(&p, guid);
		if (!rc)
			fill_file(fs, st, newest_change(fs, p.dom),
				  (off_t)strlen("../gpos/") + GPO_GUID_LEN, S_IFLNK);
		break;
	case GPOFS_LOCAL:
		rc = lstat(p.rel, st) < 0 ? -errno : 0;
		break;
	case GPOFS_MANIFEST: {
		struct stat store;

		/* The store folder's time moves with every backup sealed or
		 * removed, so the manifest's does whenever it changes. */
		rc = gpofs_store_caller_ok(fs);
		if (!rc)
			rc = stat(fs->conf.backup_dir, &store) < 0 ? -errno : 0;
		if (!rc)
			rc = gpo_store_manifest(fs->conf.backup_dir, &data, &len);
		if (!rc) {
			fill_file(fs, st, store.st_mtime, (off_t)len, S_IFREG);
			st->st_mode = S_IFREG | 0400;
		}
		break;
	}
	case GPOFS_STATS:
		rc = stats_text(fs, &data, &len);
		if (!rc)
			fill_file(fs, st, time(NULL), (off_t)len, S_IFREG);
		break;
	case GPOFS_MIGGEN:
		if (p.gen_backups) {
			struct stat store;

			/* its listing changes with the store's */
			rc = stat(fs->conf.backup_dir, &store) < 0 ? -errno : 0;
			if (!rc)
				fill_dir(fs, st, store.st_mtime);
		} else {
			fill_dir(fs, st, p.dom ? newest_change(fs, p.dom) : fs->mounted);
		}
		break;
	case GPOFS_MIGGEN_FILE:
		/* its true size: what a reader that trusts st_size gets */
		rc = gen_table(fs, &p, &data, &len, &t);
		if (!rc)
			fill_file(fs, st, t, (off_t)len, S_IFREG);
		break;
	}
out:
	(void)fi;
	free(data);
	gpo_view_put(view);
	gpo_snapshot_put(snap);
	gpofs_path_free(&p);
	return rc;
}

static int gpofs_readlink(const char *path, char *buf, size_t size)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;
	char guid[GPO_GUID_LEN + 1];
	int rc;

	rc = gpofs_path_parse(fs, path, &p);
	if (rc)
		goto out;
	if (p.kind == GPOFS_BYNAME_LINK) {
		rc = link_target(&p, guid);
		if (!rc)
			snprintf(buf, size, "../gpos/%s", guid);
	} else if (p.kind == GPOFS_LOCAL) {
		ssize_t n = readlink(p.rel, buf, size ? size - 1 : 0);

		rc = n < 0 ? -errno : 0;
		if (n >= 0)
			buf[n] = '\0';
	} else {
		rc = -EINVAL;
	}
out:
	gpofs_path_free(&p);
	return rc;
}

/* Fills a directory listing in libfuse's offset mode: each entry carries
 * its position, so that a listing longer than one reply resumes where it
 * stopped, and entries with attributes reach the kernel as
 * READDIRPLUS entries (without offsets libfuse 3.14 drops them, and every
 * entry then costs a LOOKUP of its own). */
struct lister {
	void *buf;
	fuse_fill_dir_t filler;
	off_t offset;        /* entries before it were sent already */
	off_t at;            /* entries seen so far */
	bool full;
	bool plain;          /* a store's folder: no offsets (it may change
				between calls: libfuse then takes it whole) */
	struct gpofs *fs;
};

/* Adds one entry; st may be NULL. Returns 1 once the reply is full. */
static int list_add(struct lister *l, const char *name, const struct stat *st)
{
	if (l->plain)
		return l->filler(l->buf, name, NULL, 0, 0);
	if (l->full)
		return 1;
	if (l->at++ < l->offset)
		return 0;
	if (l->filler(l->buf, name, st, l->at, st ? FUSE_FILL_DIR_PLUS : 0))
		l->full = true;
	return l->full;
}

static int list_add_cb(void *arg, const char *name, const struct stat *st)
{
	return list_add(arg, name, st);
}

/* Lists a store's local folder, but for an entry named hide (NULL: none),
 * which the mount shows instead. */
static int fill_local(const char *dir_path, const char *hide, struct lister *l)
{
	DIR *dir = opendir(dir_path);
	struct dirent *de;

	if (!dir)
		return -errno;
	while ((de = readdir(dir)) && !l->full) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (hide && !strcmp(de->d_name, hide)))
			continue;
		list_add(l, de->d_name, NULL);
	}
	closedir(dir);
	return 0;
}

/* Lists a folder of migtables/generated/: the tables are not made for a
 * listing (each costs a walk of its settings), so no attributes. */
static int fill_generated(struct gpofs *fs, struct gpofs_path *p, struct lister *l)
{
	struct gpo_snapshot *snap = NULL;
	char name[GPO_GUID_LEN + sizeof(".migtable")];
	struct dirent *de;
	DIR *dir;
	int rc = 0;

	if (!p->gen_backups && !p->dom) {
		list_add(l, "backups", NULL);
		for (size_t i = 0; i < fs->n_domains; i++)
			list_add(l, gpo_domain_name(fs->domains[i]), NULL);
		return 0;
	}
	if (p->dom) {
		rc = gpo_domain_snapshot(p->dom, &snap);
		for (size_t i = 0; !rc && i < gpo_snapshot_count(snap) && !l->full; i++) {
			snprintf(name, sizeof(name), "%s.migtable", gpo_snapshot_at(snap, i)->guid);
			list_add(l, name, NULL);
		}
		gpo_snapshot_put(snap);
		return rc;
	}
	/* the sealed backups: a copy still arriving is none yet */
	dir = opendir(fs->conf.backup_dir);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (!gpo_guid_valid(de->d_name) ||
		    !gpo_store_is_sealed(fs->conf.backup_dir, de->d_name))
			continue;
		snprintf(name, sizeof(name), "%.*s.migtable", GPO_GUID_LEN, de->d_name);
		list_add(l, name, NULL);
	}
	closedir(dir);
	return 0;
}

static int list_view_entry(void *arg, const char *name,
			   const struct gpo_view_node *n)
{
	struct lister *l = arg;
	struct stat st;

	node_stat(l->fs, n, &st);
	list_add(l, name, &st);
	return 0;
}

static int gpofs_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
			 off_t offset, struct fuse_file_info *fi,
			 enum fuse_readdir_flags flags)
{
	struct gpofs *fs = gpofs_get();
	struct lister l = { .buf = buf, .filler = filler, .offset = offset, .fs = fs };
	struct gpofs_path p;
	struct gpo_snapshot *snap = NULL;
	const struct gpo *g;
	struct gpo_view *view = NULL;
	struct stat st;
	int rc;

	rc = gpofs_path_parse(fs, path, &p);
	if (!rc && p.kind == GPOFS_BYNAME_LINK)
		rc = gpofs_byname_as_folder(&p);
	if (rc)
		goto out;
	if (gpofs_gpo_path(&p)) {
		/* its writer lists its own changes, whole at once (they
		 * may change between two calls) */
		l.plain = true;
		rc = gpofs_gpo_readdir(fs, &p, list_add_cb, &l);
		if (rc != 1) {
			list_add(&l, ".", NULL);
			list_add(&l, "..", NULL);
			goto out;
		}
		rc = 0;
	}
	l.plain = p.kind == GPOFS_LOCAL || (p.kind == GPOFS_MIGGEN && p.gen_backups);
	list_add(&l, ".", NULL);
	list_add(&l, "..", NULL);
	switch (p.kind) {
	case GPOFS_ROOT:
		list_add(&l, "README", NULL);
		list_add(&l, "domains", NULL);
		list_add(&l, "backups", NULL);
		list_add(&l, "migtables", NULL);
		break;
	case GPOFS_DOMAINS:
		for (size_t i = 0; i < fs->n_domains; i++)
			list_add(&l, gpo_domain_name(fs->domains[i]), NULL);
		break;
	case GPOFS_DOMAIN:
		list_add(&l, "gpos", NULL);
		list_add(&l, "by-name", NULL);
		list_add(&l, "log", NULL);
		for (int c = 0; c < GPOFS_CTL_COUNT; c++)
			list_add(&l, gpofs_control_names[c], NULL);
		break;
	case GPOFS_GPOS:
		rc = gpo_domain_snapshot(p.dom, &snap);
		for (size_t i = 0; !rc && i < gpo_snapshot_count(snap) && !l.full; i++) {
			const struct gpo *g_i = gpo_snapshot_at(snap, i);

			fill_dir(fs, &st, g_i->changed);
			st.st_mode |= S_IWUSR;
			list_add(&l, g_i->guid, &st);
		}
		break;
	case GPOFS_BYNAME:
		rc = gpo_domain_snapshot(p.dom, &snap);
		if (rc)
			break;
		/* every link's time: the listed snapshot's newest change, as
		 * getattr gives it (newest_change) */
		fill_file(fs, &st, gpo_snapshot_newest_change(snap)
				   ? gpo_snapshot_newest_change(snap) : fs->mounted,
			  (off_t)strlen("../gpos/") + GPO_GUID_LEN, S_IFLNK);
		for (size_t i = 0; i < gpo_snapshot_count(snap) && !l.full; i++)
			list_add(&l, gpo_snapshot_name_at(snap, i), &st);
		break;
	case GPOFS_GPO:
		/* the view: the generated files' sizes are the reader's */
		rc = find_gpo(&p, &snap, &g);
		if (!rc)
			rc = find_view(&p, &view);
		if (rc)
			break;
		for (int k = 0; k < GPO_GEN_COUNT; k++) {
			const char *d;
			size_t dlen;

			gpo_view_generated(view, (enum gpo_genfile)k, &d, &dlen);
			fill_file(fs, &st, gpo_view_changed(view), (off_t)dlen, S_IFREG);
			st.st_mode |= S_IWUSR;
			list_add(&l, gpofs_genfile_names[k], &st);
		}
		fill_dir(fs, &st, g->changed);
		st.st_mode |= S_IWUSR;
		list_add(&l, "DomainSysvol", &st);
		break;
	case GPOFS_DOMAINSYSVOL: {
		const struct gpo_view_node *root;

		rc = find_gpo(&p, &snap, &g);
		if (!rc)
			rc = find_view(&p, &view);
		if (rc)
			break;
		root = gpo_view_lookup(view, "");
		if (root)
			node_stat(fs, root, &st);
		list_add(&l, "GPO", root ? &st : NULL);
		break;
	}
	case GPOFS_SYSVOL: {
		const struct gpo_view_node *n;

		rc = find_view(&p, &view);
		if (rc)
			break;
		n = view_node(view, &p);
		if (!n)
			rc = -ENOENT;
		else if (!S_ISDIR(gpo_view_node_stat(n)->st_mode))
			rc = -ENOTDIR;
		else
			rc = gpo_view_children(view, n, list_view_entry, &l);
		break;
	}
	case GPOFS_LOCAL: {
		bool migtables = !p.backups && !*p.top;

		rc = gpofs_store_caller_ok(fs);
		if (!rc)
			rc = fill_local(p.rel, migtables ? "generated" : NULL, &l);
		if (!rc && p.backups && !*p.top)
			list_add(&l, "manifest.xml", NULL);
		if (!rc && migtables)
			list_add(&l, "generated", NULL);
		break;
	}
	case GPOFS_MIGGEN:
		rc = gpofs_store_caller_ok(fs);
		if (!rc)
			rc = fill_generated(fs, &p, &l);
		break;
	default:
		rc = -ENOTDIR;
	}
out:
	(void)fi;
	(void)flags;
	gpo_view_put(view);
	gpo_snapshot_put(snap);
	gpofs_path_free(&p);
	return rc;
}

static int gpofs_open(const char *path, struct fuse_file_info *fi)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;
	struct handle *h = NULL;
	int rc;

	rc = gpofs_path_parse(fs, path, &p);
	if (rc)
		goto out;
	if (p.kind == GPOFS_LOCAL && gpofs_writing(fi->flags)) {
		gpofs_path_free(&p);
		return gpofs_local_open(fs, path, fi);
	}
	if (gpofs_writing(fi->flags) && !gpofs_gpo_path(&p) && p.kind != GPOFS_CONTROL) {
		rc = -EROFS;
		goto out;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		rc = -ENOMEM;
		goto out;
	}
	h->fd = -1;
	h->kind = H_BUFFER;
	if (p.kind == GPOFS_CONTROL) {
		/* each write is a request, carried out before it returns;
		 * a read shows the usage */
		h->kind = H_CONTROL;
		h->dom_i = p.dom_i;
		h->control = (int)p.control;
		h->data = gpofs_control_text(fs, p.dom_i, p.control);
		h->len = h->data ? strlen(h->data) : 0;
		rc = h->data ? 0 : -ENOMEM;
		fi->direct_io = 1;
		goto out;
	}
	if (gpofs_writing(fi->flags)) {
		rc = gpofs_gpo_open_write(fs, &p, fi->flags, h);
		goto out;
	}
	if (gpofs_gpo_path(&p)) {
		/* its writer reads its own changes */
		rc = gpofs_gpo_open_read(fs, &p, h);
		if (rc == 2)
			fi->direct_io = 1; /* the size the kernel has may be the old one */
		else if (rc != 1)
			goto out;
		rc = 0;
		h->kind = H_BUFFER;
	}
	switch (p.kind) {
	case GPOFS_README:
		h->len = strlen(gpofs_readme);
		h->data = strdup(gpofs_readme);
		rc = h->data ? 0 : -ENOMEM;
		break;
	case GPOFS_LOG:
		h->kind = H_JOURNAL;
		h->journal = gpo_domain_journal(p.dom);
		/* it grows: every read comes here, past the size the kernel
		 * knows too (tail -f reads on at its offset) */
		fi->direct_io = 1;
		break;
	case GPOFS_GENFILE:
		rc = genfile(&p, &h->data, &h->len, NULL);
		break;
	case GPOFS_MANIFEST:
		rc = gpofs_store_caller_ok(fs);
		if (!rc)
			rc = gpo_store_manifest(fs->conf.backup_dir, &h->data, &h->len);
		break;
	case GPOFS_STATS:
		rc = stats_text(fs, &h->data, &h->len);
		fi->direct_io = 1; /* it changes with every read of the mount */
		break;
	case GPOFS_MIGGEN_FILE:
		rc = gen_table(fs, &p, &h->data, &h->len, NULL);
		/* made again here: the size the kernel has may be another's */
		fi->direct_io = 1;
		break;
	case GPOFS_SYSVOL: {
		struct gpo_view *v = NULL;
		const struct gpo_view_node *n;

		/* Served from the view: the file as it was when the GPO was
		 * captured, whatever happens to SYSVOL meanwhile. */
		rc = find_view(&p, &v);
		if (rc)
			break;
		n = view_node(v, &p);
		h->kind = H_VIEW;
		rc = n ? gpo_view_reader_open(v, n, &h->reader) : -ENOENT;
		gpo_view_put(v);
		break;
	}
	case GPOFS_LOCAL:
		h->kind = H_LOCAL;
		rc = gpofs_store_caller_ok(fs);
		if (rc)
			break;
		h->fd = open(p.rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		rc = h->fd < 0 ? -errno : 0;
		break;
	default:
		rc = -EISDIR;
	}
out:
	if (rc) {
		if (h) {
			free(h->data);
			gpo_view_reader_close(h->reader);
			if (h->fd >= 0)
				close(h->fd);
		}
		free(h);
	} else {
		fi->fh = (uintptr_t)h;
	}
	gpofs_path_free(&p);
	return rc;
}

static int gpofs_read(const char *path, char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	ssize_t n;

	(void)path;
	switch (h->kind) {
	case H_BUFFER:
	case H_CONTROL:
		if (off < 0 || (size_t)off >= h->len)
			return 0;
		if (size > h->len - (size_t)off)
			size = h->len - (size_t)off;
		memcpy(buf, h->data + off, size);
		return (int)size;
	case H_VIEW:
		return (int)gpo_view_reader_pread(h->reader, buf, size, off);
	case H_LOCAL:
	case H_TXN:
		n = pread(h->fd, buf, size, off);
		return n < 0 ? -errno : (int)n;
	case H_JOURNAL:
		return (int)gpo_journal_read(h->journal, buf, size, off);
	}
	return -EIO;
}

static int gpofs_release(const char *path, struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;

	(void)path;
	gpofs_gpo_release(gpofs_get(), h);
	if (h->writing_top)
		gpo_sealer_touch(gpofs_get()->sealer, h->writing_top, -1);
	free(h->writing_top);
	gpo_view_reader_close(h->reader);
	if (h->fd >= 0)
		close(h->fd);
	free(h->data);
	free(h);
	return 0;
}

static int gpofs_statfs(const char *path, struct statvfs *st)
{
	(void)path;
	memset(st, 0, sizeof(*st));
	st->f_bsize = 4096;
	st->f_frsize = 4096;
	st->f_namemax = 255;
	return 0;
}

/* A line was added to a domain's log: the kernel forgets the log's
 * attributes, so that the next stat (tail -f polls fstat) sees its new
 * size at once rather than after the attribute timeout. */
static void log_grew(void *arg, struct gpo_journal *j)
{
	struct gpofs *fs = arg;
	char path[512];

	for (size_t i = 0; i < fs->n_domains; i++) {
		if (gpo_domain_journal(fs->domains[i]) != j)
			continue;
		snprintf(path, sizeof(path), "/domains/%s/log",
			 gpo_domain_name(fs->domains[i]));
		/* -ENOENT when the kernel never looked it up: nothing cached */
		fuse_invalidate_path(fs->fuse, path);
		break;
	}
}

void gpofs_unwatch_logs(struct gpofs *fs)
{
	for (size_t i = 0; i < fs->n_domains; i++)
		gpo_journal_watch(gpo_domain_journal(fs->domains[i]), NULL, NULL);
}

static void *gpofs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	struct gpofs *fs = gpofs_get();

	(void)conn;
	/* Attributes come from the directory snapshot and SYSVOL; a second
	 * of caching saves a round trip per stat without hiding a change
	 * for longer than the snapshot does. */
	cfg->entry_timeout = 1.0;
	cfg->attr_timeout = 1.0;
	cfg->negative_timeout = 1.0;
	cfg->use_ino = 0;
	/* Here, in the daemon as it will stay: threads started before
	 * fuse_daemonize's fork would not have followed it. */
	fs->fuse = fuse_get_context()->fuse;
	for (size_t i = 0; i < fs->n_domains; i++) {
		gpo_journal_watch(gpo_domain_journal(fs->domains[i]), log_grew, fs);
		gpo_domain_start(fs->domains[i]);
	}
	if (gpo_sealer_start(&fs->sealer, fs->conf.backup_dir, fs->domains,
			     fs->n_domains, &fs->log))
		gpo_log(&fs->log, GPO_LOG_ERR,
			"cannot start the sealer: copies into backups/ stay unsealed");
	/* and the GPOs' writes, after what a killed daemon left is put
	 * right (the domains answer by now) */
	gpofs_gpo_start(fs);
	return fs;
}

static void gpofs_destroy(void *private_data)
{
	struct gpofs *fs = private_data;

	/* Copies into backups/ and changes to GPOs end with the mount:
	 * seal and commit them now. */
	gpo_sealer_stop(fs->sealer);
	fs->sealer = NULL;
	gpofs_gpo_stop(fs);
}

const struct fuse_operations gpofs_ops = {
	.init = gpofs_init,
	.destroy = gpofs_destroy,
	.getattr = gpofs_getattr,
	.readlink = gpofs_readlink,
	.readdir = gpofs_readdir,
	.open = gpofs_open,
	.read = gpofs_read,
	.release = gpofs_release,
	.statfs = gpofs_statfs,
	/* Changes: into a GPO (an import) or a local store, by path. */
	.write = gpofs_write_write,
	.create = gpofs_write_create,
	.mkdir = gpofs_write_mkdir,
	.mknod = gpofs_local_mknod,
	.unlink = gpofs_write_unlink,
	.rmdir = gpofs_write_rmdir,
	.symlink = gpofs_local_symlink,
	.link = gpofs_local_link,
	.rename = gpofs_write_rename,
	.chmod = gpofs_write_chmod,
	.chown = gpofs_write_chown,
	.truncate = gpofs_write_truncate,
	.utimens = gpofs_write_utimens,
	.setxattr = gpofs_local_setxattr,
	.fsync = gpofs_write_fsync,
};
