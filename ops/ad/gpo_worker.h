/* SMB workers: helper processes that each hold a libsmbclient context and
 * session of their own, so that a domain's SYSVOL is read over several
 * connections at once. libsmbclient is not thread-safe in this build (see
 * gpo_smb.h), so threads cannot do this; processes can.
 *
 * A worker is the gpofs binary started again with GPO_WORKER_ARG as its
 * only argument and a socket as fd 3. It is told where to sign in (and a
 * password, if any) over that socket, never on its command line. It
 * answers one request at a time and exits when the socket closes.
 *
 * It writes too (mkdir, put...), for a transaction that writes many
 * files at once over several workers.
 *
 * A gpo_worker is used by one thread at a time. When its process cannot
 * be started or dies, the calls fall back to the in-process connection
 * given at setup (slower: it shares the process's one SMB lock), and it
 * is started again a second later (ten times at most): by its owner's
 * gpo_worker_revive, or by the next call after that second. */
#ifndef GPO_WORKER_H
#define GPO_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "gpo_conf.h"
#include "gpo_log.h"
#include "gpo_smb.h"

#define GPO_WORKER_ARG "--smb-worker"

struct gpo_worker_target;

struct gpo_worker {
	pid_t pid;                       /* -1: none (in-process) */
	int fd;                          /* -1: none */
	struct gpo_smb *local;           /* the fallback connection */
	const struct gpo_log *lg;
	atomic_ulong *requests;          /* where SMB requests are counted */
	const char *exe;                 /* to start it again; NULL: never */
	const struct gpo_worker_target *target;
	struct timespec ended;           /* when its process was lost */
	unsigned restarts;
	/* For /.stats, read by any thread: the process's pid (0: none)
	 * and the SMB requests it says it has made, its own count since it
	 * started, as its last reply gave it. */
	atomic_int shown_pid;
	atomic_ulong own_requests;
};

/* What a worker needs to sign in to one domain's SYSVOL. */
struct gpo_worker_target {
	const char *host;
	const char *domain;
	const char *tmpdir;              /* for its private smb.conf */
	const struct gpo_credentials *cred;  /* NULL: Kerberos ticket cache */
	const struct gpo_log *lg;
};

/* Starts a worker for t from the program at exe (the gpofs binary),
 * falling back to local (which must outlive w, as t and exe must) when it
 * cannot; exe NULL: in process by choice. Safe in a threaded process
 * (posix_spawn). Always leaves w usable; returns 0, or -errno when w runs
 * in process because its worker did not start. */
int gpo_worker_start(struct gpo_worker *w, const char *exe,
		     const struct gpo_worker_target *t, struct gpo_smb *local,
		     atomic_ulong *requests);

/* True when w's process is lost and may be started again, with the
 * CLOCK_MONOTONIC time from which it may in *due; false when w has its
 * process, runs in process by choice, or was restarted ten times. */
bool gpo_worker_restart_due(const struct gpo_worker *w, struct timespec *due);

/* Starts w's lost process again once it is due (the caller must not
 * hold locks others need: a start signs in). Returns true when w has a
 * process. */
bool gpo_worker_revive(struct gpo_worker *w);

/* Ends the worker: closes its socket and waits for it to exit. */
void gpo_worker_stop(struct gpo_worker *w);

/* Lists directory rel, calling fn per entry ("." too, as gpo_smb_list).
 * Returns 0, -errno, or fn's non-zero result. */
int gpo_worker_list(struct gpo_worker *w, const char *rel,
		    gpo_smb_dirent_fn fn, void *arg);

/* Stats rel. Returns 0 or -errno. */
int gpo_worker_stat(struct gpo_worker *w, const char *rel, struct stat *st);

/* Reads file rel whole (see gpo_smb_fetch): into a new NUL-terminated
 * *data (caller frees) when dest is NULL, at most max bytes; else into a
 * new file dest (mode 0600, must not exist). Returns 0 with the size in
 * *len, or -errno (-EFBIG past max). */
int gpo_worker_fetch(struct gpo_worker *w, const char *rel, uint64_t size_hint,
		     size_t max, const char *dest, char **data, uint64_t *len);

/* Writes, as gpo_smb's of the same names (see gpo_smb.h for returns):
 * made by the worker, or in process when it is lost. A worker lost during
 * a write leaves its outcome unknown: the call is then made again in
 * process as gpo_smb_redo makes it (a put is written again whole). Paths
 * of PATH_MAX_WIRE (8 KiB) or more: -ENAMETOOLONG. */
int gpo_worker_mkdir(struct gpo_worker *w, const char *rel);
int gpo_worker_rmdir(struct gpo_worker *w, const char *rel);
int gpo_worker_unlink(struct gpo_worker *w, const char *rel);
int gpo_worker_rename(struct gpo_worker *w, const char *from, const char *to,
		      bool replace);
int gpo_worker_set_times(struct gpo_worker *w, const char *rel, time_t mtime);

/* Writes file rel whole, as gpo_smb_put. The worker reads the local file
 * src itself (a relative src is made absolute here first), so that large
 * files cross no socket; data (when not NULL) is sent with the request,
 * up to 256 MiB (more is written in process). Returns 0 or -errno. */
int gpo_worker_put(struct gpo_worker *w, const char *rel, const void *data,
		   size_t len, const char *src);

/* Writes a piece of a large file, as gpo_smb_put_range (the worker
 * reads src itself). Returns 0 or -errno. */
int gpo_worker_put_range(struct gpo_worker *w, const char *rel, const char *src,
			 uint64_t off, uint64_t len, bool create);

/* Copies from to rel on the server, as gpo_smb_copy. Returns 0, -ESTALE
 * or -errno. */
int gpo_worker_copy(struct gpo_worker *w, const char *rel, const char *from,
		    uint64_t size, time_t mtime);

/* The worker process's main: serves requests on fd until it closes.
 * Returns the process's exit status. */
int gpo_worker_main(int fd);

#endif
