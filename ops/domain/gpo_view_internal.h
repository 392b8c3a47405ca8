/* What ops/domain knows of a view: its tree, how a capture builds it,
 * where each file's content is. See gpo_view.h. */
#ifndef GPO_VIEW_INTERNAL_H
#define GPO_VIEW_INTERNAL_H

#ifndef GPO_OPS_INTERNAL
#error "gpo_view_internal.h is ops/domain's own: use gpo_view.h"
#endif

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "gpo_cache.h"
#include "gpo_model.h"
#include "gpo_view.h"

struct gpo_view_node {
	char *path;        /* relative to the GPO folder, '/'-separated, as
			      SYSVOL spells it; "" is the folder itself */
	struct stat st;
	char *data;        /* a small file's content (NUL-terminated) */
	char *local;       /* a large file's content: a file of the cache */
	bool unread;       /* listed, its content not read (a private
			      capture's: gpo_capture_start_private) */
};

struct gpo_view {
	atomic_int refs;
	struct gpo gpo;            /* the directory object at capture time */
	uint32_t sysvol_version;   /* GPT.INI's Version in the captured tree */
	time_t changed;            /* the later of whenChanged and GPT.INI's
				      mtime: the GPO's last change */
	struct stat gptini;        /* GPT.INI as listed (st_mode 0: none):
				      a later listing that differs means
				      SYSVOL changed */
	struct gpo_view_node *nodes;   /* sorted: each folder, then its tree */
	size_t n_nodes, cap_nodes;
	bool sealed;
	uint64_t bytes;            /* size of the captured files */
	struct gpo_cache *cache;   /* where its large files are counted */
	uint64_t cached;           /* their bytes, given back when freed */
	struct timespec taken;     /* when captured, CLOCK_MONOTONIC */
	time_t captured;           /* the same, as a time of day (the log
				      says it of a capture served while the
				      DC is away) */
	struct timespec used;      /* last use, CLOCK_MONOTONIC */
	char *data[3];             /* Backup.xml, bkupInfo.xml, gpreport.xml */
	size_t len[3];
};

/* A new, empty view of g with one reference, holding only the folder
 * itself: root's attributes, or (root NULL, a listing without ".") a
 * folder whose times are g's whenChanged. Returns NULL when out of
 * memory. */
struct gpo_view *gpo_view_new(const struct gpo *g, const struct stat *root);

/* Adds a file or folder (before gpo_view_seal). Returns 0 and its index
 * in *index (stable until sealed), or -ENOMEM. */
int gpo_view_add(struct gpo_view *v, const char *path, const struct stat *st,
		 size_t *index);

/* Sorts the tree for lookups; no more gpo_view_add after it. */
void gpo_view_seal(struct gpo_view *v);

/* gpo_view_seal, and v stamped as captured now: taken, used and captured
 * set; changed the latest of itself, the object's whenChanged and
 * GPT.INI's listed time. */
void gpo_view_finish(struct gpo_view *v);

struct gpo_sysvol_entry;

/* Lists every file and folder of v's tree but the folder itself (paths
 * relative to it). Returns 0 and a new array (free with
 * gpo_view_entries_free) or -errno. */
int gpo_view_entries(const struct gpo_view *v, struct gpo_sysvol_entry **out,
		     size_t *n);

/* Frees an array made by gpo_view_entries. */
void gpo_view_entries_free(struct gpo_sysvol_entry *e, size_t n);

#endif
