/* A view: one GPO as it was at one moment, captured whole so that a copy
 * of its folder holds one version throughout.
 *
 * SYSVOL has no snapshots and the directory and SYSVOL change separately,
 * so a view copies the GPO's SYSVOL folder into a private local folder,
 * reading GPT.INI's version before and after and starting again when it
 * moved; it keeps a copy of the directory object as it was when the
 * capture began. Everything under gpos/{GUID}/ is served from the view:
 * the generated files are built from it, DomainSysvol/GPO/ is its local
 * folder. A process that is reading a view keeps it while it goes on
 * (gpo_domain_view); a new one is taken for others when the GPO changed. */
#ifndef GPO_VIEW_H
#define GPO_VIEW_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "gpo_model.h"
#include "gpo_smb.h"

struct gpo_view {
	atomic_int refs;
	struct gpo gpo;            /* the directory object at capture time */
	uint32_t sysvol_version;   /* GPT.INI's Version in the captured tree */
	time_t changed;            /* the later of whenChanged and GPT.INI's
				      mtime: the GPO's last change */
	char *dir;                 /* local copy of the SYSVOL folder (no
				      GPT.INI) */
	uint64_t bytes;            /* size of the captured files */
	struct timespec taken;     /* when captured, CLOCK_MONOTONIC */
	struct timespec used;      /* last use, CLOCK_MONOTONIC */
	char *data[3];             /* Backup.xml, bkupInfo.xml, gpreport.xml */
	size_t len[3];
};

/* Captures g's SYSVOL folder into a new folder under cache_dir. Retries
 * (up to 5 times) while GPT.INI's version moves under it. Returns 0 and a
 * view with one reference, -EAGAIN when the GPO never held still, or
 * -errno. */
int gpo_view_capture(struct gpo_smb *smb, const struct gpo *g,
		     const char *cache_dir, struct gpo_view **view);

/* Takes one more reference. */
void gpo_view_get(struct gpo_view *v);

/* Drops a reference; the last one removes the local folder. */
void gpo_view_put(struct gpo_view *v);

struct gpo_sysvol_entry;

/* Lists every file and folder of v's tree (paths '/'-separated, relative
 * to the GPO folder), in no particular order. Returns 0 and a new array
 * (free with gpo_view_entries_free) or -errno. */
int gpo_view_entries(const struct gpo_view *v, struct gpo_sysvol_entry **out,
		     size_t *n);

/* Frees an array made by gpo_view_entries. */
void gpo_view_entries_free(struct gpo_sysvol_entry *e, size_t n);

/* Reads GPT.INI's Version of GPO guid over SMB: 0 when it has none.
 * Returns 0 or -errno. */
int gpo_view_sysvol_version(struct gpo_smb *smb, const char *guid,
			    uint32_t *version);

#endif
