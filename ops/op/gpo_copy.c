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
#include "gpo_request.h"
#include "gpo_txn.h"
#include "gpo_view.h"

const char gpo_copy_usage[] =
"copy: makes a new GPO holding another's settings, as GPMC's Copy does:\n"
"a new GUID, the name given, no links; the source's settings and WMI\n"
"filter link; the security of a new GPO, or the source's with acl=source.\n"
"One request per write:\n"
"\n"
"  echo '{GUID} \"New name\"' > copy\n"
"  echo '\"Kiosk lockdown\" \"Kiosk lockdown (test)\" acl=source' > copy\n"
"\n"
"The write returns when the copy is made, or fails: EINVAL (a request\n"
"that is not valid; a name several GPOs have), ENOENT (no such GPO),\n"
"EEXIST (the new name is taken), EACCES (refused by the DC), EIO (the DC\n"
"failed). Nothing is left of a copy that failed; the reason goes to log.\n";

#define JOURNAL_PREFIX "copy-"

/* The journal of a copy under way: its GUID, written before the GPO is
 * made, so that a daemon killed half-way deletes it at the next start. */
static int journal_path(const char *dir, const char *guid, char *out, size_t outlen)
{
	return snprintf(out, outlen, "%s/" JOURNAL_PREFIX "%s", dir, guid) >= (int)outlen
		       ? -ENAMETOOLONG : 0;
}

static int journal_write(const char *dir, const char *guid)
{
	char path[PATH_MAX];
	int rc = journal_path(dir, guid, path, sizeof(path));

	if (!rc)
		rc = gpo_file_write_synced(path, "gpofs copy 1\n", 13);
	if (rc)
		unlink(path);
	return rc;
}

int gpo_copy_recover(struct gpo_domain *d, const char *journal_dir)
{
	DIR *dir = opendir(journal_dir);
	struct dirent *de;
	int left = 0;

	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		const char *guid = de->d_name + strlen(JOURNAL_PREFIX);
		struct gpo_err err = { 0 };
		char path[PATH_MAX];
		int rc;

		if (strncmp(de->d_name, JOURNAL_PREFIX, strlen(JOURNAL_PREFIX)) ||
		    !gpo_guid_valid(guid) ||
		    journal_path(journal_dir, guid, path, sizeof(path)))
			continue;
		rc = gpo_domain_delete(d, guid, &err);
		if (rc && rc != -ENOENT) {
			gpo_journal_add(gpo_domain_journal(d),
					"%s: a copy cut short could not be deleted yet: %s",
					guid, gpo_err_reason(&err));
			left++;
			continue;
		}
		gpo_journal_add(gpo_domain_journal(d), "%s: a copy cut short was undone: %s", guid,
				rc ? "nothing of it was made" : "the GPO it made is deleted");
		unlink(path);
	}
	closedir(dir);
	return left;
}

/* Filling the new GPO's transaction from the source's view. */
struct vfill {
	struct gpo_view *v;
	size_t files;
	unsigned long long bytes;
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

static int put_node(struct gpo_txn *t, struct vfill *f, const struct gpo_view_node *n,
		    const char *rel)
{
	struct gpo_view_reader *r = NULL;
	char buf[128 * 1024];
	off_t off = 0;
	int fd = -1;
	int rc;

	rc = gpo_view_reader_open(f->v, n, &r);
	if (!rc)
		rc = gpo_txn_open_write(t, rel, O_CREAT | O_TRUNC, &fd);
	while (!rc) {
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
	int rc;

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
				rc = 0; /* Machine/ and User/ of a new GPO */
			else if (rc)
				gpo_err_set(f->err, rc, "copying %s: %s", rel, strerror(-rc));
		} else {
			rc = put_node(t, f, n, rel);
		}
	}
	return rc;
}

int gpo_copy_request(struct gpo_writes *w, struct gpo_domain *d,
		     const char *buf, size_t len, pid_t pid, struct gpo_err *err)
{
	static const char *const keys[] = { "acl", NULL };
	static const char *const acls[] = { "default", "source", NULL };
	struct gpo_request r = { 0 };
	struct gpo_ref src = { 0 };
	struct gpo_snapshot *snap = NULL;
	struct gpo_view *view = NULL;
	struct gpo made_gpo = { 0 };
	const struct gpo *g, *ng, *sg;
	const char *acl = NULL;
	char made[GPO_GUID_LEN + 1] = "", source[GPO_GUID_LEN + 1] = "";
	struct vfill f = { .err = err };
	bool journalled = false, created = false;
	int rc;

	rc = gpo_request_parse(buf, len, NULL, &r, err);
	if (!rc)
		rc = gpo_request_check(&r, 2, 2, keys, err);
	if (!rc)
		rc = gpo_request_choice(&r, "acl", acls, "default", &acl, err);
	if (!rc)
		rc = gpo_request_ref(&r.pos[0], GPO_REF_GUID | GPO_REF_NAME, &src, err);
	if (rc)
		goto out;
	rc = gpo_domain_snapshot(d, &snap);
	if (rc) {
		gpo_err_set(err, rc, "cannot read the GPO list: %s", strerror(-rc));
		goto out;
	}
	g = gpo_find_gpo(d, snap, &src, err);
	if (!g) {
		rc = err->code;
		goto out;
	}
	snprintf(source, sizeof(source), "%s", g->guid);
	/* the source as one version: what a cp -r of its folder would copy */
	rc = gpo_domain_view_once(d, g, pid, &view);
	if (rc) {
		gpo_err_set(err, rc, "cannot read %s: %s", g->guid, strerror(-rc));
		goto out;
	}
	f.v = view;
	sg = gpo_view_gpo(view);
	gpo_domain_new_guid(made);
	rc = journal_write(gpo_writes_journal_dir(w), made);
	if (rc) {
		gpo_err_set(err, rc, "cannot write the copy's journal: %s", strerror(-rc));
		goto out;
	}
	journalled = true;
	rc = gpo_domain_create_guid(d, r.pos[1].value, made, err);
	if (rc)
		goto out;
	created = true;
	gpo_journal_add(gpo_domain_journal(d), "%s: copying %s (\"%s\") into it, security %s",
			made, source, sg->display_name, acl);
	gpo_snapshot_put(snap);
	snap = NULL;
	rc = gpo_domain_snapshot(d, &snap);
	ng = rc ? NULL : gpo_snapshot_find(snap, made);
	if (!ng) {
		rc = gpo_err_set(err, rc ? rc : -ESTALE, "%s is not in the GPO list", made);
		goto out;
	}
	rc = gpo_writes_run(w, ng, pid, fill_txn, &f);
	if (rc) {
		if (!err->code)
			gpo_err_set(err, rc, "the commit failed: %s", strerror(-rc));
		goto out;
	}
	/* the WMI filter link (within the domain, the filter is there), and
	 * the source's DACL when asked */
	if (sg->wmi_filter || !strcmp(acl, "source")) {
		struct gpo_state to = { r.pos[1].value, 0, sg->wmi_filter, NULL, 0 };

		rc = gpo_domain_read_gpo(d, made, &made_gpo, err);
		if (rc)
			goto out;
		to.flags = made_gpo.flags;
		if (!strcmp(acl, "source")) {
			to.sd = sg->sd;
			to.sd_len = sg->sd_len;
		}
		rc = gpo_domain_set_state(d, &made_gpo, &to, err);
		if (!rc && to.sd)
			rc = gpo_domain_set_folder_acl(d, made, err);
		gpo_domain_changed(d, made);
	}
	if (!rc)
		gpo_journal_add(gpo_domain_journal(d), "%s: a copy of %s: %zu files, %.1f MiB",
				made, source, f.files, (double)f.bytes / (1 << 20));
out:
	if (rc && created) {
		int gone = gpo_domain_delete(d, made, NULL); /* nothing is left of it */

		if (gone && gone != -ENOENT)
			journalled = false; /* kept: the next start deletes it */
	}
	if (journalled) {
		char path[PATH_MAX];

		if (!journal_path(gpo_writes_journal_dir(w), made, path, sizeof(path)))
			unlink(path);
	}
	if (rc)
		gpo_journal_add(gpo_domain_journal(d), "copy refused: %s", gpo_err_reason(err));
	gpo_clear(&made_gpo);
	gpo_view_put(view);
	gpo_snapshot_put(snap);
	gpo_ref_free(&src);
	gpo_request_free(&r);
	return rc;
}
