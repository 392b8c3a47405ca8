#include "gpo_cache.h"
#include "gpo_array.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOCK_NAME ".lock"
#define PREFIX "mount."
/* A folder without a lock file is being made (mkdtemp, then the lock)
 * or was left by a version without locks: only the latter is this old. */
#define UNLOCKED_GRACE_S 60
#define MAX_DEPTH 16

/* Removes name under dirfd with everything in it, never following a
 * link, adding the bytes removed to *bytes. Returns 0 or -errno (what
 * could be removed is gone). */
static int remove_at(int at, const char *name, int depth, uint64_t *bytes)
{
	struct stat st;
	DIR *dir = NULL;
	struct dirent *de;
	int fd = -1;
	int rc = 0;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(at, name, 0) < 0)
			return -errno;
		*bytes += (uint64_t)st.st_blocks * 512;
		return 0;
	}
	if (depth > MAX_DEPTH)
		return -ELOOP;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while ((de = readdir(dir))) {
		int r;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = remove_at(dirfd(dir), de->d_name, depth + 1, bytes);
		if (r && !rc)
			rc = r;
	}
	closedir(dir);
	if (unlinkat(at, name, AT_REMOVEDIR) < 0 && !rc)
		rc = -errno;
	return rc;
}

/* True when the folder name under dirfd belongs to no running mount. */
static bool abandoned(int at, const char *name)
{
	char lock[512];
	struct stat st;
	int fd;
	bool free_lock;

	snprintf(lock, sizeof(lock), "%s/" LOCK_NAME, name);
	fd = openat(at, lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT ||
		    fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return false;
		return time(NULL) - st.st_mtime > UNLOCKED_GRACE_S;
	}
	/* Let go at once: nobody takes the folder over meanwhile (mkdtemp
	 * never reuses a name that is present), and two sweeps removing
	 * it side by side only see ENOENT. */
	free_lock = !flock(fd, LOCK_EX | LOCK_NB);
	close(fd);
	return free_lock;
}

uint64_t gpo_cache_sweep(const char *cache_dir, const struct gpo_log *lg)
{
	DIR *dir = opendir(cache_dir);
	struct dirent *de;
	uint64_t total = 0;
	unsigned folders = 0;

	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		uint64_t bytes = 0;
		int rc;

		if (strncmp(de->d_name, PREFIX, strlen(PREFIX)) ||
		    !abandoned(dirfd(dir), de->d_name))
			continue;
		rc = remove_at(dirfd(dir), de->d_name, 0, &bytes);
		if (rc)
			gpo_log(lg, GPO_LOG_WARN,
				"cannot remove %s/%s, left by a mount that no longer runs: %s",
				cache_dir, de->d_name, strerror(-rc));
		total += bytes;
		folders++;
	}
	closedir(dir);
	if (folders)
		gpo_log(lg, GPO_LOG_INFO,
			"removed %u cache folder%s (%.1f MiB) left in %s by mounts that no longer run",
			folders, folders == 1 ? "" : "s",
			(double)total / (1024.0 * 1024.0), cache_dir);
	return total;
}

int gpo_cache_open(struct gpo_cache *c, const char *cache_dir, uint64_t max,
		   const struct gpo_log *lg, char *msg, size_t msglen)
{
	char *lock = NULL;
	int rc = 0;

	c->lock_fd = -1;
	c->max = max ? max : GPO_CACHE_MAX_DEFAULT;
	gpo_cache_sweep(cache_dir, lg);
	if (asprintf(&c->dir, "%s/" PREFIX "XXXXXX", cache_dir) < 0) {
		c->dir = NULL;
		return -ENOMEM;
	}
	if (!mkdtemp(c->dir)) {
		rc = -errno;
		snprintf(msg, msglen, "cannot create a folder in %s: %s",
			 cache_dir, strerror(errno));
		free(c->dir);
		c->dir = NULL;
		goto out;
	}
	if (asprintf(&lock, "%s/" LOCK_NAME, c->dir) < 0) {
		lock = NULL;
		rc = -ENOMEM;
		goto out;
	}
	/* Close-on-exec: an SMB worker must not keep the lock of a daemon
	 * that died. A daemonising fork shares it, as it should. */
	c->lock_fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			  0600);
	if (c->lock_fd < 0 || flock(c->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		rc = -errno;
		snprintf(msg, msglen, "cannot lock %s: %s", lock, strerror(errno));
	}
out:
	free(lock);
	return rc;
}

void gpo_cache_close(struct gpo_cache *c)
{
	uint64_t bytes = 0;

	if (c->dir) {
		/* whole: a capture still running at unmount leaves files */
		char *slash = strrchr(c->dir, '/');
		int at;

		*slash = '\0';
		at = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		*slash = '/';
		if (at >= 0) {
			remove_at(at, slash + 1, 0, &bytes);
			close(at);
		}
	}
	if (c->dir && c->lock_fd >= 0)
		close(c->lock_fd);
	free(c->dir);
	free(c->evictors);
	memset(c, 0, sizeof(*c));
	c->lock_fd = -1;
}

int gpo_cache_add_evictor(struct gpo_cache *c, gpo_cache_evict_fn fn, void *arg)
{
	struct gpo_cache_evictor *e = gpo_array_push(&c->evictors, &c->n_evictors,
						     &c->cap_evictors, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->fn = fn;
	e->arg = arg;
	return 0;
}

static bool take(struct gpo_cache *c, uint64_t bytes)
{
	unsigned long long used = atomic_load(&c->used);

	do {
		if (used + bytes > c->max)
			return false;
	} while (!atomic_compare_exchange_weak(&c->used, &used, used + bytes));
	used += bytes;
	for (unsigned long long peak = atomic_load(&c->peak); used > peak &&
	     !atomic_compare_exchange_weak(&c->peak, &peak, used);)
		;
	return true;
}

int gpo_cache_reserve(struct gpo_cache *c, uint64_t bytes)
{
	if (!c || take(c, bytes))
		return 0;
	for (size_t i = 0; i < c->n_evictors; i++) {
		uint64_t used = atomic_load(&c->used);
		uint64_t over = used + bytes > c->max ? used + bytes - c->max : 0;

		c->evictors[i].fn(c->evictors[i].arg, over);
		if (take(c, bytes))
			return 0;
	}
	atomic_fetch_add(&c->refused, 1);
	return -ENOSPC;
}

void gpo_cache_charge(struct gpo_cache *c, int64_t delta)
{
	if (!c || !delta)
		return;
	if (delta < 0) {
		gpo_cache_release(c, (uint64_t)-delta);
		return;
	}
	atomic_fetch_add(&c->used, (unsigned long long)delta);
}

void gpo_cache_release(struct gpo_cache *c, uint64_t bytes)
{
	if (c && bytes)
		atomic_fetch_sub(&c->used, bytes);
}
