/* Open files of the mount, shared by the read side (gpofs_ops.c) and the
 * write side of the local stores (gpofs_local.c). */
#ifndef GPOFS_HANDLE_H
#define GPOFS_HANDLE_H

#include <fcntl.h>
#include <stdbool.h>

#include "gpofs_ops.h"
#include "gpofs.h"

enum handle_kind { H_BUFFER, H_VIEW, H_LOCAL, H_JOURNAL, H_TXN, H_CONTROL };

/* A private copy for generated files, a file of a GPO view (SYSVOL
 * content is read from a view), a store's file, a domain's log (read as
 * it is at each read so that a reader that keeps it open follows it), or
 * a file a GPO's writer stages (gpofs_gpo.c). */
struct handle {
	enum handle_kind kind;
	int fd;              /* H_LOCAL */
	char *data;          /* H_BUFFER: owned */
	size_t len;
	char *writing_top;   /* backups/<top> this handle writes into, or NULL */
	struct gpo_view_reader *reader;  /* H_VIEW */
	struct gpo_journal *journal;     /* H_JOURNAL: the domain's */
	size_t dom_i;                    /* H_CONTROL: whose control file
					    (data holds its usage) */
	int control;                     /* H_CONTROL: which (enum
					    gpofs_control) */
	/* H_TXN: a staged file of a GPO's open transaction (fd), or any
	 * handle of a GPO's folder (for fsync) */
	struct gpo_writes *writes;
	char guid[GPO_GUID_LEN + 1];
	unsigned long generation;
	bool writing;
};

/* The mount's context, from the calling FUSE thread. */
struct gpofs *gpofs_get(void);

/* True when open flags ask to change the file. */
static inline bool gpofs_writing(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

/* The write side: each returns 0 or -errno; outside backups/ and
 * migtables/ every one is -EROFS. */
int gpofs_local_open(struct gpofs *fs, const char *path,
		     struct fuse_file_info *fi);
int gpofs_local_create(const char *path, mode_t mode, struct fuse_file_info *fi);
int gpofs_local_write(const char *path, const char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi);
int gpofs_local_mkdir(const char *path, mode_t mode);
int gpofs_local_mknod(const char *path, mode_t mode, dev_t dev);
int gpofs_local_unlink(const char *path);
int gpofs_local_rmdir(const char *path);
int gpofs_local_symlink(const char *target, const char *path);
int gpofs_local_link(const char *from, const char *to);
int gpofs_local_rename(const char *from, const char *to, unsigned int flags);
int gpofs_local_chmod(const char *path, mode_t mode, struct fuse_file_info *fi);
int gpofs_local_chown(const char *path, uid_t uid, gid_t gid,
		      struct fuse_file_info *fi);
int gpofs_local_truncate(const char *path, off_t size, struct fuse_file_info *fi);
int gpofs_local_utimens(const char *path, const struct timespec tv[2],
			struct fuse_file_info *fi);
int gpofs_local_setxattr(const char *path, const char *name, const char *value,
			 size_t size, int flags);
int gpofs_local_fsync(const char *path, int datasync, struct fuse_file_info *fi);

#endif
