/* The backup store behind backups/, as the mount sees it: who may use it
 * and what may be written where. The sealing itself is ops/op's
 * (gpo_sealer.h). */
#include "gpofs_store.h"

#include <errno.h>

#include "gpo_store.h"
#include "gpofs_ops.h"

int gpofs_store_caller_ok(struct gpofs *fs)
{
	uid_t uid = fuse_get_context()->uid;

	/* The kernel checks the modes too (default_permissions is always
	 * on); this holds even if it were not: the stores are private. */
	return uid == fs->uid || uid == 0 ? 0 : -EACCES;
}

bool gpofs_store_sealed(struct gpofs *fs, const struct gpofs_path *p)
{
	return p->backups && *p->top &&
	       gpo_store_is_sealed(fs->conf.backup_dir, p->top);
}

int gpofs_store_may_write(struct gpofs *fs, const struct gpofs_path *p,
			  bool is_dir)
{
	if (!p->backups)
		return 0;
	if (!*p->top)
		return -EPERM;
	if (gpofs_store_sealed(fs, p))
		return -EROFS;
	if (!p->below_top && !is_dir)
		return -EPERM; /* the store holds backup folders only */
	return 0;
}
