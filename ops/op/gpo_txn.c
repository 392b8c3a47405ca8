#include "gpo_txn.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpo_array.h"
#include "gpo_utf16.h"
#include "gpo_view.h"

#define PATH_MAX_LEN 1024
#define COPY_CHUNK (1024 * 1024)

enum state { S_FILE = 1, S_DIR, S_GONE };

/* A path the transaction has an opinion on. */
struct entry {
	char *path;        /* the spelling SYSVOL will get */
	char *key;         /* lower case: what names match on */
	enum state state;
	char *local;       /* S_FILE: the staged copy, or NULL with from */
	char *from;        /* S_FILE: a file of SYSVOL it copies (gpo_txn_put_from) */
	uint64_t from_size;
	time_t from_mtime;
	time_t mtime;      /* 0: the staged file's, or the base's */
};

struct top {
	char *name;
	char *local;
	time_t mtime;
};

/* An index of lower-case keys to positions, open addressing. */
struct index {
	size_t *slot;      /* position + 1; 0: empty */
	size_t size;       /* a power of two */
};

struct gpo_txn {
	struct gpo_view *base;
	char *dir;
	unsigned long seq;
	bool dirty;
	struct entry *e;
	size_t n, cap;
	struct index ei;             /* entries by key */
	char **base_keys;            /* lower-case path of each base node */
	size_t n_base;
	struct index bi;             /* base nodes by key */
	struct top *tops;
	size_t n_tops, cap_tops;
	bool restore;                /* gpo_txn_set_restore */
	uint32_t floor;
	bool born;                   /* gpo_txn_set_born */
	uint32_t born_version;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Finds key among keys (keys[i] is the key of position i). */
static size_t *index_find(const struct index *x, char *const *keys,
			  size_t stride, const char *key)
{
	if (!x->size)
		return NULL;
	for (size_t i = hash(key) & (x->size - 1);; i = (i + 1) & (x->size - 1)) {
		size_t *s = &x->slot[i];

		if (!*s)
			return s;
		if (!strcmp(*(char *const *)((const char *)keys + (*s - 1) * stride), key))
			return s;
	}
}

/* Indexes position pos (key keys[pos]) after growing the index as
 * needed for n keys. Returns 0 or -ENOMEM. */
static int index_add(struct index *x, char *const *keys, size_t stride,
		     size_t n, size_t pos)
{
	if (n * 2 > x->size) {
		struct index y = { NULL, x->size ? x->size * 2 : 64 };

		while (n * 2 > y.size)
			y.size *= 2;
		y.slot = calloc(y.size, sizeof(*y.slot));
		if (!y.slot)
			return -ENOMEM;
		for (size_t i = 0; i < x->size; i++)
			if (x->slot[i])
				*index_find(&y, keys, stride,
					    *(char *const *)((const char *)keys +
							     (x->slot[i] - 1) * stride)) =
					x->slot[i];
		free(x->slot);
		*x = y;
	}
	*index_find(x, keys, stride,
		    *(char *const *)((const char *)keys + pos * stride)) = pos + 1;
	return 0;
}

static char *lower(const char *s, size_t n)
{
	char *k = malloc(n + 1);

	if (!k)
		return NULL;
	for (size_t i = 0; i < n; i++)
		k[i] = (char)tolower((unsigned char)s[i]);
	k[n] = '\0';
	return k;
}

/* A path the transaction accepts: not empty, relative, no empty, "." or
 * ".." part, no backslash or control character, not too long. */
static bool valid(const char *rel)
{
	size_t len = strlen(rel);

	if (!len || len >= PATH_MAX_LEN || rel[0] == '/' || rel[len - 1] == '/')
		return false;
	for (const char *p = rel; *p;) {
		size_t n = strcspn(p, "/");

		if (!n || (n == 1 && p[0] == '.') || (n == 2 && !strncmp(p, "..", 2)))
			return false;
		for (size_t i = 0; i < n; i++)
			/* what Windows file names cannot hold (SYSVOL is read
			 * by Windows clients) */
			if ((unsigned char)p[i] < 0x20 || strchr("\\:*?\"<>|", p[i]))
				return false;
		/* SYSVOL's names are UTF-16: bytes that are no UTF-8 have
		 * no name there */
		if (!gpo_utf8_valid(p, n))
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return true;
}

static bool is_gptini(const char *rel)
{
	return !strcasecmp(rel, "GPT.INI");
}

static struct entry *entry_of(struct gpo_txn *t, const char *key)
{
	size_t *s;

	if (!t->e)
		return NULL; /* no entry yet (and no &t->e[0] to name) */
	s = index_find(&t->ei, &t->e[0].key, sizeof(*t->e), key);

	return s && *s ? &t->e[*s - 1] : NULL;
}

static const struct gpo_view_node *base_of(struct gpo_txn *t, const char *key)
{
	size_t *s = index_find(&t->bi, t->base_keys, sizeof(*t->base_keys), key);

	return s && *s ? gpo_view_node_at(t->base, *s - 1) : NULL;
}

/* What key names as the transaction sees it: 0 none, S_FILE or S_DIR,
 * with the entry or the base node behind it. */
struct found {
	enum state kind;
	struct entry *e;
	const struct gpo_view_node *b;
	const char *path;       /* its spelling */
};

static struct found find_key(struct gpo_txn *t, const char *key)
{
	struct found f = { 0 };
	struct entry *e = entry_of(t, key);
	char part[PATH_MAX_LEN];
	size_t n = strlen(key);

	if (e) {
		if (e->state != S_GONE) {
			f.kind = e->state;
			f.e = e;
			f.path = e->path;
		}
		return f;
	}
	/* a base node, unless a folder above it went or became a file */
	for (size_t i = 0; i < n; i++) {
		struct entry *a;

		if (key[i] != '/')
			continue;
		memcpy(part, key, i);
		part[i] = '\0';
		a = entry_of(t, part);
		if (a && a->state != S_DIR)
			return f;
	}
	f.b = base_of(t, key);
	if (f.b) {
		f.kind = S_ISDIR(gpo_view_node_stat(f.b)->st_mode) ? S_DIR : S_FILE;
		f.path = gpo_view_node_path(f.b);
	}
	return f;
}

/* rel as SYSVOL will spell it: each leading part that exists keeps its
 * spelling, the rest stays as given. A new string, or NULL. */
static char *canonical(struct gpo_txn *t, const char *rel)
{
	size_t n = strlen(rel);
	char *out = strdup(rel);
	char *key = lower(rel, n);

	if (!out || !key) {
		free(out);
		free(key);
		return NULL;
	}
	for (size_t i = 0; i <= n; i++) {
		struct found f;

		if (rel[i] != '/' && rel[i])
			continue;
		key[i] = '\0';
		f = find_key(t, key);
		if (i < n)
			key[i] = '/';
		if (!f.kind)
			break;
		memcpy(out, f.path, i); /* same length: only case differs */
	}
	free(key);
	return out;
}

static struct found find(struct gpo_txn *t, const char *rel)
{
	char *key = lower(rel, strlen(rel));
	struct found f = { 0 };

	if (key)
		f = find_key(t, key);
	free(key);
	return f;
}

/* The parent folder of rel must exist as a folder. */
static int parent_ok(struct gpo_txn *t, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	char part[PATH_MAX_LEN];
	struct found f;

	if (!slash)
		return 0; /* the GPO folder */
	memcpy(part, rel, (size_t)(slash - rel));
	part[slash - rel] = '\0';
	f = find(t, part);
	if (!f.kind)
		return -ENOENT;
	return f.kind == S_DIR ? 0 : -ENOTDIR;
}

/* The entry for rel (canonical spelling), made when missing. */
static struct entry *entry_for(struct gpo_txn *t, const char *rel)
{
	char *path = canonical(t, rel);
	char *key = path ? lower(path, strlen(path)) : NULL;
	struct entry *e = key ? entry_of(t, key) : NULL;

	if (e || !key) {
		free(path);
		free(key);
		return e;
	}
	e = gpo_array_push(&t->e, &t->n, &t->cap, sizeof(*e));
	if (e) {
		e->path = path;
		e->key = key;
	}
	if (!e || index_add(&t->ei, &t->e[0].key, sizeof(*t->e), t->n, t->n - 1)) {
		if (e)
			t->n--;
		free(path);
		free(key);
		return NULL;
	}
	return e;
}

static char *new_local(struct gpo_txn *t)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%lu", t->dir, ++t->seq) < 0)
		return NULL;
	return p;
}

/* Copies base node b's content into a new staged file. */
static int copy_base(struct gpo_txn *t, struct gpo_view *v,
		     const struct gpo_view_node *b, char **local)
{
	struct gpo_view_reader *r = NULL;
	char *buf = NULL, *path = new_local(t);
	off_t off = 0;
	int fd = -1, rc;

	if (!path)
		return -ENOMEM;
	rc = gpo_view_reader_open(v, b, &r);
	if (rc)
		goto out;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	buf = malloc(COPY_CHUNK);
	if (fd < 0 || !buf) {
		rc = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = gpo_view_reader_pread(r, buf, COPY_CHUNK, off);

		if (n <= 0) {
			rc = (int)n;
			break;
		}
		ssize_t w = write(fd, buf, (size_t)n);

		if (w != n) {
			rc = w < 0 ? -errno : -EIO;
			break;
		}
		off += n;
	}
out:
	if (fd >= 0 && close(fd) < 0 && !rc)
		rc = -errno;
	if (rc && fd >= 0)
		unlink(path);
	gpo_view_reader_close(r);
	free(buf);
	if (rc)
		free(path);
	else
		*local = path;
	return rc;
}

int gpo_txn_new(struct gpo_txn **out, struct gpo_view *base, const char *dir)
{
	struct gpo_txn *t = calloc(1, sizeof(*t));
	size_t nb = gpo_view_count(base);
	int rc = -ENOMEM;

	if (!t || !(t->dir = strdup(dir)))
		goto fail;
	t->base_keys = calloc(nb ? nb : 1, sizeof(*t->base_keys));
	if (!t->base_keys)
		goto fail;
	t->n_base = nb;
	for (size_t i = 0; i < nb; i++) {
		const char *p = gpo_view_node_path(gpo_view_node_at(base, i));

		t->base_keys[i] = lower(p, strlen(p));
		if (!t->base_keys[i] ||
		    index_add(&t->bi, t->base_keys, sizeof(*t->base_keys), i + 1, i))
			goto fail;
	}
	if (mkdir(dir, 0700) < 0) {
		rc = -errno;
		free(t->dir);
		t->dir = NULL; /* not ours to remove */
		goto fail;
	}
	gpo_view_get(base);
	t->base = base;
	*out = t;
	return 0;
fail:
	gpo_txn_free(t);
	return rc;
}

void gpo_txn_free(struct gpo_txn *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		if (t->e[i].local)
			unlink(t->e[i].local);
		free(t->e[i].local);
		free(t->e[i].from);
		free(t->e[i].path);
		free(t->e[i].key);
	}
	for (size_t i = 0; i < t->n_tops; i++) {
		if (t->tops[i].local)
			unlink(t->tops[i].local);
		free(t->tops[i].local);
		free(t->tops[i].name);
	}
	if (t->dir)
		rmdir(t->dir);
	for (size_t i = 0; t->base_keys && i < t->n_base; i++)
		free(t->base_keys[i]);
	free(t->base_keys);
	free(t->e);
	free(t->tops);
	free(t->ei.slot);
	free(t->bi.slot);
	free(t->dir);
	gpo_view_put(t->base);
	free(t);
}

struct gpo_view *gpo_txn_base(const struct gpo_txn *t)
{
	return t->base;
}

bool gpo_txn_dirty(const struct gpo_txn *t)
{
	return t->dirty;
}

static int stat_found(const struct found *f, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	if (!f->e) {
		*st = *gpo_view_node_stat(f->b);
		return 0;
	}
	if (f->kind == S_DIR) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		st->st_mtime = f->e->mtime ? f->e->mtime : time(NULL);
		return 0;
	}
	if (f->e->from) {
		st->st_mode = S_IFREG | 0644;
		st->st_nlink = 1;
		st->st_size = (off_t)f->e->from_size;
		st->st_mtime = f->e->from_mtime;
	} else if (stat(f->e->local, st) < 0) {
		return -errno;
	}
	if (f->e->mtime)
		st->st_mtime = f->e->mtime;
	return 0;
}

int gpo_txn_stat(struct gpo_txn *t, const char *rel, struct stat *st)
{
	struct found f;

	if (!*rel) {
		f.kind = S_DIR;
		f.e = NULL;
		f.b = gpo_view_lookup(t->base, "");
		return f.b ? stat_found(&f, st) : -ENOENT;
	}
	if (!valid(rel))
		return -EINVAL;
	f = find(t, rel);
	if (!f.kind)
		return parent_ok(t, rel) == -ENOTDIR ? -ENOTDIR : -ENOENT;
	return stat_found(&f, st);
}

struct lister {
	struct gpo_txn *t;
	const char *key;           /* the folder's, lower case */
	gpo_txn_dirent_fn fn;
	void *arg;
};

static int list_base(void *arg, const char *name, const struct gpo_view_node *n)
{
	struct lister *l = arg;
	char key[PATH_MAX_LEN];
	struct found f;
	struct stat st;
	const char *p = gpo_view_node_path(n);

	snprintf(key, sizeof(key), "%s", p);
	for (char *c = key; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (entry_of(l->t, key))
		return 0; /* the transaction says, below */
	f = find_key(l->t, key);
	if (!f.kind || stat_found(&f, &st))
		return 0;
	return l->fn(l->arg, name, &st);
}

int gpo_txn_list(struct gpo_txn *t, const char *rel, gpo_txn_dirent_fn fn,
		 void *arg)
{
	struct lister l = { .t = t, .fn = fn, .arg = arg };
	const struct gpo_view_node *bdir = NULL;
	struct found f = { .kind = S_DIR };
	char *key = NULL;
	size_t klen;
	int rc = 0;

	if (*rel) {
		if (!valid(rel))
			return -EINVAL;
		f = find(t, rel);
		if (!f.kind)
			return -ENOENT;
		if (f.kind != S_DIR)
			return -ENOTDIR;
		bdir = f.b;
		if (!bdir && f.e)
			bdir = base_of(t, f.e->key);
	} else {
		bdir = gpo_view_lookup(t->base, "");
	}
	key = lower(rel, strlen(rel));
	if (!key)
		return -ENOMEM;
	klen = strlen(key);
	l.key = key;
	if (bdir && S_ISDIR(gpo_view_node_stat(bdir)->st_mode))
		rc = gpo_view_children(t->base, bdir, list_base, &l);
	for (size_t i = 0; !rc && i < t->n; i++) {
		struct entry *e = &t->e[i];
		const char *name;
		struct found g;
		struct stat st;

		if (e->state == S_GONE)
			continue;
		if (klen ? strncmp(e->key, key, klen) || e->key[klen] != '/'
			 : false)
			continue;
		name = e->path + (klen ? klen + 1 : 0);
		if (strchr(name, '/'))
			continue;
		g = find_key(t, e->key);
		if (g.kind && !stat_found(&g, &st))
			rc = fn(arg, name, &st);
	}
	free(key);
	return rc;
}

int gpo_txn_open_read(struct gpo_txn *t, const char *rel, int *fd,
		      struct gpo_view_reader **reader)
{
	struct found f;

	*fd = -1;
	*reader = NULL;
	if (!valid(rel))
		return -EINVAL;
	f = find(t, rel);
	if (!f.kind)
		return -ENOENT;
	if (f.kind == S_DIR)
		return -EISDIR;
	if (f.e && f.e->from)
		return -EOPNOTSUPP; /* its bytes are on the DC only */
	if (f.e) {
		*fd = open(f.e->local, O_RDONLY | O_CLOEXEC);
		return *fd < 0 ? -errno : 0;
	}
	return gpo_view_reader_open(t->base, f.b, reader);
}

/* The staged file of file rel, copied from the base when it has none
 * yet (unless it is to be emptied: no copy then), or made empty when
 * create; its entry in *out. */
static int stage(struct gpo_txn *t, const char *rel, bool create, bool excl,
		 bool empty, struct entry **out)
{
	struct found f;
	struct entry *e;
	char *local = NULL;
	int rc, fd;

	if (!valid(rel))
		return -EINVAL;
	if (is_gptini(rel))
		return -EPERM; /* gpofs writes it, with the version */
	f = find(t, rel);
	if (f.kind == S_DIR)
		return -EISDIR;
	if (f.kind && excl)
		return -EEXIST;
	if (!f.kind && !create)
		return -ENOENT;
	if (!f.kind) {
		rc = parent_ok(t, rel);
		if (rc)
			return rc;
	}
	if (f.e && f.e->from && !empty)
		return -EOPNOTSUPP; /* its bytes are on the DC only */
	if (f.e && !f.e->from) {
		*out = f.e;
		return 0;
	}
	if (f.b && !empty && !f.e) {
		rc = copy_base(t, t->base, f.b, &local);
	} else {
		local = new_local(t);
		rc = local ? 0 : -ENOMEM;
		if (!rc) {
			fd = open(local, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			rc = fd < 0 ? -errno : 0;
			if (fd >= 0)
				close(fd);
		}
	}
	if (rc) {
		free(local);
		return rc;
	}
	e = entry_for(t, rel);
	if (!e) {
		unlink(local);
		free(local);
		return -ENOMEM;
	}
	free(e->local);
	e->local = local;
	free(e->from);
	e->from = NULL;
	e->state = S_FILE;
	e->mtime = 0;
	t->dirty = true;
	*out = e;
	return 0;
}

int gpo_txn_put_from(struct gpo_txn *t, const char *rel, const char *from,
		     uint64_t size, time_t mtime)
{
	struct entry *e;
	char *copy = strdup(from);
	int rc = copy ? stage(t, rel, true, false, true, &e) : -ENOMEM;

	if (rc) {
		free(copy);
		return rc;
	}
	unlink(e->local);
	free(e->local);
	e->local = NULL;
	e->from = copy;
	e->from_size = size;
	e->from_mtime = mtime;
	return 0;
}

int gpo_txn_open_write(struct gpo_txn *t, const char *rel, int flags, int *fd)
{
	struct entry *e;
	int rc = stage(t, rel, flags & O_CREAT, (flags & O_CREAT) && (flags & O_EXCL),
		       flags & O_TRUNC, &e);

	if (rc)
		return rc;
	*fd = open(e->local, O_RDWR | O_CLOEXEC | (flags & O_TRUNC));
	if (*fd < 0)
		return -errno;
	e->mtime = 0;
	t->dirty = true;
	return 0;
}

int gpo_txn_truncate(struct gpo_txn *t, const char *rel, off_t size)
{
	struct entry *e;
	int rc = stage(t, rel, false, false, size == 0, &e);

	if (rc)
		return rc;
	if (truncate(e->local, size) < 0)
		return -errno;
	e->mtime = 0;
	return 0;
}

int gpo_txn_set_mtime(struct gpo_txn *t, const char *rel, time_t mtime)
{
	struct found f;
	struct entry *e;

	if (!*rel)
		return 0; /* the GPO folder's time is the GPO's */
	if (!valid(rel))
		return -EINVAL;
	f = find(t, rel);
	if (!f.kind)
		return -ENOENT;
	if (f.kind == S_FILE) {
		int rc = stage(t, rel, false, false, false, &e);

		if (rc)
			return rc;
	} else {
		e = f.e ? f.e : entry_for(t, rel);
		if (!e)
			return -ENOMEM;
		e->state = S_DIR;
	}
	e->mtime = mtime;
	return 0;
}

int gpo_txn_mkdir(struct gpo_txn *t, const char *rel)
{
	struct entry *e;
	int rc;

	if (!valid(rel))
		return -EINVAL;
	if (is_gptini(rel))
		return -EPERM;
	if (find(t, rel).kind)
		return -EEXIST;
	rc = parent_ok(t, rel);
	if (rc)
		return rc;
	e = entry_for(t, rel);
	if (!e)
		return -ENOMEM;
	e->state = S_DIR;
	e->mtime = time(NULL);
	t->dirty = true;
	return 0;
}

/* Marks e gone (for a base path) or forgets it (for a new one). */
static void remove_entry(struct gpo_txn *t, struct entry *e)
{
	if (e->local) {
		unlink(e->local);
		free(e->local);
		e->local = NULL;
	}
	free(e->from);
	e->from = NULL;
	e->state = S_GONE;
	e->mtime = 0;
	t->dirty = true;
}

int gpo_txn_unlink(struct gpo_txn *t, const char *rel)
{
	struct found f;
	struct entry *e;

	if (!valid(rel))
		return -EINVAL;
	f = find(t, rel);
	if (!f.kind)
		return -ENOENT;
	if (f.kind == S_DIR)
		return -EISDIR;
	e = f.e ? f.e : entry_for(t, rel);
	if (!e)
		return -ENOMEM;
	remove_entry(t, e);
	return 0;
}

static int count_one(void *arg, const char *name, const struct stat *st)
{
	(void)name;
	(void)st;
	++*(size_t *)arg;
	return 1; /* one is enough */
}

int gpo_txn_rmdir(struct gpo_txn *t, const char *rel)
{
	struct found f;
	struct entry *e;
	size_t n = 0;
	int rc;

	if (!*rel)
		return -EBUSY;
	if (!valid(rel))
		return -EINVAL;
	f = find(t, rel);
	if (!f.kind)
		return -ENOENT;
	if (f.kind != S_DIR)
		return -ENOTDIR;
	rc = gpo_txn_list(t, rel, count_one, &n);
	if (rc < 0)
		return rc;
	if (n)
		return -ENOTEMPTY;
	e = f.e ? f.e : entry_for(t, rel);
	if (!e)
		return -ENOMEM;
	remove_entry(t, e);
	return 0;
}

struct subtree {
	char **paths;        /* below from, canonical, folders before their trees */
	bool *dirs;
	size_t n, cap, cap_dirs;
};

static int collect(struct gpo_txn *t, const char *rel, struct subtree *s);

static int collect_one(void *arg, const char *name, const struct stat *st)
{
	void **a = arg;
	struct gpo_txn *t = a[0];
	struct subtree *s = a[1];
	const char *dir = a[2];
	char *p = NULL;

	if (asprintf(&p, "%s%s%s", dir, *dir ? "/" : "", name) < 0)
		return -ENOMEM;
	if (!gpo_array_push(&s->paths, &s->n, &s->cap, sizeof(*s->paths))) {
		free(p);
		return -ENOMEM;
	}
	s->paths[s->n - 1] = p;
	if (gpo_array_reserve(&s->dirs, &s->cap_dirs, s->n, sizeof(*s->dirs)))
		return -ENOMEM;
	s->dirs[s->n - 1] = S_ISDIR(st->st_mode);
	return S_ISDIR(st->st_mode) ? collect(t, p, s) : 0;
}

static int collect(struct gpo_txn *t, const char *rel, struct subtree *s)
{
	void *a[3] = { t, s, (void *)rel };

	return gpo_txn_list(t, rel, collect_one, a);
}

static void subtree_free(struct subtree *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->paths[i]);
	free(s->paths);
	free(s->dirs);
}

/* Moves file from's content to to (replacing a file there). */
static int move_file(struct gpo_txn *t, const char *from, const char *to)
{
	struct entry *src, *dst;
	char *local, *key;
	int rc = stage(t, from, false, false, false, &src);

	if (rc)
		return rc;
	key = strdup(src->key);
	if (!key)
		return -ENOMEM;
	local = src->local;
	src->local = NULL;
	dst = entry_for(t, to);        /* may move the entries */
	src = entry_of(t, key);
	free(key);
	if (!dst) {
		src->local = local;
		return -ENOMEM;
	}
	if (dst->local)
		unlink(dst->local);
	free(dst->local);
	dst->local = local;
	dst->state = S_FILE;
	dst->mtime = src->mtime;
	remove_entry(t, src);
	return 0;
}

int gpo_txn_rename(struct gpo_txn *t, const char *from, const char *to,
		   bool noreplace)
{
	struct subtree s = { 0 };
	struct found ff, ft;
	size_t fl = strlen(from);
	int rc;

	if (!valid(from) || !valid(to))
		return -EINVAL;
	if (is_gptini(to) || is_gptini(from))
		return -EPERM;
	ff = find(t, from);
	if (!ff.kind)
		return -ENOENT;
	if (!strncasecmp(to, from, fl) && to[fl] == '/')
		return -EINVAL;
	if (!strcasecmp(from, to))
		return 0; /* one path in any case: SYSVOL keeps its spelling */
	rc = parent_ok(t, to);
	if (rc)
		return rc;
	ft = find(t, to);
	if (ft.kind && noreplace)
		return -EEXIST;
	if (ff.kind == S_FILE) {
		if (ft.kind == S_DIR)
			return -EISDIR;
		return move_file(t, from, to);
	}
	if (ft.kind == S_FILE)
		return -ENOTDIR;
	if (ft.kind == S_DIR) {
		rc = gpo_txn_rmdir(t, to); /* must be empty */
		if (rc)
			return rc;
	}
	rc = collect(t, from, &s);
	if (!rc)
		rc = gpo_txn_mkdir(t, to);
	for (size_t i = 0; !rc && i < s.n; i++) {
		char *dst = NULL;

		if (asprintf(&dst, "%s%s", to, s.paths[i] + fl) < 0)
			rc = -ENOMEM;
		else
			rc = s.dirs[i] ? gpo_txn_mkdir(t, dst) : move_file(t, s.paths[i], dst);
		free(dst);
	}
	/* the old tree goes, deepest first */
	for (size_t i = s.n; !rc && i-- > 0;)
		rc = s.dirs[i] ? gpo_txn_rmdir(t, s.paths[i]) : 0;
	if (!rc)
		rc = gpo_txn_rmdir(t, from);
	subtree_free(&s);
	return rc;
}

/* ---- the top of the GPO folder ---- */

static bool top_name_ok(const char *name)
{
	return *name && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..") && strlen(name) < 256;
}

static struct top *top_of(struct gpo_txn *t, const char *name)
{
	for (size_t i = 0; i < t->n_tops; i++)
		if (!strcasecmp(t->tops[i].name, name))
			return &t->tops[i];
	return NULL;
}

int gpo_txn_top_stat(struct gpo_txn *t, const char *name, struct stat *st)
{
	struct top *p = top_of(t, name);

	if (!p)
		return -ENOENT;
	if (stat(p->local, st) < 0)
		return -errno;
	if (p->mtime)
		st->st_mtime = p->mtime;
	return 0;
}

int gpo_txn_top_open(struct gpo_txn *t, const char *name, int flags, int *fd)
{
	struct top *p;

	if (!top_name_ok(name))
		return -EINVAL;
	p = top_of(t, name);
	if (!p && !(flags & O_CREAT))
		return -ENOENT;
	if (p && (flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (!p) {
		char *n = strdup(name), *local = new_local(t);

		p = n && local ? gpo_array_push(&t->tops, &t->n_tops, &t->cap_tops,
						sizeof(*p))
			       : NULL;
		if (!p) {
			free(n);
			free(local);
			return -ENOMEM;
		}
		p->name = n;
		p->local = local;
	}
	*fd = open(p->local, O_RDWR | O_CREAT | O_CLOEXEC | (flags & O_TRUNC), 0600);
	if (*fd < 0)
		return -errno;
	p->mtime = 0;
	t->dirty = true;
	return 0;
}

int gpo_txn_top_open_read(struct gpo_txn *t, const char *name, int *fd)
{
	struct top *p = top_of(t, name);

	if (!p)
		return -ENOENT;
	*fd = open(p->local, O_RDONLY | O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

int gpo_txn_top_unlink(struct gpo_txn *t, const char *name)
{
	struct top *p = top_of(t, name);

	if (!p)
		return -ENOENT;
	unlink(p->local);
	free(p->local);
	free(p->name);
	*p = t->tops[--t->n_tops];
	t->dirty = true;
	return 0;
}

int gpo_txn_top_rename(struct gpo_txn *t, const char *from, const char *to)
{
	struct top *p;
	char *n;

	if (!top_of(t, from))
		return -ENOENT;
	if (!top_name_ok(to))
		return -EINVAL;
	if (!strcasecmp(from, to))
		return 0;
	n = strdup(to);
	if (!n)
		return -ENOMEM;
	if (top_of(t, to))
		gpo_txn_top_unlink(t, to); /* replaced, as rename(2) does */
	p = top_of(t, from);
	free(p->name);
	p->name = n;
	t->dirty = true;
	return 0;
}

int gpo_txn_top_set_mtime(struct gpo_txn *t, const char *name, time_t mtime)
{
	struct top *p = top_of(t, name);

	if (!p)
		return -ENOENT;
	p->mtime = mtime;
	return 0;
}

int gpo_txn_top_list(struct gpo_txn *t, gpo_txn_dirent_fn fn, void *arg)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < t->n_tops; i++) {
		struct stat st;

		if (!gpo_txn_top_stat(t, t->tops[i].name, &st))
			rc = fn(arg, t->tops[i].name, &st);
	}
	return rc;
}

int gpo_txn_top_read(struct gpo_txn *t, const char *name, size_t max,
		     char **data, size_t *len)
{
	struct top *p = top_of(t, name);
	struct stat st;
	char *buf;
	ssize_t n;
	int fd;

	if (!p)
		return -ENOENT;
	fd = open(p->local, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	n = buf ? pread(fd, buf, (size_t)st.st_size, 0) : -1;
	close(fd);
	if (n < 0) {
		free(buf);
		return buf ? -EIO : -ENOMEM;
	}
	buf[n] = '\0';
	*data = buf;
	*len = (size_t)n;
	return 0;
}

/* ---- what a commit must do ---- */

/* True when staged file local holds exactly base node b's bytes. */
static bool same_content(struct gpo_txn *t, const char *local,
			 const struct gpo_view_node *b)
{
	struct gpo_view_reader *r = NULL;
	char *x = NULL, *y = NULL;
	struct stat st;
	bool same = false;
	off_t off = 0;
	int fd = -1;

	if (stat(local, &st) < 0 || st.st_size != gpo_view_node_stat(b)->st_size)
		return false;
	fd = open(local, O_RDONLY | O_CLOEXEC);
	x = malloc(COPY_CHUNK);
	y = malloc(COPY_CHUNK);
	if (fd < 0 || !x || !y || gpo_view_reader_open(t->base, b, &r))
		goto out;
	for (;;) {
		ssize_t a = pread(fd, x, COPY_CHUNK, off);
		ssize_t c = gpo_view_reader_pread(r, y, COPY_CHUNK, off);

		if (a < 0 || a != c || memcmp(x, y, (size_t)a))
			break;
		if (!a) {
			same = true;
			break;
		}
		off += a;
	}
out:
	if (fd >= 0)
		close(fd);
	gpo_view_reader_close(r);
	free(x);
	free(y);
	return same;
}

static int push_op(struct gpo_txn_plan *plan, enum gpo_txn_step step,
		   const char *path, const char *local,
		   const struct gpo_view_node *base, time_t mtime,
		   const struct entry *x)
{
	struct gpo_txn_op *op = gpo_array_push(&plan->ops, &plan->n_ops,
					       &plan->cap_ops, sizeof(*op));
	size_t first;

	if (!op)
		return -ENOMEM;
	op->step = step;
	op->base = base;
	op->mtime = mtime;
	op->path = strdup(path);
	op->local = local ? strdup(local) : NULL;
	op->from = x && x->from ? strdup(x->from) : NULL;
	op->from_size = x ? x->from_size : 0;
	op->from_mtime = x ? x->from_mtime : 0;
	if (!op->path || (local && !op->local) || (x && x->from && !op->from))
		return -ENOMEM;
	first = strcspn(path, "/");
	if (first == 7 && !strncasecmp(path, "Machine", 7))
		plan->machine = true;
	else if (first == 4 && !strncasecmp(path, "User", 4))
		plan->user = true;
	return 0;
}

void gpo_txn_plan_free(struct gpo_txn_plan *plan)
{
	for (size_t i = 0; i < plan->n_ops; i++) {
		free(plan->ops[i].path);
		free(plan->ops[i].local);
		free(plan->ops[i].from);
	}
	free(plan->ops);
	for (size_t i = 0; i < plan->n_tree; i++)
		free((char *)plan->tree[i].path);
	free(plan->tree);
	memset(plan, 0, sizeof(*plan));
}

/* Adds path (canonical) to the resulting tree unless it is there. */
static int tree_add(struct gpo_txn_plan *plan, struct index *ix, char ***keys,
		    size_t *cap_keys, const char *path, bool dir)
{
	struct gpo_sysvol_entry *e;
	char *key = lower(path, strlen(path));
	size_t *slot;
	int rc;

	if (!key)
		return -ENOMEM;
	slot = *keys ? index_find(ix, *keys, sizeof(**keys), key) : NULL;
	if (slot && *slot) {
		free(key);
		return 0;
	}
	e = gpo_array_push(&plan->tree, &plan->n_tree, &plan->cap_tree, sizeof(*e));
	if (!e || gpo_array_reserve(keys, cap_keys, plan->n_tree, sizeof(**keys))) {
		if (e)
			plan->n_tree--;
		free(key);
		return -ENOMEM;
	}
	(*keys)[plan->n_tree - 1] = key;
	e->path = strdup(path);
	e->dir = dir;
	rc = e->path ? index_add(ix, *keys, sizeof(**keys), plan->n_tree,
				 plan->n_tree - 1) : -ENOMEM;
	return rc;
}

/* Whether the resulting tree holds key, and as a folder or a file. */
static const struct gpo_sysvol_entry *in_tree(const struct gpo_txn_plan *plan,
					      const struct index *ix,
					      char *const *keys, const char *key)
{
	size_t *slot = keys ? index_find(ix, keys, sizeof(*keys), key) : NULL;

	return slot && *slot ? &plan->tree[*slot - 1] : NULL;
}

/* Puts k, a path a whole-backup import keeps, and its parents into the
 * resulting tree, spelled as the GPO spells it. Returns 0, -EINVAL (not a
 * path a GPO may hold), -ENOENT (a file not there) or -ENOMEM. */
static int keep_path(struct gpo_txn *t, struct gpo_txn_plan *plan, struct index *ix,
		     char ***keys, size_t *cap_keys, const char *k, bool dir)
{
	struct found f;
	char *path;
	int rc = 0;

	if (!valid(k) || is_gptini(k))
		return -EINVAL;
	f = find(t, k);
	if (f.kind == S_FILE && dir)
		f.kind = 0;
	/* a folder the backup names may be missing (git, for one, keeps no
	 * empty folder): it is made; a file may not */
	if (!f.kind && dir)
		f.kind = S_DIR;
	if (!f.kind)
		return -ENOENT;
	path = canonical(t, k);
	if (!path)
		return -ENOMEM;
	/* its folders first */
	for (char *c = path; !rc && (c = strchr(c, '/')); c++) {
		*c = '\0';
		rc = tree_add(plan, ix, keys, cap_keys, path, true);
		*c = '/';
	}
	if (!rc)
		rc = tree_add(plan, ix, keys, cap_keys, path, f.kind == S_DIR);
	free(path);
	return rc;
}

int gpo_txn_plan(struct gpo_txn *t, const struct gpo_sysvol_entry *keep,
		 size_t n_keep, struct gpo_txn_plan *plan, char **missing)
{
	struct subtree s = { 0 };
	struct index ix = { 0 };
	char **keys = NULL;
	size_t cap_keys = 0;
	size_t nb = gpo_view_count(t->base);
	int rc;

	memset(plan, 0, sizeof(*plan));
	*missing = NULL;
	rc = collect(t, "", &s);
	/* the resulting tree: everything, or what the backup names */
	for (size_t i = 0; !rc && !keep && i < s.n; i++)
		rc = tree_add(plan, &ix, &keys, &cap_keys, s.paths[i], s.dirs[i]);
	/* a GPO has its two halves' folders, even empty, as a new one has
	 * them (gpo_domain_create) and a backup of it shows them; Backup.xml
	 * names only what is below them */
	for (size_t i = 0; !rc && keep && i < 2; i++)
		rc = keep_path(t, plan, &ix, &keys, &cap_keys, i ? "User" : "Machine", true);
	for (size_t i = 0; !rc && keep && i < n_keep; i++) {
		rc = keep_path(t, plan, &ix, &keys, &cap_keys, keep[i].path, keep[i].dir);
		if (rc == -EINVAL || rc == -ENOENT)
			*missing = strdup(keep[i].path);
	}
	/* what goes: base files, then base folders deepest first */
	for (size_t i = 0; !rc && i < nb; i++) {
		const struct gpo_view_node *b = gpo_view_node_at(t->base, i);
		const struct gpo_sysvol_entry *e = in_tree(plan, &ix, keys, t->base_keys[i]);

		if (*gpo_view_node_path(b) && !S_ISDIR(gpo_view_node_stat(b)->st_mode) &&
		    !is_gptini(gpo_view_node_path(b)) && (!e || e->dir))
			rc = push_op(plan, GPO_TXN_UNLINK, gpo_view_node_path(b), NULL, b, 0, NULL);
	}
	for (size_t i = nb; !rc && i-- > 0;) {
		const struct gpo_view_node *b = gpo_view_node_at(t->base, i);
		const struct gpo_sysvol_entry *e = in_tree(plan, &ix, keys, t->base_keys[i]);

		if (*gpo_view_node_path(b) && S_ISDIR(gpo_view_node_stat(b)->st_mode) &&
		    (!e || !e->dir))
			rc = push_op(plan, GPO_TXN_RMDIR, gpo_view_node_path(b), NULL, b, 0, NULL);
	}
	/* what comes: folders parents first (the tree is in that order),
	 * then files whose content is not the base's */
	for (size_t i = 0; !rc && i < plan->n_tree; i++) {
		const struct gpo_sysvol_entry *e = &plan->tree[i];
		const struct gpo_view_node *b = base_of(t, keys[i]);

		if (e->dir && (!b || !S_ISDIR(gpo_view_node_stat(b)->st_mode)))
			rc = push_op(plan, GPO_TXN_MKDIR, e->path, NULL, NULL, 0, NULL);
	}
	for (size_t i = 0; !rc && i < plan->n_tree; i++) {
		const struct gpo_sysvol_entry *e = &plan->tree[i];
		const struct gpo_view_node *b = base_of(t, keys[i]);
		struct entry *x = entry_of(t, keys[i]);
		bool base_file = b && !S_ISDIR(gpo_view_node_stat(b)->st_mode);

		if (e->dir)
			continue;
		if (x && x->state == S_FILE) {
			if (base_file && x->local && same_content(t, x->local, b))
				continue;
			rc = push_op(plan, GPO_TXN_PUT, e->path, x->local,
				     base_file ? b : NULL, x->mtime, x);
		}
		/* else the base's file, kept as it is */
	}
	for (size_t i = 0; i < plan->n_tree; i++)
		free(keys ? keys[i] : NULL);
	free(keys);
	free(ix.slot);
	subtree_free(&s);
	if (rc)
		gpo_txn_plan_free(plan);
	return rc;
}

void gpo_txn_set_restore(struct gpo_txn *t, uint32_t floor)
{
	t->restore = true;
	t->floor = floor;
}

bool gpo_txn_restore(const struct gpo_txn *t, uint32_t *floor)
{
	if (t->restore && floor)
		*floor = t->floor;
	return t->restore;
}

void gpo_txn_set_born(struct gpo_txn *t, uint32_t version)
{
	t->born = true;
	t->born_version = version;
}

bool gpo_txn_born(const struct gpo_txn *t, uint32_t *version)
{
	if (t->born && version)
		*version = t->born_version;
	return t->born;
}
