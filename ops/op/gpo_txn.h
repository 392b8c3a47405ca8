/* A transaction: the changes written into one GPO folder, held in a local
 * staging folder until they are committed whole (gpo_commit.h).
 *
 * A transaction starts from a view of the GPO (its base, as captured) and
 * records what was written on top of it: files (staged copies), folders,
 * removals. Its writers read their own writes through it; everyone else
 * keeps reading the base. Names are matched as SYSVOL matches them,
 * without regard to letter case: writing "Machine/x" into a GPO whose
 * folder is "MACHINE" writes "MACHINE/x", and a path keeps the spelling
 * its first writer gave it.
 *
 * Paths are relative to the GPO's SYSVOL folder ("Machine/registry.pol";
 * "" is the folder itself), '/'-separated, with no empty, "." or ".."
 * part. GPT.INI at the top is gpofs's own (it carries the version) and
 * refused. Besides the tree, the top of the GPO folder (Backup.xml,
 * bkupInfo.xml, gpreport.xml, and whatever else a copy tool writes
 * there) has a flat namespace of its own: the top files.
 *
 * Not thread-safe: the caller serialises calls on one transaction. */
#ifndef GPO_TXN_H
#define GPO_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "gpo_backup_ext.h"
#include "gpo_view.h"

struct gpo_txn;

/* Starts a transaction on base (a reference is taken), staging under the
 * folder dir, made here (mode 0700; it must not exist). Returns 0 and the
 * transaction in *t, or -errno. */
int gpo_txn_new(struct gpo_txn **t, struct gpo_view *base, const char *dir);

/* Removes the staging folder and frees t; NULL is a no-op. */
void gpo_txn_free(struct gpo_txn *t);

/* The view the transaction started from. */
struct gpo_view *gpo_txn_base(const struct gpo_txn *t);

/* True when anything was changed (tree or top files). */
bool gpo_txn_dirty(const struct gpo_txn *t);

/* Attributes of rel as the transaction sees it. Returns 0, -ENOENT,
 * -ENOTDIR (a part of it is a file) or -EINVAL (not a valid path). */
int gpo_txn_stat(struct gpo_txn *t, const char *rel, struct stat *st);

/* Calls fn with each entry of folder rel (its spelling and attributes);
 * a non-zero return stops and is returned. Returns 0, -ENOENT, -ENOTDIR
 * or fn's result. */
typedef int (*gpo_txn_dirent_fn)(void *arg, const char *name,
				 const struct stat *st);
int gpo_txn_list(struct gpo_txn *t, const char *rel, gpo_txn_dirent_fn fn,
		 void *arg);

/* Opens rel for reading: a staged file as *fd (caller closes), else the
 * base's file as *reader (close with gpo_view_reader_close); the other
 * is set to -1 / NULL. Returns 0, -ENOENT, -EISDIR, or -errno. */
int gpo_txn_open_read(struct gpo_txn *t, const char *rel, int *fd,
		      struct gpo_view_reader **reader);

/* Opens rel for writing, as open(2) with flags (O_CREAT, O_EXCL,
 * O_TRUNC): a base file is copied into the staging folder first. Returns
 * 0 and a read-write fd of the staged file (caller closes), -EEXIST,
 * -ENOENT (no such file, or no parent folder), -EISDIR, -ENOTDIR, -EPERM
 * (GPT.INI), or -errno. */
int gpo_txn_open_write(struct gpo_txn *t, const char *rel, int flags, int *fd);

/* Makes file rel (created, or replacing a file) a copy of from, a file
 * of the domain's SYSVOL ("{GUID}/Machine/x") of size bytes last written
 * at mtime: nothing is staged, the commit copies it on the DC (see
 * gpo_domain_put's from) and fails with -ESTALE if from is no longer so.
 * Such a file has its attributes and may be removed or replaced whole
 * (O_TRUNC), but not read, written in part or renamed (-EOPNOTSUPP): it is
 * for a transaction filled by one request (a copy) that nobody else
 * writes. Returns 0 or -errno as gpo_txn_open_write. */
int gpo_txn_put_from(struct gpo_txn *t, const char *rel, const char *from,
		     uint64_t size, time_t mtime);

/* Sets rel's size (a file). Returns 0 or -errno as gpo_txn_open_write. */
int gpo_txn_truncate(struct gpo_txn *t, const char *rel, off_t size);

/* Sets rel's modification time (file or folder). Returns 0 or -errno. */
int gpo_txn_set_mtime(struct gpo_txn *t, const char *rel, time_t mtime);

/* Makes folder rel. Returns 0, -EEXIST, -ENOENT (no parent), -ENOTDIR,
 * -EPERM, or -errno. */
int gpo_txn_mkdir(struct gpo_txn *t, const char *rel);

/* Removes file rel. Returns 0, -ENOENT, -EISDIR, or -errno. */
int gpo_txn_unlink(struct gpo_txn *t, const char *rel);

/* Removes empty folder rel. Returns 0, -ENOENT, -ENOTDIR, -ENOTEMPTY,
 * -EBUSY (the GPO folder itself). */
int gpo_txn_rmdir(struct gpo_txn *t, const char *rel);

/* Renames from to to (a file or a folder with its tree) as rename(2)
 * does: a file replaces a file, a folder an empty folder; noreplace
 * fails with -EEXIST when to exists. Returns 0 or -errno (-ENOENT,
 * -EISDIR, -ENOTDIR, -ENOTEMPTY, -EINVAL when to is inside from). */
int gpo_txn_rename(struct gpo_txn *t, const char *from, const char *to,
		   bool noreplace);

/* The top files (a flat namespace of names without '/'). */
int gpo_txn_top_stat(struct gpo_txn *t, const char *name, struct stat *st);
int gpo_txn_top_open(struct gpo_txn *t, const char *name, int flags, int *fd);
int gpo_txn_top_open_read(struct gpo_txn *t, const char *name, int *fd);
int gpo_txn_top_unlink(struct gpo_txn *t, const char *name);
int gpo_txn_top_rename(struct gpo_txn *t, const char *from, const char *to);
int gpo_txn_top_set_mtime(struct gpo_txn *t, const char *name, time_t mtime);
int gpo_txn_top_list(struct gpo_txn *t, gpo_txn_dirent_fn fn, void *arg);

/* Reads top file name whole (at most max bytes) into a new NUL-terminated
 * buffer (caller frees). Returns 0, -ENOENT, -EFBIG, or -errno. */
int gpo_txn_top_read(struct gpo_txn *t, const char *name, size_t max,
		     char **data, size_t *len);

/* One step of a commit, in the order the steps must be applied: folders
 * made parents first, files written, files removed, folders removed
 * children first. */
enum gpo_txn_step { GPO_TXN_MKDIR, GPO_TXN_PUT, GPO_TXN_UNLINK, GPO_TXN_RMDIR };

struct gpo_txn_op {
	enum gpo_txn_step step;
	char *path;                        /* as SYSVOL will spell it */
	char *local;                       /* PUT: the staged file, or NULL
					      when the content is base's or
					      from's */
	char *from;                        /* PUT: or a file of SYSVOL
					      copied on the DC
					      (gpo_txn_put_from) */
	uint64_t from_size;
	time_t from_mtime;
	const struct gpo_view_node *base;  /* what it replaces or removes in
					      the base, or NULL */
	time_t mtime;                      /* PUT: the time it was given */
};

/* What a commit must do. keep NULL: the tree as the transaction sees it.
 * Otherwise a whole-backup import: exactly the n_keep paths in keep
 * (files and folders, any case, with their parents), with the
 * transaction's content or the base's, and the folders Machine and
 * User; anything else is removed. A folder keep names that is not there
 * is made (Machine and User too); a file is an error.
 * A file whose content is byte for byte the base's makes no step.
 * Also gives the resulting tree (for the extension lists) and which
 * halves changed (a step below Machine/ or User/, any case). Returns 0,
 * -ENOENT with the first path keep names that is not there in *missing
 * (caller frees), or -errno. Free with gpo_txn_plan_free. */
struct gpo_txn_plan {
	struct gpo_txn_op *ops;
	size_t n_ops, cap_ops;
	struct gpo_sysvol_entry *tree;
	size_t n_tree, cap_tree;
	bool machine, user;
};
int gpo_txn_plan(struct gpo_txn *t, const struct gpo_sysvol_entry *keep,
		 size_t n_keep, struct gpo_txn_plan *plan, char **missing);
void gpo_txn_plan_free(struct gpo_txn_plan *plan);

/* Makes t a restore (GPMC's RestoreGPO): its commit bumps both halves,
 * from above floor (the backup's versions) as well as above the GPO's,
 * so that clients apply the restored settings again, whatever changed. */
void gpo_txn_set_restore(struct gpo_txn *t, uint32_t floor);

/* True when t is a restore; *floor (may be NULL) is its floor. */
bool gpo_txn_restore(const struct gpo_txn *t, uint32_t *floor);

/* Tells t that its GPO was made for it, born at version (gpo_born in
 * gpo_domain.h): its commit leaves the directory alone, and keeps no
 * journal (the request's own undoes it by deleting the GPO), when the GPO
 * still is as born and the commit would have moved an empty GPO to just
 * that version and lists; else it commits as ever. */
void gpo_txn_set_born(struct gpo_txn *t, uint32_t version);

/* True when t's GPO was made for it; *version (may be NULL) is its
 * version at birth. */
bool gpo_txn_born(const struct gpo_txn *t, uint32_t *version);

#endif
