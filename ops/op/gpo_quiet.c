#include "gpo_quiet.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpo_array.h"
#include "gpo_time.h"

#define TICK_MS 200

struct item {
	char key[GPO_QUIET_KEY_MAX];
	int writers;
	bool gone;
	struct timespec last;
};

struct gpo_quiet {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool stopping;
	unsigned quiet_ms;
	gpo_quiet_ready_fn ready;
	void *arg;
	struct item *items;
	size_t n, cap;
};

/* Pops one item that is ready (all without a writer when force) into
 * key, or returns false. Items going away are dropped on the way. Caller
 * holds the lock. */
static bool pop_ready(struct gpo_quiet *q, bool force, char *key)
{
	for (size_t i = 0; i < q->n;) {
		struct item *it = &q->items[i];
		bool gone = it->gone;

		if (it->writers > 0 ||
		    (!force && gpo_ms_since(&it->last) < q->quiet_ms)) {
			i++;
			continue;
		}
		memcpy(key, it->key, GPO_QUIET_KEY_MAX);
		q->items[i] = q->items[--q->n];
		if (!gone)
			return true;
	}
	return false;
}

static void *quiet_main(void *arg)
{
	struct gpo_quiet *q = arg;
	char key[GPO_QUIET_KEY_MAX];

	pthread_mutex_lock(&q->lock);
	while (!q->stopping) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&q->wake, &q->lock, &until);
		while (!q->stopping && pop_ready(q, false, key)) {
			pthread_mutex_unlock(&q->lock);
			q->ready(q->arg, key);
			pthread_mutex_lock(&q->lock);
		}
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int gpo_quiet_start(struct gpo_quiet **out, unsigned quiet_ms,
		    gpo_quiet_ready_fn ready, void *arg)
{
	struct gpo_quiet *q = calloc(1, sizeof(*q));
	int rc;

	if (!q)
		return -ENOMEM;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->wake, NULL);
	q->quiet_ms = quiet_ms;
	q->ready = ready;
	q->arg = arg;
	rc = pthread_create(&q->thread, NULL, quiet_main, q);
	if (rc) {
		pthread_cond_destroy(&q->wake);
		pthread_mutex_destroy(&q->lock);
		free(q);
		return -rc;
	}
	*out = q;
	return 0;
}

void gpo_quiet_stop(struct gpo_quiet *q)
{
	char key[GPO_QUIET_KEY_MAX];

	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = true;
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	while (pop_ready(q, true, key))
		q->ready(q->arg, key);
	free(q->items);
	pthread_cond_destroy(&q->wake);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* The item for key, or NULL. Caller holds the lock. */
static struct item *find(struct gpo_quiet *q, const char *key)
{
	for (size_t i = 0; i < q->n; i++)
		if (!strcmp(q->items[i].key, key))
			return &q->items[i];
	return NULL;
}

void gpo_quiet_touch(struct gpo_quiet *q, const char *key, int writers_delta)
{
	struct item *it;

	if (!q || !*key || strlen(key) >= GPO_QUIET_KEY_MAX)
		return;
	pthread_mutex_lock(&q->lock);
	it = find(q, key);
	if (!it) {
		it = gpo_array_push(&q->items, &q->n, &q->cap, sizeof(*it));
		if (!it)
			goto out;
		snprintf(it->key, sizeof(it->key), "%s", key);
	}
	it->writers += writers_delta;
	if (it->writers < 0)
		it->writers = 0;
	clock_gettime(CLOCK_MONOTONIC, &it->last);
out:
	pthread_mutex_unlock(&q->lock);
}

void gpo_quiet_mark_gone(struct gpo_quiet *q, const char *key)
{
	struct item *it;

	gpo_quiet_touch(q, key, 0);
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	it = find(q, key);
	if (it)
		it->gone = true;
	pthread_mutex_unlock(&q->lock);
}

bool gpo_quiet_going(struct gpo_quiet *q, const char *key)
{
	struct item *it;
	bool gone;

	if (!q)
		return false;
	pthread_mutex_lock(&q->lock);
	it = find(q, key);
	gone = it && it->gone;
	pthread_mutex_unlock(&q->lock);
	return gone;
}

void gpo_quiet_forget(struct gpo_quiet *q, const char *key)
{
	struct item *it;

	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	it = find(q, key);
	if (it)
		*it = q->items[--q->n];
	pthread_mutex_unlock(&q->lock);
}
