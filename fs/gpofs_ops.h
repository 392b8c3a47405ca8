/* The FUSE operations of the mount. */
#ifndef GPOFS_OPS_H
#define GPOFS_OPS_H

/* 3.12's API: below it, fuse_loop_mt and fuse_parse_cmdline are the old
 * ABI, which reads fuse_loop_cfg_create's config with the old layout
 * (clone_fd on, no idle threads: a thread made per request). */
#define FUSE_USE_VERSION 312
#include <fuse.h>

/* The operations table handed to fuse_new. */
extern const struct fuse_operations gpofs_ops;

struct gpofs;

/* Stops telling the kernel of new log lines (gpofs_init starts it): call
 * once the FUSE loop has ended, before fuse_destroy, as the domains'
 * threads may still write lines. */
void gpofs_unwatch_logs(struct gpofs *fs);

#endif
