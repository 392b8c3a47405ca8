#include "gpo_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gpo_buf.h"

extern char **environ;

enum {
	OP_INIT = 1, OP_LIST, OP_STAT, OP_FETCH,
	OP_MKDIR, OP_RMDIR, OP_UNLINK, OP_RENAME, OP_PUT, OP_TIMES, OP_PUT_RANGE,
	OP_COPY,
};

/* OP_RENAME's flags */
#define RENAME_REPLACE 1u

#define WORKER_FD 3
#define PATH_MAX_WIRE 8192
#define INIT_MAX 16384
#define LIST_MAX (64u * 1024 * 1024)
/* A worker's fetch into memory is bounded by its request's max; this
 * bounds what a parent believes of a reply whatever it asked. */
#define REPLY_MAX (256u * 1024 * 1024)
/* A put's bytes sent with the request (a file's are read by the worker
 * from its path): the same bound. */
#define PUT_INLINE_MAX REPLY_MAX

/* A request: the header, rel_len bytes of rel, dest_len bytes of dest
 * (a fetch's local file, a rename's to, a put's local source), and
 * data_len bytes of a put's inline data. */
struct req_hdr {
	uint32_t op;
	uint32_t rel_len;
	uint32_t dest_len;
	uint32_t flags;
	uint64_t size_hint;  /* a fetch's; OP_TIMES: the mtime; OP_PUT_RANGE: off;
				OP_COPY: the source's size */
	uint64_t max;        /* a fetch's; OP_PUT_RANGE: len; OP_COPY: the
				source's mtime */
	uint64_t data_len;
};

struct rep_hdr {
	int32_t rc;
	uint32_t requests;   /* SMB calls the request cost */
	uint64_t len;        /* bytes of payload that follow */
	uint64_t size;       /* a fetch's size */
	uint64_t total;      /* SMB calls the worker has made since it started */
};

struct wire_stat {
	uint32_t mode;
	uint32_t name_len;
	uint64_t size;
	int64_t t[6];        /* atime, mtime, ctime: seconds, nanoseconds */
};

static int write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -EPIPE;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Returns 0, or -EPIPE at a closed or broken socket. */
static int read_full(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -EPIPE;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void to_wire(const struct stat *st, struct wire_stat *ws, size_t name_len)
{
	memset(ws, 0, sizeof(*ws));
	ws->mode = st->st_mode;
	ws->name_len = (uint32_t)name_len;
	ws->size = (uint64_t)st->st_size;
	ws->t[0] = st->st_atim.tv_sec;
	ws->t[1] = st->st_atim.tv_nsec;
	ws->t[2] = st->st_mtim.tv_sec;
	ws->t[3] = st->st_mtim.tv_nsec;
	ws->t[4] = st->st_ctim.tv_sec;
	ws->t[5] = st->st_ctim.tv_nsec;
}

static void from_wire(const struct wire_stat *ws, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = ws->mode;
	st->st_size = (off_t)ws->size;
	st->st_atim.tv_sec = ws->t[0];
	st->st_atim.tv_nsec = ws->t[1];
	st->st_mtim.tv_sec = ws->t[2];
	st->st_mtim.tv_nsec = ws->t[3];
	st->st_ctim.tv_sec = ws->t[4];
	st->st_ctim.tv_nsec = ws->t[5];
}

/* --- the parent's side --------------------------------------------------- */

static void drop_process(struct gpo_worker *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	if (w->pid > 0)
		waitpid(w->pid, NULL, 0);
	w->pid = -1;
	atomic_store(&w->shown_pid, 0);
	clock_gettime(CLOCK_MONOTONIC, &w->ended);
}

#define RESTART_PAUSE_MS 1000
#define RESTARTS_MAX 10

bool gpo_worker_restart_due(const struct gpo_worker *w, struct timespec *due)
{
	if (w->fd >= 0 || !w->exe || !w->target || w->restarts >= RESTARTS_MAX)
		return false;
	*due = w->ended;
	due->tv_sec += RESTART_PAUSE_MS / 1000;
	due->tv_nsec += (RESTART_PAUSE_MS % 1000) * 1000000L;
	if (due->tv_nsec >= 1000000000L) {
		due->tv_sec++;
		due->tv_nsec -= 1000000000L;
	}
	return true;
}

bool gpo_worker_revive(struct gpo_worker *w)
{
	struct timespec due, now;

	if (w->fd >= 0)
		return true;
	if (!gpo_worker_restart_due(w, &due))
		return false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec < due.tv_sec ||
	    (now.tv_sec == due.tv_sec && now.tv_nsec < due.tv_nsec))
		return false;
	w->restarts++;
	return !gpo_worker_start(w, w->exe, w->target, w->local, w->requests);
}

/* One request (h with its lengths filled in here) and its reply header;
 * the payload (rep->len bytes) is read into a new *payload when payload
 * is not NULL. Returns 0 (the request's own result is rep->rc) or -EPIPE
 * when the worker is gone. */
static int roundtrip_full(struct gpo_worker *w, struct req_hdr *h,
			  const char *rel, size_t rel_len, const char *dest,
			  const void *data, size_t data_len,
			  struct rep_hdr *rep, char **payload)
{
	char *p = NULL;
	int rc;

	h->rel_len = (uint32_t)rel_len;
	h->dest_len = dest ? (uint32_t)strlen(dest) : 0;
	h->data_len = data_len;
	rc = write_full(w->fd, h, sizeof(*h));
	if (!rc)
		rc = write_full(w->fd, rel, rel_len);
	if (!rc && h->dest_len)
		rc = write_full(w->fd, dest, h->dest_len);
	if (!rc && data_len)
		rc = write_full(w->fd, data, data_len);
	if (!rc)
		rc = read_full(w->fd, rep, sizeof(*rep));
	if (!rc && rep->len > REPLY_MAX)
		rc = -EPIPE; /* not a worker we understand */
	if (!rc && rep->len) {
		p = malloc(rep->len + 1);
		/* unread, the payload would put the stream out of step:
		 * the worker is let go as if it had died */
		rc = p ? read_full(w->fd, p, rep->len) : -EPIPE;
		if (!rc)
			p[rep->len] = '\0';
	}
	if (rc) {
		free(p);
		gpo_log(w->lg, GPO_LOG_WARN,
			"SMB worker %d ended: working in process instead", (int)w->pid);
		drop_process(w);
		return -EPIPE;
	}
	if (w->requests)
		atomic_fetch_add(w->requests, rep->requests);
	atomic_store(&w->own_requests, (unsigned long)rep->total);
	if (payload)
		*payload = p;
	else
		free(p);
	return 0;
}

static int roundtrip(struct gpo_worker *w, uint32_t op, const char *rel,
		     size_t rel_len, const char *dest, uint64_t size_hint,
		     uint64_t max, struct rep_hdr *rep, char **payload)
{
	struct req_hdr h = { .op = op, .size_hint = size_hint, .max = max };

	return roundtrip_full(w, &h, rel, rel_len, dest, NULL, 0, rep, payload);
}

static int put_str(struct gpo_buf *b, const char *s)
{
	return gpo_buf_add(b, s ? s : "", strlen(s ? s : "") + 1);
}

int gpo_worker_start(struct gpo_worker *w, const char *exe,
		     const struct gpo_worker_target *t, struct gpo_smb *local,
		     atomic_ulong *requests)
{
	posix_spawn_file_actions_t fa;
	struct gpo_buf init = GPO_BUF_INIT;
	struct rep_hdr rep;
	char *argv[] = { (char *)"gpofs", (char *)GPO_WORKER_ARG, NULL };
	int sv[2] = { -1, -1 };
	bool fa_ready = false;
	int rc;

	w->pid = -1;
	w->fd = -1;
	w->local = local;
	w->lg = t->lg;
	w->requests = requests;
	w->exe = exe;
	w->target = t;
	if (!exe)
		return 0; /* in process, as asked */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	if (sv[1] == WORKER_FD) {
		/* dup2 onto itself would keep close-on-exec */
		int nfd = fcntl(sv[1], F_DUPFD_CLOEXEC, WORKER_FD + 1);

		if (nfd < 0) {
			rc = -errno;
			goto out;
		}
		close(sv[1]);
		sv[1] = nfd;
	}
	rc = posix_spawn_file_actions_init(&fa);
	if (rc) {
		rc = -rc;
		goto out;
	}
	fa_ready = true;
	rc = posix_spawn_file_actions_adddup2(&fa, sv[1], WORKER_FD);
	if (!rc)
		rc = posix_spawn(&w->pid, exe, &fa, NULL, argv, environ);
	if (rc) {
		w->pid = -1;
		rc = -rc;
		goto out;
	}
	w->fd = sv[0];
	sv[0] = -1;
	rc = put_str(&init, t->host);
	if (!rc)
		rc = put_str(&init, t->domain);
	if (!rc)
		rc = put_str(&init, t->tmpdir);
	if (!rc)
		rc = put_str(&init, t->cred ? t->cred->username : "");
	if (!rc)
		rc = put_str(&init, t->cred ? t->cred->password : "");
	if (!rc)
		rc = put_str(&init, t->cred ? t->cred->domain : "");
	if (rc)
		goto out;
	rc = roundtrip(w, OP_INIT, init.data, init.len, NULL,
		       (t->cred ? 1u : 0u) | (t->lg && t->lg->debug ? 2u : 0u) |
		       (t->lg && t->lg->use_syslog ? 4u : 0u), 0, &rep, NULL);
	if (!rc)
		rc = rep.rc;
	if (rc)
		gpo_log(t->lg, GPO_LOG_WARN, "%s: an SMB worker did not start (%s): reading in process",
			t->domain, strerror(-rc));
	else
		atomic_store(&w->shown_pid, (int)w->pid);
out:
	if (init.data)
		explicit_bzero(init.data, init.len);
	gpo_buf_free(&init);
	if (fa_ready)
		posix_spawn_file_actions_destroy(&fa);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (rc)
		drop_process(w);
	return rc;
}

void gpo_worker_stop(struct gpo_worker *w)
{
	drop_process(w);
}

int gpo_worker_list(struct gpo_worker *w, const char *rel,
		    gpo_smb_dirent_fn fn, void *arg)
{
	struct rep_hdr rep;
	char *p = NULL;
	size_t off = 0;
	int rc;

	if (!gpo_worker_revive(w))
		return gpo_smb_list(w->local, rel, fn, arg);
	rc = roundtrip(w, OP_LIST, rel, strlen(rel), NULL, 0, LIST_MAX, &rep, &p);
	if (rc == -EPIPE)
		return gpo_smb_list(w->local, rel, fn, arg);
	if (!rc)
		rc = rep.rc;
	while (!rc && off + sizeof(struct wire_stat) <= rep.len) {
		struct wire_stat ws;
		struct stat st;
		char name[1024];

		memcpy(&ws, p + off, sizeof(ws));
		off += sizeof(ws);
		if (ws.name_len >= sizeof(name) || ws.name_len > rep.len - off) {
			rc = -EPROTO;
			break;
		}
		memcpy(name, p + off, ws.name_len);
		name[ws.name_len] = '\0';
		off += ws.name_len;
		from_wire(&ws, &st);
		rc = fn(arg, name, &st);
	}
	free(p);
	return rc;
}

int gpo_worker_stat(struct gpo_worker *w, const char *rel, struct stat *st)
{
	struct rep_hdr rep;
	char *p = NULL;
	int rc;

	if (!gpo_worker_revive(w))
		return gpo_smb_stat(w->local, rel, st);
	rc = roundtrip(w, OP_STAT, rel, strlen(rel), NULL, 0, 0, &rep, &p);
	if (rc == -EPIPE)
		return gpo_smb_stat(w->local, rel, st);
	if (!rc)
		rc = rep.rc;
	if (!rc && rep.len != sizeof(struct wire_stat))
		rc = -EPROTO;
	if (!rc) {
		struct wire_stat ws;

		memcpy(&ws, p, sizeof(ws));
		from_wire(&ws, st);
	}
	free(p);
	return rc;
}

static int fetch_local(struct gpo_worker *w, const char *rel, uint64_t size_hint,
		       size_t max, const char *dest, char **data, uint64_t *len)
{
	int fd = -1;
	int rc;

	if (dest) {
		fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
	}
	rc = gpo_smb_fetch(w->local, rel, size_hint, max, fd, data, len);
	if (fd >= 0 && close(fd) < 0 && !rc)
		rc = -errno;
	if (rc && dest)
		unlink(dest);
	return rc;
}

int gpo_worker_fetch(struct gpo_worker *w, const char *rel, uint64_t size_hint,
		     size_t max, const char *dest, char **data, uint64_t *len)
{
	struct rep_hdr rep;
	char *p = NULL;
	int rc;

	if (!gpo_worker_revive(w))
		return fetch_local(w, rel, size_hint, max, dest, data, len);
	rc = roundtrip(w, OP_FETCH, rel, strlen(rel), dest, size_hint, max, &rep, &p);
	if (rc == -EPIPE) {
		/* a worker that died while writing dest left it behind */
		if (dest)
			unlink(dest);
		return fetch_local(w, rel, size_hint, max, dest, data, len);
	}
	if (!rc)
		rc = rep.rc;
	if (!rc && !dest && (rep.len != rep.size || rep.len > max))
		rc = -EPROTO;
	if (!rc) {
		*len = rep.size;
		if (!dest) {
			if (!p && !(p = calloc(1, 1)))
				return -ENOMEM;
			*data = p;
			p = NULL;
		}
	}
	free(p);
	return rc;
}

/* The write in process: again after a worker lost during the request. */
static int write_local(struct gpo_worker *w, enum gpo_smb_op op, const char *rel,
		       const char *to, bool replace, bool again)
{
	if (again)
		return gpo_smb_redo(w->local, op, rel, to, replace);
	switch (op) {
	case GPO_SMB_MKDIR:
		return gpo_smb_mkdir(w->local, rel);
	case GPO_SMB_RMDIR:
		return gpo_smb_rmdir(w->local, rel);
	case GPO_SMB_UNLINK:
		return gpo_smb_unlink(w->local, rel);
	case GPO_SMB_RENAME:
		return gpo_smb_rename(w->local, rel, to, replace);
	}
	return -EINVAL;
}

static int worker_write(struct gpo_worker *w, enum gpo_smb_op op, uint32_t wop,
			const char *rel, const char *to, bool replace)
{
	struct req_hdr h = { .op = wop, .flags = replace ? RENAME_REPLACE : 0 };
	struct rep_hdr rep;
	int rc;

	if (strlen(rel) >= PATH_MAX_WIRE || (to && strlen(to) >= PATH_MAX_WIRE))
		return -ENAMETOOLONG;
	if (!gpo_worker_revive(w))
		return write_local(w, op, rel, to, replace, false);
	rc = roundtrip_full(w, &h, rel, strlen(rel), to, NULL, 0, &rep, NULL);
	if (rc == -EPIPE) /* it may have been done before the worker died */
		return write_local(w, op, rel, to, replace, true);
	return rc ? rc : rep.rc;
}

int gpo_worker_mkdir(struct gpo_worker *w, const char *rel)
{
	return worker_write(w, GPO_SMB_MKDIR, OP_MKDIR, rel, NULL, false);
}

int gpo_worker_rmdir(struct gpo_worker *w, const char *rel)
{
	return worker_write(w, GPO_SMB_RMDIR, OP_RMDIR, rel, NULL, false);
}

int gpo_worker_unlink(struct gpo_worker *w, const char *rel)
{
	return worker_write(w, GPO_SMB_UNLINK, OP_UNLINK, rel, NULL, false);
}

int gpo_worker_rename(struct gpo_worker *w, const char *from, const char *to,
		      bool replace)
{
	return worker_write(w, GPO_SMB_RENAME, OP_RENAME, from, to, replace);
}

int gpo_worker_set_times(struct gpo_worker *w, const char *rel, time_t mtime)
{
	struct req_hdr h = { .op = OP_TIMES, .size_hint = (uint64_t)(int64_t)mtime };
	struct rep_hdr rep;
	int rc;

	if (strlen(rel) >= PATH_MAX_WIRE)
		return -ENAMETOOLONG;
	if (!gpo_worker_revive(w))
		return gpo_smb_set_times(w->local, rel, mtime);
	rc = roundtrip_full(w, &h, rel, strlen(rel), NULL, NULL, 0, &rep, NULL);
	if (rc == -EPIPE)
		return gpo_smb_set_times(w->local, rel, mtime);
	return rc ? rc : rep.rc;
}

int gpo_worker_put(struct gpo_worker *w, const char *rel, const void *data,
		   size_t len, const char *src)
{
	struct req_hdr h = { .op = OP_PUT };
	struct rep_hdr rep;
	char *abs = NULL;
	int rc;

	if (!data && !src)
		return -EINVAL;
	if (strlen(rel) >= PATH_MAX_WIRE)
		return -ENAMETOOLONG;
	if (!data && src[0] != '/') {
		/* the worker's working directory need not be ours */
		abs = realpath(src, NULL);
		if (!abs)
			return -errno;
		src = abs;
	}
	if (!gpo_worker_revive(w) || (data && len > PUT_INLINE_MAX) ||
	    (!data && strlen(src) >= PATH_MAX_WIRE)) {
		rc = gpo_smb_put(w->local, rel, data, len, src);
		goto out;
	}
	/* A file goes by its path: the worker reads it itself, so its bytes
	 * are copied once, from the page cache into the worker's buffer. */
	rc = roundtrip_full(w, &h, rel, strlen(rel), data ? NULL : src,
			    data, data ? len : 0, &rep, NULL);
	if (rc == -EPIPE) /* a put is written whole again */
		rc = gpo_smb_put(w->local, rel, data, len, src);
	else if (!rc)
		rc = rep.rc;
out:
	free(abs);
	return rc;
}

int gpo_worker_copy(struct gpo_worker *w, const char *rel, const char *from,
		    uint64_t size, time_t mtime)
{
	struct req_hdr h = { .op = OP_COPY, .size_hint = size,
			     .max = (uint64_t)(int64_t)mtime };
	struct rep_hdr rep;
	int rc;

	if (strlen(rel) >= PATH_MAX_WIRE || strlen(from) >= PATH_MAX_WIRE)
		return -ENAMETOOLONG;
	if (!gpo_worker_revive(w))
		return gpo_smb_copy(w->local, rel, from, size, mtime);
	rc = roundtrip_full(w, &h, rel, strlen(rel), from, NULL, 0, &rep, NULL);
	if (rc == -EPIPE) /* a copy is made again whole */
		return gpo_smb_copy(w->local, rel, from, size, mtime);
	return rc ? rc : rep.rc;
}

int gpo_worker_put_range(struct gpo_worker *w, const char *rel, const char *src,
			 uint64_t off, uint64_t len, bool create)
{
	struct req_hdr h = { .op = OP_PUT_RANGE, .flags = create, .size_hint = off,
			     .max = len };
	struct rep_hdr rep;
	char *abs = NULL;
	int rc;

	if (strlen(rel) >= PATH_MAX_WIRE)
		return -ENAMETOOLONG;
	if (src[0] != '/') {
		abs = realpath(src, NULL);
		if (!abs)
			return -errno;
		src = abs;
	}
	if (!gpo_worker_revive(w) || strlen(src) >= PATH_MAX_WIRE) {
		rc = gpo_smb_put_range(w->local, rel, src, off, len, create);
		goto out;
	}
	rc = roundtrip_full(w, &h, rel, strlen(rel), src, NULL, 0, &rep, NULL);
	if (rc == -EPIPE) /* the piece is written again */
		rc = gpo_smb_put_range(w->local, rel, src, off, len, create);
	else if (!rc)
		rc = rep.rc;
out:
	free(abs);
	return rc;
}

/* --- the worker's side --------------------------------------------------- */

/* Every reply carries the worker's own count of SMB calls (smb's, or 0
 * before it has a connection). */
static int reply(int fd, struct gpo_smb *smb, int rc, uint32_t requests,
		 const void *payload, size_t len, uint64_t size)
{
	struct rep_hdr h = {
		.rc = rc, .requests = requests, .len = len, .size = size,
		.total = smb ? atomic_load(&smb->requests) : 0,
	};
	int r = write_full(fd, &h, sizeof(h));

	if (!r && len)
		r = write_full(fd, payload, len);
	return r;
}

static int add_entry(void *arg, const char *name, const struct stat *st)
{
	struct gpo_buf *b = arg;
	struct wire_stat ws;
	size_t n = strlen(name);
	int rc;

	to_wire(st, &ws, n);
	rc = gpo_buf_add(b, &ws, sizeof(ws));
	return rc ? rc : gpo_buf_add(b, name, n);
}

static int serve(int fd, struct gpo_smb *smb, const struct req_hdr *h,
		 const char *rel, const char *dest, const char *in)
{
	unsigned long before = atomic_load(&smb->requests);
	struct gpo_buf b = GPO_BUF_INIT;
	struct stat st;
	char *data = NULL;
	uint64_t len = 0;
	int dfd = -1;
	int rc, r;

	switch (h->op) {
	case OP_LIST:
		rc = gpo_smb_list(smb, rel, add_entry, &b);
		r = reply(fd, smb, rc, (uint32_t)(atomic_load(&smb->requests) - before),
			  b.data, rc ? 0 : b.len, 0);
		break;
	case OP_STAT:
		rc = gpo_smb_stat(smb, rel, &st);
		if (!rc) {
			struct wire_stat ws;

			to_wire(&st, &ws, 0);
			rc = gpo_buf_add(&b, &ws, sizeof(ws));
		}
		r = reply(fd, smb, rc, (uint32_t)(atomic_load(&smb->requests) - before),
			  b.data, rc ? 0 : b.len, 0);
		break;
	case OP_FETCH:
		if (*dest) {
			dfd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			rc = dfd < 0 ? -errno : 0;
		} else {
			rc = h->max > REPLY_MAX ? -EINVAL : 0;
		}
		if (!rc)
			rc = gpo_smb_fetch(smb, rel, h->size_hint, (size_t)h->max,
					   dfd, &data, &len);
		if (dfd >= 0 && close(dfd) < 0 && !rc)
			rc = -errno;
		if (rc && *dest)
			unlink(dest);
		r = reply(fd, smb, rc, (uint32_t)(atomic_load(&smb->requests) - before),
			  data, rc || *dest ? 0 : (size_t)len, len);
		break;
	case OP_MKDIR:
	case OP_RMDIR:
	case OP_UNLINK:
	case OP_RENAME:
	case OP_PUT:
	case OP_TIMES:
		rc = h->op == OP_MKDIR ? gpo_smb_mkdir(smb, rel) :
		     h->op == OP_RMDIR ? gpo_smb_rmdir(smb, rel) :
		     h->op == OP_UNLINK ? gpo_smb_unlink(smb, rel) :
		     h->op == OP_RENAME ? gpo_smb_rename(smb, rel, dest,
						h->flags & RENAME_REPLACE) :
		     h->op == OP_TIMES ? gpo_smb_set_times(smb, rel,
						(time_t)(int64_t)h->size_hint) :
		     *dest ? gpo_smb_put(smb, rel, NULL, 0, dest) :
		     gpo_smb_put(smb, rel, in ? in : "", (size_t)h->data_len, NULL);
		r = reply(fd, smb, rc, (uint32_t)(atomic_load(&smb->requests) - before),
			  NULL, 0, 0);
		break;
	case OP_PUT_RANGE:
		rc = *dest ? gpo_smb_put_range(smb, rel, dest, h->size_hint, h->max,
					       h->flags & 1)
			   : -EINVAL;
		r = reply(fd, smb, rc, (uint32_t)(atomic_load(&smb->requests) - before),
			  NULL, 0, 0);
		break;
	case OP_COPY:
		rc = *dest ? gpo_smb_copy(smb, rel, dest, h->size_hint, (time_t)(int64_t)h->max)
			   : -EINVAL;
		r = reply(fd, smb, rc, (uint32_t)(atomic_load(&smb->requests) - before),
			  NULL, 0, 0);
		break;
	default:
		r = -EPROTO;
	}
	free(data);
	gpo_buf_free(&b);
	return r;
}

/* Reads one request; rel and dest are NUL-terminated, a put's inline
 * data goes to a new *in (NULL when none). Returns 0 or -EPIPE (socket
 * closed) or -EPROTO. */
static int read_request(int fd, struct req_hdr *h, char *rel, char *dest,
			char **in)
{
	int rc = read_full(fd, h, sizeof(*h));

	*in = NULL;
	if (rc)
		return rc;
	if (h->rel_len >= PATH_MAX_WIRE || h->dest_len >= PATH_MAX_WIRE ||
	    h->data_len > PUT_INLINE_MAX)
		return -EPROTO;
	rc = read_full(fd, rel, h->rel_len);
	if (!rc)
		rc = read_full(fd, dest, h->dest_len);
	rel[h->rel_len] = '\0';
	dest[h->dest_len] = '\0';
	if (!rc && h->data_len) {
		*in = malloc((size_t)h->data_len);
		rc = *in ? read_full(fd, *in, (size_t)h->data_len) : -EPROTO;
	}
	return rc;
}

/* Splits the INIT payload: six NUL-terminated strings. */
static int init_fields(char *p, size_t len, char *f[6])
{
	size_t off = 0;

	for (int i = 0; i < 6; i++) {
		char *end = off < len ? memchr(p + off, '\0', len - off) : NULL;

		if (!end)
			return -EPROTO;
		f[i] = p + off;
		off = (size_t)(end - p) + 1;
	}
	return 0;
}

int gpo_worker_main(int fd)
{
	char rel[PATH_MAX_WIRE], dest[PATH_MAX_WIRE];
	struct gpo_log lg = { 0 };
	struct gpo_smb_lib lib;
	struct gpo_smb smb;
	struct gpo_credentials cred = { 0 };
	struct req_hdr h;
	char *init = NULL;
	size_t init_len;
	char *f[6];
	char msg[512];
	bool lib_ready = false, smb_ready = false;
	int rc;

	/* The daemon ends its workers by closing their sockets; a ^C to its
	 * process group is the daemon's to handle. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	memset(&smb, 0, sizeof(smb));
	rc = read_full(fd, &h, sizeof(h));
	if (rc || h.op != OP_INIT || h.rel_len > INIT_MAX || h.dest_len ||
	    h.data_len)
		return 2;
	init_len = h.rel_len;
	init = malloc(init_len + 1);
	if (!init || read_full(fd, init, init_len) ||
	    init_fields(init, init_len, f)) {
		free(init);
		return 2;
	}
	lg.debug = h.size_hint & 2;
	lg.use_syslog = h.size_hint & 4;
	if (h.size_hint & 1) {
		cred.username = f[3];
		cred.password = f[4];
		cred.domain = *f[5] ? f[5] : NULL;
	}
	rc = gpo_smb_lib_init(&lib, &lg, f[2]);
	lib_ready = !rc;
	if (!rc)
		rc = gpo_smb_open(&smb, &lib, &lg, f[0], f[1],
				  (h.size_hint & 1) ? &cred : NULL, msg, sizeof(msg));
	smb_ready = !rc;
	if (reply(fd, smb_ready ? &smb : NULL, rc, 0, NULL, 0, 0) || rc)
		goto out;
	for (;;) {
		char *in = NULL;
		bool stop = read_request(fd, &h, rel, dest, &in) ||
			    serve(fd, &smb, &h, rel, dest, in);

		free(in);
		if (stop)
			break;
	}
out:
	if (smb_ready)
		gpo_smb_close(&smb);
	if (lib_ready)
		gpo_smb_lib_destroy(&lib);
	explicit_bzero(init, init_len); /* the password */
	free(init);
	return 0;
}
