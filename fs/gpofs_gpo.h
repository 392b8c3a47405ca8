/* A GPO's folder as its writers see it, and the calls that write into it
 * (an import: see ops/op/gpo_writes.h). Each returns 0 or -errno; the
 * read-side calls return 1 when the calling process writes nothing in
 * that GPO (then the committed GPO answers, from its view). */
#ifndef GPOFS_GPO_H
#define GPOFS_GPO_H

#include <stdbool.h>
#include <sys/stat.h>

#include "gpofs.h"
#include "gpofs_handle.h"
#include "gpofs_path.h"

/* True for the paths a write may name: a GPO folder and what is in it,
 * and by-name/ (mkdir makes a GPO there). */
bool gpofs_gpo_path(const struct gpofs_path *p);

/* Adds a listing entry; returns 1 once the reply is full. */
typedef int (*gpofs_add_fn)(void *arg, const char *name, const struct stat *st);

/* The read side, for a process that writes into the GPO. */
int gpofs_gpo_getattr(struct gpofs *fs, struct gpofs_path *p, struct stat *st);
int gpofs_gpo_readdir(struct gpofs *fs, struct gpofs_path *p, gpofs_add_fn add,
		      void *arg);
/* Also returns 2 for a generated file (Backup.xml, ...) the writer did
 * not write: its transaction was committed first, and the file is the
 * committed one's, of a size the kernel may not know yet. */
int gpofs_gpo_open_read(struct gpofs *fs, struct gpofs_path *p, struct handle *h);

/* Opens (or creates, with O_CREAT in flags) a file of a GPO folder for
 * writing into h. */
int gpofs_gpo_open_write(struct gpofs *fs, struct gpofs_path *p, int flags,
			 struct handle *h);

/* Writes through a handle gpofs_gpo_open_write made. */
int gpofs_gpo_write(struct gpofs *fs, struct handle *h, const char *buf,
		    size_t size, off_t off);

/* Closes a handle of a GPO folder's file (read or write). */
void gpofs_gpo_release(struct gpofs *fs, struct handle *h);

/* fsync: commits the GPO's changes now. */
int gpofs_gpo_fsync(struct gpofs *fs, struct handle *h);

int gpofs_gpo_mkdir(struct gpofs *fs, struct gpofs_path *p);
int gpofs_gpo_rmdir(struct gpofs *fs, struct gpofs_path *p);
int gpofs_gpo_unlink(struct gpofs *fs, struct gpofs_path *p);
int gpofs_gpo_rename(struct gpofs *fs, struct gpofs_path *a, struct gpofs_path *b,
		     unsigned int flags);
int gpofs_gpo_truncate(struct gpofs *fs, struct gpofs_path *p, off_t size,
		       struct handle *h);
int gpofs_gpo_utimens(struct gpofs *fs, struct gpofs_path *p,
		      const struct timespec tv[2]);

/* Starts each domain's writes (the daemon as it will stay), and commits
 * and stops them (unmount). */
void gpofs_gpo_start(struct gpofs *fs);
void gpofs_gpo_stop(struct gpofs *fs);

#endif
