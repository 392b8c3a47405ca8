/* The write side of the mount, which for now is the local stores only:
 * backups/ (copies become sealed backups) and migtables/. Everything they
 * hold is private to the mounting user: files 0600, folders 0700,
 * whatever mode a tool asks for. */
#include "gpofs_handle.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpo_store.h"
#include "gpofs_path.h"
#include "gpofs_store.h"

/* True when path lies in backups/ or migtables/ (or is one of them). */
static bool in_store(const char *path)
{
	static const char *const stores[] = { "backups", "migtables" };

	while (*path == '/')
		path++;
	for (size_t i = 0; i < sizeof(stores) / sizeof(*stores); i++) {
		size_t n = strlen(stores[i]);

		if (!strncmp(path, stores[i], n) && (!path[n] || path[n] == '/'))
			return true;
	}
	return false;
}

/* True when path is migtables/generated or below it: tables gpofs makes,
 * read-only whatever is asked. */
static bool in_generated(const char *path)
{
	static const char gen[] = "migtables/generated";

	while (*path == '/')
		path++;
	return !strncmp(path, gen, sizeof(gen) - 1) &&
	       (!path[sizeof(gen) - 1] || path[sizeof(gen) - 1] == '/');
}

/* Parses path for a change. Outside the stores, and in the generated
 * tables, every change is refused with EROFS, whether or not the path
 * names something, so that each call answers alike; inside, a parse
 * error stands. */
static int parse_change(struct gpofs *fs, const char *path, struct gpofs_path *p)
{
	int rc = gpofs_path_parse(fs, path, p);

	if (!in_store(path) || in_generated(path))
		return -EROFS;
	if (rc)
		return rc;
	if (p->kind != GPOFS_LOCAL)
		return -EROFS; /* manifest.xml is generated */
	return gpofs_store_caller_ok(fs);
}

/* Parses path and checks that it may change: only local stores may, and
 * in backups/ not inside a sealed backup. */
static int writable(struct gpofs *fs, const char *path, struct gpofs_path *p,
		    bool is_dir)
{
	int rc = parse_change(fs, path, p);

	return rc ? rc : gpofs_store_may_write(fs, p, is_dir);
}

/* EPERM in a store (only files and folders belong there), EROFS
 * elsewhere. */
static int refuse_special(const char *path)
{
	return in_store(path) && !in_generated(path) ? -EPERM : -EROFS;
}

static int open_local(struct gpofs *fs, struct gpofs_path *p, int flags,
		      struct fuse_file_info *fi)
{
	struct handle *h = calloc(1, sizeof(*h));
	int rc = 0;

	if (!h)
		return -ENOMEM;
	h->kind = H_LOCAL;
	h->fd = open(p->rel, (flags & ~O_ACCMODE) | O_RDWR | O_CLOEXEC | O_NOFOLLOW,
		     0600);
	if (h->fd < 0 && errno == EACCES && (flags & O_ACCMODE) == O_WRONLY)
		h->fd = open(p->rel, flags | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (h->fd < 0) {
		rc = -errno;
		goto out;
	}
	if (p->backups) {
		h->writing_top = strdup(p->top);
		if (!h->writing_top) {
			rc = -ENOMEM;
			goto out;
		}
		gpo_sealer_touch(fs->sealer, p->top, +1);
	}
	fi->fh = (uintptr_t)h;
	h = NULL;
out:
	if (h) {
		if (h->fd >= 0)
			close(h->fd);
		free(h);
	}
	return rc;
}

int gpofs_local_open(struct gpofs *fs, const char *path,
		     struct fuse_file_info *fi)
{
	struct gpofs_path p;
	int rc = writable(fs, path, &p, false);

	if (!rc)
		rc = open_local(fs, &p, fi->flags, fi);
	gpofs_path_free(&p);
	return rc;
}

int gpofs_local_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;
	int rc = writable(fs, path, &p, false);

	(void)mode;
	if (!rc)
		rc = open_local(fs, &p, fi->flags | O_CREAT, fi);
	gpofs_path_free(&p);
	return rc;
}

int gpofs_local_write(const char *path, const char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	ssize_t n;

	(void)path;
	if (h->kind != H_LOCAL)
		return -EROFS;
	n = pwrite(h->fd, buf, size, off);
	return n < 0 ? -errno : (int)n;
}

int gpofs_local_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;

	(void)path;
	if (h->kind != H_LOCAL)
		return 0;
	return (datasync ? fdatasync(h->fd) : fsync(h->fd)) < 0 ? -errno : 0;
}

int gpofs_local_mkdir(const char *path, mode_t mode)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;
	int rc = writable(fs, path, &p, true);

	(void)mode;
	if (!rc)
		rc = mkdir(p.rel, 0700) < 0 ? -errno : 0;
	if (!rc && p.backups)
		gpo_sealer_touch(fs->sealer, p.top, 0);
	gpofs_path_free(&p);
	return rc;
}

int gpofs_local_mknod(const char *path, mode_t mode, dev_t dev)
{
	(void)mode;
	(void)dev;
	return refuse_special(path);
}

int gpofs_local_symlink(const char *target, const char *path)
{
	(void)target;
	return refuse_special(path);
}

int gpofs_local_link(const char *from, const char *to)
{
	(void)from;
	return refuse_special(to);
}

/* Removal is allowed in a sealed backup too: rm -r is how one goes. */
static int remove_local(const char *path, bool dir)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;
	bool sealed;
	int rc = parse_change(fs, path, &p);

	if (rc)
		goto out;
	if (!*p.top) {
		rc = -EROFS;
		goto out;
	}
	sealed = gpofs_store_sealed(fs, &p);
	/* a sealed backup being removed is never sealed again, nor
	 * reported as a broken one while it goes */
	if (p.backups && (sealed || gpo_sealer_removing(fs->sealer, p.top)))
		gpo_sealer_mark_removing(fs->sealer, p.top);
	if (sealed) {
		/* sealed folders are 0500: open the parent to remove */
		char *slash = strrchr(p.rel, '/');

		*slash = '\0';
		if (chmod(p.rel, 0700) < 0) {
			rc = -errno;
			goto out;
		}
		*slash = '/';
	}
	rc = (dir ? rmdir(p.rel) : unlink(p.rel)) < 0 ? -errno : 0;
	if (!rc && p.backups && !p.below_top)
		gpo_sealer_forget(fs->sealer, p.top);
	else if (!rc && p.backups && !gpo_sealer_removing(fs->sealer, p.top))
		gpo_sealer_touch(fs->sealer, p.top, 0);
out:
	gpofs_path_free(&p);
	return rc;
}

int gpofs_local_unlink(const char *path)
{
	return remove_local(path, false);
}

int gpofs_local_rmdir(const char *path)
{
	return remove_local(path, true);
}

int gpofs_local_rename(const char *from, const char *to, unsigned int flags)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path a, b;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	rc = parse_change(fs, from, &a);
	if (!rc)
		rc = parse_change(fs, to, &b);
	if (rc)
		goto out;
	if (a.backups != b.backups) {
		rc = -EXDEV;
		goto out;
	}
	/* Nothing moves into, out of or inside a sealed backup. */
	if (gpofs_store_sealed(fs, &a) || gpofs_store_sealed(fs, &b)) {
		rc = -EPERM;
		goto out;
	}
	rc = gpofs_store_may_write(fs, &b, true);
	if (rc)
		goto out;
	rc = renameat2(AT_FDCWD, a.rel, AT_FDCWD, b.rel, flags) < 0 ? -errno : 0;
	if (!rc && a.backups) {
		gpo_sealer_touch(fs->sealer, b.top, 0);
		if (strcmp(a.top, b.top) && a.below_top)
			gpo_sealer_touch(fs->sealer, a.top, 0);
	}
out:
	gpofs_path_free(&a);
	gpofs_path_free(&b);
	return rc;
}

int gpofs_local_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;
	int rc = writable(fs, path, &p, true);

	(void)fi;
	/* keep it private, whatever the tool asked */
	if (!rc)
		rc = chmod(p.rel, mode & 0700) < 0 ? -errno : 0;
	gpofs_path_free(&p);
	return rc;
}

int gpofs_local_chown(const char *path, uid_t uid, gid_t gid,
		      struct fuse_file_info *fi)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;
	int rc = writable(fs, path, &p, true);

	(void)fi;
	/* rsync -a asks for the owner it already has: allow exactly that */
	if (!rc && ((uid != (uid_t)-1 && uid != fs->uid) ||
		    (gid != (gid_t)-1 && gid != fs->gid)))
		rc = -EPERM;
	gpofs_path_free(&p);
	return rc;
}

int gpofs_local_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;
	int rc = writable(fs, path, &p, false);

	(void)fi;
	if (!rc)
		rc = truncate(p.rel, size) < 0 ? -errno : 0;
	if (!rc && p.backups)
		gpo_sealer_touch(fs->sealer, p.top, 0);
	gpofs_path_free(&p);
	return rc;
}

int gpofs_local_utimens(const char *path, const struct timespec tv[2],
			struct fuse_file_info *fi)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;
	int rc = writable(fs, path, &p, true);

	(void)fi;
	if (!rc)
		rc = utimensat(AT_FDCWD, p.rel, tv, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
	gpofs_path_free(&p);
	return rc;
}

int gpofs_local_setxattr(const char *path, const char *name, const char *value,
			 size_t size, int flags)
{
	(void)name;
	(void)value;
	(void)size;
	(void)flags;
	return in_store(path) && !in_generated(path) ? -ENOTSUP : -EROFS;
}
