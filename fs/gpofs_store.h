/* The backup store behind backups/: what may be written there, and the
 * sealer that turns a finished copy into a sealed backup. */
#ifndef GPOFS_STORE_H
#define GPOFS_STORE_H

#include "gpofs.h"
#include "gpofs_path.h"

/* Starts the sealer thread. Returns 0 or -errno. */
int gpofs_sealer_start(struct gpofs *fs);

/* Seals what is ready, then stops and frees the sealer. Safe to call when
 * it was never started. */
void gpofs_sealer_stop(struct gpofs *fs);

/* Notes activity in backups/<top>: writers_delta +1 when a file there is
 * opened for writing, -1 when it is closed, 0 for any other change. The
 * folder is sealed once it has no writer and a quiet second has passed. */
void gpofs_sealer_touch(struct gpofs *fs, const char *top, int writers_delta);

/* True when a sealed backup named top is being removed (rm -r). */
bool gpofs_sealer_removing(struct gpofs *fs, const char *top);

/* Notes that the sealed backup top is being removed: it is neither
 * sealed again nor reported as invalid while it goes. */
void gpofs_sealer_mark_removing(struct gpofs *fs, const char *top);

/* Forgets top (its folder is gone). */
void gpofs_sealer_forget(struct gpofs *fs, const char *top);

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
