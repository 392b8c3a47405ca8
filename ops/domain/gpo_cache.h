/* The mount's cache: a private folder under cache_dir where captures keep
 * the files too large to hold in memory, and the bound on its size.
 *
 * Each running mount holds an flock on the .lock file of its folder for
 * as long as it lives (the kernel drops it when the process dies, however
 * it dies), so a mount that starts can tell the folders of mounts that no
 * longer run from those of live ones, and remove them: a daemon killed
 * with SIGKILL leaves nothing behind for longer than the next start.
 *
 * Bytes are reserved before a file is written and released when it is
 * removed. When a reservation does not fit, the evictors (one per domain)
 * drop captures that no reader holds, oldest first; when that is not
 * enough the reservation fails with -ENOSPC. Thread-safe once set up. */
#ifndef GPO_CACHE_H
#define GPO_CACHE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "gpo_log.h"

#define GPO_CACHE_MAX_DEFAULT (4ULL << 30)

/* Frees up to want bytes of the cache by dropping what no reader holds;
 * returns the bytes freed. Called without any lock of the cache held. */
typedef uint64_t (*gpo_cache_evict_fn)(void *arg, uint64_t want);

struct gpo_cache_evictor {
	gpo_cache_evict_fn fn;
	void *arg;
};

struct gpo_cache {
	char *dir;                      /* this mount's folder */
	int lock_fd;
	uint64_t max;
	atomic_ullong used;
	atomic_ullong peak;             /* the most ever used, for tests */
	atomic_ulong refused;           /* reservations that did not fit */
	struct gpo_cache_evictor *evictors;
	size_t n_evictors, cap_evictors;
};

/* Removes the folders under cache_dir of mounts that no longer run (their
 * lock is free, or a folder without a lock file older than a minute),
 * logging what was freed. Returns the number of bytes removed. */
uint64_t gpo_cache_sweep(const char *cache_dir, const struct gpo_log *lg);

/* Sweeps cache_dir, then makes this mount's folder in it (mode 0700) and
 * locks it. max is the bound in bytes (0: GPO_CACHE_MAX_DEFAULT).
 * Returns 0, or -errno with a line for the user in msg. Free with
 * gpo_cache_close. c must be zeroed. */
int gpo_cache_open(struct gpo_cache *c, const char *cache_dir, uint64_t max,
		   const struct gpo_log *lg, char *msg, size_t msglen);

/* Removes the folder with everything in it, and frees c. Safe on a
 * cache that was never opened (zeroed). */
void gpo_cache_close(struct gpo_cache *c);

/* Registers an evictor (before any reservation is made). Returns 0 or
 * -ENOMEM. */
int gpo_cache_add_evictor(struct gpo_cache *c, gpo_cache_evict_fn fn, void *arg);

/* Reserves bytes for a file about to be written. c may be NULL (no
 * bound). Returns 0, or -ENOSPC when it does not fit even after the
 * evictors ran. */
int gpo_cache_reserve(struct gpo_cache *c, uint64_t bytes);

/* Adjusts a reservation to what was written (a file may have grown since
 * it was listed): never fails; c may be NULL. */
void gpo_cache_charge(struct gpo_cache *c, int64_t delta);

/* Gives back bytes of files removed; c may be NULL. */
void gpo_cache_release(struct gpo_cache *c, uint64_t bytes);

#endif
