#include "gpo_capture.h"
#include "gpo_array.h"
#include "gpo_migrate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CAPTURE_TRIES 5
#define GPTINI_MAX (64 * 1024)
/* Files up to this size are held in memory; larger ones in the cache. */
#define INLINE_MAX (1024 * 1024)
#define MAX_DEPTH 32

/* A capture: the root's listing (with "." and GPT.INI's listed time and
 * size), then every folder's listing and every file, GPT.INI's content
 * among them; then GPT.INI listed again (J_END). GPT.INI is written last
 * by every editor: listed the same at both ends, it did not change
 * while the tree was read, and its version is the one read in between. */
enum job_kind { J_LIST, J_FETCH, J_GPTINI, J_END, J_CHECK };

struct gpo_capture_job {
	struct gpo_capture_job *next;
	struct gpo_capture *c;         /* NULL: a task */
	gpo_capture_task_fn fn;        /* the task's */
	void *arg;
	enum job_kind kind;
	char *path;         /* J_LIST, J_FETCH: relative to the GPO folder */
	size_t node;        /* J_FETCH: the file's node */
	uint64_t size;      /* J_FETCH: its listed size */
	int depth;          /* J_LIST */
};

struct gpo_capture_driver {
	struct gpo_capture_pool *pool;
	pthread_t thread;
	bool running;
	struct gpo_worker w;
};

/* What a job found, applied under the lock. */
struct listing {
	struct { char *name; struct stat st; } *e;
	size_t n, cap;
};

static void job_free(struct gpo_capture_job *j)
{
	if (j) {
		free(j->path);
		free(j);
	}
}

static void capture_unref(struct gpo_capture *c)
{
	if (--c->refs > 0)
		return;
	gpo_view_put(c->old);
	gpo_view_put(c->view);
	gpo_clear(&c->gpo);
	free(c);
}

static void push(struct gpo_capture_pool *p, struct gpo_capture_job *j)
{
	bool urgent = !j->c || j->c->urgent;
	struct gpo_capture_job **head = urgent ? &p->urgent : &p->later;
	struct gpo_capture_job **tail = urgent ? &p->urgent_tail : &p->later_tail;

	j->next = NULL;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
	pthread_cond_signal(&p->work);
}

/* Queues a job for c. Returns 0 or -ENOMEM (then c fails). */
static int queue(struct gpo_capture_pool *p, struct gpo_capture *c,
		 enum job_kind kind, const char *path, size_t node,
		 uint64_t size, int depth)
{
	struct gpo_capture_job *j = calloc(1, sizeof(*j));

	if (!j || (path && !(j->path = strdup(path)))) {
		free(j);
		gpo_err_set(&c->err, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	j->c = c;
	j->kind = kind;
	j->node = node;
	j->size = size;
	j->depth = depth;
	c->pending++;
	push(p, j);
	return 0;
}

static struct gpo_capture_job *pop(struct gpo_capture_pool *p)
{
	struct gpo_capture_job *j = p->urgent;

	if (j) {
		p->urgent = j->next;
		if (!p->urgent)
			p->urgent_tail = NULL;
		return j;
	}
	j = p->later;
	if (j) {
		p->later = j->next;
		if (!p->later)
			p->later_tail = NULL;
	}
	return j;
}

static int gptini_version(struct gpo_worker *w, const char *guid, uint32_t *version)
{
	char rel[GPO_GUID_LEN + 16];
	char *ini = NULL;
	uint64_t len = 0;
	int rc;

	*version = 0;
	snprintf(rel, sizeof(rel), "%s/GPT.INI", guid);
	rc = gpo_worker_fetch(w, rel, 64, GPTINI_MAX, NULL, &ini, &len);
	if (rc == -ENOENT)
		return 0; /* no GPT.INI: version 0, as GPMC reads it */
	if (!rc) {
		rc = gpo_gptini_version(ini, (size_t)len, version);
		if (rc == -ENOENT)
			rc = 0;
	}
	free(ini);
	return rc;
}

static int gather(void *arg, const char *name, const struct stat *st)
{
	struct listing *l = arg;
	char *copy = strdup(name);

	if (!copy || !gpo_array_push(&l->e, &l->n, &l->cap, sizeof(*l->e))) {
		free(copy);
		return -ENOMEM;
	}
	l->e[l->n - 1].name = copy;
	l->e[l->n - 1].st = *st;
	return 0;
}

static void listing_free(struct listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->e[i].name);
	free(l->e);
}

/* GPT.INI as listed then and now: the same file, unchanged (no GPT.INI
 * at all, st_mode 0, counts as the same). */
static bool same_listing(const struct stat *a, const struct stat *b)
{
	return a->st_mode == b->st_mode && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static char *rel_of(const struct gpo_capture *c, const char *path)
{
	char *rel = NULL;

	if (asprintf(&rel, "%s%s%s", c->gpo.guid, *path ? "/" : "", path) < 0)
		return NULL;
	return rel;
}

/* Adds a listed folder's entries to the view and queues their jobs.
 * Caller holds the lock. */
static int add_listing(struct gpo_capture_pool *p, struct gpo_capture_job *j,
		       struct listing *l)
{
	struct gpo_capture *c = j->c;
	int rc = 0;

	for (size_t i = 0; !rc && i < l->n; i++) {
		const struct stat *st = &l->e[i].st;
		char *path = NULL;
		size_t node;

		if (!strcmp(l->e[i].name, "."))
			continue;
		/* no SMB server sends these; a view path built from one
		 * would name another node, so the capture fails instead
		 * (an answer we cannot use, not a DC that failed) */
		if (!*l->e[i].name || !strcmp(l->e[i].name, "..") ||
		    strchr(l->e[i].name, '/'))
			return -EPROTO;
		if (!*j->path && !strcasecmp(l->e[i].name, "GPT.INI")) {
			/* a backup holds no GPT.INI: its versions are in
			 * Backup.xml; its listing tells J_END and checks */
			c->view->gptini = *st;
			rc = queue(p, c, J_GPTINI, NULL, 0, 0, 0);
			continue;
		}
		if (asprintf(&path, "%s%s%s", j->path, *j->path ? "/" : "",
			     l->e[i].name) < 0)
			return -ENOMEM;
		rc = gpo_view_add(c->view, path, st, &node);
		if (!rc && S_ISDIR(st->st_mode))
			rc = queue(p, c, J_LIST, path, 0, 0, j->depth + 1);
		else if (!rc && c->unread_from && (uint64_t)st->st_size >= c->unread_from &&
			 !gpo_migrate_handles(path))
			c->view->nodes[node].unread = true;
		else if (!rc)
			rc = queue(p, c, J_FETCH, path, node, (uint64_t)st->st_size, 0);
		free(path);
	}
	return rc;
}

/* Runs a job's SMB part without the lock, then applies it with the lock
 * (which the caller holds on entry and on return). */
static void run(struct gpo_capture_pool *p, struct gpo_capture_driver *dr,
		struct gpo_capture_job *j)
{
	struct gpo_capture *c = j->c;
	struct listing l = { 0 };
	struct stat st;
	char *rel = NULL, *data = NULL;
	char dest[4096];
	uint64_t len = 0;
	uint32_t version = 0;
	bool big = false;
	int rc;

	if (c->err.code || c->restart)
		return; /* failed, or begins again: nothing more to read */
	pthread_mutex_unlock(&p->lock);
	switch (j->kind) {
	case J_LIST:
		rel = rel_of(c, j->path);
		rc = !rel ? -ENOMEM : j->depth > MAX_DEPTH ? -ELOOP
			  : gpo_worker_list(&dr->w, rel, gather, &l);
		break;
	case J_FETCH:
		big = j->size > INLINE_MAX;
		snprintf(dest, sizeof(dest), "%s/%lu.dat", p->cache_dir,
			 atomic_fetch_add(&p->seq, 1));
		rel = rel_of(c, j->path);
		rc = !rel ? -ENOMEM : big ? gpo_cache_reserve(p->cache, j->size) : 0;
		if (rc)
			break;
		rc = gpo_worker_fetch(&dr->w, rel, j->size, INLINE_MAX,
				      big ? dest : NULL, &data, &len);
		/* counted as written: a file may have grown since listed */
		if (big)
			gpo_cache_charge(p->cache, rc ? -(int64_t)j->size
						      : (int64_t)len - (int64_t)j->size);
		break;
	case J_GPTINI:
		rc = gptini_version(&dr->w, c->gpo.guid, &version);
		break;
	case J_END:
	case J_CHECK:
		rel = rel_of(c, "GPT.INI");
		rc = !rel ? -ENOMEM : gpo_worker_stat(&dr->w, rel, &st);
		if (rc == -ENOENT) {
			memset(&st, 0, sizeof(st));
			rc = 0;
		}
		break;
	default:
		rc = -EINVAL;
	}
	pthread_mutex_lock(&p->lock);
	if ((rc == -ENOENT || rc == -ENOTDIR || rc == -EBUSY) &&
	    (j->kind == J_FETCH || (j->kind == J_LIST && *j->path))) {
		/* listed, then gone (an editor's temporary file renamed
		 * over its target, a folder removed) or held open by its
		 * writer (a sharing violation): the folder changes under
		 * us, as a moved GPT.INI says; take it again once the jobs
		 * under way are done */
		c->restart = true;
		rc = 0;
	}
	if (!rc && !c->err.code && !c->restart) {
		switch (j->kind) {
		case J_LIST:
			if (!*j->path) {
				/* the root: the view begins here */
				const struct stat *root = NULL;

				for (size_t i = 0; i < l.n; i++)
					if (!strcmp(l.e[i].name, "."))
						root = &l.e[i].st;
				gpo_view_put(c->view);
				c->view = gpo_view_new(&c->gpo, root);
				if (!c->view) {
					rc = -ENOMEM;
					break;
				}
				c->view->cache = p->cache;
			}
			rc = add_listing(p, j, &l);
			break;
		case J_GPTINI:
			c->view->sysvol_version = version;
			break;
		case J_FETCH: {
			struct gpo_view_node *n = &c->view->nodes[j->node];

			n->st.st_size = (off_t)len;
			c->view->bytes += len;
			if (big) {
				n->local = strdup(dest);
				rc = n->local ? 0 : -ENOMEM;
				if (rc) {
					unlink(dest);
					gpo_cache_release(p->cache, len);
				} else {
					c->view->cached += len;
				}
			} else {
				n->data = data;
				data = NULL;
			}
			break;
		}
		case J_END:
			if (!same_listing(&st, &c->view->gptini)) {
				/* changed under us: take it again */
				atomic_fetch_add(&p->restarts, 1);
				gpo_view_put(c->view);
				c->view = NULL;
				c->ending = false;
				if (++c->attempts >= CAPTURE_TRIES)
					rc = -EAGAIN;
				else
					rc = queue(p, c, J_LIST, "", 0, 0, 0);
			}
			break;
		case J_CHECK:
			if (same_listing(&st, &c->old->gptini)) {
				c->unchanged = true;
				break;
			}
			/* The old view is out of date: its files go as soon
			 * as no reader holds it, not when the new one is in. */
			if (p->hooks.superseded)
				p->hooks.superseded(p->hooks.arg, c);
			gpo_view_put(c->old);
			c->old = NULL;
			rc = queue(p, c, J_LIST, "", 0, 0, 0);
			break;
		}
	} else if (big && !rc) {
		unlink(dest);
		gpo_cache_release(p->cache, len);
	}
	if (rc == -ENOSPC && big)
		gpo_err_set(&c->err, rc, "the cache is full (cache_max=%llu MiB, all of it held by readers)",
			    p->cache ? (unsigned long long)(p->cache->max >> 20) : 0ULL);
	else if (rc == -EAGAIN && j->kind == J_END)
		gpo_err_set(&c->err, rc, "its SYSVOL folder changed each of the %d times it was read",
			    CAPTURE_TRIES);
	else if (rc)
		gpo_err_set(&c->err, rc, "%s %s: %s",
			    j->kind == J_FETCH ? "reading" : "listing",
			    rel ? rel : c->gpo.guid, strerror(-rc));
	free(data);
	free(rel);
	listing_free(&l);
}

/* After a job: queues the closing version read once the folder is read,
 * or finishes the capture. Caller holds the lock. */
static void settle(struct gpo_capture_pool *p, struct gpo_capture *c)
{
	if (--c->pending > 0)
		return;
	if (!c->err.code && c->restart) {
		c->restart = false;
		atomic_fetch_add(&p->restarts, 1);
		gpo_view_put(c->view);
		c->view = NULL;
		c->ending = false;
		if (++c->attempts >= CAPTURE_TRIES)
			gpo_err_set(&c->err, -EAGAIN, "its SYSVOL folder changed each of the %d times it was read",
				    CAPTURE_TRIES);
		else if (!queue(p, c, J_LIST, "", 0, 0, 0))
			return;
	}
	if (!c->err.code && c->view && !c->ending) {
		c->ending = true;
		if (!queue(p, c, J_END, NULL, 0, 0, 0))
			return;
	}
	/* Finished, well or not. */
	if (!c->err.code && c->view)
		gpo_view_finish(c->view);
	if (!c->err.code && p->hooks.build) {
		int rc;

		pthread_mutex_unlock(&p->lock);
		rc = p->hooks.build(p->hooks.arg, c);
		pthread_mutex_lock(&p->lock);
		gpo_err_set(&c->err, rc, "building its backup files: %s",
			    strerror(-rc));
	}
	if (p->hooks.publish)
		p->hooks.publish(p->hooks.arg, c);
	c->done = true;
	for (struct gpo_capture **q = &p->captures; *q; q = &(*q)->next) {
		if (*q == c) {
			*q = c->next;
			break;
		}
	}
	if (!c->urgent)
		p->n_later--;
	pthread_cond_broadcast(&p->done);
	capture_unref(c);
}

static void *driver_main(void *arg)
{
	struct gpo_capture_driver *dr = arg;
	struct gpo_capture_pool *p = dr->pool;

	gpo_worker_start(&dr->w, p->exe, &p->target, p->local, p->requests);
	pthread_mutex_lock(&p->lock);
	while (!p->stopping) {
		struct gpo_capture_job *j = pop(p);

		struct timespec due;

		if (!j && gpo_worker_restart_due(&dr->w, &due)) {
			/* a lost worker comes back a second later even
			 * when no job comes to this driver meanwhile */
			if (pthread_cond_timedwait(&p->work, &p->lock, &due) == ETIMEDOUT) {
				pthread_mutex_unlock(&p->lock);
				gpo_worker_revive(&dr->w);
				pthread_mutex_lock(&p->lock);
			}
			continue;
		}
		if (!j) {
			pthread_cond_wait(&p->work, &p->lock);
			continue;
		}
		if (!j->c) {
			pthread_mutex_unlock(&p->lock);
			j->fn(j->arg, &dr->w);
			pthread_mutex_lock(&p->lock);
		} else {
			run(p, dr, j);
			settle(p, j->c);
		}
		job_free(j);
	}
	pthread_mutex_unlock(&p->lock);
	gpo_worker_stop(&dr->w);
	return NULL;
}

int gpo_capture_pool_init(struct gpo_capture_pool *p, size_t n,
			  const struct gpo_worker_target *t, const char *exe,
			  struct gpo_smb *local, atomic_ulong *requests,
			  const char *cache_dir, struct gpo_cache *cache,
			  const struct gpo_capture_hooks *hooks)
{
	pthread_condattr_t ca;

	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	/* timed waits count from a worker's loss, in CLOCK_MONOTONIC */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->work, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&p->done, NULL);
	p->n_drivers = n ? n : 1;
	p->drivers = calloc(p->n_drivers, sizeof(*p->drivers));
	p->exe = exe ? strdup(exe) : NULL;
	p->cache_dir = strdup(cache_dir);
	if (!p->drivers || (exe && !p->exe) || !p->cache_dir) {
		gpo_capture_pool_stop(p);
		return -ENOMEM;
	}
	p->target = *t;
	p->local = local;
	p->requests = requests;
	p->hooks = *hooks;
	p->cache = cache;
	return 0;
}

/* Starts the drivers (their workers sign in on their own threads). Caller
 * holds the lock. */
static void start_drivers(struct gpo_capture_pool *p)
{
	p->started = true;
	for (size_t i = 0; i < p->n_drivers; i++) {
		struct gpo_capture_driver *dr = &p->drivers[i];

		dr->pool = p;
		dr->w.fd = -1;
		dr->w.pid = -1;
		dr->running = !pthread_create(&dr->thread, NULL, driver_main, dr);
	}
}

int gpo_capture_pool_task(struct gpo_capture_pool *p, gpo_capture_task_fn fn,
			  void *arg)
{
	struct gpo_capture_job *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->fn = fn;
	j->arg = arg;
	pthread_mutex_lock(&p->lock);
	if (p->stopping) {
		pthread_mutex_unlock(&p->lock);
		free(j);
		return -ESHUTDOWN;
	}
	if (!p->started)
		start_drivers(p);
	push(p, j);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

size_t gpo_capture_pool_parallel(struct gpo_capture_pool *p)
{
	return p->exe ? p->n_drivers : 0;
}

size_t gpo_capture_pool_workers(struct gpo_capture_pool *p, int *pids,
				unsigned long *requests, size_t max)
{
	for (size_t i = 0; i < p->n_drivers && i < max; i++) {
		pids[i] = atomic_load(&p->drivers[i].w.shown_pid);
		requests[i] = atomic_load(&p->drivers[i].w.own_requests);
	}
	return p->n_drivers;
}

void gpo_capture_pool_start(struct gpo_capture_pool *p)
{
	pthread_mutex_lock(&p->lock);
	if (!p->started)
		start_drivers(p);
	pthread_mutex_unlock(&p->lock);
}

void gpo_capture_pool_stop(struct gpo_capture_pool *p)
{
	struct gpo_capture_job *j;

	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; p->drivers && i < p->n_drivers; i++)
		if (p->drivers[i].running)
			pthread_join(p->drivers[i].thread, NULL);
	while ((j = pop(p))) {
		if (j->c)
			j->c->pending--;
		else
			j->fn(j->arg, NULL); /* its owner hears it was not run */
		job_free(j);
	}
	while (p->captures) {
		struct gpo_capture *c = p->captures;

		p->captures = c->next;
		capture_unref(c);
	}
	free(p->drivers);
	free(p->exe);
	free(p->cache_dir);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
	p->drivers = NULL;
	p->exe = p->cache_dir = NULL;
}

struct gpo_capture *gpo_capture_find(struct gpo_capture_pool *p,
				     const char *guid)
{
	for (struct gpo_capture *c = p->captures; c; c = c->next)
		if (!c->unread_from && !strcmp(c->gpo.guid, guid))
			return c;
	return NULL;
}

static struct gpo_capture *start(struct gpo_capture_pool *p, const struct gpo *g,
				 struct gpo_view *old, bool urgent, uint64_t unread_from)
{
	struct gpo_capture *c = calloc(1, sizeof(*c));

	if (!c || gpo_copy(&c->gpo, g)) {
		free(c);
		return NULL;
	}
	if (!p->started)
		start_drivers(p);
	c->unread_from = unread_from;
	c->urgent = urgent;
	c->refs = 1; /* the pool's, dropped when done */
	if (old) {
		gpo_view_get(old);
		c->old = old;
	}
	c->next = p->captures;
	p->captures = c;
	if (!urgent)
		p->n_later++;
	if (old ? queue(p, c, J_CHECK, NULL, 0, 0, 0)
		: queue(p, c, J_LIST, "", 0, 0, 0)) {
		/* not queued: finish it as failed on the spot */
		c->pending = 1;
		settle(p, c);
		return NULL;
	}
	return c;
}

struct gpo_capture *gpo_capture_start(struct gpo_capture_pool *p,
				      const struct gpo *g,
				      struct gpo_view *old, bool urgent)
{
	return start(p, g, old, urgent, 0);
}

struct gpo_capture *gpo_capture_start_private(struct gpo_capture_pool *p,
					      const struct gpo *g,
					      uint64_t unread_from)
{
	return start(p, g, NULL, true, unread_from ? unread_from : 1);
}

void gpo_capture_promote(struct gpo_capture_pool *p, struct gpo_capture *c)
{
	struct gpo_capture_job **q = &p->later;
	struct gpo_capture_job *prev = NULL;

	if (c->urgent)
		return;
	c->urgent = true;
	p->n_later--;
	while (*q) {
		struct gpo_capture_job *j = *q;

		if (j->c != c) {
			prev = j;
			q = &j->next;
			continue;
		}
		*q = j->next;
		if (p->later_tail == j)
			p->later_tail = prev;
		push(p, j);
	}
}

int gpo_capture_wait_view(struct gpo_capture_pool *p, struct gpo_capture *c,
			  struct gpo_view **view, struct gpo_err *err)
{
	int rc;

	c->refs++;
	while (!c->done)
		pthread_cond_wait(&p->done, &p->lock);
	rc = c->err.code;
	if (!rc && view && !c->view)
		rc = -EIO; /* no check is waited for with a view */
	if (err)
		*err = c->err;
	if (!rc && view) {
		gpo_view_get(c->view);
		*view = c->view;
	}
	capture_unref(c);
	return rc;
}

int gpo_capture_wait(struct gpo_capture_pool *p, struct gpo_capture *c,
		     struct gpo_err *err)
{
	return gpo_capture_wait_view(p, c, NULL, err);
}
