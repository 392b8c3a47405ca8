#include "gpo_writes.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpo_array.h"
#include "gpo_commit.h"
#include "gpo_made.h"
#include "gpo_restore.h"
#include "gpo_journal.h"
#include "gpo_backup_read.h"
#include "gpo_file.h"
#include "gpo_migrate.h"
#include "gpo_migration.h"
#include <fcntl.h>
#include <limits.h>
#include <strings.h>
#include "gpo_quiet.h"

/* One GPO being written into. Never freed before the end: a domain has
 * as many as GPOs written through the mount. */
struct slot {
	char guid[GPO_GUID_LEN + 1];
	pthread_mutex_t lock;
	struct gpo_txn *txn;
	unsigned long generation;
	pid_t *pids;                 /* the transaction's writers */
	size_t n_pids, cap_pids;
	pid_t *failed;               /* the writers of a commit that failed */
	size_t n_failed, cap_failed;
	int failed_rc;
	int broken;                  /* a write into the transaction failed */
};

struct gpo_writes {
	struct gpo_domain *d;
	char *staging;
	char *journal;
	pthread_mutex_t lock;        /* guards slots */
	struct slot **slots;
	size_t n, cap;
	struct gpo_quiet *q;
	unsigned long seq;
	char *migtable;              /* the domain's table (guarded by lock) */
	char *migtable_dir;          /* where it is */
};

static struct slot *find_slot(struct gpo_writes *w, const char *guid, bool make)
{
	struct slot *s = NULL, **p;

	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->slots[i]->guid, guid))
			s = w->slots[i];
	if (!s && make) {
		s = calloc(1, sizeof(*s));
		p = s ? gpo_array_push(&w->slots, &w->n, &w->cap, sizeof(*p)) : NULL;
		if (!p) {
			free(s);
			s = NULL;
		} else {
			snprintf(s->guid, sizeof(s->guid), "%s", guid);
			pthread_mutex_init(&s->lock, NULL);
			*p = s;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return s;
}

static bool has_pid(const pid_t *pids, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* Commits s's transaction (slot locked). Returns 0 or the commit's
 * -errno, which its writers then get once each. */
/* Maps one staged settings file of t (rel) through m, in place. */
static int map_staged(struct gpo_txn *t, struct gpo_migration *m, const char *rel,
		      struct gpo_err *err)
{
	struct gpo_view_reader *reader = NULL;
	char *data = NULL, *out = NULL;
	size_t len = 0, out_len = 0;
	struct stat st;
	int fd = -1, wfd = -1, rc;

	rc = gpo_txn_open_read(t, rel, &fd, &reader);
	gpo_view_reader_close(reader); /* the GPO's own file: nothing to map */
	if (rc || fd < 0)
		goto out;
	if (fstat(fd, &st) < 0 || st.st_size > GPO_MIGRATE_MAX) {
		rc = gpo_err_set(err, -EFBIG, "%s is too large to be mapped", rel);
		goto out;
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data || pread(fd, data, (size_t)st.st_size, 0) != st.st_size) {
		rc = gpo_err_set(err, data ? -EIO : -ENOMEM, "reading the staged %s", rel);
		goto out;
	}
	len = (size_t)st.st_size;
	rc = gpo_migration_file(m, rel, data, len, &out, &out_len, err);
	if (rc || !out)
		goto out;
	rc = gpo_txn_open_write(t, rel, O_TRUNC, &wfd);
	if (!rc)
		rc = gpo_file_write_all(wfd, out, out_len);
	if (rc)
		gpo_err_set(err, rc, "writing the mapped %s: %s", rel, strerror(-rc));
out:
	if (fd >= 0)
		close(fd);
	if (wfd >= 0)
		close(wfd);
	free(data);
	free(out);
	return rc;
}

struct walk {
	struct gpo_txn *t;
	struct gpo_migration *m;
	struct gpo_err *err;
	char rel[PATH_MAX];
	int depth;
};

static int walk_entry(void *arg, const char *name, const struct stat *st)
{
	struct walk *k = arg;
	size_t at = strlen(k->rel);
	int rc = 0;

	if (snprintf(k->rel + at, sizeof(k->rel) - at, "%s%s", at ? "/" : "", name) >=
	    (int)(sizeof(k->rel) - at))
		return gpo_err_set(k->err, -ENAMETOOLONG, "%s/%s: path too long", k->rel, name);
	if (S_ISDIR(st->st_mode) && k->depth < 64) {
		k->depth++;
		rc = gpo_txn_list(k->t, k->rel, walk_entry, k);
		k->depth--;
	} else if (S_ISREG(st->st_mode) && gpo_migrate_handles(k->rel)) {
		rc = map_staged(k->t, k->m, k->rel, k->err);
	}
	k->rel[at] = '\0';
	return rc;
}

/* A backup of another domain written into a GPO (its Backup.xml says
 * so) is mapped through the domain's migration table before it is
 * committed, as the import control file maps it; without a table it goes
 * in as it is, and the log says so. */
static int map_foreign(struct gpo_writes *w, struct gpo_txn *t, const char *guid,
		       struct gpo_err *err)
{
	struct gpo_backup bk = { 0 };
	struct gpo_migration *m = NULL;
	struct walk k = { .t = t, .err = err };
	char *bx = NULL, *table = NULL, *dir = NULL, why[256] = "";
	size_t len = 0;
	int rc;

	rc = gpo_txn_top_read(t, "Backup.xml", GPO_BACKUP_XML_MAX, &bx, &len);
	if (rc) {
		rc = 0; /* no whole-backup import, or the commit says why */
		goto out;
	}
	if (gpo_backup_read(bx, len, &bk, why, sizeof(why)) || !bk.domain ||
	    !strcasecmp(bk.domain, gpo_domain_name(w->d)))
		goto out; /* the commit refuses a Backup.xml that does not parse */
	pthread_mutex_lock(&w->lock);
	table = w->migtable ? strdup(w->migtable) : NULL;
	dir = w->migtable_dir ? strdup(w->migtable_dir) : NULL;
	pthread_mutex_unlock(&w->lock);
	if (!table) {
		gpo_journal_add(gpo_domain_journal(w->d),
				"%s: a backup of %s, and no migration table is set: its principals and paths are imported as they are",
				guid, bk.domain);
		goto out;
	}
	rc = gpo_migration_new(w->d, dir ? dir : "", table, bx, len, false, false, &m, err);
	k.m = m;
	if (!rc)
		rc = gpo_txn_list(t, "", walk_entry, &k);
	if (!rc)
		rc = gpo_migration_finish(m, guid, err);
out:
	if (rc)
		gpo_journal_add(gpo_domain_journal(w->d),
				"%s: changes refused: mapping a backup of %s through %s: %s; nothing was written",
				guid, bk.domain ? bk.domain : "another domain", table ? table : "",
				gpo_err_reason(err));
	gpo_migration_free(m);
	gpo_backup_free(&bk);
	free(bx);
	free(table);
	free(dir);
	return rc;
}

static int commit_locked(struct gpo_writes *w, struct slot *s, bool writers)
{
	struct gpo_commit_result res;
	struct gpo_err err = { 0 };
	int rc = 0;

	if (!s->txn)
		return 0;
	if (s->broken) {
		rc = s->broken;
		gpo_journal_add(gpo_domain_journal(w->d),
				"%s: changes dropped: a write into them failed (%s); nothing was written",
				s->guid, strerror(-rc));
	} else if (gpo_txn_dirty(s->txn)) {
		/* a request's own transaction was mapped as it was filled */
		rc = writers ? map_foreign(w, s->txn, s->guid, &err) : 0;
		if (!rc)
			rc = gpo_commit(w->d, w->journal, s->guid, s->txn, &res, &err);
	}
	s->broken = 0;
	/* its writers read what they committed from now on */
	for (size_t i = 0; i < s->n_pids; i++)
		gpo_domain_unpin_session(w->d, s->pids[i], s->guid);
	gpo_txn_free(s->txn);
	s->txn = NULL;
	s->generation++;
	free(s->failed);
	s->failed = NULL;
	s->n_failed = s->cap_failed = 0;
	if (rc) {
		s->failed = s->pids;
		s->n_failed = s->n_pids;
		s->cap_failed = s->cap_pids;
		s->failed_rc = rc;
	} else {
		free(s->pids);
	}
	s->pids = NULL;
	s->n_pids = s->cap_pids = 0;
	return rc;
}

/* Begins s's transaction on GPO g as it is now (slot locked). */
static int begin_locked(struct gpo_writes *w, struct slot *s, const struct gpo *g,
			pid_t pid)
{
	struct gpo_view *v = NULL;
	char *dir = NULL;
	int rc;

	/* the base is the GPO as it is now, not a view this session read
	 * from before its last commit */
	gpo_domain_unpin_session(w->d, pid, g->guid);
	rc = gpo_domain_view_once(w->d, g, pid, &v);
	if (!rc && asprintf(&dir, "%s/%lu", w->staging,
			    __atomic_add_fetch(&w->seq, 1, __ATOMIC_RELAXED)) < 0) {
		dir = NULL;
		rc = -ENOMEM;
	}
	if (!rc)
		rc = gpo_txn_new(&s->txn, v, dir);
	gpo_view_put(v);
	free(dir);
	if (!rc)
		s->generation++;
	return rc;
}

static void ready(void *arg, const char *guid)
{
	struct gpo_writes *w = arg;
	struct slot *s = find_slot(w, guid, false);

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	commit_locked(w, s, true);
	pthread_mutex_unlock(&s->lock);
}

int gpo_writes_start(struct gpo_writes **out, struct gpo_domain *d,
		     const char *staging_dir, const char *journal_dir)
{
	struct gpo_writes *w = calloc(1, sizeof(*w));
	int rc;

	if (!w)
		return -ENOMEM;
	w->d = d;
	pthread_mutex_init(&w->lock, NULL);
	w->staging = strdup(staging_dir);
	w->journal = strdup(journal_dir);
	if (!w->staging || !w->journal) {
		rc = -ENOMEM;
		goto fail;
	}
	if (mkdir(staging_dir, 0700) < 0 && errno != EEXIST) {
		rc = -errno;
		goto fail;
	}
	/* what a daemon killed half-way through a commit left */
	gpo_commit_recover(d, journal_dir);
	/* then what restores cut short changed on the directory object */
	gpo_restore_recover(d, journal_dir);
	/* and GPOs made by requests cut short */
	gpo_made_recover(d, journal_dir);
	rc = gpo_quiet_start(&w->q, GPO_WRITES_QUIET_MS, ready, w);
	if (rc)
		goto fail;
	*out = w;
	return 0;
fail:
	free(w->staging);
	free(w->journal);
	free(w->migtable);
	free(w->migtable_dir);
	pthread_mutex_destroy(&w->lock);
	free(w);
	return rc;
}

void gpo_writes_stop(struct gpo_writes *w)
{
	if (!w)
		return;
	/* the changes end with the mount: commit each one now */
	gpo_quiet_stop(w->q);
	for (size_t i = 0; i < w->n; i++) {
		struct slot *s = w->slots[i];

		pthread_mutex_lock(&s->lock);
		commit_locked(w, s, true);
		pthread_mutex_unlock(&s->lock);
		pthread_mutex_destroy(&s->lock);
		free(s->pids);
		free(s->failed);
		free(s);
	}
	rmdir(w->staging);
	free(w->slots);
	free(w->staging);
	free(w->journal);
	free(w->migtable);
	free(w->migtable_dir);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

int gpo_writes_acquire(struct gpo_writes *w, const struct gpo *g, pid_t pid,
		       bool begin, struct gpo_writes_ref *ref)
{
	struct slot *s = find_slot(w, g->guid, begin);
	pid_t *p;
	int rc = 0;

	memset(ref, 0, sizeof(*ref));
	if (!s)
		return begin ? -ENOMEM : -ENOENT;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n_failed; i++) {
		if (s->failed[i] != pid)
			continue;
		/* the commit this process wrote in failed: say so, once */
		s->failed[i] = s->failed[--s->n_failed];
		rc = s->failed_rc;
		goto out;
	}
	if (s->txn && has_pid(s->pids, s->n_pids, pid))
		goto hold;
	if (!begin) {
		rc = -ENOENT;
		goto out;
	}
	if (!s->txn) {
		rc = begin_locked(w, s, g, pid);
		if (rc)
			goto out;
	}
	p = gpo_array_push(&s->pids, &s->n_pids, &s->cap_pids, sizeof(*p));
	if (!p) {
		rc = -ENOMEM;
		goto out;
	}
	*p = pid;
hold:
	ref->txn = s->txn;
	ref->slot = s;
	ref->generation = s->generation;
	return 0; /* locked until released */
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

bool gpo_writes_involved(struct gpo_writes *w, const char *guid, pid_t pid)
{
	struct slot *s = find_slot(w, guid, false);
	bool yes;

	if (!s)
		return false;
	pthread_mutex_lock(&s->lock);
	yes = (s->txn && has_pid(s->pids, s->n_pids, pid)) ||
	      has_pid(s->failed, s->n_failed, pid);
	pthread_mutex_unlock(&s->lock);
	return yes;
}

void gpo_writes_release(struct gpo_writes *w, struct gpo_writes_ref *ref,
			int writers_delta, bool changed)
{
	struct slot *s = ref->slot;

	if (!s)
		return;
	if (writers_delta || changed)
		gpo_quiet_touch(w->q, s->guid, writers_delta);
	pthread_mutex_unlock(&s->lock);
	memset(ref, 0, sizeof(*ref));
}

unsigned long gpo_writes_generation(struct gpo_writes *w, const char *guid)
{
	struct slot *s = find_slot(w, guid, false);
	unsigned long g;

	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	g = s->txn ? s->generation : 0;
	pthread_mutex_unlock(&s->lock);
	return g;
}

void gpo_writes_closed(struct gpo_writes *w, const char *guid,
		       unsigned long generation)
{
	(void)generation;
	gpo_quiet_touch(w->q, guid, -1);
}

void gpo_writes_fail(struct gpo_writes *w, const char *guid,
		     unsigned long generation, int rc)
{
	struct slot *s = find_slot(w, guid, false);

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	if (s->txn && s->generation == generation && !s->broken)
		s->broken = rc;
	pthread_mutex_unlock(&s->lock);
}

int gpo_writes_commit(struct gpo_writes *w, const char *guid)
{
	struct slot *s = find_slot(w, guid, false);
	int rc;

	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	rc = commit_locked(w, s, true);
	if (rc) {
		/* the caller is told now: not again at its next call */
		free(s->failed);
		s->failed = NULL;
		s->n_failed = s->cap_failed = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int gpo_writes_run(struct gpo_writes *w, const struct gpo *g, pid_t pid,
		   gpo_writes_fill_fn fill, void *arg)
{
	struct slot *s = find_slot(w, g->guid, true);
	int rc;

	if (!s)
		return -ENOMEM;
	pthread_mutex_lock(&s->lock);
	if (s->txn) {
		rc = -EBUSY; /* its writers' changes are not committed yet */
		goto out;
	}
	rc = begin_locked(w, s, g, pid);
	if (rc)
		goto out;
	rc = fill(s->txn, arg);
	if (rc) {
		gpo_txn_free(s->txn);
		s->txn = NULL;
		s->generation++;
		goto out;
	}
	/* its one writer is the caller, told by the return value */
	rc = commit_locked(w, s, false);
	free(s->failed);
	s->failed = NULL;
	s->n_failed = s->cap_failed = 0;
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

const char *gpo_writes_journal_dir(const struct gpo_writes *w)
{
	return w->journal;
}

int gpo_writes_set_migtable(struct gpo_writes *w, const char *dir, const char *name)
{
	char *copy = name && *name ? strdup(name) : NULL;
	char *dcopy = dir ? strdup(dir) : NULL;

	if ((name && *name && !copy) || (dir && !dcopy)) {
		free(copy);
		free(dcopy);
		return -ENOMEM;
	}
	pthread_mutex_lock(&w->lock);
	free(w->migtable);
	free(w->migtable_dir);
	w->migtable = copy;
	w->migtable_dir = dcopy;
	pthread_mutex_unlock(&w->lock);
	return 0;
}

char *gpo_writes_migtable(struct gpo_writes *w)
{
	char *copy;

	pthread_mutex_lock(&w->lock);
	copy = w->migtable ? strdup(w->migtable) : NULL;
	pthread_mutex_unlock(&w->lock);
	return copy;
}
