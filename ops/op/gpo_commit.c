#include "gpo_commit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpo_array.h"
#include "gpo_backup_read.h"
#include "gpo_buf.h"
#include "gpo_cse.h"
#include "gpo_file.h"
#include "gpo_gptini.h"
#include "gpo_journal.h"
#include "gpo_model.h"
#include "gpo_time.h"

#define INTENT "intent"
#define INTENT_MAX (16 * 1024 * 1024)
#define COPY_CHUNK (1024 * 1024)

static const char *const step_names[] = { "mkdir", "put", "unlink", "rmdir" };

/* One recorded step: what was (to be) done, and how to take it back. */
struct step {
	enum gpo_txn_step kind;
	char *path;
	bool backup;      /* the original content is in the journal as b<i> */
	time_t mtime;     /* the original's time, to give back */
};

struct intent {
	char guid[GPO_GUID_LEN + 1];
	uint32_t from, to;
	bool gptini;      /* the original GPT.INI is in the journal */
	struct step *steps;
	size_t n, cap;
};

static void intent_free(struct intent *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->steps[i].path);
	free(in->steps);
	memset(in, 0, sizeof(*in));
}

/* The journal's copy of step i's original, or (i SIZE_MAX) GPT.INI's. */
static char *path_in(const char *dir, size_t i)
{
	char *p = NULL;
	int n = i == SIZE_MAX ? asprintf(&p, "%s/gptini", dir)
			      : asprintf(&p, "%s/b%zu", dir, i);

	return n < 0 ? NULL : p;
}

/* Copies node n of view v into the new file path, synced. */
static int save_node(struct gpo_view *v, const struct gpo_view_node *n,
		     const char *path)
{
	struct gpo_view_reader *r = NULL;
	char *buf = malloc(COPY_CHUNK);
	off_t off = 0;
	int fd = -1, rc;

	if (!buf)
		return -ENOMEM;
	rc = gpo_view_reader_open(v, n, &r);
	if (!rc) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
		rc = fd < 0 ? -errno : 0;
	}
	while (!rc) {
		ssize_t got = gpo_view_reader_pread(r, buf, COPY_CHUNK, off);
		ssize_t w;

		if (got <= 0) {
			rc = (int)got;
			break;
		}
		w = write(fd, buf, (size_t)got);
		if (w != got)
			rc = w < 0 ? -errno : -EIO;
		off += got;
	}
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (fd >= 0 && close(fd) < 0 && !rc)
		rc = -errno;
	gpo_view_reader_close(r);
	free(buf);
	return rc;
}

/* The intent as text: a header, then one line a step, the path last (a
 * path holds no newline: gpo_txn refuses control characters). Written
 * aside and renamed, so a journal holds a whole intent or none. */
static int write_intent(const char *dir, const struct intent *in)
{
	struct gpo_buf b = GPO_BUF_INIT;
	char *tmp = NULL, *path = NULL;
	int rc;

	rc = gpo_buf_printf(&b, "gpofs-commit 1\nguid %s\nfrom %u\nto %u\ngptini %d\n",
			    in->guid, in->from, in->to, in->gptini);
	for (size_t i = 0; !rc && i < in->n; i++)
		rc = gpo_buf_printf(&b, "%s %d %lld %s\n", step_names[in->steps[i].kind],
				    in->steps[i].backup, (long long)in->steps[i].mtime,
				    in->steps[i].path);
	if (!rc && (asprintf(&tmp, "%s/" INTENT ".tmp", dir) < 0 ||
		    asprintf(&path, "%s/" INTENT, dir) < 0))
		rc = -ENOMEM;
	if (!rc)
		rc = gpo_file_write_synced(tmp, b.data, b.len);
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	gpo_buf_free(&b);
	free(tmp);
	free(path);
	return rc;
}

/* Reads an intent back. Returns 0, -ENOENT (none: the commit never
 * began writing), or -EINVAL (not one of ours). */
static int read_intent(const char *dir, struct intent *in)
{
	char *path = NULL, *text = NULL, *line, *save = NULL;
	size_t len = 0;
	int rc;

	memset(in, 0, sizeof(*in));
	if (asprintf(&path, "%s/" INTENT, dir) < 0)
		return -ENOMEM;
	rc = gpo_file_read(path, INTENT_MAX, &text, &len, NULL);
	free(path);
	if (rc)
		return rc == -ENOENT ? rc : -EINVAL;
	line = strtok_r(text, "\n", &save);
	if (!line || strcmp(line, "gpofs-commit 1"))
		rc = -EINVAL;
	while (!rc && (line = strtok_r(NULL, "\n", &save))) {
		char kind[16];
		int backup, used = 0;
		long long mtime;
		unsigned v;
		struct step *s;
		size_t k;

		if (sscanf(line, "guid %38s", in->guid) == 1 && gpo_guid_valid(in->guid))
			continue;
		if (sscanf(line, "from %u", &v) == 1) {
			in->from = v;
			continue;
		}
		if (sscanf(line, "to %u", &v) == 1) {
			in->to = v;
			continue;
		}
		if (sscanf(line, "gptini %d", &backup) == 1) {
			in->gptini = backup;
			continue;
		}
		if (sscanf(line, "%15s %d %lld %n", kind, &backup, &mtime, &used) != 3 ||
		    !used || !line[used]) {
			rc = -EINVAL;
			break;
		}
		for (k = 0; k < 4 && strcmp(kind, step_names[k]); k++)
			;
		s = k < 4 ? gpo_array_push(&in->steps, &in->n, &in->cap, sizeof(*s)) : NULL;
		if (!s) {
			rc = k < 4 ? -ENOMEM : -EINVAL;
			break;
		}
		s->kind = (enum gpo_txn_step)k;
		s->backup = backup;
		s->mtime = (time_t)mtime;
		s->path = strdup(line + used);
		if (!s->path)
			rc = -ENOMEM;
	}
	if (!rc && !gpo_guid_valid(in->guid))
		rc = -EINVAL;
	free(text);
	if (rc)
		intent_free(in);
	return rc;
}

/* Takes step i back; what it never did counts as taken back. */
static int undo_step(struct gpo_domain *d, const char *dir, const struct intent *in,
		     size_t i, struct gpo_err *err)
{
	const struct step *s = &in->steps[i];
	char *backup = s->backup ? path_in(dir, i) : NULL;
	int rc;

	if (s->backup && !backup)
		return -ENOMEM;
	switch (s->kind) {
	case GPO_TXN_MKDIR:
		rc = gpo_domain_sysvol_rmdir(d, in->guid, s->path, NULL);
		rc = rc == -ENOENT ? 0 : rc;
		break;
	case GPO_TXN_RMDIR:
		rc = gpo_domain_sysvol_mkdir(d, in->guid, s->path, NULL);
		rc = rc == -EEXIST ? 0 : rc;
		break;
	default: /* PUT, UNLINK */
		if (backup) {
			rc = gpo_domain_sysvol_put(d, in->guid, s->path, NULL, 0, backup, NULL);
			if (!rc && s->mtime)
				gpo_domain_sysvol_set_time(d, in->guid, s->path, s->mtime, NULL);
		} else {
			rc = gpo_domain_sysvol_unlink(d, in->guid, s->path, NULL);
			rc = rc == -ENOENT ? 0 : rc;
		}
		break;
	}
	if (rc)
		gpo_err_set(err, rc, "putting back %s/%s: %s", in->guid, s->path,
			    strerror(-rc));
	free(backup);
	return rc;
}

/* Puts SYSVOL back: steps[0..applied) in reverse, then GPT.INI when it
 * may have been written. Returns 0 when all of it is back. */
static int undo(struct gpo_domain *d, const char *dir, const struct intent *in,
		size_t applied, bool gptini_written, struct gpo_err *err)
{
	int rc = 0;

	if (gptini_written) {
		char *ini = in->gptini ? path_in(dir, SIZE_MAX) : NULL;
		int r = ini ? gpo_domain_sysvol_put(d, in->guid, "GPT.INI", NULL, 0, ini, NULL)
			    : gpo_domain_sysvol_unlink(d, in->guid, "GPT.INI", NULL);

		if (r && r != -ENOENT) {
			rc = r;
			gpo_err_set(err, r, "putting back %s/GPT.INI: %s", in->guid,
				    strerror(-r));
		}
		free(ini);
	}
	for (size_t i = applied; i-- > 0;) {
		int r = undo_step(d, dir, in, i, err);

		if (r && !rc)
			rc = r;
	}
	return rc;
}

/* Removes a journal folder and what it holds. */
static void remove_journal(const char *dir)
{
	DIR *dd = opendir(dir);
	struct dirent *de;

	while (dd && (de = readdir(dd))) {
		if (de->d_name[0] == '.')
			continue;
		unlinkat(dirfd(dd), de->d_name, 0);
	}
	if (dd)
		closedir(dd);
	rmdir(dir);
}

/* Opens and locks a journal folder (made when make). Returns the lock's
 * fd, or -errno (-EWOULDBLOCK: a live process holds it). */
static int lock_journal(const char *dir, bool make)
{
	int fd;

	if (make && mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

/* Finishes or undoes one journal. Returns 0 when it is gone. */
static int recover_one(struct gpo_domain *d, const char *dir)
{
	struct gpo_journal *log = gpo_domain_journal(d);
	struct intent in;
	struct gpo now;
	struct gpo_err err = { 0 };
	int lock = lock_journal(dir, false);
	int rc;

	if (lock < 0)
		return lock;
	rc = read_intent(dir, &in);
	if (rc == -ENOENT) {
		/* it never began writing */
		remove_journal(dir);
		close(lock);
		return 0;
	}
	if (rc) {
		gpo_journal_add(log, "journal %s is not one of ours: left alone", dir);
		close(lock);
		return rc;
	}
	rc = gpo_domain_read_gpo(d, in.guid, &now, &err);
	if (!rc && now.version == in.to) {
		gpo_journal_add(log, "%s: a commit cut short had reached the directory (version %u): finished",
				in.guid, in.to);
		remove_journal(dir);
	} else if (!rc || rc == -ENOENT) {
		gpo_domain_hold(d, in.guid, true);
		rc = undo(d, dir, &in, in.n, true, &err);
		gpo_domain_hold(d, in.guid, false);
		gpo_domain_changed(d, in.guid);
		if (!rc) {
			gpo_journal_add(log, "%s: a commit cut short (version %u to %u) was undone: SYSVOL is as it was",
					in.guid, in.from, in.to);
			remove_journal(dir);
		}
	}
	if (rc)
		gpo_journal_add(log, "%s: a commit cut short is still to be finished or undone: %s",
				in.guid, gpo_err_reason(&err));
	gpo_clear(&now);
	intent_free(&in);
	close(lock);
	return rc;
}

/* One entry of the journal folder: a commit's journal (a folder named
 * by its GUID), finished or undone. */
static int recover_entry(void *arg, const char *journal_dir, const char *name)
{
	char *dir = NULL;
	int r;

	if (!gpo_guid_valid(name))
		return 0;
	if (asprintf(&dir, "%s/%s", journal_dir, name) < 0)
		return 1;
	r = recover_one(arg, dir);
	free(dir);
	return r && r != -EWOULDBLOCK;
}

int gpo_commit_recover(struct gpo_domain *d, const char *journal_dir)
{
	return gpo_file_each_entry(journal_dir, recover_entry, d);
}

static bool same_listing(const struct stat *a, const struct stat *b)
{
	return a->st_mode == b->st_mode && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static uint32_t higher_halves(uint32_t a, uint32_t b)
{
	unsigned u = gpo_version_user(a) > gpo_version_user(b) ? gpo_version_user(a)
							       : gpo_version_user(b);
	unsigned m = gpo_version_machine(a) > gpo_version_machine(b)
			     ? gpo_version_machine(a) : gpo_version_machine(b);

	return (uint32_t)u << 16 | m;
}

/* Reads the backup a whole-backup import wrote at the top. */
static int read_backup(struct gpo_txn *t, struct gpo_backup *b,
		       struct gpo_sysvol_entry **keep, size_t *n_keep,
		       struct gpo_err *err)
{
	struct gpo_backup_info info = { 0 };
	char why[512] = "";
	char *data = NULL;
	size_t len = 0;
	int rc;

	rc = gpo_txn_top_read(t, "bkupInfo.xml", GPO_BKUPINFO_MAX, &data, &len);
	if (!rc)
		rc = gpo_bkupinfo_read(data, len, &info, why, sizeof(why));
	free(data);
	data = NULL;
	gpo_backup_info_free(&info);
	if (rc)
		return gpo_err_set(err, rc == -ENOMEM ? rc : -EINVAL,
				   "not a backup: %s", *why ? why : strerror(-rc));
	rc = gpo_txn_top_read(t, "Backup.xml", GPO_BACKUP_XML_MAX, &data, &len);
	if (rc == -ENOENT)
		return gpo_err_set(err, -EINVAL, "not a backup: bkupInfo.xml without Backup.xml");
	if (!rc)
		rc = gpo_backup_read(data, len, b, why, sizeof(why));
	free(data);
	if (rc)
		return gpo_err_set(err, rc == -ENOMEM ? rc : -EINVAL,
				   "not a backup: %s", *why ? why : strerror(-rc));
	*keep = calloc(b->n_entries ? b->n_entries : 1, sizeof(**keep));
	if (!*keep)
		return gpo_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < b->n_entries; i++) {
		(*keep)[i].path = b->entries[i].path;
		(*keep)[i].dir = b->entries[i].dir;
	}
	*n_keep = b->n_entries;
	return 0;
}

/* Writes plan->ops[from..to), a run of puts, side by side where the
 * domain can. *begun is set past the last put begun (from when none
 * was): those before may have been written, in whole or in part. */
static int put_run(struct gpo_domain *d, const char *guid,
		   const struct gpo_txn_plan *plan, size_t from, size_t to,
		   size_t *begun, size_t *connections, struct gpo_err *err)
{
	struct gpo_domain_put *puts = calloc(to - from, sizeof(*puts));
	int rc;

	*begun = from;
	if (!puts)
		return gpo_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = from; i < to; i++) {
		puts[i - from].rel = plan->ops[i].path;
		puts[i - from].src = plan->ops[i].local;
		puts[i - from].from = plan->ops[i].from;
		puts[i - from].from_size = plan->ops[i].from_size;
		puts[i - from].from_mtime = plan->ops[i].from_mtime;
		puts[i - from].mtime = plan->ops[i].mtime;
	}
	rc = gpo_domain_sysvol_put_many(d, guid, puts, to - from, connections, err);
	for (size_t i = from; i < to; i++)
		if (puts[i - from].started)
			*begun = i + 1;
	free(puts);
	return rc;
}

/* Tests only (GPOFS_TEST_COMMIT_HOLD=FILE): holds a commit once its
 * SYSVOL files are written (before GPT.INI and the directory) while FILE
 * exists, at most two minutes, so that a test can stop the DC or kill the
 * daemon at that point; the log says so. */
static void test_hold(struct gpo_journal *log, const char *guid)
{
	const char *file = getenv("GPOFS_TEST_COMMIT_HOLD");

	if (!file || !*file || access(file, F_OK))
		return;
	gpo_journal_add(log, "%s: test hook: commit held while %s exists", guid, file);
	for (int i = 0; i < 1200 && access(file, F_OK) == 0; i++)
		usleep(100 * 1000);
}

static bool same_text(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* Whether GPO guid, born for the commit and written as was says, still is
 * in the directory what was says: its version and extension lists. 0, or
 * -ESTALE (someone else moved it while it was written) or the read's
 * -errno, with err set. */
static int still_born(struct gpo_domain *d, const char *guid, const struct gpo *was,
		      struct gpo_err *err)
{
	struct gpo now = { 0 };
	int rc = gpo_domain_read_gpo(d, guid, &now, err);

	if (!rc && (now.version != was->version ||
		    !same_text(now.machine_ext, was->machine_ext) ||
		    !same_text(now.user_ext, was->user_ext)))
		rc = gpo_err_set(err, -ESTALE,
				 "it changed in the directory while it was written (version %u, now %u)",
				 was->version, now.version);
	gpo_clear(&now);
	return rc;
}

/* What the DC holds of a GPO as its commit begins: the directory object,
 * GPT.INI (NULL: none) with its version, and the extension lists before
 * the commit and after it (canonical). */
struct found {
	struct gpo now;
	char *ini;
	size_t ini_len;
	uint32_t ini_version;
	char *was_m, *was_u;
	char *mext, *uext;
};

static void found_clear(struct found *f)
{
	gpo_clear(&f->now);
	free(f->ini);
	free(f->was_m);
	free(f->was_u);
	free(f->mext);
	free(f->uext);
	memset(f, 0, sizeof(*f));
}

/* Reads into f what the DC holds of GPO guid, which must be as the
 * transaction found it (base; deferred: a GPO born for the commit, taken
 * as its list entry says), and works out the lists the commit leaves it:
 * the backup's (b, for a whole backup), or what the files say (plan).
 * Returns 0, or -errno with err set (-ESTALE: it changed meanwhile). */
static int read_found(struct gpo_domain *d, const char *guid, struct gpo_view *base,
		      bool deferred, const struct gpo_backup *b,
		      const struct gpo_txn_plan *plan, struct found *f, struct gpo_err *err)
{
	const struct gpo *bg = gpo_view_gpo(base);
	struct stat ini_st;
	int rc;

	if (deferred)
		rc = gpo_copy(&f->now, bg) ? gpo_err_set(err, -ENOMEM, "out of memory") : 0;
	else
		rc = gpo_domain_read_gpo(d, guid, &f->now, err);
	if (!rc && f->now.version != bg->version)
		rc = gpo_err_set(err, -ESTALE,
				 "it changed in the directory after the changes began (version %u, now %u)",
				 bg->version, f->now.version);
	if (!rc)
		rc = gpo_domain_read_gptini(d, guid, &f->ini, &f->ini_len, &ini_st, err);
	if (!rc && !same_listing(&ini_st, gpo_view_gptini(base)))
		rc = gpo_err_set(err, -ESTALE,
				 "its GPT.INI changed on the DC after the changes began");
	if (rc)
		return rc;
	if (f->ini)
		gpo_gptini_version(f->ini, f->ini_len, &f->ini_version);

	if (b) {
		f->mext = gpo_cse_canonical(b->machine_ext);
		f->uext = gpo_cse_canonical(b->user_ext);
	} else if (gpo_cse_derive(f->now.machine_ext, false, plan->tree, plan->n_tree, &f->mext) ||
		   gpo_cse_derive(f->now.user_ext, true, plan->tree, plan->n_tree, &f->uext)) {
		/* a list the directory holds that does not parse: keep it */
		free(f->mext);
		free(f->uext);
		f->mext = strdup(f->now.machine_ext ? f->now.machine_ext : "");
		f->uext = strdup(f->now.user_ext ? f->now.user_ext : "");
	}
	f->was_m = gpo_cse_canonical(f->now.machine_ext);
	f->was_u = gpo_cse_canonical(f->now.user_ext);
	if (!f->mext || !f->uext || !f->was_m || !f->was_u)
		return gpo_err_set(err, -ENOMEM, "out of memory");
	/* An edit touches the list of the half it changed, no other: a
	 * list that already disagreed with the files (Samba provisions the
	 * Default Domain Policy so) is not the edit's business, and
	 * rewriting it would bump a half nobody changed. */
	if (!b && !plan->machine) {
		free(f->mext);
		f->mext = strdup(f->was_m);
	}
	if (!b && !plan->user) {
		free(f->uext);
		f->uext = strdup(f->was_u);
	}
	if (!f->mext || !f->uext)
		return gpo_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

int gpo_commit(struct gpo_domain *d, const char *journal_dir, const char *guid,
	       struct gpo_txn *t, struct gpo_commit_result *res,
	       struct gpo_err *err)
{
	struct gpo_journal *log = gpo_domain_journal(d);
	struct gpo_view *base = gpo_txn_base(t);
	const struct gpo *bg = gpo_view_gpo(base);
	struct gpo_backup b = { 0 };
	struct gpo_sysvol_entry *keep = NULL;
	size_t n_keep = 0;
	struct gpo_txn_plan plan = { 0 };
	struct found f = { 0 };
	struct stat top_st;
	struct intent in = { 0 };
	char *new_ini = NULL, *missing = NULL, *dir = NULL;
	size_t new_ini_len = 0, applied = 0;
	bool held = false, ini_written = false, user, machine, born = false, deferred;
	uint32_t floor = 0, born_v = 0;
	struct timespec t0, t1, t2;
	int lock = -1;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(res, 0, sizeof(*res));
	res->whole_backup = !gpo_txn_top_stat(t, "bkupInfo.xml", &top_st);
	if (res->whole_backup) {
		rc = read_backup(t, &b, &keep, &n_keep, err);
		if (rc)
			goto refused;
	}
	rc = gpo_txn_plan(t, res->whole_backup ? keep : NULL, n_keep, &plan, &missing);
	if (rc) {
		if (missing)
			gpo_err_set(err, -EINVAL, "the backup names %s, which it does not hold",
				    missing);
		else
			gpo_err_set(err, rc, "planning: %s", strerror(-rc));
		rc = err->code;
		goto refused;
	}
	if (asprintf(&dir, "%s/%s", journal_dir, guid) < 0) {
		dir = NULL;
		rc = gpo_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	/* what an earlier commit of this GPO left first */
	if (!access(dir, F_OK) && recover_one(d, dir)) {
		rc = gpo_err_set(err, -EBUSY, "an earlier commit of %s is not undone yet", guid);
		goto out;
	}

	gpo_domain_hold(d, guid, true);
	held = true;
	/* A GPO born for this commit is taken as its list entry says: its
	 * creation read it a moment ago, and the directory connection may
	 * still be adding its containers (gpo_domain_create_settle). It is
	 * checked once SYSVOL is written instead. */
	deferred = gpo_txn_born(t, &born_v) && bg->version == born_v;
	for (;;) {
		/* No lost update: the GPO must be as the transaction found it. */
		rc = read_found(d, guid, base, deferred, res->whole_backup ? &b : NULL, &plan,
				&f, err);
		if (rc)
			goto refused;
		machine = plan.machine || strcmp(f.mext, f.was_m);
		user = plan.user || strcmp(f.uext, f.was_u);
		/* a restore moves both halves past the GPO's and the backup's,
		 * so that clients apply it again whatever changed; the first
		 * settings of a GPO made for them are both halves' too (its
		 * folder was bare: whichever half the settings lack is as new
		 * as the other) */
		if (gpo_txn_restore(t, &floor) || gpo_txn_born(t, NULL))
			user = machine = true;
		/* The first commit of a GPO made for it: when the GPO still is
		 * as born (its folder bare, without GPT.INI), and born with
		 * what this commit gives it, the directory holds the result
		 * already. */
		born = gpo_txn_born(t, &born_v) && f.now.version == born_v && !f.ini &&
		       !strcmp(f.mext, f.was_m) && !strcmp(f.uext, f.was_u) &&
		       gpo_version_bump(floor, true, true) == born_v;
		if (!deferred || born)
			break;
		/* not as born after all: the directory's own word, now */
		deferred = false;
		found_clear(&f);
	}
	if (!plan.n_ops && !machine && !user)
		goto out; /* nothing changed: nothing to commit */
	res->changed = true;
	res->from = born ? 0 : f.now.version;
	res->to = born ? born_v
		       : gpo_version_bump(higher_halves(higher_halves(f.now.version, f.ini_version),
							floor), user, machine);
	rc = gpo_gptini_with_version(f.ini ? f.ini : "", f.ini_len, res->to, &new_ini, &new_ini_len);
	if (rc) {
		gpo_err_set(err, rc, "GPT.INI: %s", strerror(-rc));
		goto refused;
	}

	/* The intent, and the originals, before the first write; none for
	 * a GPO born for this commit, which its request deletes when the
	 * commit fails, or the next start when the daemon dies meanwhile. */
	if (born)
		goto write;
	snprintf(in.guid, sizeof(in.guid), "%s", guid);
	in.from = f.now.version;
	in.to = res->to;
	in.gptini = f.ini != NULL;
	if (mkdir(journal_dir, 0700) < 0 && errno != EEXIST) {
		rc = gpo_err_set(err, -errno, "cannot make %s: %s", journal_dir, strerror(errno));
		goto refused;
	}
	lock = lock_journal(dir, true);
	if (lock < 0) {
		rc = gpo_err_set(err, lock, "cannot lock %s: %s", dir, strerror(-lock));
		goto refused;
	}
	if (f.ini) {
		char *p = path_in(dir, SIZE_MAX);

		rc = p ? gpo_file_write_synced(p, f.ini, f.ini_len) : -ENOMEM;
		free(p);
	}
	for (size_t i = 0; !rc && i < plan.n_ops; i++) {
		const struct gpo_txn_op *op = &plan.ops[i];
		struct step *s = gpo_array_push(&in.steps, &in.n, &in.cap, sizeof(*s));

		if (!s || !(s->path = strdup(op->path))) {
			rc = -ENOMEM;
			break;
		}
		s->kind = op->step;
		if (op->base && (op->step == GPO_TXN_PUT || op->step == GPO_TXN_UNLINK)) {
			char *p = path_in(dir, i);

			s->backup = true;
			s->mtime = gpo_view_node_stat(op->base)->st_mtime;
			rc = p ? save_node(base, op->base, p) : -ENOMEM;
			free(p);
		}
	}
	if (!rc)
		rc = write_intent(dir, &in);
	if (rc) {
		gpo_err_set(err, rc, "cannot write the commit's journal in %s: %s", dir,
			    strerror(-rc));
		remove_journal(dir);
		goto refused;
	}

	/* SYSVOL, then GPT.INI, then the directory. */
write:
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->ms_prepare = gpo_ms_between(&t0, &t1);
	res->connections = 1;
	for (; applied < plan.n_ops; applied++) {
		const struct gpo_txn_op *op = &plan.ops[applied];
		size_t end = applied, begun;

		if (op->step == GPO_TXN_PUT) {
			/* a run of puts (their folders are made) at once */
			while (end < plan.n_ops && plan.ops[end].step == GPO_TXN_PUT)
				end++;
			rc = put_run(d, guid, &plan, applied, end, &begun,
				     &res->connections, err);
			res->written += end - applied;
			if (!rc) {
				applied = end - 1;
				continue;
			}
			/* the undo below takes back steps up to the one that
			 * failed: here every put begun, in whatever order
			 * they ended */
			if (begun > applied)
				applied = begun - 1;
			break;
		}
		switch (op->step) {
		case GPO_TXN_MKDIR:
			rc = gpo_domain_sysvol_mkdir(d, guid, op->path, err);
			break;
		case GPO_TXN_RMDIR:
			rc = gpo_domain_sysvol_rmdir(d, guid, op->path, err);
			break;
		case GPO_TXN_UNLINK:
			rc = gpo_domain_sysvol_unlink(d, guid, op->path, err);
			res->removed++;
			break;
		default: /* GPO_TXN_PUT: above */
			break;
		}
		if (rc)
			break;
	}
	if (!rc)
		test_hold(log, guid);
	if (!rc) {
		ini_written = true;
		rc = gpo_domain_sysvol_put(d, guid, "GPT.INI", new_ini, new_ini_len, NULL, err);
	}
	clock_gettime(CLOCK_MONOTONIC, &t2);
	res->ms_sysvol = gpo_ms_between(&t1, &t2);
	if (!rc && deferred)
		rc = still_born(d, guid, &f.now, err);
	if (!rc && !born) {
		rc = gpo_domain_set_version(d, &f.now, res->to,
					    strcmp(f.mext, f.was_m) ? f.mext : NULL,
					    strcmp(f.uext, f.was_u) ? f.uext : NULL, err);
		if (rc == -EIO) {
			/* lost on the way: it may have been applied */
			struct gpo again;

			if (!gpo_domain_read_gpo(d, guid, &again, NULL) &&
			    again.version == res->to) {
				rc = 0;
				memset(err, 0, sizeof(*err));
			}
			gpo_clear(&again);
		}
	}
	if (rc && born) {
		gpo_journal_add(log, "%s: commit failed: %s; the GPO was made for it, and goes with it",
				guid, gpo_err_reason(err));
		goto out;
	}
	if (rc) {
		struct gpo_err undo_err = { 0 };

		/* the step that failed may have been done in part (a put cut
		 * short leaves a piece of the file): it is put back too */
		size_t tried = applied < plan.n_ops ? applied + 1 : applied;

		if (undo(d, dir, &in, tried, ini_written, &undo_err)) {
			gpo_journal_add(log, "%s: commit failed: %s; SYSVOL could not all be put back (%s): it will be at the next start or commit",
					guid, gpo_err_reason(err), gpo_err_reason(&undo_err));
		} else {
			gpo_journal_add(log, "%s: commit failed: %s; SYSVOL was put back as it was",
					guid, gpo_err_reason(err));
			remove_journal(dir);
		}
		goto out;
	}
	if (!born)
		remove_journal(dir);
	res->ms_directory = gpo_ms_since(&t2);
	gpo_journal_add(log, "%s: %s committed: %zu file%s written, %zu removed, version %u to %u%s (%.3f s: checks and journal %.3f, SYSVOL %.3f over %zu connection%s, directory %.3f)",
			guid, res->whole_backup ? "import of a backup" : "changes",
			res->written, res->written == 1 ? "" : "s", res->removed,
			res->from, res->to,
			born ? ", as the GPO was born (the directory holds it already)" : "",
			(double)gpo_ms_since(&t0) / 1000, (double)res->ms_prepare / 1000,
			(double)res->ms_sysvol / 1000, res->connections,
			res->connections == 1 ? "" : "s", (double)res->ms_directory / 1000);
	goto out;
refused:
	gpo_journal_add(log, "%s: changes refused: %s; nothing was written",
			guid, gpo_err_reason(err));
out:
	if (held) {
		gpo_domain_hold(d, guid, false);
		if (res->changed || rc)
			gpo_domain_changed(d, guid);
	}
	if (lock >= 0)
		close(lock);
	intent_free(&in);
	gpo_txn_plan_free(&plan);
	found_clear(&f);
	free(keep);
	gpo_backup_free(&b);
	free(new_ini);
	free(missing);
	free(dir);
	return rc;
}
