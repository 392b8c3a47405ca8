#include "gpofs_control.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fuse.h>

#include "gpo_ad_error.h"
#include "gpo_copy.h"
#include "gpo_import.h"
#include "gpo_migration.h"
#include "gpo_request.h"
#include "gpo_restore.h"
#include "gpo_writes.h"

const char *const gpofs_control_names[GPOFS_CTL_COUNT] = { "import", "restore", "copy",
							   "migtable" };

const char *gpofs_control_usage(enum gpofs_control c)
{
	return c == GPOFS_CTL_RESTORE ? gpo_restore_usage :
	       c == GPOFS_CTL_COPY ? gpo_copy_usage :
	       c == GPOFS_CTL_MIGTABLE ? gpo_migtable_usage : gpo_import_usage;
}

char *gpofs_control_text(struct gpofs *fs, size_t dom_i, enum gpofs_control c)
{
	char *table = c == GPOFS_CTL_MIGTABLE ? gpo_writes_migtable(fs->writes[dom_i]) : NULL;
	char *s = NULL;

	if (c != GPOFS_CTL_MIGTABLE)
		return strdup(gpofs_control_usage(c));
	if (asprintf(&s, "%s\nNow: %s\n", gpo_migtable_usage, table ? table : "none") < 0)
		s = NULL;
	free(table);
	return s;
}

int gpofs_control_write(struct gpofs *fs, struct handle *h, const char *buf,
			size_t size)
{
	struct gpo_err err = { 0 };
	struct gpo_op_env env = { fs->domains, fs->n_domains, fs->conf.migtable_dir };
	pid_t pid = fuse_get_context()->pid, sid = getsid(pid);
	int rc;

	if (size > INT_MAX)
		return -EINVAL;
	/* the writer is the caller's session, as for a write into a GPO */
	if (h->control == GPOFS_CTL_COPY)
		rc = gpo_copy_request(fs->writes[h->dom_i], fs->domains[h->dom_i], &env, buf, size,
				      sid > 0 ? sid : pid, &err);
	else if (h->control == GPOFS_CTL_MIGTABLE)
		rc = gpo_migtable_request(fs->writes[h->dom_i], fs->domains[h->dom_i],
					  fs->conf.migtable_dir, buf, size, &err);
	else if (h->control == GPOFS_CTL_RESTORE)
		rc = gpo_restore_request(fs->writes[h->dom_i], fs->domains[h->dom_i],
					 fs->conf.backup_dir,
					 gpo_writes_journal_dir(fs->writes[h->dom_i]), buf, size,
					 sid > 0 ? sid : pid, &err);
	else
		rc = gpo_import_request(fs->writes[h->dom_i], fs->domains[h->dom_i], &env,
					fs->conf.backup_dir, buf, size, sid > 0 ? sid : pid, &err);
	/* the design's one errno for a DC that failed (refused connection,
	 * timeout, reset...): the log has the cause */
	if (gpo_is_dc_failure(rc))
		rc = -EIO;
	return rc ? rc : (int)size;
}
