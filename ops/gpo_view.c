#include "gpo_view.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpo_backup_ext.h"
#include "gpo_store.h"

#define CAPTURE_TRIES 5
#define GPTINI_MAX (64 * 1024)
#define COPY_CHUNK (1024 * 1024)
#define MAX_DEPTH 32

int gpo_view_sysvol_version(struct gpo_smb *smb, const char *guid,
			    uint32_t *version)
{
	char rel[GPO_GUID_LEN + 16];
	char *ini = NULL;
	size_t len = 0;
	int rc;

	*version = 0;
	snprintf(rel, sizeof(rel), "%s/GPT.INI", guid);
	rc = gpo_smb_read_all(smb, rel, GPTINI_MAX, &ini, &len);
	if (rc == -ENOENT)
		return 0; /* no GPT.INI: version 0, as GPMC reads it */
	if (!rc) {
		rc = gpo_gptini_version(ini, len, version);
		if (rc == -ENOENT)
			rc = 0;
	}
	free(ini);
	return rc;
}

/* GPT.INI changes with every edit of SYSVOL's half: its mtime dates
 * changes the directory object does not record. */
static int gptini_mtime(struct gpo_smb *smb, const char *guid, time_t *t)
{
	char rel[GPO_GUID_LEN + 16];
	struct stat st;
	int rc;

	*t = 0;
	snprintf(rel, sizeof(rel), "%s/GPT.INI", guid);
	rc = gpo_smb_stat(smb, rel, &st);
	if (rc == -ENOENT)
		return 0;
	if (!rc)
		*t = st.st_mtime;
	return rc;
}

struct entry {
	char *name;
	struct stat st;
};

struct entries {
	struct entry *e;
	size_t n, cap;
};

static int gather(void *arg, const char *name, const struct stat *st)
{
	struct entries *es = arg;

	if (es->n == es->cap) {
		size_t cap = es->cap ? es->cap * 2 : 16;
		struct entry *p = realloc(es->e, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		es->e = p;
		es->cap = cap;
	}
	es->e[es->n].name = strdup(name);
	if (!es->e[es->n].name)
		return -ENOMEM;
	es->e[es->n++].st = *st;
	return 0;
}

static void entries_free(struct entries *es)
{
	for (size_t i = 0; i < es->n; i++)
		free(es->e[i].name);
	free(es->e);
}

static void set_times(const char *path, const struct stat *st)
{
	struct timespec t[2] = { st->st_atim, st->st_mtim };

	utimensat(AT_FDCWD, path, t, AT_SYMLINK_NOFOLLOW);
}

static int copy_file(struct gpo_smb *smb, const char *rel, const char *local,
		     uint64_t *bytes)
{
	struct gpo_smb_file *f = NULL;
	char *buf = NULL;
	off_t off = 0;
	int fd = -1;
	int rc;

	rc = gpo_smb_fopen(smb, rel, &f);
	if (rc)
		goto out;
	buf = malloc(COPY_CHUNK);
	fd = open(local, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (!buf || fd < 0) {
		rc = buf ? -errno : -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = gpo_smb_pread(smb, f, buf, COPY_CHUNK, off);

		if (n < 0) {
			rc = (int)n;
			goto out;
		}
		if (n == 0)
			break;
		if (write(fd, buf, (size_t)n) != n) {
			rc = -EIO;
			goto out;
		}
		off += n;
	}
	*bytes += (uint64_t)off;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	gpo_smb_fclose(smb, f);
	return rc;
}

/* Copies SYSVOL folder rel into local, all but the top's GPT.INI (a
 * backup holds none: its versions are in Backup.xml). */
static int copy_tree(struct gpo_smb *smb, const char *rel, const char *local,
		     int depth, uint64_t *bytes)
{
	struct entries es = { 0 };
	int rc;

	if (depth > MAX_DEPTH)
		return -ELOOP;
	rc = gpo_smb_list(smb, rel, gather, &es);
	for (size_t i = 0; !rc && i < es.n; i++) {
		struct entry *e = &es.e[i];
		char *r = NULL, *l = NULL;

		if (depth == 0 && !strcasecmp(e->name, "GPT.INI"))
			continue;
		if (asprintf(&r, "%s/%s", rel, e->name) < 0 ||
		    asprintf(&l, "%s/%s", local, e->name) < 0) {
			rc = -ENOMEM;
		} else if (S_ISDIR(e->st.st_mode)) {
			rc = mkdir(l, 0700) < 0 ? -errno : 0;
			if (!rc)
				rc = copy_tree(smb, r, l, depth + 1, bytes);
			if (!rc)
				set_times(l, &e->st);
		} else {
			rc = copy_file(smb, r, l, bytes);
			if (!rc)
				set_times(l, &e->st);
		}
		free(r);
		free(l);
	}
	entries_free(&es);
	return rc;
}

int gpo_view_capture(struct gpo_smb *smb, const struct gpo *g,
		     const char *cache_dir, struct gpo_view **out)
{
	struct gpo_view *v = NULL;
	struct stat root;
	int rc = -EAGAIN;

	for (int attempt = 0; attempt < CAPTURE_TRIES && rc == -EAGAIN; attempt++) {
		uint32_t before, after;

		v = calloc(1, sizeof(*v));
		if (!v)
			return -ENOMEM;
		if (asprintf(&v->dir, "%s/%s.XXXXXX", cache_dir, g->guid) < 0) {
			v->dir = NULL;
			rc = -ENOMEM;
			break;
		}
		if (!mkdtemp(v->dir)) {
			rc = -errno;
			break;
		}
		rc = gpo_view_sysvol_version(smb, g->guid, &before);
		if (!rc)
			rc = gpo_smb_stat(smb, g->guid, &root);
		if (!rc)
			rc = gptini_mtime(smb, g->guid, &v->changed);
		if (!rc)
			rc = copy_tree(smb, g->guid, v->dir, 0, &v->bytes);
		if (!rc)
			rc = gpo_view_sysvol_version(smb, g->guid, &after);
		if (!rc && before != after)
			rc = -EAGAIN; /* changed under us: take it again */
		if (!rc) {
			set_times(v->dir, &root);
			v->sysvol_version = after;
			if (g->changed > v->changed)
				v->changed = g->changed;
			rc = gpo_copy(&v->gpo, g);
		}
		if (rc) {
			gpo_store_remove_tree(v->dir);
			free(v->dir);
			free(v);
			v = NULL;
		}
	}
	if (rc) {
		if (v) {
			free(v->dir);
			free(v);
		}
		return rc;
	}
	atomic_init(&v->refs, 1);
	clock_gettime(CLOCK_MONOTONIC, &v->taken);
	v->used = v->taken;
	*out = v;
	return 0;
}

void gpo_view_get(struct gpo_view *v)
{
	atomic_fetch_add(&v->refs, 1);
}

void gpo_view_put(struct gpo_view *v)
{
	if (!v || atomic_fetch_sub(&v->refs, 1) != 1)
		return;
	gpo_store_remove_tree(v->dir);
	free(v->dir);
	gpo_clear(&v->gpo);
	for (int k = 0; k < 3; k++)
		free(v->data[k]);
	free(v);
}

struct walk {
	struct gpo_sysvol_entry *e;
	size_t n, cap;
};

static int walk_add(struct walk *w, const char *rel, bool dir)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 32;
		struct gpo_sysvol_entry *p = realloc(w->e, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		w->e = p;
		w->cap = cap;
	}
	w->e[w->n].path = strdup(rel);
	if (!w->e[w->n].path)
		return -ENOMEM;
	w->e[w->n++].dir = dir;
	return 0;
}

static int walk_dir(struct walk *w, const char *root, const char *rel, int depth)
{
	char path[8192];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (depth > MAX_DEPTH)
		return -ELOOP;
	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	d = opendir(path);
	if (!d)
		return -errno;
	while (!rc && (de = readdir(d))) {
		char sub[4096];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = -errno;
			break;
		}
		rc = walk_add(w, sub, S_ISDIR(st.st_mode));
		if (!rc && S_ISDIR(st.st_mode))
			rc = walk_dir(w, root, sub, depth + 1);
	}
	closedir(d);
	return rc;
}

int gpo_view_entries(const struct gpo_view *v, struct gpo_sysvol_entry **out,
		     size_t *n)
{
	struct walk w = { 0 };
	int rc = walk_dir(&w, v->dir, "", 0);

	if (rc) {
		gpo_view_entries_free(w.e, w.n);
		return rc;
	}
	*out = w.e;
	*n = w.n;
	return 0;
}

void gpo_view_entries_free(struct gpo_sysvol_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)e[i].path);
	free(e);
}
