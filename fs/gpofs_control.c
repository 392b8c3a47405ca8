#include "gpofs_control.h"

#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include <fuse.h>

#include "gpo_ad_error.h"
#include "gpo_copy.h"
#include "gpo_import.h"
#include "gpo_request.h"
#include "gpo_restore.h"
#include "gpo_writes.h"

const char *const gpofs_control_names[GPOFS_CTL_COUNT] = { "import", "restore", "copy" };

const char *gpofs_control_usage(enum gpofs_control c)
{
	return c == GPOFS_CTL_RESTORE ? gpo_restore_usage :
	       c == GPOFS_CTL_COPY ? gpo_copy_usage : gpo_import_usage;
}

int gpofs_control_write(struct gpofs *fs, struct handle *h, const char *buf,
			size_t size)
{
	struct gpo_err err = { 0 };
	pid_t pid = fuse_get_context()->pid, sid = getsid(pid);
	int rc;

	if (size > INT_MAX)
		return -EINVAL;
	/* the writer is the caller's session, as for a write into a GPO */
	if (h->control == GPOFS_CTL_COPY)
		rc = gpo_copy_request(fs->writes[h->dom_i], fs->domains[h->dom_i], buf, size,
				      sid > 0 ? sid : pid, &err);
	else if (h->control == GPOFS_CTL_RESTORE)
		rc = gpo_restore_request(fs->writes[h->dom_i], fs->domains[h->dom_i],
					 fs->conf.backup_dir,
					 gpo_writes_journal_dir(fs->writes[h->dom_i]), buf, size,
					 sid > 0 ? sid : pid, &err);
	else
		rc = gpo_import_request(fs->writes[h->dom_i], fs->domains[h->dom_i],
					fs->conf.backup_dir, buf, size, sid > 0 ? sid : pid, &err);
	/* the design's one errno for a DC that failed (refused connection,
	 * timeout, reset...): the log has the cause */
	if (gpo_is_dc_failure(rc))
		rc = -EIO;
	return rc ? rc : (int)size;
}
