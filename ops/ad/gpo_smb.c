#include "gpo_smb.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>
#include <libsmbclient.h>

#include "gpo_buf.h"
#include "gpo_file.h"
#include "gpo_ad_error.h"

#define SMB_TIMEOUT_MS 15000

struct gpo_smb_file {
	SMBCFILE *fh;
	char *url;
};

static void auth_fn(SMBCCTX *c, const char *srv, const char *shr, char *wg,
		    int wglen, char *un, int unlen, char *pw, int pwlen)
{
	const struct gpo_credentials *cred = smbc_getOptionUserData(c);

	if (!cred)
		return; /* Kerberos: the ticket cache signs in */
	snprintf(un, (size_t)unlen, "%s", cred->username);
	snprintf(pw, (size_t)pwlen, "%s", cred->password);
	if (cred->domain)
		snprintf(wg, (size_t)wglen, "%s", cred->domain);
}

int gpo_smb_lib_init(struct gpo_smb_lib *lib, const struct gpo_log *lg,
		     const char *tmpdir)
{
	static const char conf[] =
		"[global]\n"
		"\tclient signing = required\n"
		"\tclient ipc signing = required\n"
		"\tclient min protocol = SMB2_02\n"
		"\tclient max protocol = SMB3\n";
	SMBCCTX *ctx = NULL;
	char path[4096];
	int fd = -1;
	int rc = 0;

	pthread_mutex_init(&lib->lock, NULL);
	snprintf(path, sizeof(path), "%s/gpofs_smb_XXXXXX", tmpdir);
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	if (write(fd, conf, sizeof(conf) - 1) != (ssize_t)(sizeof(conf) - 1)) {
		rc = -EIO;
		goto out;
	}
	ctx = smbc_new_context();
	if (!ctx) {
		rc = -ENOMEM;
		goto out;
	}
	/* Applies to every context of the process, which is what we want:
	 * no SMB1, no unsigned sessions, whatever /etc/samba says. */
	if (smbc_setConfiguration(ctx, path) < 0) {
		gpo_log(lg, GPO_LOG_ERR, "cannot load SMB client settings");
		rc = -EIO;
	}
out:
	if (ctx)
		smbc_free_context(ctx, 1);
	close(fd);
	unlink(path);
	return rc;
}

void gpo_smb_lib_destroy(struct gpo_smb_lib *lib)
{
	pthread_mutex_destroy(&lib->lock);
}

static SMBCCTX *new_ctx(const struct gpo_credentials *cred, int debug)
{
	SMBCCTX *ctx = smbc_new_context();

	if (!ctx)
		return NULL;
	smbc_setDebug(ctx, debug);
	smbc_setTimeout(ctx, SMB_TIMEOUT_MS);
	smbc_setOptionUserData(ctx, (void *)cred);
	smbc_setFunctionAuthDataWithContext(ctx, auth_fn);
	smbc_setOptionNoAutoAnonymousLogin(ctx, 1);
	smbc_setOptionProtocols(ctx, "SMB2_02", "SMB3");
	if (!cred) {
		smbc_setOptionUseKerberos(ctx, 1);
		smbc_setOptionFallbackAfterKerberos(ctx, 0);
		smbc_setOptionUseCCache(ctx, 1);
	}
	if (!smbc_init_context(ctx)) {
		smbc_free_context(ctx, 1);
		return NULL;
	}
	return ctx;
}

/* libsmbclient decodes %XX and treats '?' as the start of options. */
static int make_url(const struct gpo_smb *s, const char *rel, char **url)
{
	struct gpo_buf b = GPO_BUF_INIT;
	int rc;

	rc = gpo_buf_printf(&b, "%s", s->root);
	if (!rc && rel && *rel)
		rc = gpo_buf_add(&b, "/", 1);
	for (const char *p = rel; !rc && p && *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			rc = gpo_buf_printf(&b, "%%%02X", (unsigned char)*p);
		else
			rc = gpo_buf_add(&b, p, 1);
	}
	if (rc) {
		gpo_buf_free(&b);
		return rc;
	}
	*url = gpo_buf_steal(&b, NULL);
	return 0;
}

static void lock(struct gpo_smb *s)
{
	pthread_mutex_lock(&s->lib->lock);
}

static void unlock(struct gpo_smb *s)
{
	pthread_mutex_unlock(&s->lib->lock);
}

/* After a network failure libsmbclient keeps the dead session cached:
 * drop it so the retry connects afresh. */
static void forget_servers(SMBCCTX *ctx)
{
	smbc_getFunctionPurgeCachedServers(ctx)(ctx);
}

int gpo_smb_open(struct gpo_smb *s, struct gpo_smb_lib *lib,
		 const struct gpo_log *lg, const char *host, const char *domain,
		 const struct gpo_credentials *cred, char *msg, size_t msglen)
{
	struct stat st;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	s->lg = lg;
	s->lib = lib;
	s->cred = cred;
	s->no_server_copy = getenv("GPOFS_TEST_NO_SERVER_COPY") != NULL;
	if (asprintf(&s->root, "smb://%s/sysvol/%s/Policies", host, domain) < 0) {
		s->root = NULL;
		return -ENOMEM;
	}
	lock(s);
	s->ctx = new_ctx(cred, lg && lg->debug ? 1 : 0);
	unlock(s);
	if (!s->ctx) {
		rc = -ENOMEM;
		snprintf(msg, msglen, "%s: cannot set up the SMB client", domain);
		goto out;
	}
	rc = gpo_smb_stat(s, "", &st);
	if (rc == -EACCES || rc == -EPERM)
		snprintf(msg, msglen,
			 "%s: SMB sign-in to %s refused (wrong password, no Kerberos ticket, or no access to SYSVOL)",
			 domain, host);
	else if (rc)
		snprintf(msg, msglen, "%s: cannot open \\\\%s\\sysvol\\%s\\Policies over SMB: %s",
			 domain, host, domain, strerror(-rc));
out:
	if (rc)
		gpo_smb_close(s);
	return rc;
}

void gpo_smb_close(struct gpo_smb *s)
{
	if (s->ctx) {
		lock(s);
		smbc_free_context(s->ctx, 1);
		unlock(s);
	}
	free(s->root);
	memset(s, 0, sizeof(*s));
}

/* One libsmbclient call: returns 0 or the errno it left. */
typedef int (*smb_call_fn)(struct gpo_smb *s, const char *url, void *arg);

/* Runs call under the process's SMB lock, once more after a lost
 * connection (libsmbclient keeps the dead session cached until purged).
 * Returns 0 or an errno. */
static int call_with_retry(struct gpo_smb *s, const char *url,
			   smb_call_fn call, void *arg)
{
	int rc;

	lock(s);
	for (int attempt = 0; attempt < 2; attempt++) {
		atomic_fetch_add(&s->requests, 1);
		rc = call(s, url, arg);
		if (!rc || !gpo_smb_is_conn_error(rc))
			break;
		forget_servers(s->ctx);
	}
	unlock(s);
	return rc;
}

static int stat_call(struct gpo_smb *s, const char *url, void *arg)
{
	return smbc_getFunctionStat(s->ctx)(s->ctx, url, arg) < 0 ? errno : 0;
}

int gpo_smb_stat(struct gpo_smb *s, const char *rel, struct stat *st)
{
	char *url = NULL;
	int rc;

	rc = make_url(s, rel, &url);
	if (rc)
		return rc;
	rc = call_with_retry(s, url, stat_call, st);
	if (rc)
		rc = gpo_smb_errno(s->lg, rc, "stat", url);
	free(url);
	return rc;
}

struct list_call {
	gpo_smb_dirent_fn fn;
	void *arg;
	int cb_rc;
};

static int list_call(struct gpo_smb *s, const char *url, void *arg)
{
	struct list_call *lc = arg;
	SMBCFILE *dir;
	const struct libsmb_file_info *fi;
	struct stat st;

	dir = smbc_getFunctionOpendir(s->ctx)(s->ctx, url);
	if (!dir)
		return errno ? errno : EIO;
	while ((fi = smbc_getFunctionReaddirPlus2(s->ctx)(s->ctx, dir, &st))) {
		if (!strcmp(fi->name, ".."))
			continue;
		lc->cb_rc = lc->fn(lc->arg, fi->name, &st);
		if (lc->cb_rc)
			break;
	}
	smbc_getFunctionClosedir(s->ctx)(s->ctx, dir);
	return 0;
}

int gpo_smb_list(struct gpo_smb *s, const char *rel, gpo_smb_dirent_fn fn,
		 void *arg)
{
	struct list_call lc = { fn, arg, 0 };
	char *url = NULL;
	int rc;

	rc = make_url(s, rel, &url);
	if (rc)
		return rc;
	rc = call_with_retry(s, url, list_call, &lc);
	if (lc.cb_rc)
		rc = lc.cb_rc;
	else if (rc)
		rc = gpo_smb_errno(s->lg, rc, "list", url);
	free(url);
	return rc;
}

static int open_call(struct gpo_smb *s, const char *url, void *arg)
{
	SMBCFILE **fh = arg;

	*fh = smbc_getFunctionOpen(s->ctx)(s->ctx, url, O_RDONLY, 0);
	return *fh ? 0 : (errno ? errno : EIO);
}

int gpo_smb_fopen(struct gpo_smb *s, const char *rel, struct gpo_smb_file **out)
{
	struct gpo_smb_file *f = NULL;
	int rc;

	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	rc = make_url(s, rel, &f->url);
	if (rc)
		goto out;
	rc = call_with_retry(s, f->url, open_call, &f->fh);
	if (rc)
		rc = gpo_smb_errno(s->lg, rc, "open", f->url);
out:
	if (rc) {
		free(f->url);
		free(f);
		return rc;
	}
	*out = f;
	return 0;
}

/* One read request (libsmbclient pipelines a large one): it may return
 * less than size before the end, so callers read on. */
static ssize_t read_at(SMBCCTX *ctx, struct gpo_smb *s, SMBCFILE *fh,
		       char *buf, size_t size, off_t off)
{
	ssize_t n;

	if (smbc_getFunctionLseek(ctx)(ctx, fh, off, SEEK_SET) < 0)
		return -(errno ? errno : EIO);
	atomic_fetch_add(&s->requests, 1);
	n = smbc_getFunctionRead(ctx)(ctx, fh, buf, size);
	if (n < 0)
		return -(errno ? errno : EIO);
	return n;
}

ssize_t gpo_smb_pread(struct gpo_smb *s, struct gpo_smb_file *f, void *buf,
		      size_t size, off_t off)
{
	ssize_t n;

	lock(s);
	n = f->fh ? read_at(s->ctx, s, f->fh, buf, size, off) : -EIO;
	if (n < 0 && gpo_smb_is_conn_error((int)-n)) {
		/* The session died under an open file: reopen it once. */
		forget_servers(s->ctx);
		atomic_fetch_add(&s->requests, 1);
		f->fh = smbc_getFunctionOpen(s->ctx)(s->ctx, f->url, O_RDONLY, 0);
		if (f->fh)
			n = read_at(s->ctx, s, f->fh, buf, size, off);
	}
	unlock(s);
	if (n < 0)
		return gpo_smb_errno(s->lg, (int)-n, "read", f->url);
	return n;
}

void gpo_smb_fclose(struct gpo_smb *s, struct gpo_smb_file *f)
{
	if (!f)
		return;
	if (f->fh) {
		lock(s);
		smbc_getFunctionClose(s->ctx)(s->ctx, f->fh);
		unlock(s);
	}
	free(f->url);
	free(f);
}

#define FETCH_CHUNK (8 * 1024 * 1024)

int gpo_smb_fetch(struct gpo_smb *s, const char *rel, uint64_t size_hint,
		  size_t max, int fd, char **data, uint64_t *len)
{
	struct gpo_smb_file *f = NULL;
	char *buf = NULL;
	size_t cap = 0;
	uint64_t off = 0;
	int rc;

	rc = gpo_smb_fopen(s, rel, &f);
	if (rc)
		return rc;
	for (;;) {
		/* One more byte than expected: a short read is the end. */
		uint64_t want = size_hint >= off ? size_hint - off + 1 : 1;
		size_t chunk = want > FETCH_CHUNK ? FETCH_CHUNK : (size_t)want;
		char *dst;
		ssize_t n;

		if (chunk < 4096 && off >= size_hint)
			chunk = 4096; /* it grew: read on in pages */
		if (fd < 0) {
			if (off + chunk > max + 1)
				chunk = (size_t)(max + 1 - off);
			if (off + chunk + 1 > cap) {
				char *p = realloc(buf, (size_t)off + chunk + 1);

				if (!p) {
					rc = -ENOMEM;
					goto out;
				}
				buf = p;
				cap = (size_t)off + chunk + 1;
			}
			dst = buf + off;
		} else {
			if (!buf) {
				cap = FETCH_CHUNK;
				buf = malloc(cap);
				if (!buf) {
					rc = -ENOMEM;
					goto out;
				}
			}
			dst = buf;
		}
		n = gpo_smb_pread(s, f, dst, chunk, (off_t)off);
		if (n < 0) {
			rc = (int)n;
			goto out;
		}
		if (fd >= 0 && n > 0) {
			rc = gpo_file_write_all(fd, dst, (size_t)n);
			if (rc)
				goto out;
		}
		off += (uint64_t)n;
		if (fd < 0 && off > max) {
			rc = -EFBIG;
			goto out;
		}
		/* Short at or past the listed size: the end, found without
		 * one more request. Short before it: read on. */
		if (n == 0 || ((size_t)n < chunk && off >= size_hint))
			break;
	}
	if (fd < 0) {
		if (!buf && !(buf = malloc(1))) {
			rc = -ENOMEM;
			goto out;
		}
		buf[off] = '\0';
		*data = buf;
		buf = NULL;
	}
	*len = off;
out:
	free(buf);
	gpo_smb_fclose(s, f);
	return rc;
}

/* --- writes --------------------------------------------------------------- */

static int last_errno(void)
{
	return errno ? errno : EIO;
}

/* One write: 0 or the errno it left, counting its own requests (some take
 * a stat too). again: an attempt before it, lost with its connection,
 * may have done it already. */
typedef int (*smb_write_fn)(struct gpo_smb *s, const char *url, void *arg,
			    bool again);

/* Runs call under the SMB lock, and once more, as again, after a lost
 * connection. Returns 0 or an errno. */
static int write_with_retry(struct gpo_smb *s, const char *url,
			    smb_write_fn call, void *arg, bool again)
{
	int rc;

	lock(s);
	for (int attempt = 0; attempt < 2; attempt++) {
		rc = call(s, url, arg, again);
		if (!rc || !gpo_smb_is_conn_error(rc))
			break;
		if (!attempt)
			gpo_log(s->lg, GPO_LOG_INFO, "SMB %s: connection lost (%s): once more",
				url, strerror(rc));
		forget_servers(s->ctx);
		again = true;
	}
	unlock(s);
	return rc;
}

/* A stat made inside a write, lock held. */
static int counted_stat(struct gpo_smb *s, const char *url, struct stat *st)
{
	atomic_fetch_add(&s->requests, 1);
	return stat_call(s, url, st);
}

static int mkdir_call(struct gpo_smb *s, const char *url, void *arg, bool again)
{
	struct stat st;
	int rc;

	atomic_fetch_add(&s->requests, 1);
	rc = smbc_getFunctionMkdir(s->ctx)(s->ctx, url, 0755) < 0 ? last_errno() : 0;
	if (rc == EEXIST && again && !counted_stat(s, url, &st) &&
	    S_ISDIR(st.st_mode))
		rc = 0;
	return rc;
}

static int rmdir_call(struct gpo_smb *s, const char *url, void *arg, bool again)
{
	int rc;

	atomic_fetch_add(&s->requests, 1);
	rc = smbc_getFunctionRmdir(s->ctx)(s->ctx, url) < 0 ? last_errno() : 0;
	return rc == ENOENT && again ? 0 : rc;
}

static int unlink_call(struct gpo_smb *s, const char *url, void *arg, bool again)
{
	int rc;

	atomic_fetch_add(&s->requests, 1);
	rc = smbc_getFunctionUnlink(s->ctx)(s->ctx, url) < 0 ? last_errno() : 0;
	return rc == ENOENT && again ? 0 : rc;
}

struct rename_arg {
	const char *to;          /* its URL */
	bool replace;
	bool same_entry;         /* from and to differ in ASCII case only */
};

static int rename_call(struct gpo_smb *s, const char *url, void *arg, bool again)
{
	struct rename_arg *ra = arg;
	struct stat st;
	int rc;

	if (again) {
		/* Not made twice: from gone and to there is the lost attempt's
		 * work (a second rename would fail, or with replace, move
		 * something else over it). */
		rc = counted_stat(s, url, &st);
		if (rc == ENOENT && !ra->same_entry && !counted_stat(s, ra->to, &st))
			return 0;
		if (rc && rc != ENOENT)
			return rc;
	}
	/* libsmbclient itself always replaces (it unlinks a to that is in
	 * the way and renames again): refuse first. */
	if (!ra->replace && !ra->same_entry) {
		rc = counted_stat(s, ra->to, &st);
		if (!rc) /* a missing from says so first, as rename(2) */
			return counted_stat(s, url, &st) == ENOENT ? ENOENT : EEXIST;
		if (rc != ENOENT)
			return rc;
	}
	atomic_fetch_add(&s->requests, 1);
	return smbc_getFunctionRename(s->ctx)(s->ctx, url, s->ctx, ra->to) < 0 ?
	       last_errno() : 0;
}

static int utimes_call(struct gpo_smb *s, const char *url, void *arg, bool again)
{
	atomic_fetch_add(&s->requests, 1);
	return smbc_getFunctionUtimes(s->ctx)(s->ctx, url, arg) < 0 ? last_errno() : 0;
}

static int write_op(struct gpo_smb *s, const char *rel, smb_write_fn call,
		    void *arg, bool again, const char *what)
{
	char *url = NULL;
	int rc;

	rc = make_url(s, rel, &url);
	if (rc)
		return rc;
	rc = write_with_retry(s, url, call, arg, again);
	if (rc)
		rc = gpo_smb_errno(s->lg, rc, what, url);
	free(url);
	return rc;
}

static int do_rename(struct gpo_smb *s, const char *from, const char *to,
		     bool replace, bool again)
{
	struct rename_arg ra = {
		.replace = replace, .same_entry = !strcasecmp(from, to),
	};
	char *to_url = NULL;
	int rc;

	rc = make_url(s, to, &to_url);
	if (rc)
		return rc;
	ra.to = to_url;
	rc = write_op(s, from, rename_call, &ra, again, "rename");
	free(to_url);
	return rc;
}

int gpo_smb_mkdir(struct gpo_smb *s, const char *rel)
{
	return write_op(s, rel, mkdir_call, NULL, false, "mkdir");
}

int gpo_smb_rmdir(struct gpo_smb *s, const char *rel)
{
	return write_op(s, rel, rmdir_call, NULL, false, "rmdir");
}

int gpo_smb_unlink(struct gpo_smb *s, const char *rel)
{
	return write_op(s, rel, unlink_call, NULL, false, "unlink");
}

int gpo_smb_rename(struct gpo_smb *s, const char *from, const char *to,
		   bool replace)
{
	return do_rename(s, from, to, replace, false);
}

int gpo_smb_redo(struct gpo_smb *s, enum gpo_smb_op op, const char *rel,
		 const char *to, bool replace)
{
	switch (op) {
	case GPO_SMB_MKDIR:
		return write_op(s, rel, mkdir_call, NULL, true, "mkdir");
	case GPO_SMB_RMDIR:
		return write_op(s, rel, rmdir_call, NULL, true, "rmdir");
	case GPO_SMB_UNLINK:
		return write_op(s, rel, unlink_call, NULL, true, "unlink");
	case GPO_SMB_RENAME:
		return to ? do_rename(s, rel, to, replace, true) : -EINVAL;
	}
	return -EINVAL;
}

int gpo_smb_set_times(struct gpo_smb *s, const char *rel, time_t mtime)
{
	struct timeval tv[2] = { { .tv_sec = mtime }, { .tv_sec = mtime } };

	return write_op(s, rel, utimes_call, tv, false, "set times of");
}

/* A whole file's write or copy lost its connection (rc): said, and the
 * dead session dropped so that the next attempt connects afresh. */
static void lost_once(struct gpo_smb *s, const char *what, const char *url, int rc,
		      const char *next)
{
	gpo_log(s->lg, GPO_LOG_INFO, "SMB %s %s: connection lost (%s): %s", what, url,
		strerror(rc), next);
	lock(s);
	forget_servers(s->ctx);
	unlock(s);
}

#define PUT_CHUNK FETCH_CHUNK

/* Where a put's bytes come from: memory, or a local file read through
 * buf (cap bytes) a request at a time. */
struct put_src {
	const char *data;
	size_t len;
	int fd;
	char *buf;
	size_t cap;
	uint64_t start, end;  /* a piece's bytes (a whole file: 0, UINT64_MAX) */
};

/* The next at most cap bytes at off: 0 with *n (0 at the end) or a local
 * -errno. */
static int put_next(struct put_src *p, uint64_t off, const char **chunk,
		    size_t *n)
{
	ssize_t r;

	if (p->data) {
		size_t left = off < p->len ? p->len - (size_t)off : 0;

		*chunk = p->data + off;
		*n = left > PUT_CHUNK ? PUT_CHUNK : left;
		return 0;
	}
	if (off >= p->end) {
		*n = 0;
		return 0;
	}
	do
		r = pread(p->fd, p->buf, p->end - off < p->cap ? (size_t)(p->end - off) : p->cap,
			  (off_t)off);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	*chunk = p->buf;
	*n = (size_t)r;
	return 0;
}

/* One attempt at writing url whole, the lock taken per request so that
 * readers of other files go on meanwhile. Returns 0 or an SMB errno; a
 * local read error goes to *local instead. */
static int put_once(struct gpo_smb *s, const char *url, struct put_src *p,
		    int flags, int *local)
{
	SMBCFILE *fh;
	uint64_t off = p->start;
	int rc = 0;

	lock(s);
	atomic_fetch_add(&s->requests, 1);
	fh = smbc_getFunctionOpen(s->ctx)(s->ctx, url, O_WRONLY | flags, 0644);
	if (!fh)
		rc = last_errno();
	if (!rc && off &&
	    smbc_getFunctionLseek(s->ctx)(s->ctx, fh, (off_t)off, SEEK_SET) < 0)
		rc = last_errno();
	unlock(s);
	if (rc && fh) {
		lock(s);
		smbc_getFunctionClose(s->ctx)(s->ctx, fh);
		unlock(s);
	}
	if (rc)
		return rc;
	for (;;) {
		const char *chunk = NULL;
		size_t n = 0;
		ssize_t w;

		*local = put_next(p, off, &chunk, &n);
		if (*local || !n)
			break;
		lock(s);
		atomic_fetch_add(&s->requests, 1);
		w = smbc_getFunctionWrite(s->ctx)(s->ctx, fh, chunk, n);
		if (w < 0)
			rc = last_errno();
		else if ((size_t)w != n)
			rc = EIO; /* libsmbclient writes all or fails */
		unlock(s);
		if (rc)
			break;
		off += n;
	}
	lock(s);
	atomic_fetch_add(&s->requests, 1);
	if (smbc_getFunctionClose(s->ctx)(s->ctx, fh) < 0 && !rc && !*local)
		rc = last_errno();
	unlock(s);
	return rc;
}

/* gpo_smb_put's and gpo_smb_put_range's: [start, end) of the source,
 * opened with flags. */
static int put(struct gpo_smb *s, const char *rel, const void *data,
	       size_t len, const char *src, uint64_t start, uint64_t end, int flags)
{
	struct put_src p = { .data = data, .len = len, .fd = -1,
			     .start = start, .end = end };
	char *url = NULL;
	int local = 0;
	int rc;

	if (!data) {
		struct stat st;

		if (!src)
			return -EINVAL;
		p.fd = open(src, O_RDONLY | O_CLOEXEC);
		if (p.fd < 0)
			return -errno;
		if (fstat(p.fd, &st) < 0) {
			rc = -errno;
			goto out;
		}
		/* small files, small buffers: 2,000 of them are common */
		p.cap = st.st_size >= PUT_CHUNK ? PUT_CHUNK :
			st.st_size < 4096 ? 4096 : (size_t)st.st_size;
		p.buf = malloc(p.cap);
		if (!p.buf) {
			rc = -ENOMEM;
			goto out;
		}
	}
	rc = make_url(s, rel, &url);
	if (rc)
		goto out;
	for (int attempt = 0; attempt < 2; attempt++) {
		local = 0;
		rc = put_once(s, url, &p, flags, &local);
		if (local || !rc || !gpo_smb_is_conn_error(rc))
			break;
		/* written again whole: the file is the caller's either way */
		lost_once(s, "write", url, rc, "writing it again");
	}
	if (local)
		rc = local;
	else if (rc)
		rc = gpo_smb_errno(s->lg, rc, "write", url);
out:
	free(url);
	free(p.buf);
	if (p.fd >= 0)
		close(p.fd);
	return rc;
}

int gpo_smb_put(struct gpo_smb *s, const char *rel, const void *data,
		size_t len, const char *src)
{
	return put(s, rel, data, len, src, 0, UINT64_MAX, O_CREAT | O_TRUNC);
}

int gpo_smb_put_range(struct gpo_smb *s, const char *rel, const char *src,
		      uint64_t off, uint64_t len, bool create)
{
	if (!src || len > UINT64_MAX - off)
		return -EINVAL;
	return put(s, rel, NULL, 0, src, off, off + len,
		   create ? O_CREAT | O_TRUNC : 0);
}

/* --- server-side copy ----------------------------------------------------- */

/* Whether the open file fh still is as the caller saw it (size, and the
 * time when one is given). Returns 0, ESTALE, or the errno of the stat. */
static int still_as_seen(struct gpo_smb *s, SMBCFILE *fh, uint64_t size, time_t mtime)
{
	struct stat st;

	atomic_fetch_add(&s->requests, 1);
	if (smbc_getFunctionFstat(s->ctx)(s->ctx, fh, &st) < 0)
		return last_errno();
	if ((uint64_t)st.st_size != size || (mtime && st.st_mtime != mtime))
		return ESTALE;
	return 0;
}

/* The bytes of src sent through the client, for a server that does not
 * copy (no SMB2 copy-chunk): read and written back, FETCH_CHUNK at a time. */
static int copy_through(struct gpo_smb *s, SMBCFILE *src, SMBCFILE *dst, uint64_t size)
{
	char *buf = malloc(size < FETCH_CHUNK ? (size_t)size + 1 : FETCH_CHUNK);
	uint64_t off = 0;
	int rc = buf ? 0 : ENOMEM;

	if (!rc && smbc_getFunctionLseek(s->ctx)(s->ctx, dst, 0, SEEK_SET) < 0)
		rc = last_errno();
	while (!rc && off < size) {
		size_t want = size - off < FETCH_CHUNK ? (size_t)(size - off) : FETCH_CHUNK;
		ssize_t n = read_at(s->ctx, s, src, buf, want, (off_t)off);

		if (n <= 0) {
			rc = n < 0 ? (int)-n : ESTALE; /* shorter than seen */
			break;
		}
		atomic_fetch_add(&s->requests, 1);
		if (smbc_getFunctionWrite(s->ctx)(s->ctx, dst, buf, (size_t)n) != n)
			rc = last_errno();
		off += (uint64_t)n;
	}
	free(buf);
	return rc;
}

/* libsmbclient calls it after each piece, and goes on while it says
 * true; it has no NULL for "no callback". */
static int splice_goes_on(off_t done, void *priv)
{
	(void)done;
	(void)priv;
	return 1;
}

/* One attempt, the lock held throughout (the server does the work). */
static int copy_once(struct gpo_smb *s, const char *url, const char *from_url,
		     uint64_t size, time_t mtime, bool *through)
{
	SMBCFILE *src = NULL, *dst = NULL;
	int rc = 0;

	lock(s);
	atomic_fetch_add(&s->requests, 1);
	src = smbc_getFunctionOpen(s->ctx)(s->ctx, from_url, O_RDONLY, 0);
	if (!src)
		rc = last_errno();
	if (!rc)
		rc = still_as_seen(s, src, size, mtime);
	if (!rc) {
		atomic_fetch_add(&s->requests, 1);
		dst = smbc_getFunctionOpen(s->ctx)(s->ctx, url, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (!dst)
			rc = last_errno();
	}
	if (!rc && size) {
		off_t n;

		/* a resume key and one request a 16 MiB */
		atomic_fetch_add(&s->requests, 2 + size / (16u << 20));
		errno = 0;
		if (s->no_server_copy) {
			errno = EOPNOTSUPP;
			n = -1;
		} else {
			n = smbc_getFunctionSplice(s->ctx)(s->ctx, src, dst, (off_t)size,
							   splice_goes_on, NULL);
		}
		if (n < 0 && !gpo_smb_is_conn_error(last_errno())) {
			*through = true;
			rc = copy_through(s, src, dst, size);
		} else if (n < 0) {
			rc = last_errno();
		} else if ((uint64_t)n != size) {
			rc = ESTALE;
		}
	}
	/* a write to the source while it was copied shows in its size or time */
	if (!rc)
		rc = still_as_seen(s, src, size, mtime);
	if (dst) {
		atomic_fetch_add(&s->requests, 1);
		if (smbc_getFunctionClose(s->ctx)(s->ctx, dst) < 0 && !rc)
			rc = last_errno();
	}
	if (src) {
		atomic_fetch_add(&s->requests, 1);
		smbc_getFunctionClose(s->ctx)(s->ctx, src);
	}
	unlock(s);
	return rc;
}

int gpo_smb_copy(struct gpo_smb *s, const char *rel, const char *from,
		 uint64_t size, time_t mtime)
{
	char *url = NULL, *from_url = NULL;
	bool through = false;
	int rc;

	rc = make_url(s, rel, &url);
	if (!rc)
		rc = make_url(s, from, &from_url);
	if (rc)
		goto out;
	for (int attempt = 0; attempt < 2; attempt++) {
		rc = copy_once(s, url, from_url, size, mtime, &through);
		if (!rc || !gpo_smb_is_conn_error(rc))
			break;
		lost_once(s, "copy to", url, rc, "copying it again");
	}
	if (through && !atomic_exchange(&s->said_through, true))
		gpo_log(s->lg, GPO_LOG_INFO,
			"SMB copy to %s: the server does not copy files itself (SMB2 copy-chunk): their bytes are sent through gpofs",
			url);
	if (rc == ESTALE)
		rc = -ESTALE; /* the caller's news, not the server's failure */
	else if (rc)
		rc = gpo_smb_errno(s->lg, rc, "copy to", url);
out:
	free(url);
	free(from_url);
	return rc;
}
