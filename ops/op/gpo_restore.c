#include "gpo_restore.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gpo_backup_read.h"
#include "gpo_buf.h"
#include "gpo_cse.h"
#include "gpo_file.h"
#include "gpo_made.h"
#include "gpo_import.h"
#include "gpo_journal.h"
#include "gpo_request.h"
#include "gpo_store.h"
#include "gpo_time.h"

const char gpo_restore_usage[] =
"restore: returns a GPO of this domain to its state in a GPMC backup, as\n"
"RestoreGPO does: the same GUID, settings, security (directory and\n"
"SYSVOL), display name, status and WMI filter link (dropped when the\n"
"filter is gone); links are not touched; a deleted GPO is made again.\n"
"Both versions go up, so clients apply it again. One request per write:\n"
"\n"
"  echo '{BACKUP-ID}' > restore              a backup in backups/\n"
"  echo /srv/backups/{BACKUP-ID} > restore   any backup folder\n"
"\n"
"The write returns when the GPO is restored, or fails: EINVAL (a request\n"
"or backup that is not valid), ENOENT (no such backup), EXDEV (a backup\n"
"of another domain), EEXIST (a deleted GPO's name is taken), EBUSY (the\n"
"GPO has changes being written), EACCES (refused by the DC), EIO (the DC\n"
"failed). Nothing changes on failure; the reason goes to log.\n";

#define JOURNAL_PREFIX "restore-"
#define JOURNAL_MAX (1024 * 1024)

/* What the object held before the restore, as the journal keeps it. */
struct before {
	char guid[GPO_GUID_LEN + 1];
	bool created;           /* made again by the restore: deleted on undo */
	uint32_t version;       /* versionNumber before: moved = committed */
	char *name, *wmi;       /* wmi NULL: none */
	unsigned flags;
	unsigned char *sd;
	size_t sd_len;
};

static void before_free(struct before *b)
{
	free(b->name);
	free(b->wmi);
	free(b->sd);
	memset(b, 0, sizeof(*b));
}

static int put_hex(struct gpo_buf *out, const char *key, const void *data, size_t len)
{
	const unsigned char *p = data;
	int rc = gpo_buf_printf(out, "%s ", key);

	for (size_t i = 0; !rc && i < len; i++)
		rc = gpo_buf_printf(out, "%02x", p[i]);
	return rc ? rc : gpo_buf_printf(out, "\n");
}

static int hex_value(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A hex value into a new buffer (NUL-terminated too). */
static int get_hex(const char *s, unsigned char **out, size_t *len)
{
	size_t n = strlen(s);

	if (n % 2)
		return -EINVAL;
	*out = malloc(n / 2 + 1);
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(*out);
			*out = NULL;
			return -EINVAL;
		}
		(*out)[i] = (unsigned char)(hi << 4 | lo);
	}
	(*out)[n / 2] = '\0';
	*len = n / 2;
	return 0;
}

static int journal_path(const char *dir, const char *guid, char *out, size_t outlen)
{
	return snprintf(out, outlen, "%s/" JOURNAL_PREFIX "%s", dir, guid) >= (int)outlen
		       ? -ENAMETOOLONG : 0;
}

/* Writes b's journal, durably, before the first change. */
static int journal_write(const char *dir, const struct before *b)
{
	struct gpo_buf text = GPO_BUF_INIT;
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	int rc;

	rc = journal_path(dir, b->guid, path, sizeof(path));
	if (!rc)
		rc = gpo_buf_printf(&text, "gpofs restore 1\nguid %s\ncreated %d\nversion %u\nflags %u\n",
				    b->guid, b->created, b->version, b->flags);
	if (!rc)
		rc = put_hex(&text, "name", b->name, strlen(b->name));
	if (!rc && b->wmi)
		rc = put_hex(&text, "wmi", b->wmi, strlen(b->wmi));
	if (!rc && b->sd_len)
		rc = put_hex(&text, "sd", b->sd, b->sd_len);
	if (rc)
		goto out;
	/* written aside and renamed: a journal is whole or absent */
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	rc = gpo_file_write_synced(tmp, text.data, text.len);
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
out:
	gpo_buf_free(&text);
	return rc;
}

/* Reads a journal back. Returns 0, -EINVAL (not one of ours), -errno. */
static int journal_read(const char *path, struct before *b)
{
	char *text = NULL, *line, *save = NULL;
	bool magic = false;
	int rc;

	memset(b, 0, sizeof(*b));
	rc = gpo_file_read(path, JOURNAL_MAX, &text, NULL, NULL);
	if (rc)
		return rc;
	for (line = strtok_r(text, "\n", &save); !rc && line; line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, ' ');
		size_t n;

		if (!v)
			continue;
		*v++ = '\0';
		if (!strcmp(line, "gpofs"))
			magic = !strcmp(v, "restore 1");
		else if (!strcmp(line, "guid"))
			snprintf(b->guid, sizeof(b->guid), "%s", v);
		else if (!strcmp(line, "created"))
			b->created = !strcmp(v, "1");
		else if (!strcmp(line, "version"))
			b->version = (uint32_t)strtoul(v, NULL, 10);
		else if (!strcmp(line, "flags"))
			b->flags = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(line, "name"))
			rc = get_hex(v, (unsigned char **)&b->name, &n);
		else if (!strcmp(line, "wmi"))
			rc = get_hex(v, (unsigned char **)&b->wmi, &n);
		else if (!strcmp(line, "sd"))
			rc = get_hex(v, &b->sd, &b->sd_len);
	}
	free(text);
	if (!rc && (!magic || !gpo_guid_valid(b->guid) || !b->name))
		rc = -EINVAL;
	if (rc)
		before_free(b);
	return rc;
}

/* Puts back what b says the object held (or deletes the GPO made again),
 * unless the restore's commit landed (its version moved). */
static int undo(struct gpo_domain *d, const struct before *b, struct gpo_err *err)
{
	struct gpo now = { 0 };
	struct gpo_state was = { b->name, b->flags, b->wmi, b->sd, b->sd_len };
	int rc;

	rc = gpo_domain_read_gpo(d, b->guid, &now, err);
	if (rc == -ENOENT)
		return 0; /* nothing there to put back */
	if (rc)
		return rc;
	if (now.version != b->version) {
		rc = 1; /* committed: the restore is done */
		goto out;
	}
	if (b->created) {
		rc = gpo_domain_delete(d, b->guid, err);
		goto out;
	}
	rc = gpo_domain_set_state(d, &now, &was, err);
	if (!rc)
		rc = gpo_domain_set_folder_acl(d, b->guid, err);
out:
	gpo_clear(&now);
	return rc;
}

/* One entry of the journal folder: a restore's journal, undone. */
static int recover_entry(void *arg, const char *journal_dir, const char *name)
{
	struct gpo_domain *d = arg;
	char path[PATH_MAX];
	struct before b;
	struct gpo_err err = { 0 };
	int rc;

	if (strncmp(name, JOURNAL_PREFIX, strlen(JOURNAL_PREFIX)) || strchr(name, '.'))
		return 0;
	if (snprintf(path, sizeof(path), "%s/%s", journal_dir, name) >= (int)sizeof(path))
		return 0;
	rc = journal_read(path, &b);
	if (rc) {
		gpo_journal_add(gpo_domain_journal(d), "a restore journal %s cannot be read (%s): removed",
				path, strerror(-rc));
		unlink(path);
		return 0;
	}
	rc = undo(d, &b, &err);
	if (rc < 0) {
		gpo_journal_add(gpo_domain_journal(d),
				"%s: a restore cut short could not be undone yet: %s",
				b.guid, gpo_err_reason(&err));
	} else {
		gpo_journal_add(gpo_domain_journal(d), rc == 1
				? "%s: a restore cut short had committed: it is done"
				: "%s: a restore cut short was undone: the GPO is as it was",
				b.guid);
		unlink(path);
	}
	before_free(&b);
	return rc < 0;
}

int gpo_restore_recover(struct gpo_domain *d, const char *journal_dir)
{
	return gpo_file_each_entry(journal_dir, recover_entry, d);
}

/* Reads the backup in folder: its bkupInfo.xml and Backup.xml. */
static int read_backup(const char *folder, struct gpo_backup_info *info,
		       struct gpo_backup *b, struct gpo_err *err)
{
	char why[256] = "", path[PATH_MAX];
	char *xml = NULL;
	size_t len = 0;
	int rc;

	rc = gpo_backup_check_form(folder, info, why, sizeof(why));
	if (rc)
		return gpo_err_set(err, rc == -ENOMEM ? rc : -EINVAL,
				   "%s is not a GPMC backup: %s", folder, why);
	rc = gpo_resolve_nocase(folder, "Backup.xml", path, sizeof(path));
	if (!rc)
		rc = gpo_file_read(path, GPO_BACKUP_XML_MAX, &xml, &len, NULL);
	if (!rc)
		rc = gpo_backup_read(xml, len, b, why, sizeof(why));
	free(xml);
	if (rc)
		return gpo_err_set(err, rc == -ENOMEM ? rc : -EINVAL,
				   "%s/Backup.xml: %s", folder, *why ? why : strerror(-rc));
	return 0;
}

/* The packed version above which both halves go: the backup's, the
 * higher of its directory and SYSVOL halves. */
static uint32_t backup_floor(const struct gpo_backup *b)
{
	unsigned u = b->user_version >> 16, us = b->user_version & 0xffff;
	unsigned m = b->machine_version >> 16, ms = b->machine_version & 0xffff;

	return (uint32_t)(u > us ? u : us) << 16 | (m > ms ? m : ms);
}

static bool same_domain(const char *a, const char *b)
{
	return a && b && !strcasecmp(a, b);
}

/* Restores GPO guid of d from folder (read into b). */
static int restore(struct gpo_writes *w, struct gpo_domain *d, const char *journal_dir,
		   const char *folder, const struct gpo_backup *bk, const char *guid,
		   pid_t pid, struct gpo_err *err)
{
	struct before was = { 0 };
	struct gpo cur = { 0 };
	struct gpo_snapshot *snap = NULL;
	const struct gpo *g;
	struct gpo_state to = { bk->display_name ? bk->display_name : "", bk->options,
				bk->wmi_filter, bk->sd, bk->sd_len };
	struct gpo_err e2 = { 0 };
	struct gpo_born born = { 0 };
	bool journalled = false, touched = false;
	char made[GPO_GUID_LEN + 1] = "", *mext = NULL, *uext = NULL;
	struct timespec t0, t1, tm, t2, t3;
	bool same = false;
	int rc, have;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	t1 = tm = t2 = t3 = t0;
	gpo_domain_acl_warm(d); /* its folder ACL is set further on */
	snprintf(was.guid, sizeof(was.guid), "%s", guid);
	rc = gpo_domain_read_gpo(d, guid, &cur, err);
	if (rc == -ENOENT) {
		/* deleted: made again under its own GUID, empty but for the
		 * versions, lists and status its restore gives it, then
		 * restored */
		memset(err, 0, sizeof(*err));
		mext = gpo_cse_canonical(bk->machine_ext);
		uext = gpo_cse_canonical(bk->user_ext);
		if (!mext || !uext) {
			rc = gpo_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		born = (struct gpo_born){ .version = gpo_version_bump(backup_floor(bk), true, true),
					  .machine_ext = mext, .user_ext = uext,
					  .flags = bk->options };
		rc = gpo_made_create_guid(d, journal_dir, "remake", to.display_name, &born, guid,
					  err);
		if (rc)
			goto out;
		was.created = true;
		snprintf(made, sizeof(made), "%s", guid);
		gpo_journal_add(gpo_domain_journal(d), "%s: deleted since the backup: made again", guid);
		/* as its creation listed it a moment ago: the directory
		 * connection is busy with its containers meanwhile */
		rc = gpo_domain_snapshot(d, &snap);
		g = rc ? NULL : gpo_snapshot_find(snap, guid);
		rc = g ? gpo_copy(&cur, g) : gpo_domain_read_gpo(d, guid, &cur, err);
		if (rc == -ENOMEM)
			gpo_err_set(err, rc, "out of memory");
		gpo_snapshot_put(snap);
		snap = NULL;
		g = NULL;
	}
	if (rc)
		goto out;
	was.version = cur.version;
	was.flags = cur.flags;
	was.name = strdup(cur.display_name ? cur.display_name : "");
	was.wmi = cur.wmi_filter ? strdup(cur.wmi_filter) : NULL;
	if (cur.sd_len) {
		was.sd = malloc(cur.sd_len);
		if (was.sd)
			memcpy(was.sd, cur.sd, cur.sd_len);
		was.sd_len = cur.sd_len;
	}
	if (!was.name || (cur.wmi_filter && !was.wmi) || (cur.sd_len && !was.sd)) {
		rc = gpo_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	/* the WMI filter link only when that filter is still there */
	if (to.wmi_filter) {
		have = gpo_domain_wmi_filter_exists(d, to.wmi_filter, err);
		if (have < 0) {
			rc = have;
			goto out;
		}
		if (!have) {
			gpo_journal_add(gpo_domain_journal(d),
					"%s: the WMI filter the backup links (%s) is gone: the link is dropped",
					guid, to.wmi_filter);
			to.wmi_filter = NULL;
		}
	}
	rc = journal_write(journal_dir, &was);
	if (rc) {
		gpo_err_set(err, rc, "cannot write the restore's journal in %s: %s", journal_dir,
			    strerror(-rc));
		goto out;
	}
	journalled = true;
	/* the restore's journal says from now on what was made */
	if (was.created)
		gpo_made_done(d, journal_dir, "remake", made, false);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	same = gpo_domain_state_same(&cur, &to);
	rc = gpo_domain_set_state(d, &cur, &to, err);
	/* one modify (or none: the state is the backup's), applied whole
	 * or not at all: refused, nothing changed but what the restore made
	 * (a GPO made again); -EIO: unknown */
	touched = !same && rc != -EACCES && rc != -EINVAL && rc != -EPERM;
	clock_gettime(CLOCK_MONOTONIC, &tm);
	/* a GPO made again has the folder ACL of the DACL it keeps: its
	 * creation derived it a moment ago */
	if (!rc && !(was.created && same)) {
		rc = gpo_domain_set_folder_acl(d, guid, err);
		if (rc != -EACCES && rc != -EPERM)
			touched = true;
	}
	if (rc)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t2);
	rc = gpo_domain_snapshot(d, &snap);
	g = rc ? NULL : gpo_snapshot_find(snap, guid);
	if (!rc && (!same || !g || g->version != cur.version || g->changed != cur.changed)) {
		/* the import begins from the list's entry: the object as
		 * it is now, not as it was before the state was set */
		gpo_snapshot_put(snap);
		snap = NULL;
		gpo_domain_changed(d, guid);
		rc = gpo_domain_snapshot(d, &snap);
		g = rc ? NULL : gpo_snapshot_find(snap, guid);
	}
	if (rc) {
		gpo_err_set(err, rc, "cannot read the GPO list: %s", strerror(-rc));
		goto out;
	}
	if (!g) {
		rc = gpo_err_set(err, -ESTALE, "%s is gone from the GPO list", guid);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t3);
	rc = gpo_import_folder_as(w, d, g, folder, pid, true, backup_floor(bk),
				  was.created ? &born : NULL, err);
	if (!rc)
		gpo_journal_add(gpo_domain_journal(d),
				"%s: restore took %.3f s: the GPO read%s and journalled %.3f, its state %.3f (%s) and folder ACL %.3f, the list %.3f, the settings %.3f",
				guid, (double)gpo_ms_since(&t0) / 1000, was.created ? " (made again)" : "",
				(double)gpo_ms_between(&t0, &t1) / 1000,
				(double)gpo_ms_between(&t1, &tm) / 1000,
				same ? "as the backup's already" : "set",
				(double)gpo_ms_between(&tm, &t2) / 1000,
				(double)gpo_ms_between(&t2, &t3) / 1000, (double)gpo_ms_since(&t3) / 1000);
out:
	if (rc && journalled && !touched) {
		if (was.created)
			gpo_domain_delete(d, made, NULL);
		journalled = false;
	} else if (rc && journalled) {
		/* put back what the object held (the commit undid SYSVOL) */
		int u = undo(d, &was, &e2);

		if (u < 0)
			gpo_journal_add(gpo_domain_journal(d),
					"%s: the restore failed and what it changed could not be put back yet (%s): the journal keeps it for the next start",
					guid, gpo_err_reason(&e2));
		else
			journalled = false;
	} else if (rc && was.created) {
		/* not journalled yet: the GPO made again goes, with its
		 * journal (which stays, for the next start, if it cannot) */
		gpo_made_done(d, journal_dir, "remake", made, true);
	}
	if (!rc || !journalled) {
		char path[PATH_MAX];

		if (!journal_path(journal_dir, guid, path, sizeof(path)))
			unlink(path);
	}
	gpo_snapshot_put(snap);
	gpo_clear(&cur);
	before_free(&was);
	free(mext);
	free(uext);
	return rc;
}

int gpo_restore_request(struct gpo_writes *w, struct gpo_domain *d,
			const char *store, const char *journal_dir,
			const char *buf, size_t len, pid_t pid,
			struct gpo_err *err)
{
	struct gpo_request r = { 0 };
	struct gpo_ref src = { 0 };
	struct gpo_backup_info info = { 0 };
	struct gpo_backup bk = { 0 };
	char folder[PATH_MAX];
	int rc;

	rc = gpo_request_parse(buf, len, NULL, &r, err);
	if (!rc)
		rc = gpo_request_check(&r, 1, 1, NULL, err);
	if (!rc)
		rc = gpo_request_ref(&r.pos[0], GPO_REF_GUID | GPO_REF_PATH, &src, err);
	if (rc)
		goto out;
	rc = gpo_backup_source(store, &src, folder, sizeof(folder), err);
	if (rc)
		goto out;
	rc = read_backup(folder, &info, &bk, err);
	if (rc)
		goto out;
	if (!same_domain(info.domain ? info.domain : bk.domain, gpo_domain_name(d))) {
		rc = gpo_err_set(err, -EXDEV,
				 "%s is a backup of %s, not of %s: restore it there, or import or copy it",
				 folder, info.domain ? info.domain : bk.domain ? bk.domain : "another domain",
				 gpo_domain_name(d));
		goto out;
	}
	gpo_journal_add(gpo_domain_journal(d), "%s: restoring from %s (\"%s\")", info.gpo_guid,
			folder, bk.display_name ? bk.display_name : "");
	rc = restore(w, d, journal_dir, folder, &bk, info.gpo_guid, pid, err);
	if (!rc)
		gpo_journal_add(gpo_domain_journal(d), "%s: restored from %s", info.gpo_guid, folder);
out:
	if (rc)
		gpo_journal_add(gpo_domain_journal(d), "restore refused: %s", gpo_err_reason(err));
	gpo_backup_free(&bk);
	gpo_backup_info_free(&info);
	gpo_ref_free(&src);
	gpo_request_free(&r);
	return rc;
}
