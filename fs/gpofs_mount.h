/* The mount point and the mount itself, for start-up (gpofs_main.c). */
#ifndef GPOFS_MOUNT_H
#define GPOFS_MOUNT_H

#include <stdbool.h>

#include "gpofs_ops.h"

/* True for "/dev/fd/N": mount.fuse3's drop_privileges hands over an open
 * /dev/fuse as the mount point, with nothing to check or resolve. */
bool gpofs_is_fuse_fd(const char *mnt);

/* Checks that mnt is a folder this user may mount on, and not a stale
 * mount (a FUSE mount whose daemon has gone: the message says to run
 * fusermount3 -u). Returns 0, or -errno after printing one line. */
int gpofs_check_mountpoint(const char *mnt);

/* Checks that this user may open /dev/fuse, as fusermount3 will. Returns
 * 0, or -errno after printing one line. */
int gpofs_check_fuse_device(void);

/* fuse_mount(fuse, mnt). What libfuse and fusermount3 print on failure
 * (often one line twice) becomes one line of gpofs's; on success it is
 * passed on. Returns 0 or -1. */
int gpofs_mount(struct fuse *fuse, const char *mnt);

#endif
