#include "gpo_import.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpo_cse.h"
#include "gpo_file.h"
#include "gpo_journal.h"
#include "gpo_backup_read.h"
#include "gpo_made.h"
#include "gpo_migrate.h"
#include "gpo_request.h"
#include "gpo_store.h"

const char gpo_import_usage[] =
"import: imports a GPMC backup into a GPO of this domain, as Import-GPO\n"
"(the GPO's settings become exactly the backup's; its GUID, name,\n"
"security, links and WMI filter link stay). One request per write:\n"
"\n"
"  echo '{BACKUP-ID} {GUID}' > import            a backup in backups/\n"
"  echo '/srv/backups/{BACKUP-ID} \"Name\"' > import   any backup folder\n"
"  echo '{BACKUP-ID} create \"New name\"' > import   into a new GPO\n"
"  echo '{BACKUP-ID} {GUID} migtable=T.migtable [strict] [dry-run]' > import\n"
"\n"
"migtable= maps the backup's principals and UNC paths through a table of\n"
"migtables/ (a backup of another domain: else through the one set in\n"
"this domain's migtable file); strict fails when anything has no\n"
"mapping (ENXIO), dry-run only logs what would be mapped.\n"
"The write returns when the import is committed, or fails: EINVAL (a\n"
"request, backup or table that is not valid), ENOENT (no such backup,\n"
"GPO, table or destination account),\n"
"EEXIST (create: the name is taken), EBUSY (the GPO has changes being\n"
"written), EACCES (refused by the DC), EIO (the DC failed), ESTALE (the\n"
"GPO changed meanwhile). The reason and the progress go to log.\n";

struct fill {
	const char *src;            /* the backup folder */
	struct gpo_migration *mig;  /* or NULL: the files as they are */
	bool restore;               /* a restore: both halves past floor */
	uint32_t floor;
	const struct gpo_born *born; /* what the GPO was made with for it */
	char sysvol[PATH_MAX];      /* its DomainSysvol/GPO, as spelled there */
	size_t files;
	unsigned long long bytes;
	struct gpo_err *err;
};

/* Stages settings file in (its attributes st) as rel, mapped through
 * f->mig. */
static int put_mapped(struct gpo_txn *t, int in, const struct stat *st, const char *rel,
		      struct fill *f)
{
	char *data = NULL, *mapped = NULL;
	size_t mlen = 0;
	ssize_t got = 0;
	int out = -1, rc = 0;

	if ((unsigned long long)st->st_size > GPO_MIGRATE_MAX)
		return gpo_err_set(f->err, -EFBIG, "%s/%s is too large to be mapped", f->src, rel);
	data = malloc((size_t)st->st_size + 1);
	if (!data)
		return gpo_err_set(f->err, -ENOMEM, "out of memory");
	while (!rc && got < st->st_size) {
		ssize_t n = pread(in, data + got, (size_t)(st->st_size - got), got);

		if (n < 0 && errno != EINTR)
			rc = gpo_err_set(f->err, -errno, "%s/%s: %s", f->src, rel, strerror(errno));
		else if (n == 0)
			break;
		else if (n > 0)
			got += n;
	}
	if (!rc)
		rc = gpo_migration_file(f->mig, rel, data, (size_t)got, &mapped, &mlen, f->err);
	if (!rc) {
		rc = gpo_txn_open_write(t, rel, O_CREAT | O_TRUNC, &out);
		if (!rc)
			rc = mapped ? gpo_file_write_all(out, mapped, mlen)
				    : gpo_file_write_all(out, data, (size_t)got);
		if (rc)
			gpo_err_set(f->err, rc, "staging %s: %s", rel, strerror(-rc));
	}
	if (!rc) {
		f->files++;
		f->bytes += mapped ? mlen : (size_t)got;
	}
	if (out >= 0)
		close(out);
	free(data);
	free(mapped);
	return rc;
}

/* Stages file name of folder dirfd as rel (a top file when top). */
static int put_file(struct gpo_txn *t, int dirfd, const char *name,
		    const char *rel, bool top, struct fill *f)
{
	struct stat st;
	int in = -1, out = -1, rc;

	in = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) < 0) {
		rc = gpo_err_set(f->err, -errno, "%s/%s: %s", f->src, rel, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = gpo_err_set(f->err, -EINVAL, "%s/%s is not a file", f->src, rel);
		goto out;
	}
	if ((unsigned long long)st.st_size > GPO_WRITES_FILE_MAX) {
		rc = gpo_err_set(f->err, -EFBIG, "%s/%s is larger than a GPO takes (%llu MiB)",
				 f->src, rel, GPO_WRITES_FILE_MAX >> 20);
		goto out;
	}
	if (!top && f->mig && gpo_migrate_handles(rel)) {
		rc = put_mapped(t, in, &st, rel, f);
		goto out;
	}
	rc = top ? gpo_txn_top_open(t, name, O_WRONLY | O_CREAT | O_TRUNC, &out)
		 : gpo_txn_open_write(t, rel, O_CREAT | O_TRUNC, &out);
	if (rc == -EPERM)
		rc = gpo_err_set(f->err, -EINVAL, "%s/%s: a backup holds no GPT.INI", f->src, rel);
	else if (rc)
		gpo_err_set(f->err, rc, "staging %s: %s", rel, strerror(-rc));
	if (!rc) {
		rc = gpo_file_copy_fd(in, out);
		if (rc)
			gpo_err_set(f->err, rc, "staging %s: %s", rel, strerror(-rc));
	}
	if (!rc) {
		f->files++;
		f->bytes += (unsigned long long)st.st_size;
	}
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

/* Stages folder dirfd (rel in the GPO; "" for its top) and its tree. */
static int walk(struct gpo_txn *t, int dirfd, const char *rel, struct fill *f)
{
	int fd = dup(dirfd);
	DIR *dd = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int rc = 0;

	if (!dd) {
		if (fd >= 0)
			close(fd);
		return gpo_err_set(f->err, -errno, "%s: %s", f->sysvol, strerror(errno));
	}
	while (!rc && (de = readdir(dd))) {
		char child[PATH_MAX];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(child, sizeof(child), "%s%s%s", rel, *rel ? "/" : "",
			     de->d_name) >= (int)sizeof(child)) {
			rc = gpo_err_set(f->err, -ENAMETOOLONG, "%s/%s...: path too long", f->sysvol, rel);
			break;
		}
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = gpo_err_set(f->err, -errno, "%s/%s: %s", f->sysvol, child, strerror(errno));
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub;

			rc = gpo_txn_mkdir(t, child);
			if (rc == -EEXIST)
				rc = 0;
			if (rc) {
				gpo_err_set(f->err, rc, "staging %s: %s", child, strerror(-rc));
				break;
			}
			sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				rc = gpo_err_set(f->err, -errno, "%s/%s: %s", f->sysvol, child, strerror(errno));
				break;
			}
			rc = walk(t, sub, child, f);
			close(sub);
		} else if (S_ISREG(st.st_mode)) {
			rc = put_file(t, dirfd, de->d_name, child, false, f);
		} else {
			rc = gpo_err_set(f->err, -EINVAL, "%s/%s is neither a file nor a folder",
					 f->sysvol, child);
		}
	}
	closedir(dd);
	return rc;
}

static int fill_txn(struct gpo_txn *t, void *arg)
{
	static const char *const top[] = { "bkupInfo.xml", "Backup.xml" };
	struct fill *f = arg;

	if (f->restore)
		gpo_txn_set_restore(t, f->floor);
	if (f->born)
		gpo_txn_set_born(t, f->born->version);
	int src = -1, sysvol = -1, rc = 0;

	src = open(f->src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src < 0)
		return gpo_err_set(f->err, -errno, "%s: %s", f->src, strerror(errno));
	/* the two files that make the transaction a whole-backup import */
	for (size_t i = 0; !rc && i < sizeof(top) / sizeof(top[0]); i++)
		rc = put_file(t, src, top[i], top[i], true, f);
	if (!rc) {
		sysvol = open(f->sysvol, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sysvol < 0)
			rc = gpo_err_set(f->err, -errno, "%s: %s", f->sysvol, strerror(errno));
	}
	if (!rc)
		rc = walk(t, sysvol, "", f);
	if (sysvol >= 0)
		close(sysvol);
	close(src);
	return rc;
}

static int import_folder(struct gpo_writes *w, struct gpo_domain *d, const struct gpo *g,
			 const char *src, pid_t pid, bool restore, uint32_t floor,
			 const struct gpo_born *born, struct gpo_migration *mig,
			 struct gpo_err *err)
{
	struct fill f = { .src = src, .mig = mig, .restore = restore, .floor = floor,
			  .born = born, .err = err };
	struct gpo_backup_info info = { 0 };
	char why[256] = "";
	int rc;

	rc = gpo_backup_check_form(src, &info, why, sizeof(why));
	if (rc) {
		gpo_err_set(err, rc == -ENOMEM ? rc : -EINVAL, "%s is not a GPMC backup: %s",
			    src, why);
		return err->code;
	}
	gpo_backup_info_free(&info);
	/* a backup with no settings may hold no DomainSysvol/GPO at all */
	if (gpo_resolve_nocase(src, "DomainSysvol/GPO", f.sysvol, sizeof(f.sysvol)))
		return gpo_err_set(err, -EINVAL, "%s holds no DomainSysvol/GPO folder", src);
	rc = gpo_writes_run(w, g, pid, fill_txn, &f);
	/* a GPO made for it is whole only with its containers */
	if (!rc && born)
		rc = gpo_domain_create_settle(d, g->guid, err);
	if (rc == -EBUSY)
		gpo_err_set(err, rc, "%s has changes being written: they are committed first, within %d s",
			    g->guid, GPO_WRITES_QUIET_MS / 1000);
	else if (rc && !err->code)
		gpo_err_set(err, rc, "the commit failed: %s", strerror(-rc));
	else if (!rc)
		gpo_journal_add(gpo_domain_journal(d), "%s: %s %s: %zu files, %.1f MiB",
				g->guid, restore ? "restored the settings of" : "imported",
				src, f.files, (double)f.bytes / (1 << 20));
	return rc;
}

int gpo_import_folder_as(struct gpo_writes *w, struct gpo_domain *d,
			 const struct gpo *g, const char *src, pid_t pid,
			 bool restore, uint32_t floor, const struct gpo_born *born,
			 struct gpo_err *err)
{
	return import_folder(w, d, g, src, pid, restore, floor, born, NULL, err);
}

int gpo_backup_source(const char *store, const struct gpo_ref *src, char *out,
		      size_t outlen, struct gpo_err *err)
{
	if (src->kind == GPO_REF_PATH) {
		if (snprintf(out, outlen, "%s", src->value) >= (int)outlen)
			return gpo_err_set(err, -ENAMETOOLONG, "the backup's path is too long");
		return 0;
	}
	/* the store's folder of that backup ID, its name in any case */
	if (gpo_resolve_nocase(store, src->value, out, outlen))
		return gpo_err_set(err, -ENOENT, "no backup %s in %s", src->value, store);
	return 0;
}

const struct gpo *gpo_find_gpo(struct gpo_domain *d, const struct gpo_snapshot *snap,
			       const struct gpo_ref *ref, struct gpo_err *err)
{
	const struct gpo *g = NULL;
	size_t matches = 0;

	if (ref->kind == GPO_REF_GUID) {
		g = gpo_snapshot_find(snap, ref->value);
		if (!g)
			gpo_err_set(err, -ENOENT, "no GPO %s in %s", ref->value, gpo_domain_name(d));
		return g;
	}
	/* names compare as the directory compares them, without case */
	for (size_t i = 0; i < gpo_snapshot_count(snap); i++) {
		const struct gpo *c = gpo_snapshot_at(snap, i);

		if (!strcasecmp(c->display_name, ref->value)) {
			g = c;
			matches++;
		}
	}
	if (!matches)
		gpo_err_set(err, -ENOENT, "no GPO named \"%s\" in %s", ref->value,
			    gpo_domain_name(d));
	if (matches > 1) {
		gpo_err_set(err, -EINVAL, "%zu GPOs are named \"%s\": give the GUID", matches,
			    ref->value);
		g = NULL;
	}
	return g;
}

/* The Backup.xml of the backup in folder: its text (*bx, the caller's)
 * and what it says (*bk, the caller's to gpo_backup_free). */
static int read_backup_xml(const char *folder, char **bx, size_t *len, struct gpo_backup *bk,
			   struct gpo_err *err)
{
	char path[PATH_MAX], why[256] = "";
	int rc;

	*bx = NULL;
	if (snprintf(path, sizeof(path), "%s/Backup.xml", folder) >= (int)sizeof(path))
		return gpo_err_set(err, -ENAMETOOLONG, "the backup's path is too long");
	rc = gpo_file_read(path, GPO_BACKUP_XML_MAX, bx, len, NULL);
	if (rc)
		return gpo_err_set(err, rc == -ENOENT ? -EINVAL : rc, "%s: %s", path, strerror(-rc));
	rc = gpo_backup_read(*bx, *len, bk, why, sizeof(why));
	if (rc)
		return gpo_err_set(err, rc, "%s is not a GPMC backup: %s", folder, why);
	return 0;
}

int gpo_import_born(const char *machine_ext, const char *user_ext, struct gpo_born *born,
		    char **mext, char **uext, struct gpo_err *err)
{
	*mext = gpo_cse_canonical(machine_ext);
	*uext = gpo_cse_canonical(user_ext);
	if (!*mext || !*uext)
		return gpo_err_set(err, -ENOMEM, "out of memory");
	*born = (struct gpo_born){ .version = gpo_version_bump(0, true, true),
				   .machine_ext = *mext, .user_ext = *uext };
	return 0;
}

/* The migration an import of the backup in folder (its Backup.xml bx,
 * read into bk) into d goes through: the table the request names, else
 * for a backup of another domain the domain's own (none: *out NULL).
 * Checked whole, and logged, before anything is made. */
static int import_migration(struct gpo_writes *w, struct gpo_domain *d,
			    const struct gpo_op_env *env, const struct gpo_request *r,
			    const char *folder, const char *bx, size_t len,
			    const struct gpo_backup *b, struct gpo_migration **out,
			    struct gpo_err *err)
{
	char sysvol[PATH_MAX];
	const char *table = gpo_request_option(r, "migtable");
	char *dflt = NULL;
	int rc = 0;

	*out = NULL;
	if (!table && b->domain && strcasecmp(b->domain, gpo_domain_name(d)))
		table = dflt = gpo_writes_migtable(w);
	if (!table) {
		if (gpo_request_flag(r, "strict") || gpo_request_flag(r, "dry-run"))
			rc = gpo_err_set(err, -EINVAL,
					 "strict and dry-run need a migration table (migtable=)");
		else if (b->domain && strcasecmp(b->domain, gpo_domain_name(d)))
			gpo_journal_add(gpo_domain_journal(d),
					"%s is a backup of %s, and no migration table is set: its principals and paths are imported as they are",
					folder, b->domain);
		goto out;
	}
	rc = gpo_migration_new(d, env ? env->migtable_dir : "", table, bx, len,
			       gpo_request_flag(r, "strict"), gpo_request_flag(r, "dry-run"), out,
			       err);
	if (!rc && !gpo_resolve_nocase(folder, "DomainSysvol/GPO", sysvol, sizeof(sysvol)))
		rc = gpo_migration_scan_folder(*out, sysvol, err);
	if (!rc)
		rc = gpo_migration_finish(*out, b->id ? b->id : folder, err);
	if (rc) {
		gpo_migration_free(*out);
		*out = NULL;
	}
out:
	free(dflt);
	return rc;
}

int gpo_import_request(struct gpo_writes *w, struct gpo_domain *d,
		       const struct gpo_op_env *env, const char *store, const char *buf,
		       size_t len, pid_t pid, struct gpo_err *err)
{
	static const char *const keys[] = { "migtable", NULL };
	static const char *const flags[] = { "strict", "dry-run", NULL };
	struct gpo_request r = { 0 };
	struct gpo_ref src = { 0 }, tgt = { 0 };
	struct gpo_snapshot *snap = NULL;
	struct gpo_migration *mig = NULL;
	struct gpo_backup bk = { 0 };
	struct gpo_born born;
	const struct gpo *g = NULL;
	char folder[PATH_MAX], made[GPO_GUID_LEN + 1] = "";
	char *bx = NULL, *mext = NULL, *uext = NULL;
	size_t bx_len = 0;
	bool create = false;
	int rc;

	rc = gpo_request_parse(buf, len, flags, &r, err);
	if (!rc)
		rc = gpo_request_check(&r, 2, 3, keys, err);
	if (rc)
		goto out;
	create = gpo_request_word_is(&r.pos[1], "create");
	if (create != (r.n_pos == 3)) {
		rc = gpo_err_set(err, -EINVAL, create ? "create needs the new GPO's name"
						      : "column %zu: one target, or create \"Name\"",
				 r.n_pos == 3 ? r.pos[2].col : (size_t)0);
		goto out;
	}
	rc = gpo_request_ref(&r.pos[0], GPO_REF_GUID | GPO_REF_PATH, &src, err);
	if (rc)
		goto out;
	rc = gpo_backup_source(store, &src, folder, sizeof(folder), err);
	if (!rc)
		rc = read_backup_xml(folder, &bx, &bx_len, &bk, err);
	if (!rc)
		rc = import_migration(w, d, env, &r, folder, bx, bx_len, &bk, &mig, err);
	if (rc || (mig && gpo_migration_dry_run(mig)))
		goto out;
	if (create) {
		rc = gpo_import_born(bk.machine_ext, bk.user_ext, &born, &mext, &uext, err);
		if (!rc)
			rc = gpo_made_create(d, gpo_writes_journal_dir(w), "import", r.pos[2].value,
					     &born, made, err);
		if (rc) {
			*made = '\0';
			goto out;
		}
		tgt.kind = GPO_REF_GUID;
		tgt.value = strdup(made);
		if (!tgt.value) {
			rc = gpo_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
	} else {
		rc = gpo_request_ref(&r.pos[1], GPO_REF_GUID | GPO_REF_NAME, &tgt, err);
		if (rc)
			goto out;
	}
	rc = gpo_domain_snapshot(d, &snap);
	if (rc) {
		gpo_err_set(err, rc, "cannot read the GPO list: %s", strerror(-rc));
		goto out;
	}
	g = gpo_find_gpo(d, snap, &tgt, err);
	if (!g) {
		rc = err->code;
		goto out;
	}
	gpo_journal_add(gpo_domain_journal(d), "%s: importing %s (\"%s\")", g->guid, folder,
			g->display_name);
	rc = import_folder(w, d, g, folder, pid, false, 0, create ? &born : NULL, mig, err);
out:
	/* nothing is left of a GPO made for an import that failed (or the
	 * next start deletes it) */
	if (*made)
		gpo_made_done(d, gpo_writes_journal_dir(w), "import", made, rc != 0);
	if (rc)
		gpo_journal_add(gpo_domain_journal(d), "import refused: %s", gpo_err_reason(err));
	else if (mig && gpo_migration_dry_run(mig))
		gpo_journal_add(gpo_domain_journal(d), "import of %s: dry run, nothing changed",
				folder);
	gpo_migration_free(mig);
	gpo_backup_free(&bk);
	free(bx);
	free(mext);
	free(uext);
	gpo_snapshot_put(snap);
	gpo_ref_free(&src);
	gpo_ref_free(&tgt);
	gpo_request_free(&r);
	return rc;
}
