/* The FUSE operations of the mount. */
#ifndef GPOFS_OPS_H
#define GPOFS_OPS_H

#define FUSE_USE_VERSION 35
#include <fuse.h>

/* The operations table handed to fuse_new. */
extern const struct fuse_operations gpofs_ops;

#endif
