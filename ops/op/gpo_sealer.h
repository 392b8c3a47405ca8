/* The sealer: copies into the backup store become sealed backups once
 * they are over (no file open for writing, and a quiet second: cp -r,
 * rsync and file managers all end that way, and none says when it is
 * done). What each sealing did goes to the log of the domain the backup
 * names (of every domain when it names none that is mounted). */
#ifndef GPO_SEALER_H
#define GPO_SEALER_H

#include <stdbool.h>
#include <stddef.h>

#include "gpo_domain.h"
#include "gpo_log.h"

struct gpo_sealer;

/* Starts sealing folders of store (a path the sealer copies), reporting
 * into the logs of the n domains (which must outlive it) and lg. Returns
 * 0 and the sealer in *s, or -errno. */
int gpo_sealer_start(struct gpo_sealer **s, const char *store,
		     struct gpo_domain *const *domains, size_t n,
		     const struct gpo_log *lg);

/* Seals what is complete now (the copies end with the sealer), stops and
 * frees s. NULL is a no-op. */
void gpo_sealer_stop(struct gpo_sealer *s);

/* Notes activity in the store's folder top: writers_delta +1 when a file
 * there is opened for writing, -1 when it is closed, 0 for any other
 * change. s may be NULL. */
void gpo_sealer_touch(struct gpo_sealer *s, const char *top, int writers_delta);

/* Notes that the sealed backup top is being removed (rm -r): it is
 * neither sealed again nor reported as invalid while it goes. */
void gpo_sealer_mark_removing(struct gpo_sealer *s, const char *top);

/* True when top is being removed. */
bool gpo_sealer_removing(struct gpo_sealer *s, const char *top);

/* Forgets top (its folder is gone). */
void gpo_sealer_forget(struct gpo_sealer *s, const char *top);

#endif
