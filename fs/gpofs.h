/* The mount's context: one struct, reached by every handler through
 * fuse_get_context()->private_data. Nothing else is mutable and global. */
#ifndef GPOFS_H
#define GPOFS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "gpo_cache.h"
#include "gpo_conf.h"
#include "gpo_domain.h"
#include "gpo_log.h"
#include "gpo_sealer.h"
#include "gpo_session.h"
#include "gpo_writes.h"

struct fuse;

/* The st_blksize of every file: cp and rsync size their buffers by it,
 * and 1 MiB, the most the kernel puts in one FUSE write, makes a large
 * file's copy in or out an eighth of the requests that 128 KiB did. */
#define GPOFS_BLKSIZE (1024 * 1024)

struct gpofs {
	struct gpo_log log;
	struct gpo_conf conf;
	struct gpo_domain **domains;  /* conf.n_domains of them */
	struct gpo_writes **writes;   /* each domain's, from init */
	size_t n_domains;
	uid_t uid;
	gid_t gid;
	time_t mounted;
	struct gpo_session session;   /* SMB library, worker program, keytab */
	struct gpo_sealer *sealer;    /* seals copies into backups/ */
	struct gpo_cache cache;       /* this mount's folder in cache_dir */
	struct fuse *fuse;            /* from init, to notify the kernel */
	pthread_mutex_t made_lock;    /* guards made */
	struct gpofs_made {           /* GPOs a mkdir just made (gpofs_byname.h) */
		pid_t pid;
		size_t dom_i;
		char name[256];
		char guid[GPO_GUID_LEN + 1];
		struct timespec at;
	} made[8];
};

/* The README file shown at the top of the mount. */
extern const char gpofs_readme[];

#endif
