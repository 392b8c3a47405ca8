/* The calls that change something: a GPO's folder takes them into its
 * transaction (gpofs_gpo.c), the local stores into their folders
 * (gpofs_local.c), and everything else is read-only (EROFS). */
#include "gpofs_write.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gpofs_byname.h"
#include "gpofs_control.h"
#include "gpofs_gpo.h"
#include "gpofs_handle.h"
#include "gpofs_path.h"

/* Parses path; true when it is a GPO folder's (then p is to be freed). */
static bool gpo_path(struct gpofs *fs, const char *path, struct gpofs_path *p)
{
	if (gpofs_path_parse(fs, path, p)) {
		gpofs_path_free(p);
		return false;
	}
	if (gpofs_gpo_path(p))
		return true;
	gpofs_path_free(p);
	return false;
}

int gpofs_write_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;
	struct handle *h;
	int rc;

	if (!gpo_path(fs, path, &p))
		return gpofs_local_create(path, mode, fi);
	h = calloc(1, sizeof(*h));
	if (!h) {
		gpofs_path_free(&p);
		return -ENOMEM;
	}
	h->fd = -1;
	rc = gpofs_gpo_open_write(fs, &p, fi->flags | O_CREAT, h);
	if (rc)
		free(h);
	else
		fi->fh = (uintptr_t)h;
	gpofs_path_free(&p);
	return rc;
}

int gpofs_write_write(const char *path, const char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;

	if (h->kind == H_TXN)
		return gpofs_gpo_write(gpofs_get(), h, buf, size, off);
	if (h->kind == H_CONTROL)
		return gpofs_control_write(gpofs_get(), h, buf, size);
	return gpofs_local_write(path, buf, size, off, fi);
}

int gpofs_write_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;

	if (h->kind == H_TXN)
		return gpofs_gpo_fsync(gpofs_get(), h);
	return gpofs_local_fsync(path, datasync, fi);
}

int gpofs_write_mkdir(const char *path, mode_t mode)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;
	int rc;

	if (!gpofs_path_parse(fs, path, &p) && p.kind == GPOFS_BYNAME_LINK) {
		rc = gpofs_byname_mkdir(fs, &p, fuse_get_context()->pid);
		gpofs_path_free(&p);
		return rc;
	}
	gpofs_path_free(&p);
	if (!gpo_path(fs, path, &p))
		return gpofs_local_mkdir(path, mode);
	rc = gpofs_gpo_mkdir(fs, &p);
	gpofs_path_free(&p);
	return rc;
}

int gpofs_write_rmdir(const char *path)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;
	int rc;

	if (!gpo_path(fs, path, &p))
		return gpofs_local_rmdir(path);
	rc = gpofs_gpo_rmdir(fs, &p);
	gpofs_path_free(&p);
	return rc;
}

int gpofs_write_unlink(const char *path)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;
	int rc;

	if (!gpo_path(fs, path, &p))
		return gpofs_local_unlink(path);
	rc = gpofs_gpo_unlink(fs, &p);
	gpofs_path_free(&p);
	return rc;
}

int gpofs_write_rename(const char *from, const char *to, unsigned int flags)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path a, b;
	bool ga = gpo_path(fs, from, &a);
	bool gb = gpo_path(fs, to, &b);
	int rc;

	if (!ga && !gb)
		return gpofs_local_rename(from, to, flags);
	/* between a GPO and anything else: not one transaction */
	rc = ga && gb ? gpofs_gpo_rename(fs, &a, &b, flags) : -EXDEV;
	if (ga)
		gpofs_path_free(&a);
	if (gb)
		gpofs_path_free(&b);
	return rc;
}

int gpofs_write_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct gpofs *fs = gpofs_get();
	struct handle *h = fi ? (struct handle *)(uintptr_t)fi->fh : NULL;
	struct gpofs_path p;
	int rc;

	if (h && h->kind == H_TXN)
		return gpofs_gpo_truncate(fs, NULL, size, h);
	if (!gpofs_path_parse(fs, path, &p) && p.kind == GPOFS_CONTROL) {
		gpofs_path_free(&p);
		return 0; /* the > of a shell: nothing is kept to truncate */
	}
	gpofs_path_free(&p);
	if (!gpo_path(fs, path, &p))
		return gpofs_local_truncate(path, size, fi);
	rc = gpofs_gpo_truncate(fs, &p, size, NULL);
	gpofs_path_free(&p);
	return rc;
}

int gpofs_write_utimens(const char *path, const struct timespec tv[2],
			struct fuse_file_info *fi)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;
	int rc;

	if (!gpo_path(fs, path, &p))
		return gpofs_local_utimens(path, tv, fi);
	rc = gpofs_gpo_utimens(fs, &p, tv);
	gpofs_path_free(&p);
	return rc;
}

/* cp -p and rsync -a set modes and owners: a GPO's files have SYSVOL's
 * ACLs instead, so these succeed and change nothing. */
int gpofs_write_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;

	if (!gpo_path(fs, path, &p))
		return gpofs_local_chmod(path, mode, fi);
	gpofs_path_free(&p);
	return 0;
}

int gpofs_write_chown(const char *path, uid_t uid, gid_t gid,
		      struct fuse_file_info *fi)
{
	struct gpofs *fs = gpofs_get();
	struct gpofs_path p;

	if (!gpo_path(fs, path, &p))
		return gpofs_local_chown(path, uid, gid, fi);
	gpofs_path_free(&p);
	return 0;
}
