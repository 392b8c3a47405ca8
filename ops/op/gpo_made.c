/* GPOs a request makes, journalled until it is done (gpo_made.h). */
#include "gpo_made.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gpo_file.h"
#include "gpo_journal.h"

/* Journals are named "<kind>-{GUID}": the kinds a start looks for, and
 * what the log calls each. */
static const struct {
	const char *kind, *what;
} kinds[] = { { "mkdir", "a mkdir" }, { "import", "an import" }, { "copy", "a copy" },
	       { "remake", "a restore of the deleted GPO" } };

static int journal_path(const char *dir, const char *kind, const char *guid, char *out,
			size_t outlen)
{
	return snprintf(out, outlen, "%s/%s-%s", dir, kind, guid) >= (int)outlen
		       ? -ENAMETOOLONG : 0;
}

int gpo_made_create(struct gpo_domain *d, const char *journal_dir, const char *kind,
		    const char *name, const struct gpo_born *born,
		    char guid[GPO_GUID_LEN + 1], struct gpo_err *err)
{
	gpo_domain_new_guid(guid);
	return gpo_made_create_guid(d, journal_dir, kind, name, born, guid, err);
}

int gpo_made_create_guid(struct gpo_domain *d, const char *journal_dir, const char *kind,
			 const char *name, const struct gpo_born *born, const char *guid,
			 struct gpo_err *err)
{
	char path[PATH_MAX];
	bool left = false;
	int rc;

	if (!gpo_guid_valid(guid))
		return gpo_err_set(err, -EINVAL, "%s is not a GPO GUID", guid);
	rc = journal_path(journal_dir, kind, guid, path, sizeof(path));
	if (!rc)
		rc = gpo_file_write_synced(path, "gpofs made 1\n", 13);
	if (rc) {
		unlink(path);
		return gpo_err_set(err, rc, "cannot journal the new GPO in %s: %s", journal_dir,
				   strerror(-rc));
	}
	rc = gpo_domain_create_born(d, name, guid, born, &left, err);
	/* the creation removed what it made, unless it says it could not:
	 * then the GPO is deleted (a GPO of that GUID that was there
	 * before, EEXIST, is not ours, and never reported left) */
	if (rc)
		gpo_made_done(d, journal_dir, kind, guid, left);
	return rc;
}

int gpo_made_done(struct gpo_domain *d, const char *journal_dir, const char *kind,
		  const char *guid, bool undo)
{
	char path[PATH_MAX];
	int rc = 0;

	if (undo) {
		rc = gpo_domain_delete(d, guid, NULL);
		if (rc == -ENOENT)
			rc = 0; /* nothing of it was made, or it is gone */
	}
	if (!rc && !journal_path(journal_dir, kind, guid, path, sizeof(path)))
		unlink(path);
	return rc;
}

/* One entry of the journal folder: a journal of a GPO made, deleted. */
static int recover_entry(void *arg, const char *journal_dir, const char *name)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t n = strlen(kinds[k].kind);
		const char *guid = name + n + 1;
		struct gpo_err err = { 0 };
		char path[PATH_MAX];
		int rc;

		if (strncmp(name, kinds[k].kind, n) || name[n] != '-' || !gpo_guid_valid(guid) ||
		    journal_path(journal_dir, kinds[k].kind, guid, path, sizeof(path)))
			continue;
		rc = gpo_domain_delete(arg, guid, &err);
		if (rc && rc != -ENOENT) {
			gpo_journal_add(gpo_domain_journal(arg),
					"%s: %s cut short could not be undone yet: %s", guid,
					kinds[k].what, gpo_err_reason(&err));
			return 1;
		}
		gpo_journal_add(gpo_domain_journal(arg), "%s: %s cut short was undone: %s", guid,
				kinds[k].what,
				rc ? "nothing of it was made" : "the GPO it made is deleted");
		unlink(path);
		return 0;
	}
	return 0;
}

int gpo_made_recover(struct gpo_domain *d, const char *journal_dir)
{
	return gpo_file_each_entry(journal_dir, recover_entry, d);
}
