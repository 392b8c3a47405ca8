/* SYSVOL over SMB (libsmbclient), signing required.
 *
 * libsmbclient is not thread-safe even across contexts: it keeps talloc
 * stack frames in process-wide state, and this build does not export
 * smbc_thread_posix() to make them per-thread. So every call into it, for
 * every domain, holds the one gpo_smb_lib lock of the process. Paths are
 * relative to the domain's Policies folder: "{GUID}/Machine/registry.pol".
 * All calls return 0 (or a byte count) or -errno; a connection that was
 * lost is re-established once before a call gives up with -EIO. */
#ifndef GPO_SMB_H
#define GPO_SMB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
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

#endif
