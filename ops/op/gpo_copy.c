#include "gpo_copy.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gpo_file.h"
#include "gpo_import.h"
#include "gpo_journal.h"
#include "gpo_made.h"
#include "gpo_migrate.h"
#include "gpo_migration.h"
#include "gpo_request.h"
#include "gpo_time.h"
#include "gpo_txn.h"
#include "gpo_view.h"

const char gpo_copy_usage[] =
"copy: makes a new GPO holding another's settings, as GPMC's Copy does:\n"
"a new GUID, the name given, no links; the source's settings and WMI\n"
"filter link; the security of a new GPO, or the source's with acl=source.\n"
"The source may be a GPO of another mounted domain (domain/GPO): its\n"
"principals and UNC paths are then mapped through a migration table of\n"
"migtables/ (migtable=, else the one set in this domain's migtable file),\n"
"and its WMI filter link is kept only when this domain has a filter of\n"
"that name. One request per write:\n"
"\n"
"  echo '{GUID} \"New name\"' > copy\n"
"  echo '\"Kiosk lockdown\" \"Kiosk lockdown (test)\" acl=source' > copy\n"
"  echo 'corp.example/{GUID} \"Name\" migtable=to-prod.migtable strict' > copy\n"
"\n"
"strict: fail when anything has no mapping; dry-run: only log what would\n"
"be mapped, dropped and left unmapped. The write returns when the copy\n"
"is made, or fails: EINVAL (a request or table that is not valid; a name\n"
"several GPOs have), ENOENT (no such GPO, domain, table or destination\n"
"account), EEXIST (the new name is taken), ENXIO (strict: something has\n"
"no mapping), ESTALE (the source changed on the DC while it was copied:\n"
"copy again, it is read afresh), EACCES (refused by the DC), EIO (the DC\n"
"failed). Nothing is left of a copy that failed; the reason goes to log.\n";

/* Filling the new GPO's transaction from the source's view. */
struct vfill {
	struct gpo_view *v;
	struct gpo_migration *mig;   /* or NULL: the settings as they are */
	const char *on_dc;           /* the source's GUID when its large files
					are copied on the DC, else NULL */
	size_t files, files_on_dc;
	unsigned long long bytes, bytes_on_dc;
	long long ms_staged;         /* how long the filling took */
	const struct gpo_born *born; /* what the new GPO was made with */
	struct gpo_err *err;
};

/* A generated file of the source, at the top: what makes the copy a
 * whole-backup import of the source's settings and extension lists. */
static int put_top(struct gpo_txn *t, const char *name, const char *data, size_t len,
		   struct gpo_err *err)
{
	int fd = -1;
	int rc = gpo_txn_top_open(t, name, O_WRONLY | O_CREAT | O_TRUNC, &fd);

	if (!rc)
		rc = gpo_file_write_all(fd, data, len);
	if (fd >= 0)
		close(fd);
	return rc ? gpo_err_set(err, rc, "staging %s: %s", name, strerror(-rc)) : 0;
}

/* A settings file that names principals or paths, mapped on its way. */
static int put_mapped(struct gpo_txn *t, struct vfill *f, const struct gpo_view_node *n,
		      const char *rel)
{
	char *data = NULL, *mapped = NULL;
	size_t len = 0, mlen = 0;
	int fd = -1;
	int rc;

	rc = gpo_view_read(n, GPO_MIGRATE_MAX, &data, &len);
	if (rc) {
		gpo_err_set(f->err, rc, "copying %s: %s", rel, strerror(-rc));
		goto out;
	}
	rc = gpo_migration_file(f->mig, rel, data, len, &mapped, &mlen, f->err);
	if (!rc)
		rc = gpo_txn_open_write(t, rel, O_CREAT | O_TRUNC, &fd);
	if (!rc)
		rc = mapped ? gpo_file_write_all(fd, mapped, mlen) : gpo_file_write_all(fd, data, len);
	if (rc)
		gpo_err_set(f->err, rc, "copying %s: %s", rel, strerror(-rc));
	else {
		f->files++;
		f->bytes += mapped ? mlen : len;
	}
out:
	if (fd >= 0)
		close(fd);
	free(data);
	free(mapped);
	return rc;
}

/* From this size a file of the source is copied on the DC (SMB2
 * copy-chunk) rather than sent there again from the cache: below it, the
 * copy's extra requests (the source opened, a resume key) cost more than
 * the bytes. */
#define ON_DC_MIN (256 * 1024)

/* A large file of a source in the same domain: copied by the DC itself at
 * commit, provided it still is as the capture saw it. */
static int put_on_dc(struct gpo_txn *t, struct vfill *f, const struct gpo_view_node *n,
		     const char *rel)
{
	const struct stat *st = gpo_view_node_stat(n);
	char *from = NULL;
	int rc;

	if (asprintf(&from, "%s/%s", f->on_dc, rel) < 0)
		return gpo_err_set(f->err, -ENOMEM, "out of memory");
	rc = gpo_txn_put_from(t, rel, from, (uint64_t)st->st_size, st->st_mtime);
	free(from);
	if (rc)
		return gpo_err_set(f->err, rc, "copying %s: %s", rel, strerror(-rc));
	f->files++;
	f->bytes += (unsigned long long)st->st_size;
	f->files_on_dc++;
	f->bytes_on_dc += (unsigned long long)st->st_size;
	return 0;
}

static int put_node(struct gpo_txn *t, struct vfill *f, const struct gpo_view_node *n,
		    const char *rel)
{
	struct gpo_view_reader *r = NULL;
	char buf[128 * 1024];
	off_t off = 0;
	int fd = -1;
	int rc;

	if (f->mig && gpo_migrate_handles(rel))
		return put_mapped(t, f, n, rel);
	if (f->on_dc && gpo_view_node_stat(n)->st_size >= ON_DC_MIN)
		return put_on_dc(t, f, n, rel);
	rc = gpo_view_reader_open(f->v, n, &r);
	if (!rc)
		rc = gpo_txn_open_write(t, rel, O_CREAT | O_TRUNC, &fd);
	/* a file of the cache: copied in the kernel */
	if (!rc && gpo_view_reader_fd(r) >= 0) {
		rc = gpo_file_copy_fd(gpo_view_reader_fd(r), fd);
		off = gpo_view_node_stat(n)->st_size;
	}
	while (!rc && gpo_view_reader_fd(r) < 0) {
		ssize_t got = gpo_view_reader_pread(r, buf, sizeof(buf), off);

		if (got < 0)
			rc = (int)got;
		if (got <= 0)
			break;
		rc = gpo_file_write_all(fd, buf, (size_t)got);
		off += got;
	}
	if (!rc) {
		f->files++;
		f->bytes += (unsigned long long)off;
	} else {
		gpo_err_set(f->err, rc, "copying %s: %s", rel, strerror(-rc));
	}
	if (fd >= 0)
		close(fd);
	gpo_view_reader_close(r);
	return rc;
}

static int fill_txn(struct gpo_txn *t, void *arg)
{
	struct vfill *f = arg;
	const char *data;
	size_t len;
	struct timespec t0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (f->born)
		gpo_txn_set_born(t, f->born->version);
	gpo_view_generated(f->v, GPO_GEN_BKUPINFO_XML, &data, &len);
	rc = put_top(t, "bkupInfo.xml", data, len, f->err);
	if (!rc) {
		gpo_view_generated(f->v, GPO_GEN_BACKUP_XML, &data, &len);
		rc = put_top(t, "Backup.xml", data, len, f->err);
	}
	/* node 0 is the folder itself; each folder comes before its tree */
	for (size_t i = 1; !rc && i < gpo_view_count(f->v); i++) {
		const struct gpo_view_node *n = gpo_view_node_at(f->v, i);
		const char *rel = gpo_view_node_path(n);

		if (!strcasecmp(rel, "GPT.INI"))
			continue; /* the new GPO's own, versioned by the commit */
		if (S_ISDIR(gpo_view_node_stat(n)->st_mode)) {
			rc = gpo_txn_mkdir(t, rel);
			if (rc == -EEXIST)
				rc = 0; /* a folder the new GPO holds already */
			else if (rc)
				gpo_err_set(f->err, rc, "copying %s: %s", rel, strerror(-rc));
		} else {
			rc = put_node(t, f, n, rel);
		}
	}
	f->ms_staged = gpo_ms_since(&t0);
	return rc;
}

/* The source's WMI filter link as the new GPO of d takes it: the same
 * within a domain; across domains, d's filter of the same name, else none
 * (a link to a filter d lacks would turn filtering off). Returns 0 with
 * *wql (caller frees; NULL for none), or -errno in err. */
static int wmi_link(struct gpo_domain *d, struct gpo_domain *sd, const struct gpo *sg,
		    char **wql, struct gpo_err *err)
{
	int rc;

	*wql = NULL;
	if (!sg->wmi_filter)
		return 0;
	if (sd == d) {
		*wql = strdup(sg->wmi_filter);
		return *wql ? 0 : gpo_err_set(err, -ENOMEM, "out of memory");
	}
	rc = sg->wmi_filter_name ? gpo_domain_wmi_filter_named(d, sg->wmi_filter_name, wql, err)
				 : 0;
	if (rc < 0)
		return rc;
	if (rc == 0)
		gpo_journal_add(gpo_domain_journal(d),
				"%s: its WMI filter %s is not in %s: the copy links none",
				sg->guid, sg->wmi_filter_name ? sg->wmi_filter_name : sg->wmi_filter,
				gpo_domain_name(d));
	return 0;
}

int gpo_copy_request(struct gpo_writes *w, struct gpo_domain *d,
		     const struct gpo_op_env *env, const char *buf, size_t len, pid_t pid,
		     struct gpo_err *err)
{
	static const char *const keys[] = { "acl", "migtable", NULL };
	static const char *const flags[] = { "strict", "dry-run", NULL };
	static const char *const acls[] = { "default", "source", NULL };
	struct gpo_request r = { 0 };
	struct gpo_ref src = { 0 };
	struct gpo_snapshot *snap = NULL, *ssnap = NULL;
	struct gpo_view *view = NULL;
	struct gpo_domain *sd = d;
	struct gpo_migration *mig = NULL;
	struct gpo made_gpo = { 0 };
	const struct gpo *g, *ng, *sg;
	const char *acl = NULL, *table;
	char *wql = NULL, *dflt = NULL, *mext = NULL, *uext = NULL;
	struct gpo_born born;
	unsigned char *mapped_sd = NULL;
	size_t mapped_len = 0;
	char made[GPO_GUID_LEN + 1] = "", source[GPO_GUID_LEN + 1] = "";
	struct vfill f = { .err = err };
	bool created = false, dry_run;
	struct timespec t0, t_read, t_made, t_run;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	t_read = t_made = t_run = t0;

	rc = gpo_request_parse(buf, len, flags, &r, err);
	if (!rc)
		rc = gpo_request_check(&r, 2, 2, keys, err);
	if (!rc)
		rc = gpo_request_choice(&r, "acl", acls, "default", &acl, err);
	if (!rc)
		rc = gpo_request_ref(&r.pos[0], GPO_REF_GUID | GPO_REF_NAME | GPO_REF_DOMAIN, &src,
				     err);
	if (rc)
		goto out;
	dry_run = gpo_request_flag(&r, "dry-run");
	table = gpo_request_option(&r, "migtable");
	if (!table)
		table = dflt = gpo_writes_migtable(w);
	if (src.domain) {
		sd = gpo_op_env_domain(env, src.domain);
		if (!sd) {
			rc = gpo_err_set(err, -ENOENT, "no domain %s is mounted", src.domain);
			goto out;
		}
	}
	if ((gpo_request_flag(&r, "strict") || dry_run) && !table) {
		rc = gpo_err_set(err, -EINVAL, "strict and dry-run need a migration table (migtable=)");
		goto out;
	}
	rc = gpo_domain_snapshot(sd, &ssnap);
	if (rc) {
		gpo_err_set(err, rc, "cannot read the GPO list of %s: %s", gpo_domain_name(sd),
			    strerror(-rc));
		goto out;
	}
	g = gpo_find_gpo(sd, ssnap, &src, err);
	if (!g) {
		rc = err->code;
		goto out;
	}
	snprintf(source, sizeof(source), "%s", g->guid);
	/* as the directory has it now (its security, say, changed by
	 * another tool within the list's refresh time) */
	rc = gpo_domain_refresh_gpo(sd, source, err);
	if (!rc) {
		gpo_snapshot_put(ssnap);
		ssnap = NULL;
		rc = gpo_domain_snapshot(sd, &ssnap);
	}
	g = rc ? NULL : gpo_snapshot_find(ssnap, source);
	if (!g) {
		rc = gpo_err_set(err, rc ? rc : -ENOENT, "%s is gone from %s", source,
				 gpo_domain_name(sd));
		goto out;
	}
	/* the new GPO's folder ACL is set further on: the helper starts
	 * while the source is read */
	if (!dry_run)
		gpo_domain_acl_warm(d);
	/* the source as one version: what a cp -r of its folder would copy;
	 * but for the files the DC will copy itself, listed, not read */
	if (sd == d && !dry_run && gpo_domain_sysvol_copies(d))
		rc = gpo_domain_view_listed(sd, g, ON_DC_MIN, &view);
	else
		rc = gpo_domain_view_current(sd, g, &view);
	if (rc) {
		gpo_err_set(err, rc, "cannot read %s: %s", g->guid, strerror(-rc));
		goto out;
	}
	f.v = view;
	sg = gpo_view_gpo(view);
	clock_gettime(CLOCK_MONOTONIC, &t_read);
	/* a table (given, or the domain's for any copy from elsewhere)
	 * checked whole before anything is made */
	if (table && (sd != d || gpo_request_option(&r, "migtable"))) {
		const char *bx;
		size_t bxlen;

		gpo_view_generated(view, GPO_GEN_BACKUP_XML, &bx, &bxlen);
		rc = gpo_migration_new(d, env ? env->migtable_dir : "", table, bx, bxlen,
				       gpo_request_flag(&r, "strict"), dry_run, &mig, err);
		if (!rc)
			rc = gpo_migration_scan_view(mig, view, err);
		/* the source's DACL too, when the copy keeps it (as GPMC) */
		if (!rc && !strcmp(acl, "source"))
			rc = gpo_migration_sd(mig, sg->sd, sg->sd_len, &mapped_sd, &mapped_len, err);
		if (!rc)
			rc = gpo_migration_finish(mig, source, err);
		if (rc || dry_run)
			goto out;
		f.mig = mig;
	}
	rc = wmi_link(d, sd, sg, &wql, err);
	if (rc)
		goto out;
	/* the source's lists; the status of a new GPO, as GPMC's Copy */
	rc = gpo_import_born(sg->machine_ext, sg->user_ext, &born, &mext, &uext, err);
	if (rc)
		goto out;
	rc = gpo_made_create(d, gpo_writes_journal_dir(w), "copy", r.pos[1].value, &born, made,
			     err);
	if (rc)
		goto out;
	f.born = &born;
	created = true;
	if (sd == d && gpo_domain_sysvol_copies(d))
		f.on_dc = source;
	gpo_journal_add(gpo_domain_journal(d), "%s: copying %s%s%s (\"%s\") into it, security %s",
			made, sd != d ? gpo_domain_name(sd) : "", sd != d ? "/" : "", source,
			sg->display_name, acl);
	rc = gpo_domain_snapshot(d, &snap);
	ng = rc ? NULL : gpo_snapshot_find(snap, made);
	if (!ng) {
		rc = gpo_err_set(err, rc ? rc : -ESTALE, "%s is not in the GPO list", made);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t_made);
	rc = gpo_writes_run(w, ng, pid, fill_txn, &f);
	clock_gettime(CLOCK_MONOTONIC, &t_run);
	if (rc) {
		if (!err->code)
			gpo_err_set(err, rc, "the commit failed: %s", strerror(-rc));
		/* what was read of the source is not what it holds: read it
		 * again next time */
		if (rc == -ESTALE && f.files_on_dc)
			gpo_domain_changed(sd, source);
		goto out;
	}
	/* the WMI filter link, and the source's DACL when asked */
	if (wql || !strcmp(acl, "source")) {
		struct gpo_state to = { r.pos[1].value, 0, wql, NULL, 0 };

		rc = gpo_domain_read_gpo(d, made, &made_gpo, err);
		if (rc)
			goto out;
		to.flags = made_gpo.flags;
		if (!strcmp(acl, "source")) {
			to.sd = mapped_sd ? mapped_sd : sg->sd;
			to.sd_len = mapped_sd ? mapped_len : sg->sd_len;
		}
		rc = gpo_domain_set_state(d, &made_gpo, &to, err);
		if (!rc && to.sd)
			rc = gpo_domain_set_folder_acl(d, made, err);
		gpo_domain_changed(d, made);
	}
	/* the new GPO is whole only with its containers */
	if (!rc)
		rc = gpo_domain_create_settle(d, made, err);
	if (!rc)
		gpo_journal_add(gpo_domain_journal(d),
				"%s: a copy of %s: %zu files, %.1f MiB, of which %zu files, %.1f MiB for the DC to copy itself (%.3f s: the source read %.3f, the GPO made %.3f, its settings staged %.3f and committed %.3f, its security %.3f)",
				made, source, f.files, (double)f.bytes / (1 << 20), f.files_on_dc,
				(double)f.bytes_on_dc / (1 << 20),
				(double)gpo_ms_since(&t0) / 1000, (double)gpo_ms_between(&t0, &t_read) / 1000,
				(double)gpo_ms_between(&t_read, &t_made) / 1000, (double)f.ms_staged / 1000,
				(double)(gpo_ms_between(&t_made, &t_run) - f.ms_staged) / 1000,
				(double)gpo_ms_since(&t_run) / 1000);
out:
	/* nothing is left of a copy that failed (or the next start deletes it) */
	if (created)
		gpo_made_done(d, gpo_writes_journal_dir(w), "copy", made, rc != 0);
	if (rc)
		gpo_journal_add(gpo_domain_journal(d), "copy refused: %s", gpo_err_reason(err));
	else if (dry_run)
		gpo_journal_add(gpo_domain_journal(d), "copy of %s: dry run, nothing was made",
				source);
	free(wql);
	free(dflt);
	free(mext);
	free(uext);
	free(mapped_sd);
	gpo_migration_free(mig);
	gpo_clear(&made_gpo);
	gpo_view_put(view);
	gpo_snapshot_put(snap);
	gpo_snapshot_put(ssnap);
	gpo_ref_free(&src);
	gpo_request_free(&r);
	return rc;
}
