/* GPOs that a request makes (mkdir of by-name/NAME, import ... create,
 * copy): each is journalled before it is made, and the journal goes once
 * the request is done, so that a daemon killed half-way through one
 * deletes what it made at its next start rather than leave a half-made
 * GPO whose name a retry would find taken. */
#ifndef GPO_MADE_H
#define GPO_MADE_H

#include <stdbool.h>

#include "gpo_domain.h"
#include "gpo_err.h"

/* Makes a GPO named name in d under a new GUID (into guid) the way
 * gpo_domain_create_born does (born NULL: an empty GPO), journalled in journal_dir as a request of kind
 * ("mkdir", "import", "copy", "remake": one that gpo_made_recover knows).
 * Returns 0 with the journal left for gpo_made_done, or -errno (err says
 * why) with nothing left of the GPO and no journal, but when what the
 * creation made could not be removed: then the journal stays, for the
 * next start. */
int gpo_made_create(struct gpo_domain *d, const char *journal_dir, const char *kind,
		    const char *name, const struct gpo_born *born,
		    char guid[GPO_GUID_LEN + 1], struct gpo_err *err);

/* The same under the GUID guid (a deleted GPO made again by a restore). */
int gpo_made_create_guid(struct gpo_domain *d, const char *journal_dir, const char *kind,
			 const char *name, const struct gpo_born *born, const char *guid,
			 struct gpo_err *err);

/* The request of kind that made guid is done: its journal goes. When
 * undo, it failed: the GPO is deleted first, and the journal stays if
 * that fails (the next start deletes it). Returns 0, or the deletion's
 * -errno. */
int gpo_made_done(struct gpo_domain *d, const char *journal_dir, const char *kind,
		  const char *guid, bool undo);

/* At start: deletes every GPO of d that a request cut short made (its
 * journal in journal_dir), logging each. Returns how many could not be
 * deleted yet (their journals stay for the next start). */
int gpo_made_recover(struct gpo_domain *d, const char *journal_dir);

#endif
