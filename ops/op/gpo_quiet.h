/* The quiet-time engine: work that is done once a thing has gone quiet.
 *
 * Copies into backups/ and edits of a GPO end without saying so: cp -r,
 * rsync and editors just stop. So each thing being changed (a folder of
 * the store, a GPO) is an item, keyed by name, that counts its writers
 * (files open for writing) and the time of its last change; an item with
 * no writer that has been quiet for quiet_ms is handed to ready() on the
 * engine's thread, once, and forgotten. Thread-safe. */
#ifndef GPO_QUIET_H
#define GPO_QUIET_H

#include <stdbool.h>

#define GPO_QUIET_KEY_MAX 256

struct gpo_quiet;

/* Called on the engine's thread (no lock held) for an item gone quiet,
 * and at stop for every item left without a writer. */
typedef void (*gpo_quiet_ready_fn)(void *arg, const char *key);

/* Starts an engine and its thread. Returns 0 and the engine in *q, or
 * -errno. */
int gpo_quiet_start(struct gpo_quiet **q, unsigned quiet_ms,
		    gpo_quiet_ready_fn ready, void *arg);

/* Stops the thread, hands every item without a writer to ready() (the
 * changes end with the engine), and frees q. NULL is a no-op. */
void gpo_quiet_stop(struct gpo_quiet *q);

/* Notes activity on key: writers_delta +1 when a file is opened for
 * writing, -1 when it is closed, 0 for any other change. Keys longer
 * than GPO_QUIET_KEY_MAX - 1 are ignored. q may be NULL. */
void gpo_quiet_touch(struct gpo_quiet *q, const char *key, int writers_delta);

/* Marks key as going away (a sealed backup being removed): it is
 * forgotten once quiet, never handed to ready(). */
void gpo_quiet_mark_gone(struct gpo_quiet *q, const char *key);

/* True when key is marked as going away. */
bool gpo_quiet_going(struct gpo_quiet *q, const char *key);

/* Forgets key at once. */
void gpo_quiet_forget(struct gpo_quiet *q, const char *key);

#endif
