/* The backup store behind backups/: who may use it and what may be
 * written there. */
#ifndef GPOFS_STORE_H
#define GPOFS_STORE_H

#include "gpofs.h"
#include "gpofs_path.h"

/* May the calling process use the private stores? Returns 0 for the
 * mounting user and root, -EACCES for anyone else. */
int gpofs_store_caller_ok(struct gpofs *fs);

/* May p (a local path) be created or changed? Returns 0, -EROFS inside a
 * sealed backup, -EPERM for anything but a folder at the top of
 * backups/. is_dir says whether a folder is being made. */
int gpofs_store_may_write(struct gpofs *fs, const struct gpofs_path *p,
			  bool is_dir);

/* True when p lies in (or is) a sealed backup. */
bool gpofs_store_sealed(struct gpofs *fs, const struct gpofs_path *p);

#endif
