/* SYSVOL over SMB (libsmbclient), signing required.
 *
 * libsmbclient is not thread-safe even across contexts: it keeps talloc
 * stack frames in process-wide state, and this build does not export
 * smbc_thread_posix() to make them per-thread. So every call into it, for
 * every domain, holds the one gpo_smb_lib lock of the process. Paths are
 * relative to the domain's Policies folder: "{GUID}/Machine/registry.pol".
 * All calls return 0 (or a byte count) or -errno; a connection that was
 * lost is re-established once before a call gives up with -EIO (writes
 * too: see gpo_smb_redo for what a second attempt assumes). */
#ifndef GPO_SMB_H
#define GPO_SMB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include "gpo_conf.h"
#include "gpo_log.h"

#include <pthread.h>

struct gpo_smb_file;
struct _SMBCCTX;

/* What all of the process's SMB connections share. */
struct gpo_smb_lib {
	pthread_mutex_t lock;
};

struct gpo_smb {
	const struct gpo_log *lg;
	struct gpo_smb_lib *lib;
	const struct gpo_credentials *cred;  /* NULL for Kerberos */
	char *root;                          /* smb://dc/sysvol/domain/Policies */
	struct _SMBCCTX *ctx;
	atomic_ulong requests;               /* SMB calls made, for benchmarks */
	bool no_server_copy;                 /* tests: GPOFS_TEST_NO_SERVER_COPY */
	atomic_bool said_through;            /* the log told a copy sent through */
};

/* Called per directory entry with its name and attributes; a non-zero
 * return stops the listing and becomes its result. */
typedef int (*gpo_smb_dirent_fn)(void *arg, const char *name,
				 const struct stat *st);

/* Prepares lib and loads the process-wide libsmbclient configuration
 * (SMB2+, signing required) from a private file written under tmpdir.
 * Call once, before any gpo_smb_open. Returns 0 or -errno. */
int gpo_smb_lib_init(struct gpo_smb_lib *lib, const struct gpo_log *lg,
		     const char *tmpdir);

/* Frees what gpo_smb_lib_init made. */
void gpo_smb_lib_destroy(struct gpo_smb_lib *lib);

/* Prepares a context for \\host\sysvol\domain\Policies, signing in
 * with cred (password) or the Kerberos ticket cache (cred NULL), and
 * checks that the share can be listed. Returns 0 or -errno with a line for
 * the user in msg. */
int gpo_smb_open(struct gpo_smb *s, struct gpo_smb_lib *lib,
		 const struct gpo_log *lg, const char *host, const char *domain,
		 const struct gpo_credentials *cred, char *msg, size_t msglen);

/* Frees the context. */
void gpo_smb_close(struct gpo_smb *s);

/* Stats one path. Returns 0 or -errno. */
int gpo_smb_stat(struct gpo_smb *s, const char *rel, struct stat *st);

/* Lists a directory, calling fn per entry: "." (the directory itself, as
 * the server lists it) and the entries, not "..". Returns 0, -errno, or
 * fn's non-zero result. */
int gpo_smb_list(struct gpo_smb *s, const char *rel, gpo_smb_dirent_fn fn,
		 void *arg);

/* Opens a file for reading. *f is owned by the caller until
 * gpo_smb_fclose. Returns 0 or -errno. */
int gpo_smb_fopen(struct gpo_smb *s, const char *rel, struct gpo_smb_file **f);

/* Reads up to size bytes at off. Returns the count (0 at end) or -errno. */
ssize_t gpo_smb_pread(struct gpo_smb *s, struct gpo_smb_file *f, void *buf,
		      size_t size, off_t off);

/* Closes and frees f; NULL is a no-op. */
void gpo_smb_fclose(struct gpo_smb *s, struct gpo_smb_file *f);

/* Reads file rel whole, in requests of up to 8 MiB that libsmbclient
 * pipelines: into a new NUL-terminated buffer *data when fd < 0 (at most
 * max bytes, else -EFBIG), else written to fd. size_hint is the size a
 * listing gave: a file still that size takes one read request, with no
 * second one to find its end. Returns 0 with the size in *len, or -errno. */
int gpo_smb_fetch(struct gpo_smb *s, const char *rel, uint64_t size_hint,
		  size_t max, int fd, char **data, uint64_t *len);

/* Writes. Each holds the SMB lock per request, as the reads do, counts
 * its requests, and after a lost connection tries once more on a fresh
 * one; that second attempt takes what the lost one may have done for
 * done (see gpo_smb_redo). Errors go through gpo_smb_errno. */

/* Creates directory rel. Returns 0, -EEXIST (anything of that name,
 * in any case: SYSVOL is case-insensitive), or -errno. */
int gpo_smb_mkdir(struct gpo_smb *s, const char *rel);

/* Removes the empty directory rel. Returns 0, -ENOTEMPTY, -ENOENT, or
 * -errno. */
int gpo_smb_rmdir(struct gpo_smb *s, const char *rel);

/* Removes file rel. Returns 0, -ENOENT, or -errno (-EISDIR or -EACCES
 * for a directory, as the server says). */
int gpo_smb_unlink(struct gpo_smb *s, const char *rel);

/* Renames from to to, within the share. -ENOENT when from is missing.
 * Without replace, -EEXIST when to exists (a change of case only, from
 * and to equal but for ASCII case, is the same entry and goes ahead). With replace, an existing file to is
 * removed first, by libsmbclient, which has no atomic replace: there is
 * a moment without to, and a failure after the removal leaves to gone
 * (the caller puts it back); to a directory that exists, -EEXIST. The
 * existence check and the rename are two requests: a to created between
 * them by someone else is replaced. Returns 0 or -errno. */
int gpo_smb_rename(struct gpo_smb *s, const char *from, const char *to,
		   bool replace);

/* Writes file rel whole, created or truncated: len bytes of data, or
 * when data is NULL the local file src, read and sent 8 MiB at a time (a
 * large file is never held whole; libsmbclient sends each piece as
 * writes of the server's largest size, one after another: it has no
 * pipelined write). Holds the SMB lock per piece, not for the file. After a lost connection the whole file is
 * written again once. Returns 0 or -errno (a local error of src as it
 * is); a failure may leave rel partly written. */
int gpo_smb_put(struct gpo_smb *s, const char *rel, const void *data,
		size_t len, const char *src);

/* Writes bytes [off, off + len) of the local file src at the same place
 * in rel: one piece of a large file written in pieces side by side (over
 * other connections). With create, rel is created or truncated first
 * (the first piece, written before the others begin); without, rel must
 * exist. Retried once after a lost connection, as gpo_smb_put. Returns
 * 0 or -errno (-EINVAL for a range past 2^64). */
int gpo_smb_put_range(struct gpo_smb *s, const char *rel, const char *src,
		      uint64_t off, uint64_t len, bool create);

/* Copies file from (a path of the share, as rel) to rel, created or
 * truncated, on the server (SMB2 copy-chunk: the bytes do not travel;
 * a server that cannot is sent them through the client), provided from
 * still is size bytes long and, when mtime is not 0, last written at
 * mtime, before and after the copy. Retried whole once after a lost
 * connection. Returns 0, -ESTALE (from is not as given: rel may be
 * written in part), or -errno. The log says once per context (one SMB
 * connection) that the server does not copy. For tests only:
 * GPOFS_TEST_NO_SERVER_COPY set (read by gpo_smb_open) takes every
 * server for one that does not. */
int gpo_smb_copy(struct gpo_smb *s, const char *rel, const char *from,
		 uint64_t size, time_t mtime);

/* Sets the last-write (and last-access) time of rel to mtime, seconds
 * (the server keeps 100 ns; a later write changes it again). Returns 0
 * or -errno. */
int gpo_smb_set_times(struct gpo_smb *s, const char *rel, time_t mtime);

enum gpo_smb_op { GPO_SMB_MKDIR, GPO_SMB_RMDIR, GPO_SMB_UNLINK, GPO_SMB_RENAME };

/* One of the calls above again, after an attempt whose outcome is not
 * known (an SMB worker lost during it, say): what that attempt may have
 * done counts as done. mkdir's -EEXIST for a directory, rmdir's and
 * unlink's -ENOENT return 0, and a rename whose from is gone while to
 * exists is not made again (returns 0). to and replace are for
 * GPO_SMB_RENAME only. Returns as the call would. */
int gpo_smb_redo(struct gpo_smb *s, enum gpo_smb_op op, const char *rel,
		 const char *to, bool replace);

#endif
