/* The sealer: a thread that watches folders being copied into backups/
 * and seals each once the copy is over (no file open for writing, and a
 * quiet second). cp -r, rsync and a file manager all end that way, and
 * none of them says when it is done. */
#include "gpofs_store.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "gpo_store.h"
#include "gpofs_ops.h"

#define QUIET_MS 1000
#define TICK_MS 200

struct pending {
	char top[256];
	int writers;
	bool removing;       /* a sealed backup being removed: never sealed */
	struct timespec last;
};

struct gpofs_sealer {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool stopping;
	struct pending *items;
	size_t n, cap;
};

static long long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000LL +
	       (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* The domains a backup belongs to: the one it names, or every domain
 * when it names none that is mounted (or cannot be read). */
static bool concerns(struct gpofs *fs, size_t i, const char *domain)
{
	for (size_t j = 0; domain && j < fs->n_domains; j++)
		if (!strcasecmp(fs->domains[j].conf->domain, domain))
			return i == j;
	return true;
}

static void seal_one(struct gpofs *fs, const char *top)
{
	struct gpo_backup_info info;
	char why[512] = "";
	int rc;

	if (gpo_store_is_sealed(fs->conf.backup_dir, top))
		return;
	rc = gpo_store_seal(fs->conf.backup_dir, top, &info, why, sizeof(why));
	if (rc == GPO_STORE_GONE)
		return; /* removed, or sealed by another mount of the store */
	for (size_t i = 0; i < fs->n_domains; i++) {
		if (!concerns(fs, i, rc < 0 ? NULL : info.domain))
			continue;
		if (rc < 0)
			gpo_journal_add(&fs->domains[i].journal,
					"backups/%s is not a valid backup: %s",
					top, why);
		else if (rc == 1)
			gpo_journal_add(&fs->domains[i].journal,
					"backups/%s is backup %s again: kept the sealed one",
					top, info.id);
		else
			gpo_journal_add(&fs->domains[i].journal,
					"backups/%s sealed as backup %s", top,
					info.id);
	}
	if (rc < 0)
		gpo_log(&fs->log, GPO_LOG_WARN, "backups/%s not sealed: %s", top, why);
	else
		gpo_backup_info_free(&info);
}

/* Pops one folder that is ready (all when force), or returns false.
 * A folder being removed is forgotten once quiet, never handed out. */
static bool pop_ready(struct gpofs_sealer *s, bool force, char *top)
{
	for (size_t i = 0; i < s->n;) {
		struct pending *p = &s->items[i];
		bool removing = p->removing;

		if (p->writers > 0 || (!force && ms_since(&p->last) < QUIET_MS)) {
			i++;
			continue;
		}
		memcpy(top, p->top, sizeof(p->top));
		s->items[i] = s->items[--s->n];
		if (!removing)
			return true;
	}
	return false;
}

static void *sealer_main(void *arg)
{
	struct gpofs *fs = arg;
	struct gpofs_sealer *s = fs->sealer;
	char top[256];

	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->wake, &s->lock, &until);
		while (!s->stopping && pop_ready(s, false, top)) {
			pthread_mutex_unlock(&s->lock);
			seal_one(fs, top);
			pthread_mutex_lock(&s->lock);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int gpofs_sealer_start(struct gpofs *fs)
{
	struct gpofs_sealer *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	fs->sealer = s;
	rc = pthread_create(&s->thread, NULL, sealer_main, fs);
	if (rc) {
		fs->sealer = NULL;
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return -rc;
	}
	return 0;
}

void gpofs_sealer_stop(struct gpofs *fs)
{
	struct gpofs_sealer *s = fs->sealer;
	char top[256];

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	/* Unmounting ends every copy: seal what is complete now. */
	while (pop_ready(s, true, top))
		seal_one(fs, top);
	free(s->items);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
	fs->sealer = NULL;
}

/* The entry for top, or NULL. Caller holds the lock. */
static struct pending *find(struct gpofs_sealer *s, const char *top)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->items[i].top, top))
			return &s->items[i];
	return NULL;
}

bool gpofs_sealer_removing(struct gpofs *fs, const char *top)
{
	struct gpofs_sealer *s = fs->sealer;
	struct pending *p;
	bool removing;

	if (!s)
		return false;
	pthread_mutex_lock(&s->lock);
	p = find(s, top);
	removing = p && p->removing;
	pthread_mutex_unlock(&s->lock);
	return removing;
}

void gpofs_sealer_mark_removing(struct gpofs *fs, const char *top)
{
	struct gpofs_sealer *s = fs->sealer;
	struct pending *p;

	gpofs_sealer_touch(fs, top, 0);
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	p = find(s, top);
	if (p)
		p->removing = true;
	pthread_mutex_unlock(&s->lock);
}

void gpofs_sealer_forget(struct gpofs *fs, const char *top)
{
	struct gpofs_sealer *s = fs->sealer;
	struct pending *p;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	p = find(s, top);
	if (p)
		*p = s->items[--s->n];
	pthread_mutex_unlock(&s->lock);
}

void gpofs_sealer_touch(struct gpofs *fs, const char *top, int writers_delta)
{
	struct gpofs_sealer *s = fs->sealer;
	struct pending *p = NULL;

	if (!s || !*top)
		return;
	pthread_mutex_lock(&s->lock);
	p = find(s, top);
	if (!p) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 8;
			struct pending *q = realloc(s->items, cap * sizeof(*q));

			if (!q)
				goto out;
			s->items = q;
			s->cap = cap;
		}
		p = &s->items[s->n++];
		memset(p, 0, sizeof(*p));
		snprintf(p->top, sizeof(p->top), "%s", top);
	}
	p->writers += writers_delta;
	if (p->writers < 0)
		p->writers = 0;
	clock_gettime(CLOCK_MONOTONIC, &p->last);
out:
	pthread_mutex_unlock(&s->lock);
}

int gpofs_store_caller_ok(struct gpofs *fs)
{
	uid_t uid = fuse_get_context()->uid;

	/* The kernel checks the modes too (default_permissions is always
	 * on); this holds even if it were not: the stores are private. */
	return uid == fs->uid || uid == 0 ? 0 : -EACCES;
}

bool gpofs_store_sealed(struct gpofs *fs, const struct gpofs_path *p)
{
	return p->backups && *p->top &&
	       gpo_store_is_sealed(fs->conf.backup_dir, p->top);
}

int gpofs_store_may_write(struct gpofs *fs, const struct gpofs_path *p,
			  bool is_dir)
{
	if (!p->backups)
		return 0;
	if (!*p->top)
		return -EPERM;
	if (gpofs_store_sealed(fs, p))
		return -EROFS;
	if (!p->below_top && !is_dir)
		return -EPERM; /* the store holds backup folders only */
	return 0;
}
