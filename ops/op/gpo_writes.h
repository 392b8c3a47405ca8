/* A domain's writes: one open transaction per GPO being written into, who
 * writes it, and when it is committed.
 *
 * The first change a writer makes to a GPO begins a transaction from the
 * view it reads (gpo_domain_view); every writer that changes the GPO
 * afterwards joins it, and sees it (reads its own writes), while others
 * see the GPO as committed. A writer is named by a pid: the caller's
 * choice of which (fs/ gives the session of the calling process). A transaction is committed
 * (gpo_commit.h) once no file of it has been open for writing for a quiet
 * time, at once when a writer asks (fsync), and at the end (unmount).
 *
 * A commit that fails is reported to the transaction's writers: the next
 * call any of them makes on that GPO returns its errno, once. The domain's
 * log has the reason either way. Thread-safe: calls on one GPO are
 * serialised (a call waits while that GPO is being committed). */
#ifndef GPO_WRITES_H
#define GPO_WRITES_H

#include <stdbool.h>
#include <sys/types.h>

#include "gpo_domain.h"
#include "gpo_err.h"
#include "gpo_txn.h"

#define GPO_WRITES_QUIET_MS 2000
/* The largest file a GPO takes through gpofs (EFBIG past it): far above
 * any policy file, and what a cache folder can be asked to stage. */
#define GPO_WRITES_FILE_MAX (1ULL << 30)

struct gpo_writes;

/* A transaction held for a call: release it with gpo_writes_release. */
struct gpo_writes_ref {
	struct gpo_txn *txn;
	void *slot;
	unsigned long generation;   /* changes with each commit of the GPO */
};

/* Starts d's writes: staging under staging_dir (made here), journals
 * under journal_dir (a folder outside the mount's cache), first
 * finishing or undoing what journals there say was cut short. Returns 0
 * and *w, or -errno. */
int gpo_writes_start(struct gpo_writes **w, struct gpo_domain *d,
		     const char *staging_dir, const char *journal_dir);

/* Commits what is open, then frees w; NULL is a no-op. */
void gpo_writes_stop(struct gpo_writes *w);

/* The transaction of GPO g that process pid changes: its own, or begun
 * now when begin (from the view pid reads). Locked until released.
 * Returns 0 and fills ref; -ENOENT when pid writes no transaction of g
 * and !begin (the caller reads the committed GPO); the errno of a failed
 * commit pid wrote in (once); or -errno. */
int gpo_writes_acquire(struct gpo_writes *w, const struct gpo *g, pid_t pid,
		       bool begin, struct gpo_writes_ref *ref);

/* True when pid writes guid's open transaction, or has a failed commit
 * of it to hear of: cheap, for the read path. */
bool gpo_writes_involved(struct gpo_writes *w, const char *guid, pid_t pid);

/* Releases ref. writers_delta +1 when a file was opened for writing, -1
 * when one was closed; changed when anything changed: both restart the
 * quiet time. */
void gpo_writes_release(struct gpo_writes *w, struct gpo_writes_ref *ref,
			int writers_delta, bool changed);

/* The generation of guid's transaction now (0 when none), to tell an
 * open file whose transaction was committed under it. */
unsigned long gpo_writes_generation(struct gpo_writes *w, const char *guid);

/* Notes that a file of guid's transaction opened for writing was closed
 * (its transaction may already be committed). */
void gpo_writes_closed(struct gpo_writes *w, const char *guid,
		       unsigned long generation);

/* Marks guid's transaction (of that generation) as failed: a write into
 * it failed with rc (a full disk, a file past GPO_WRITES_FILE_MAX), so
 * committing it would write a file half-way. It is dropped instead, and
 * its writers hear rc. */
void gpo_writes_fail(struct gpo_writes *w, const char *guid,
		     unsigned long generation, int rc);

/* Commits guid's transaction now (fsync). Returns 0 (also when there is
 * none) or the commit's -errno. */
int gpo_writes_commit(struct gpo_writes *w, const char *guid);

/* Fills a transaction of the caller's own: 0 or -errno. */
typedef int (*gpo_writes_fill_fn)(struct gpo_txn *t, void *arg);

/* A change of GPO g made in one call (the import control file): a
 * transaction begun from the GPO as it is now, filled by fill(t, arg),
 * and committed at once. Returns 0 when committed; -EBUSY when g has an
 * open transaction (what its writers wrote commits first); fill's -errno
 * (nothing was written); or the commit's -errno (its reason is in the
 * domain's log). pid is named as the writer, as in gpo_writes_acquire. */
int gpo_writes_run(struct gpo_writes *w, const struct gpo *g, pid_t pid,
		   gpo_writes_fill_fn fill, void *arg);

/* Sets the migration table (a name in folder dir; NULL or "" for none)
 * that imports and copies into w's domain from another domain use when
 * their request names none, and that a backup of another domain written
 * into a GPO is mapped through before its commit. Returns 0 or -ENOMEM. */
int gpo_writes_set_migtable(struct gpo_writes *w, const char *dir, const char *name);

/* That table's name (caller frees), or NULL when none is set. */
char *gpo_writes_migtable(struct gpo_writes *w);

/* The folder where w's commits (and restores) keep their journals. */
const char *gpo_writes_journal_dir(const struct gpo_writes *w);

#endif
