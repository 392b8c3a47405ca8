/* by-name/: making a GPO by its name (mkdir), and the few calls for
 * which by-name/<name> is the GPO's folder rather than a link to it. */
#ifndef GPOFS_BYNAME_H
#define GPOFS_BYNAME_H

#include <stdbool.h>
#include <sys/types.h>

#include "gpofs.h"
#include "gpofs_path.h"

/* mkdir by-name/<name>: creates a GPO of that display name (the entry's
 * name unescaped, see ops/format/gpo_name.h) in p's domain. Returns 0,
 * -EEXIST when the name is taken, -EINVAL for a name that does not
 * unescape, or the create's -errno (its reason is in the domain's log).
 * pid is the caller's: its lookup that ends the mkdir sees a folder. */
int gpofs_byname_mkdir(struct gpofs *fs, const struct gpofs_path *p, pid_t pid);

/* True, once, when pid's mkdir just made by-name/<p->name>: the kernel
 * checks that what a mkdir made is a directory, so the getattr that ends
 * the mkdir answers as the GPO's folder (then copies guid out); every
 * other call sees the symlink. */
bool gpofs_byname_just_made(struct gpofs *fs, const struct gpofs_path *p,
			    pid_t pid, char guid[GPO_GUID_LEN + 1]);

/* Makes p (by-name/<name>) the GPO's folder it names: what a listing of
 * by-name/<name> means, which only the directory a mkdir left there can
 * ask. Returns 0, or -ENOENT when no GPO has that name now. */
int gpofs_byname_as_folder(struct gpofs_path *p);

#endif
