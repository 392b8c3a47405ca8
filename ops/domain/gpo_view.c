#include "gpo_view_internal.h"
#include "gpo_array.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gpo_backup_ext.h"

struct gpo_view *gpo_view_new(const struct gpo *g, const struct stat *root)
{
	struct gpo_view *v = calloc(1, sizeof(*v));
	struct stat dflt = { 0 };
	size_t i;

	if (!v)
		return NULL;
	if (!root) {
		dflt.st_mode = S_IFDIR | 0755;
		dflt.st_mtime = dflt.st_atime = g->changed;
		root = &dflt;
	}
	atomic_init(&v->refs, 1);
	if (gpo_copy(&v->gpo, g) || gpo_view_add(v, "", root, &i)) {
		gpo_view_put(v);
		return NULL;
	}
	return v;
}

int gpo_view_add(struct gpo_view *v, const char *path, const struct stat *st,
		 size_t *index)
{
	struct gpo_view_node *n = gpo_array_push(&v->nodes, &v->n_nodes,
						 &v->cap_nodes, sizeof(*n));

	if (!n)
		return -ENOMEM;
	n->path = strdup(path);
	if (!n->path) {
		v->n_nodes--;
		return -ENOMEM;
	}
	n->st = *st;
	*index = v->n_nodes - 1;
	return 0;
}

/* Path order in which a folder's tree follows it directly: '/' sorts
 * before every other byte. */
static int path_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned ca = (unsigned char)*a, cb = (unsigned char)*b;

		if (ca == cb) {
			if (!ca)
				return 0;
			continue;
		}
		if (!ca || !cb)
			return ca ? 1 : -1;
		if (ca == '/' || cb == '/')
			return ca == '/' ? -1 : 1;
		return ca < cb ? -1 : 1;
	}
}

static int node_cmp(const void *a, const void *b)
{
	return path_cmp(((const struct gpo_view_node *)a)->path,
			((const struct gpo_view_node *)b)->path);
}

void gpo_view_seal(struct gpo_view *v)
{
	qsort(v->nodes, v->n_nodes, sizeof(*v->nodes), node_cmp);
	v->sealed = true;
}

void gpo_view_finish(struct gpo_view *v)
{
	gpo_view_seal(v);
	clock_gettime(CLOCK_MONOTONIC, &v->taken);
	v->captured = time(NULL);
	v->used = v->taken;
	if (v->gpo.changed > v->changed)
		v->changed = v->gpo.changed;
	if (v->gptini.st_mtime > v->changed)
		v->changed = v->gptini.st_mtime;
}

void gpo_view_get(struct gpo_view *v)
{
	atomic_fetch_add(&v->refs, 1);
}

void gpo_view_put(struct gpo_view *v)
{
	if (!v || atomic_fetch_sub(&v->refs, 1) != 1)
		return;
	for (size_t i = 0; i < v->n_nodes; i++) {
		struct gpo_view_node *n = &v->nodes[i];

		if (n->local)
			unlink(n->local);
		free(n->local);
		free(n->data);
		free(n->path);
	}
	gpo_cache_release(v->cache, v->cached);
	free(v->nodes);
	gpo_clear(&v->gpo);
	for (int k = 0; k < 3; k++)
		free(v->data[k]);
	free(v);
}

const struct gpo_view_node *gpo_view_lookup(const struct gpo_view *v,
					    const char *path)
{
	struct gpo_view_node key = { .path = (char *)path };

	return bsearch(&key, v->nodes, v->n_nodes, sizeof(*v->nodes), node_cmp);
}

const struct gpo_view_node *gpo_view_lookup_nocase(const struct gpo_view *v,
						   const char *path)
{
	for (size_t i = 0; i < v->n_nodes; i++)
		if (!strcasecmp(v->nodes[i].path, path))
			return &v->nodes[i];
	return NULL;
}

int gpo_view_children(const struct gpo_view *v, const struct gpo_view_node *dir,
		      gpo_view_child_fn fn, void *arg)
{
	size_t plen = strlen(dir->path);
	size_t i = (size_t)(dir - v->nodes) + 1;
	int rc = 0;

	for (; !rc && i < v->n_nodes; i++) {
		const char *p = v->nodes[i].path;
		const char *name;

		if (plen && (strncmp(p, dir->path, plen) || p[plen] != '/'))
			break; /* past the folder's tree */
		name = plen ? p + plen + 1 : p;
		if (!strchr(name, '/'))
			rc = fn(arg, name, &v->nodes[i]);
	}
	return rc;
}

int gpo_view_read(const struct gpo_view_node *n, size_t max, char **data,
		  size_t *len)
{
	size_t size = (size_t)n->st.st_size;
	char *buf = NULL;
	ssize_t got = 0;
	int fd = -1;
	int rc = 0;

	if (S_ISDIR(n->st.st_mode))
		return -EISDIR;
	if (n->unread)
		return -ENODATA;
	if (size > max)
		return -EFBIG;
	buf = malloc(size + 1);
	if (!buf)
		return -ENOMEM;
	if (n->data) {
		memcpy(buf, n->data, size);
		got = (ssize_t)size;
	} else if (n->local) {
		fd = open(n->local, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (got = pread(fd, buf, size, 0)) < 0)
			rc = -errno;
	}
	if (fd >= 0)
		close(fd);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[got] = '\0';
	*data = buf;
	*len = (size_t)got;
	return 0;
}

int gpo_view_entries(const struct gpo_view *v, struct gpo_sysvol_entry **out,
		     size_t *n)
{
	struct gpo_sysvol_entry *e = calloc(v->n_nodes ? v->n_nodes : 1, sizeof(*e));
	size_t k = 0;

	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < v->n_nodes; i++) {
		if (!*v->nodes[i].path)
			continue;
		e[k].path = strdup(v->nodes[i].path);
		if (!e[k].path) {
			gpo_view_entries_free(e, k);
			return -ENOMEM;
		}
		e[k++].dir = S_ISDIR(v->nodes[i].st.st_mode);
	}
	*out = e;
	*n = k;
	return 0;
}

void gpo_view_entries_free(struct gpo_sysvol_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)e[i].path);
	free(e);
}

time_t gpo_view_changed(const struct gpo_view *v)
{
	return v->changed;
}

void gpo_view_generated(const struct gpo_view *v, enum gpo_genfile which,
			const char **data, size_t *len)
{
	*data = v->data[which];
	*len = v->len[which];
}

const struct stat *gpo_view_node_stat(const struct gpo_view_node *n)
{
	return &n->st;
}

/* A file of a view: its bytes in memory, or an open file of the cache. */
struct gpo_view_reader {
	struct gpo_view *v;
	const char *data;
	size_t len;
	int fd;
};

int gpo_view_reader_open(struct gpo_view *v, const struct gpo_view_node *n,
			 struct gpo_view_reader **out)
{
	struct gpo_view_reader *r;

	if (S_ISDIR(n->st.st_mode))
		return -EISDIR;
	if (n->unread)
		return -ENODATA;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = -1;
	if (n->local) {
		r->fd = open(n->local, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (r->fd < 0) {
			int rc = -errno;

			free(r);
			return rc;
		}
	} else {
		r->data = n->data ? n->data : "";
		r->len = (size_t)n->st.st_size;
	}
	gpo_view_get(v);
	r->v = v;
	*out = r;
	return 0;
}

ssize_t gpo_view_reader_pread(struct gpo_view_reader *r, void *buf, size_t size,
			      off_t off)
{
	ssize_t n;

	if (r->fd >= 0) {
		n = pread(r->fd, buf, size, off);
		return n < 0 ? -errno : n;
	}
	if (off < 0 || (size_t)off >= r->len)
		return 0;
	if (size > r->len - (size_t)off)
		size = r->len - (size_t)off;
	memcpy(buf, r->data + off, size);
	return (ssize_t)size;
}

int gpo_view_reader_fd(const struct gpo_view_reader *r)
{
	return r->fd;
}

void gpo_view_reader_close(struct gpo_view_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	gpo_view_put(r->v);
	free(r);
}

const char *gpo_view_node_path(const struct gpo_view_node *n)
{
	return n->path;
}

size_t gpo_view_count(const struct gpo_view *v)
{
	return v->n_nodes;
}

const struct gpo_view_node *gpo_view_node_at(const struct gpo_view *v, size_t i)
{
	return i < v->n_nodes ? &v->nodes[i] : NULL;
}

const struct gpo *gpo_view_gpo(const struct gpo_view *v)
{
	return &v->gpo;
}

uint32_t gpo_view_sysvol_version(const struct gpo_view *v)
{
	return v->sysvol_version;
}

const struct stat *gpo_view_gptini(const struct gpo_view *v)
{
	return &v->gptini;
}
