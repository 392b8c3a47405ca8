/* A view: one GPO as it was at one moment, captured whole so that a copy
 * of its folder holds one version throughout.
 *
 * SYSVOL has no snapshots and the directory and SYSVOL change separately,
 * so a capture (gpo_capture.c) reads the GPO's SYSVOL folder whole,
 * listing GPT.INI (which editors write last) before and after and starting
 * again when it changed, and keeps a copy of the directory object as it was when it
 * began. The tree is held in memory: small files' content too, large
 * files' in a file of the mount's cache. Everything under gpos/{GUID}/ is
 * served from the view; the generated files are built from it. A view is
 * immutable once sealed, and reference-counted. */
#ifndef GPO_VIEW_H
#define GPO_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

struct gpo;
struct gpo_view;        /* opaque: gpo_view_internal.h */
struct gpo_view_node;   /* one file or folder of a view */
struct gpo_view_reader; /* an open file of a view */

/* A GPO's generated files. */
enum gpo_genfile { GPO_GEN_BACKUP_XML, GPO_GEN_BKUPINFO_XML, GPO_GEN_REPORT_XML,
		   GPO_GEN_COUNT };

/* Takes one more reference. */
void gpo_view_get(struct gpo_view *v);

/* Drops a reference; the last one frees the view and its cache files.
 * NULL is a no-op. */
void gpo_view_put(struct gpo_view *v);

/* The GPO's last change as the view saw it: the later of the directory
 * object's whenChanged and GPT.INI's time. */
time_t gpo_view_changed(const struct gpo_view *v);

/* Points *data at a generated file of view v (owned by v, valid while the
 * caller holds its reference). */
void gpo_view_generated(const struct gpo_view *v, enum gpo_genfile which,
			const char **data, size_t *len);

/* The node at path ("" for the folder), spelled exactly, or NULL. */
const struct gpo_view_node *gpo_view_lookup(const struct gpo_view *v,
					    const char *path);

/* The node at path in any letter case (as Windows would find it), or
 * NULL. Linear: for the few settings files a backup needs. */
const struct gpo_view_node *gpo_view_lookup_nocase(const struct gpo_view *v,
						   const char *path);

/* A node's path, relative to the GPO folder ('/'-separated, as SYSVOL
 * spells it; "" is the folder itself). */
const char *gpo_view_node_path(const struct gpo_view_node *n);

/* How many nodes v holds (the folder itself first), and the i-th: each
 * folder followed by its tree. */
size_t gpo_view_count(const struct gpo_view *v);
const struct gpo_view_node *gpo_view_node_at(const struct gpo_view *v, size_t i);

/* The directory object v was captured with, GPT.INI's version in it, and
 * GPT.INI as it was listed (st_mode 0: none). */
const struct gpo *gpo_view_gpo(const struct gpo_view *v);
uint32_t gpo_view_sysvol_version(const struct gpo_view *v);
const struct stat *gpo_view_gptini(const struct gpo_view *v);

/* Copies file node n's content into a new NUL-terminated buffer (caller
 * frees). Returns 0, -EFBIG beyond max bytes, -ENODATA for a file its
 * view listed without reading (gpo_domain_view_listed), or -errno. */
int gpo_view_read(const struct gpo_view_node *n, size_t max, char **data,
		  size_t *len);

/* A node's attributes as SYSVOL listed them (its size is the captured
 * content's). */
const struct stat *gpo_view_node_stat(const struct gpo_view_node *n);

/* Calls fn with the name and node of each entry of folder dir (a node of
 * v); a non-zero return stops and is returned. */
typedef int (*gpo_view_child_fn)(void *arg, const char *name,
				 const struct gpo_view_node *n);
int gpo_view_children(const struct gpo_view *v, const struct gpo_view_node *dir,
		      gpo_view_child_fn fn, void *arg);

/* Opens file node n of v for reading, wherever the capture keeps it; the
 * reader holds a reference to v. Returns 0 and a new reader (close with
 * gpo_view_reader_close), -EISDIR for a folder, -ENODATA for a file v
 * listed without reading, or -errno. */
int gpo_view_reader_open(struct gpo_view *v, const struct gpo_view_node *n,
			 struct gpo_view_reader **r);

/* Reads up to size bytes at off. Returns the count (0 at the end) or
 * -errno. */
ssize_t gpo_view_reader_pread(struct gpo_view_reader *r, void *buf, size_t size,
			      off_t off);

/* Closes r and drops its reference; NULL is a no-op. */
void gpo_view_reader_close(struct gpo_view_reader *r);

/* The descriptor of r's file in the cache, at offset 0 (r's; for a
 * copy in the kernel), or -1 when r reads from memory. */
int gpo_view_reader_fd(const struct gpo_view_reader *r);

#endif
