/* The FUSE calls that change something, dispatched by path: a GPO's
 * folder (gpofs_gpo.h), the local stores (gpofs_handle.h's
 * gpofs_local_*), or EROFS. Each returns 0 (or a count) or -errno. */
#ifndef GPOFS_WRITE_H
#define GPOFS_WRITE_H

#include "gpofs_ops.h"

int gpofs_write_create(const char *path, mode_t mode, struct fuse_file_info *fi);
int gpofs_write_write(const char *path, const char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi);
int gpofs_write_fsync(const char *path, int datasync, struct fuse_file_info *fi);
int gpofs_write_mkdir(const char *path, mode_t mode);
int gpofs_write_rmdir(const char *path);
int gpofs_write_unlink(const char *path);
int gpofs_write_rename(const char *from, const char *to, unsigned int flags);
int gpofs_write_truncate(const char *path, off_t size, struct fuse_file_info *fi);
int gpofs_write_utimens(const char *path, const struct timespec tv[2],
			struct fuse_file_info *fi);
int gpofs_write_chmod(const char *path, mode_t mode, struct fuse_file_info *fi);
int gpofs_write_chown(const char *path, uid_t uid, gid_t gid,
		      struct fuse_file_info *fi);

#endif
