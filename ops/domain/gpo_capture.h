/* Captures: reading GPOs' SYSVOL folders into views, over several SMB
 * connections at once.
 *
 * A domain has one pool: a few driver threads, each with an SMB worker
 * process of its own (gpo_worker.h), taking jobs from one queue. A
 * capture is split into jobs (one listing per folder, one read per file,
 * GPT.INI listed again at the end), so that one large GPO is
 * read over every connection, and many GPOs are too. A check is the cheap
 * capture of a GPO whose directory object has not changed: GPT.INI's
 * time and size, compared with the view's; it becomes a full capture when
 * they moved. Captures a reader waits for go first (urgent); others
 * (prefetch) take what the urgent ones leave.
 *
 * The pool also runs other work on its SMB workers (gpo_capture_pool_task:
 * the files of a commit, written side by side).
 *
 * All gpo_capture_* calls but gpo_capture_pool_init/stop/task/workers
 * are made with the pool's lock held. */
#ifndef GPO_CAPTURE_H
#define GPO_CAPTURE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "gpo_err.h"
#include "gpo_model.h"
#include "gpo_view_internal.h"
#include "gpo_worker.h"

struct gpo_capture_job;

struct gpo_capture {
	struct gpo_capture *next;      /* in the pool's list of captures */
	struct gpo gpo;                /* the directory object it began with */
	struct gpo_view *old;          /* a check: the view being checked */
	struct gpo_view *view;         /* being built (NULL for a check) */
	bool urgent;
	bool done;
	bool unchanged;                /* a check found SYSVOL as it was */
	bool ending;                   /* the closing version read is queued */
	bool restart;                  /* changed while read: again, once the
					  jobs under way are done */
	uint64_t unread_from;          /* a private capture (0: not): its
					  files this large are listed and
					  not read, settings files aside */
	struct gpo_err err;            /* the first error and why */
	int attempts;
	int pending;                   /* jobs queued or running */
	int refs;
};

/* What the pool's owner does with a finished capture: build (without
 * the lock; a failure becomes the capture's error), then publish (with
 * the lock). Called on a driver thread; c->err tells a failed capture.
 * superseded (with the lock; may be NULL) is told when a check found
 * c->old out of date, just before the capture lets go of it. */
struct gpo_capture_hooks {
	int (*build)(void *arg, struct gpo_capture *c);
	void (*publish)(void *arg, struct gpo_capture *c);
	void (*superseded)(void *arg, struct gpo_capture *c);
	void *arg;
};

struct gpo_capture_driver;

struct gpo_capture_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;           /* jobs were queued, or stop */
	pthread_cond_t done;           /* a capture finished */
	struct gpo_capture_job *urgent, *urgent_tail;
	struct gpo_capture_job *later, *later_tail;
	struct gpo_capture *captures;  /* those not done */
	size_t n_later;                /* of which not urgent */
	struct gpo_capture_driver *drivers;
	size_t n_drivers;
	bool started, stopping;
	struct gpo_worker_target target;
	char *exe;
	struct gpo_smb *local;
	atomic_ulong *requests;
	char *cache_dir;               /* where large files go */
	struct gpo_cache *cache;       /* and how much they may take */
	atomic_ulong seq;
	atomic_ulong restarts;         /* captures begun again: changed while read */
	struct gpo_capture_hooks hooks;
};

/* Prepares a pool of n drivers (n >= 1), each with a worker started from
 * exe (NULL: none, all read in process). t's strings, local, requests
 * and cache (NULL: unbounded) must outlive the pool; exe and cache_dir
 * are copied. Large files are written to cache_dir, within cache's
 * bound (a capture that does not fit fails with -ENOSPC). Returns 0 or
 * -ENOMEM. */
int gpo_capture_pool_init(struct gpo_capture_pool *p, size_t n,
			  const struct gpo_worker_target *t, const char *exe,
			  struct gpo_smb *local, atomic_ulong *requests,
			  const char *cache_dir, struct gpo_cache *cache,
			  const struct gpo_capture_hooks *hooks);

/* Starts the drivers now rather than with the first capture, so that
 * their workers sign in before they are needed. Call once the process
 * is what it will stay (after any daemonising fork). */
void gpo_capture_pool_start(struct gpo_capture_pool *p);

/* Stops the drivers and their workers, and frees what is left. */
void gpo_capture_pool_stop(struct gpo_capture_pool *p);

/* A task: run on a driver thread with its SMB worker, without the pool's
 * lock. w is NULL when the task is dropped unrun (the pool stops). */
typedef void (*gpo_capture_task_fn)(void *arg, struct gpo_worker *w);

/* Queues fn(arg, w) to run on the next free driver, before any capture's
 * job queued later and after those queued earlier (a caller waits for
 * it, as for an urgent capture). Tasks run in the order queued, several
 * at once. Any thread, without the lock. Returns 0, or -ENOMEM or
 * -ESHUTDOWN (the pool stops) and fn is not called. */
int gpo_capture_pool_task(struct gpo_capture_pool *p, gpo_capture_task_fn fn,
			  void *arg);

/* How many of the pool's drivers have an SMB worker process to use (0:
 * all read in process, where nothing runs side by side). Any thread, no
 * lock. */
size_t gpo_capture_pool_parallel(struct gpo_capture_pool *p);

/* For /.stats: the pid of each driver's SMB worker (0 when it has none:
 * lost, or reading in process) and the SMB requests that worker says it
 * has made, for the first max drivers. Any thread, no lock. Returns the
 * number of drivers. */
size_t gpo_capture_pool_workers(struct gpo_capture_pool *p, int *pids,
				unsigned long *requests, size_t max);

/* The capture of guid in progress, or NULL; private captures are not
 * found. */
struct gpo_capture *gpo_capture_find(struct gpo_capture_pool *p,
				     const char *guid);

/* Starts capturing g: a check of old when old is not NULL (a reference is
 * taken), else in full. Returns the capture (owned by the pool; take a
 * reference with gpo_capture_wait) or NULL when out of memory. */
struct gpo_capture *gpo_capture_start(struct gpo_capture_pool *p,
				      const struct gpo *g,
				      struct gpo_view *old, bool urgent);

/* Starts an urgent full capture of g for one caller alone, its view
 * partial: the files of unread_from bytes or more that no settings parser
 * reads (gpo_migrate_handles) are listed and marked unread, not read.
 * The hooks build it; publish must not serve it to readers (c->unread_from
 * tells). Take its view with gpo_capture_wait_view. Returns the capture
 * (owned by the pool) or NULL when out of memory. */
struct gpo_capture *gpo_capture_start_private(struct gpo_capture_pool *p,
					      const struct gpo *g,
					      uint64_t unread_from);

/* Makes c urgent: its queued jobs go before any prefetch's. */
void gpo_capture_promote(struct gpo_capture_pool *p, struct gpo_capture *c);

/* Waits (releasing the lock meanwhile) until c is done and published.
 * Returns its result, 0 or -errno, and copies it with its reason into
 * err unless NULL. */
int gpo_capture_wait(struct gpo_capture_pool *p, struct gpo_capture *c,
		     struct gpo_err *err);

/* gpo_capture_wait, and on success c's view in *view with a reference of
 * the caller's (gpo_view_put), for a capture no one publishes. */
int gpo_capture_wait_view(struct gpo_capture_pool *p, struct gpo_capture *c,
			  struct gpo_view **view, struct gpo_err *err);

#endif
