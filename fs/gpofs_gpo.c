/* A GPO's folder for its writers: every change is staged in the GPO's
 * open transaction (ops/op/gpo_writes.h), which the writing processes
 * read back; it reaches the domain whole, when committed. */
#include "gpofs_gpo.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gpo_writes.h"

bool gpofs_gpo_path(const struct gpofs_path *p)
{
	switch (p->kind) {
	case GPOFS_GPO:
	case GPOFS_GENFILE:
	case GPOFS_GPO_TOP:
	case GPOFS_DOMAINSYSVOL:
	case GPOFS_SYSVOL:
		return true;
	default:
		return false;
	}
}

static struct gpo_writes *writes_of(struct gpofs *fs, const struct gpofs_path *p)
{
	return fs->writes && p->dom ? fs->writes[p->dom_i] : NULL;
}

/* The file's path in the GPO's SYSVOL folder ("" for the folder). */
static const char *rel_of(const struct gpofs_path *p)
{
	const char *r = p->rel + GPO_GUID_LEN;

	return *r == '/' ? r + 1 : r;
}

/* The top file's name: a generated one's, or the path's own. */
static const char *top_of(const struct gpofs_path *p)
{
	return p->kind == GPOFS_GENFILE ? gpofs_genfile_names[p->gen] : p->name;
}

/* Who writes: the calling process's session, so that what a shell (or a
 * script) wrote is what its next command reads, whichever process wrote
 * it; other sessions (another terminal, a backup job) read the GPO as
 * committed. */
static pid_t writer_of(pid_t pid)
{
	pid_t sid = getsid(pid);

	return sid > 0 ? sid : pid;
}

/* The calling session's transaction of p's GPO: begun when begin.
 * Returns 0 (release with done), 1 when it writes none (and !begin), or
 * -errno (a failed commit's, once). */
static int txn_of(struct gpofs *fs, struct gpofs_path *p, bool begin,
		  struct gpo_writes_ref *ref)
{
	struct gpo_writes *w = writes_of(fs, p);
	pid_t pid = writer_of(fuse_get_context()->pid);
	struct gpo_snapshot *snap = NULL;
	const struct gpo *g;
	int rc;

	if (!w)
		return begin ? -EROFS : 1;
	/* the read path's usual answer, cheaply */
	if (!begin && !gpo_writes_involved(w, p->guid, pid))
		return 1;
	rc = gpo_domain_snapshot(p->dom, &snap);
	if (rc)
		return rc;
	g = gpo_snapshot_find(snap, p->guid);
	if (!g || strcmp(g->guid, p->guid))
		rc = -ENOENT;
	else
		rc = gpo_writes_acquire(w, g, pid, begin, ref);
	gpo_snapshot_put(snap);
	return rc == -ENOENT && !begin && g ? 1 : rc;
}

static void done(struct gpofs *fs, struct gpofs_path *p,
		 struct gpo_writes_ref *ref, int writers, bool changed)
{
	gpo_writes_release(writes_of(fs, p), ref, writers, changed);
}

/* What the writer is shown: its own, as SYSVOL's are shown. */
static void shown(struct gpofs *fs, struct stat *st)
{
	bool dir = S_ISDIR(st->st_mode);

	st->st_mode = dir ? S_IFDIR | 0755 : S_IFREG | 0644;
	st->st_nlink = dir ? 2 : 1;
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_blocks = (st->st_size + 511) / 512;
	st->st_blksize = GPOFS_BLKSIZE;
	st->st_ino = 0;
	st->st_dev = 0;
}

int gpofs_gpo_getattr(struct gpofs *fs, struct gpofs_path *p, struct stat *st)
{
	struct gpo_writes_ref ref;
	int rc;

	if (p->kind == GPOFS_GPO || p->kind == GPOFS_DOMAINSYSVOL)
		return 1; /* the folders themselves are the GPO's */
	rc = txn_of(fs, p, false, &ref);
	if (rc)
		return rc == 1 && p->kind == GPOFS_GPO_TOP ? -ENOENT : rc;
	if (p->kind == GPOFS_SYSVOL)
		rc = gpo_txn_stat(ref.txn, rel_of(p), st);
	else
		rc = gpo_txn_top_stat(ref.txn, top_of(p), st);
	done(fs, p, &ref, 0, false);
	if (rc == -ENOENT && p->kind == GPOFS_GENFILE)
		return 1; /* not written: the generated one */
	if (!rc)
		shown(fs, st);
	return rc;
}

struct adder {
	struct gpofs *fs;
	gpofs_add_fn add;
	void *arg;
	bool skip_generated;
};

static int add_shown(void *arg, const char *name, const struct stat *st)
{
	struct adder *a = arg;
	struct stat s = *st;

	if (a->skip_generated)
		for (int k = 0; k < GPO_GEN_COUNT; k++)
			if (!strcasecmp(name, gpofs_genfile_names[k]))
				return 0;
	shown(a->fs, &s);
	a->add(a->arg, name, &s);
	return 0;
}

int gpofs_gpo_readdir(struct gpofs *fs, struct gpofs_path *p, gpofs_add_fn add,
		      void *arg)
{
	struct adder a = { fs, add, arg, false };
	struct gpo_writes_ref ref;
	int rc;

	if (p->kind != GPOFS_SYSVOL && p->kind != GPOFS_GPO)
		return 1;
	rc = txn_of(fs, p, false, &ref);
	if (rc)
		return rc;
	if (p->kind == GPOFS_SYSVOL) {
		rc = gpo_txn_list(ref.txn, rel_of(p), add_shown, &a);
	} else {
		/* the generated files (the writer's own copy where it wrote
		 * one), DomainSysvol, and the other names it wrote */
		struct stat st;

		for (int k = 0; k < GPO_GEN_COUNT && !rc; k++) {
			if (gpo_txn_top_stat(ref.txn, gpofs_genfile_names[k], &st)) {
				memset(&st, 0, sizeof(st));
				st.st_mode = S_IFREG;
				st.st_mtime = time(NULL);
			}
			shown(fs, &st);
			add(arg, gpofs_genfile_names[k], &st);
		}
		memset(&st, 0, sizeof(st));
		st.st_mode = S_IFDIR;
		shown(fs, &st);
		add(arg, "DomainSysvol", &st);
		a.skip_generated = true;
		rc = gpo_txn_top_list(ref.txn, add_shown, &a);
	}
	done(fs, p, &ref, 0, false);
	return rc;
}

static int count_top(void *arg, const char *name, const struct stat *st)
{
	(void)name;
	(void)st;
	++*(size_t *)arg;
	return 0;
}

int gpofs_gpo_open_read(struct gpofs *fs, struct gpofs_path *p, struct handle *h)
{
	size_t tops = 0;

	struct gpo_writes_ref ref;
	int rc;

	if (p->kind != GPOFS_SYSVOL && p->kind != GPOFS_GENFILE &&
	    p->kind != GPOFS_GPO_TOP)
		return 1;
	rc = txn_of(fs, p, false, &ref);
	if (rc)
		return rc == 1 && p->kind == GPOFS_GPO_TOP ? -ENOENT : rc;
	if (p->kind == GPOFS_SYSVOL) {
		rc = gpo_txn_open_read(ref.txn, rel_of(p), &h->fd, &h->reader);
		h->kind = h->reader ? H_VIEW : H_LOCAL;
	} else {
		rc = gpo_txn_top_open_read(ref.txn, top_of(p), &h->fd);
		h->kind = H_LOCAL;
		if (rc == -ENOENT && p->kind == GPOFS_GENFILE) {
			rc = 1; /* not written: the generated one */
			gpo_txn_top_list(ref.txn, count_top, &tops);
			if (!tops)
				rc = 2;
		}
	}
	done(fs, p, &ref, 0, false);
	if (rc == 2) {
		/* Backup.xml and its kin describe a committed version: the
		 * writer's changes are committed first, so that a backup it
		 * copies out (cp -r) is one, its files and Backup.xml alike.
		 * Not while it writes a backup in (a top file written): a copy
		 * tool reads what it replaces (rsync's basis file). */
		rc = gpo_writes_commit(writes_of(fs, p), p->guid);
		if (!rc)
			rc = 2;
	}
	return rc;
}

int gpofs_gpo_open_write(struct gpofs *fs, struct gpofs_path *p, int flags,
			 struct handle *h)
{
	struct gpo_writes_ref ref;
	int rc;

	if (p->kind == GPOFS_GPO || p->kind == GPOFS_DOMAINSYSVOL)
		return -EISDIR;
	rc = txn_of(fs, p, true, &ref);
	if (rc)
		return rc;
	if (p->kind == GPOFS_SYSVOL)
		rc = gpo_txn_open_write(ref.txn, rel_of(p), flags, &h->fd);
	else
		/* a generated file is there to be written over: the writer's
		 * copy starts now (a backup's own, being imported) */
		rc = gpo_txn_top_open(ref.txn, top_of(p),
				      p->kind == GPOFS_GENFILE ? flags | O_CREAT : flags,
				      &h->fd);
	if (!rc) {
		h->kind = H_TXN;
		h->writing = true;
		h->writes = writes_of(fs, p);
		h->generation = ref.generation;
		memcpy(h->guid, p->guid, sizeof(h->guid));
	}
	done(fs, p, &ref, rc ? 0 : +1, !rc);
	return rc;
}

int gpofs_gpo_write(struct gpofs *fs, struct handle *h, const char *buf,
		    size_t size, off_t off)
{
	ssize_t n;

	(void)fs;
	/* committed under it (an fsync, then more writes): those would go
	 * nowhere, so they are refused */
	if (gpo_writes_generation(h->writes, h->guid) != h->generation)
		return -ESTALE;
	if (off < 0 || (uint64_t)off + size > GPO_WRITES_FILE_MAX)
		n = -1, errno = EFBIG;
	else
		n = pwrite(h->fd, buf, size, off);
	if (n < 0) {
		int rc = -errno;

		/* the file is now half-written: its transaction goes */
		gpo_writes_fail(h->writes, h->guid, h->generation, rc);
		return rc;
	}
	return (int)n;
}

void gpofs_gpo_release(struct gpofs *fs, struct handle *h)
{
	(void)fs;
	if (h->kind == H_TXN && h->writing)
		gpo_writes_closed(h->writes, h->guid, h->generation);
}

int gpofs_gpo_fsync(struct gpofs *fs, struct handle *h)
{
	(void)fs;
	if (h->kind != H_TXN)
		return 0;
	if (fsync(h->fd) < 0)
		return -errno;
	return gpo_writes_commit(h->writes, h->guid);
}

/* Runs op on the caller's transaction of p's GPO (begun if need be). */
enum change { C_MKDIR, C_RMDIR, C_UNLINK, C_TRUNCATE, C_MTIME };

static int change(struct gpofs *fs, struct gpofs_path *p, enum change c,
		  off_t size, time_t mtime)
{
	struct gpo_writes_ref ref;
	bool top = p->kind == GPOFS_GENFILE || p->kind == GPOFS_GPO_TOP;
	int rc, fd = -1;

	rc = txn_of(fs, p, true, &ref);
	if (rc)
		return rc;
	switch (c) {
	case C_MKDIR:
		rc = top ? -EPERM : gpo_txn_mkdir(ref.txn, rel_of(p));
		break;
	case C_RMDIR:
		rc = top ? -ENOTDIR : gpo_txn_rmdir(ref.txn, rel_of(p));
		break;
	case C_UNLINK:
		rc = top ? gpo_txn_top_unlink(ref.txn, top_of(p))
			 : gpo_txn_unlink(ref.txn, rel_of(p));
		/* a generated file the writer never wrote: not its to remove */
		if (rc == -ENOENT && p->kind == GPOFS_GENFILE)
			rc = -EPERM;
		break;
	case C_TRUNCATE:
		if (!top) {
			rc = gpo_txn_truncate(ref.txn, rel_of(p), size);
			break;
		}
		rc = gpo_txn_top_open(ref.txn, top_of(p), 0, &fd);
		if (!rc && ftruncate(fd, size) < 0)
			rc = -errno;
		if (fd >= 0)
			close(fd);
		break;
	case C_MTIME:
		rc = top ? gpo_txn_top_set_mtime(ref.txn, top_of(p), mtime)
			 : gpo_txn_set_mtime(ref.txn, rel_of(p), mtime);
		/* a generated file keeps its time */
		if (rc == -ENOENT && p->kind == GPOFS_GENFILE)
			rc = 0;
		break;
	}
	done(fs, p, &ref, 0, !rc);
	return rc;
}

int gpofs_gpo_mkdir(struct gpofs *fs, struct gpofs_path *p)
{
	if (p->kind == GPOFS_GPO)
		return -EROFS; /* a GPO is made in by-name/, by its name */
	if (p->kind == GPOFS_DOMAINSYSVOL ||
	    (p->kind == GPOFS_SYSVOL && !*rel_of(p)))
		return -EEXIST;
	return change(fs, p, C_MKDIR, 0, 0);
}

int gpofs_gpo_rmdir(struct gpofs *fs, struct gpofs_path *p)
{
	if (p->kind == GPOFS_GPO || p->kind == GPOFS_DOMAINSYSVOL ||
	    (p->kind == GPOFS_SYSVOL && !*rel_of(p)))
		return -EBUSY; /* a GPO goes another way */
	return change(fs, p, C_RMDIR, 0, 0);
}

int gpofs_gpo_unlink(struct gpofs *fs, struct gpofs_path *p)
{
	if (p->kind == GPOFS_GPO || p->kind == GPOFS_DOMAINSYSVOL)
		return -EISDIR;
	return change(fs, p, C_UNLINK, 0, 0);
}

int gpofs_gpo_truncate(struct gpofs *fs, struct gpofs_path *p, off_t size,
		       struct handle *h)
{
	if (size < 0 || (uint64_t)size > GPO_WRITES_FILE_MAX)
		return -EFBIG;
	if (h && h->kind == H_TXN)
		return ftruncate(h->fd, size) < 0 ? -errno : 0;
	if (p->kind == GPOFS_GPO || p->kind == GPOFS_DOMAINSYSVOL)
		return -EISDIR;
	return change(fs, p, C_TRUNCATE, size, 0);
}

int gpofs_gpo_utimens(struct gpofs *fs, struct gpofs_path *p,
		      const struct timespec tv[2])
{
	time_t mtime;

	if (p->kind == GPOFS_GPO || p->kind == GPOFS_DOMAINSYSVOL ||
	    (p->kind == GPOFS_SYSVOL && !*rel_of(p)))
		return 0; /* the GPO's own times are the directory's */
	if (!tv || tv[1].tv_nsec == UTIME_NOW)
		mtime = time(NULL);
	else if (tv[1].tv_nsec == UTIME_OMIT)
		return 0;
	else
		mtime = tv[1].tv_sec;
	return change(fs, p, C_MTIME, 0, mtime);
}

int gpofs_gpo_rename(struct gpofs *fs, struct gpofs_path *a, struct gpofs_path *b,
		     unsigned int flags)
{
	struct gpo_writes_ref ref;
	bool atop = a->kind == GPOFS_GENFILE || a->kind == GPOFS_GPO_TOP;
	bool btop = b->kind == GPOFS_GENFILE || b->kind == GPOFS_GPO_TOP;
	int rc;

	if (a->dom != b->dom || strcmp(a->guid, b->guid))
		return -EXDEV; /* one transaction is one GPO */
	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	if ((a->kind != GPOFS_SYSVOL && !atop) || (b->kind != GPOFS_SYSVOL && !btop) ||
	    atop != btop)
		return -EPERM; /* the folder's shape is GPMC's */
	rc = txn_of(fs, a, true, &ref);
	if (rc)
		return rc;
	if (atop)
		rc = gpo_txn_top_rename(ref.txn, top_of(a), top_of(b));
	else
		rc = gpo_txn_rename(ref.txn, rel_of(a), rel_of(b),
				    flags & RENAME_NOREPLACE);
	done(fs, a, &ref, 0, !rc);
	return rc;
}

void gpofs_gpo_start(struct gpofs *fs)
{
	fs->writes = calloc(fs->n_domains ? fs->n_domains : 1, sizeof(*fs->writes));
	for (size_t i = 0; fs->writes && i < fs->n_domains; i++) {
		const char *name = gpo_domain_name(fs->domains[i]);
		char *staging = NULL, *journal = NULL, *root = NULL;
		int rc = -ENOMEM;

		/* staging in this mount's cache (gone with it); journals
		 * beside the mounts' folders, for the next mount to find */
		if (asprintf(&staging, "%s/%s/txn", fs->cache.dir, name) >= 0 &&
		    asprintf(&root, "%s/journal", fs->conf.cache_dir) >= 0 &&
		    asprintf(&journal, "%s/journal/%s", fs->conf.cache_dir, name) >= 0) {
			if ((mkdir(root, 0700) < 0 && errno != EEXIST) ||
			    (mkdir(journal, 0700) < 0 && errno != EEXIST))
				rc = -errno;
			else
				rc = gpo_writes_start(&fs->writes[i], fs->domains[i],
						      staging, journal);
		}
		if (rc)
			gpo_log(&fs->log, GPO_LOG_ERR,
				"%s: cannot take writes (%s): the domain is read-only",
				name, strerror(-rc));
		free(staging);
		free(journal);
		free(root);
	}
}

void gpofs_gpo_stop(struct gpofs *fs)
{
	for (size_t i = 0; fs->writes && i < fs->n_domains; i++)
		gpo_writes_stop(fs->writes[i]);
	free(fs->writes);
	fs->writes = NULL;
}
