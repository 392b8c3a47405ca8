#include "gpofs_control.h"

#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include <fuse.h>

#include "gpo_import.h"
#include "gpo_request.h"

int gpofs_control_write(struct gpofs *fs, struct handle *h, const char *buf,
			size_t size)
{
	struct gpo_err err = { 0 };
	pid_t pid = fuse_get_context()->pid, sid = getsid(pid);
	int rc;

	if (size > INT_MAX)
		return -EINVAL;
	/* the writer is the caller's session, as for a write into a GPO */
	rc = gpo_import_request(fs->writes[h->dom_i], fs->domains[h->dom_i],
				fs->conf.backup_dir, buf, size, sid > 0 ? sid : pid, &err);
	return rc ? rc : (int)size;
}
