/* A domain's control files (domains/D/import, restore, copy, migtable): one request per write,
 * carried out before the write returns. */
#ifndef GPOFS_CONTROL_H
#define GPOFS_CONTROL_H

#include <stddef.h>

#include "gpofs.h"
#include "gpofs_handle.h"
#include "gpofs_path.h"

/* The control files' names, by enum gpofs_control. */
extern const char *const gpofs_control_names[GPOFS_CTL_COUNT];

/* Control file c's usage. */
const char *gpofs_control_usage(enum gpofs_control c);

/* What reading control file c of domain dom_i shows: its usage (and for
 * migtable, the table in use). Returns a new string, or NULL (no memory). */
char *gpofs_control_text(struct gpofs *fs, size_t dom_i, enum gpofs_control c);

/* Carries out the request in buf (size bytes) written to h's control
 * file. Returns size when it was done, or -errno (the design's
 * convention: EINVAL, ENOENT, EEXIST, EACCES, EIO...; the reason is in
 * the domain's log). */
int gpofs_control_write(struct gpofs *fs, struct handle *h, const char *buf,
			size_t size);

#endif
