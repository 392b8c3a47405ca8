/* ad_write_probe: ops/ad's write primitives from a shell, for
 * tests/integration/t_2x_ad_writes.sh (built for tests only, never
 * installed). Signs in as gpofs does, with a credentials file (never a
 * password on the command line), and makes one call:
 *
 *   ad_write_probe -d DOMAIN -s DC -c CREDFILE [-a CAFILE] [-w N] CMD ARGS
 *
 *   smb-mkdir REL | smb-rmdir REL | smb-unlink REL
 *   smb-rename FROM TO [replace]
 *   smb-put REL FILE          the local FILE by its path; "-": stdin,
 *                             sent inline
 *   smb-times REL SECONDS
 *   smb-stat REL              prints "size mtime"
 *   smb-put-tree DIR REL      makes REL and puts DIR's tree under it
 *                             (its folders first, then its files spread
 *                             over the workers), prints a line of figures
 *   ldap-add DN ATTR=VALUE...            (ATTR<FILE: the value is FILE)
 *   ldap-modify DN OP:ATTR[=VALUE|<FILE]...   OP add, delete or replace
 *   ldap-delete DN [tree]
 *   ldap-read DN ATTR         writes the first value to stdout, raw
 *   ldap-pdc                  prints the PDC emulator's DNS name
 *
 * SMB goes through N workers (this program again, started with
 * --smb-worker) with -w N, else in process. -f FLAGS sends the SD-flags
 * control with ldap-modify and ldap-read. A failure prints
 * "error: ENAME (text)" on stderr and exits 1.
 *
 * For tests of lost connections, two environment variables: PROBE_HOLD=
 * FILE waits, once signed in, while FILE exists (saying "held" on
 * stderr), so that the test can cut the connection; PROBE_KILL_WORKER=1
 * kills the first SMB worker before the call, which then finds it gone. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gpo_conf.h"
#include "gpo_file.h"
#include "gpo_ldap.h"
#include "gpo_log.h"
#include "gpo_smb.h"
#include "gpo_worker.h"

#define WORKERS_MAX 32
#define VALUE_MAX (64u * 1024 * 1024)

struct probe {
	struct gpo_log lg;
	struct gpo_domain_conf conf;
	struct gpo_credentials cred;
	const char *host;
	int sd_flags;
	unsigned workers;
	unsigned started;            /* workers whose start was tried */
	bool lib_ready;
	struct gpo_smb_lib lib;
	struct gpo_smb smb;
	struct gpo_worker w[WORKERS_MAX];
	struct gpo_worker_target target;
	atomic_ulong requests;
	char exe[4096];
	struct gpo_ldap ldap;
};

static int fail(int rc, const char *what)
{
	fprintf(stderr, "error: %s (%s)%s%s\n", strerrorname_np(-rc),
		strerror(-rc), what ? ": " : "", what ? what : "");
	return 1;
}

static int smb_up(struct probe *p)
{
	char msg[512];
	int rc;

	rc = gpo_smb_lib_init(&p->lib, &p->lg, "/tmp");
	p->lib_ready = !rc;
	if (!rc)
		rc = gpo_smb_open(&p->smb, &p->lib, &p->lg, p->host,
				  p->conf.domain, &p->cred, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "%s\n", msg);
		return rc;
	}
	p->target = (struct gpo_worker_target){
		.host = p->host, .domain = p->conf.domain, .tmpdir = "/tmp",
		.cred = &p->cred, .lg = &p->lg,
	};
	for (unsigned i = 0; i < p->workers; i++) {
		p->started++;
		rc = gpo_worker_start(&p->w[i], p->exe, &p->target, &p->smb,
				      &p->requests);
		if (rc)
			return rc; /* the test wants workers, not the fallback */
	}
	return 0;
}

static void smb_down(struct probe *p)
{
	for (unsigned i = 0; i < p->started; i++)
		gpo_worker_stop(&p->w[i]);
	gpo_smb_close(&p->smb);
	if (p->lib_ready)
		gpo_smb_lib_destroy(&p->lib);
}

/* Tests only: see the top of the file. */
static void test_hooks(struct probe *p)
{
	const char *hold = getenv("PROBE_HOLD");

	if (getenv("PROBE_KILL_WORKER") && p->workers && p->w[0].pid > 0) {
		kill(p->w[0].pid, SIGKILL);
		waitpid(p->w[0].pid, NULL, 0);
		p->w[0].pid = -1; /* reaped here */
	}
	if (hold && *hold) {
		fprintf(stderr, "held\n");
		for (int i = 0; i < 600 && access(hold, F_OK) == 0; i++)
			usleep(100 * 1000);
	}
}

/* --- put-tree --------------------------------------------------------------- */

struct tree {
	char **dirs, **files;        /* relative to the local root */
	size_t n_dirs, n_files, cap_dirs, cap_files;
	uint64_t bytes;
	size_t root_len;
};

static struct tree *walking;

static int walk_one(const char *path, const struct stat *st, int type,
		    struct FTW *f)
{
	struct tree *t = walking;
	const char *rel = path + t->root_len;
	char ***v;
	size_t *n, *cap;

	if (*rel == '/')
		rel++;
	if (!*rel)
		return 0;
	if (type == FTW_D) {
		v = &t->dirs, n = &t->n_dirs, cap = &t->cap_dirs;
	} else if (type == FTW_F) {
		v = &t->files, n = &t->n_files, cap = &t->cap_files;
		t->bytes += (uint64_t)st->st_size;
	} else {
		return 0;
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = realloc(*v, *cap * sizeof(**v));
		if (!*v)
			return -ENOMEM;
	}
	(*v)[(*n)++] = strdup(rel);
	return 0;
}

struct put_job {
	struct probe *p;
	struct tree *t;
	const char *local, *remote;
	unsigned k;                  /* this thread's worker */
	pthread_mutex_t *next_lock;
	size_t *next;
	int rc;
};

static void *put_thread(void *arg)
{
	struct put_job *j = arg;

	for (;;) {
		char src[8192], dst[8192];
		size_t i;

		pthread_mutex_lock(j->next_lock);
		i = (*j->next)++;
		pthread_mutex_unlock(j->next_lock);
		if (i >= j->t->n_files)
			break;
		snprintf(src, sizeof(src), "%s/%s", j->local, j->t->files[i]);
		snprintf(dst, sizeof(dst), "%s/%s", j->remote, j->t->files[i]);
		j->rc = j->p->workers ? gpo_worker_put(&j->p->w[j->k], dst, NULL, 0, src)
				      : gpo_smb_put(&j->p->smb, dst, NULL, 0, src);
		if (j->rc) {
			fprintf(stderr, "put %s: %s\n", dst, strerror(-j->rc));
			break;
		}
	}
	return NULL;
}

static int put_tree(struct probe *p, const char *local, const char *remote)
{
	struct tree t = { .root_len = strlen(local) };
	struct put_job jobs[WORKERS_MAX];
	pthread_t th[WORKERS_MAX];
	pthread_mutex_t next_lock = PTHREAD_MUTEX_INITIALIZER;
	unsigned n = p->workers ? p->workers : 1;
	struct timespec a, b;
	size_t next = 0;
	char dst[8192];
	int rc;

	walking = &t;
	if (nftw(local, walk_one, 32, FTW_PHYS) != 0)
		return -EIO;
	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = p->workers ? gpo_worker_mkdir(&p->w[0], remote) : gpo_smb_mkdir(&p->smb, remote);
	/* nftw lists a folder before what is in it */
	for (size_t i = 0; !rc && i < t.n_dirs; i++) {
		snprintf(dst, sizeof(dst), "%s/%s", remote, t.dirs[i]);
		rc = p->workers ? gpo_worker_mkdir(&p->w[0], dst) : gpo_smb_mkdir(&p->smb, dst);
	}
	for (unsigned k = 0; !rc && k < n; k++) {
		jobs[k] = (struct put_job){ p, &t, local, remote, k, &next_lock, &next, 0 };
		pthread_create(&th[k], NULL, put_thread, &jobs[k]);
	}
	for (unsigned k = 0; !rc && k < n; k++) {
		pthread_join(th[k], NULL);
		if (jobs[k].rc && !rc)
			rc = jobs[k].rc;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (!rc)
		printf("folders %zu files %zu bytes %llu seconds %.3f requests %lu workers %u\n",
		       t.n_dirs, t.n_files, (unsigned long long)t.bytes,
		       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9,
		       atomic_load(&p->smb.requests) + atomic_load(&p->requests),
		       p->workers);
	for (size_t i = 0; i < t.n_dirs; i++)
		free(t.dirs[i]);
	for (size_t i = 0; i < t.n_files; i++)
		free(t.files[i]);
	free(t.dirs);
	free(t.files);
	return rc;
}

/* --- SMB commands ----------------------------------------------------------- */

static int smb_cmd(struct probe *p, int argc, char **argv)
{
	const char *cmd = argv[0];
	struct gpo_worker *w = p->workers ? &p->w[0] : NULL;
	char *data = NULL;
	int rc;

	if (argc < 2)
		return -EINVAL;
	rc = smb_up(p);
	if (rc)
		goto out;
	test_hooks(p);
	if (!strcmp(cmd, "smb-mkdir")) {
		rc = w ? gpo_worker_mkdir(w, argv[1]) : gpo_smb_mkdir(&p->smb, argv[1]);
	} else if (!strcmp(cmd, "smb-rmdir")) {
		rc = w ? gpo_worker_rmdir(w, argv[1]) : gpo_smb_rmdir(&p->smb, argv[1]);
	} else if (!strcmp(cmd, "smb-unlink")) {
		rc = w ? gpo_worker_unlink(w, argv[1]) : gpo_smb_unlink(&p->smb, argv[1]);
	} else if (!strcmp(cmd, "smb-rename") && argc >= 3) {
		bool replace = argc > 3 && !strcmp(argv[3], "replace");

		rc = w ? gpo_worker_rename(w, argv[1], argv[2], replace)
		       : gpo_smb_rename(&p->smb, argv[1], argv[2], replace);
	} else if (!strcmp(cmd, "smb-put") && argc >= 3) {
		if (!strcmp(argv[2], "-")) {
			size_t len = 0, cap = 0;
			size_t r;

			do {
				if (cap - len < 65536) {
					cap = cap ? cap * 2 : 65536;
					data = realloc(data, cap);
					if (!data) {
						rc = -ENOMEM;
						goto out;
					}
				}
				r = fread(data + len, 1, cap - len, stdin);
				len += r;
			} while (r);
			rc = w ? gpo_worker_put(w, argv[1], data, len, NULL)
			       : gpo_smb_put(&p->smb, argv[1], data, len, NULL);
		} else {
			rc = w ? gpo_worker_put(w, argv[1], NULL, 0, argv[2])
			       : gpo_smb_put(&p->smb, argv[1], NULL, 0, argv[2]);
		}
	} else if (!strcmp(cmd, "smb-times") && argc >= 3) {
		time_t t = (time_t)strtoll(argv[2], NULL, 10);

		rc = w ? gpo_worker_set_times(w, argv[1], t)
		       : gpo_smb_set_times(&p->smb, argv[1], t);
	} else if (!strcmp(cmd, "smb-stat")) {
		struct stat st;

		rc = w ? gpo_worker_stat(w, argv[1], &st) : gpo_smb_stat(&p->smb, argv[1], &st);
		if (!rc)
			printf("%lld %lld\n", (long long)st.st_size,
			       (long long)st.st_mtim.tv_sec);
	} else if (!strcmp(cmd, "smb-put-tree") && argc >= 3) {
		rc = put_tree(p, argv[1], argv[2]);
	} else {
		rc = -EINVAL;
	}
out:
	free(data);
	smb_down(p);
	return rc;
}

/* --- LDAP commands ---------------------------------------------------------- */

/* "ATTR=VALUE" or "ATTR<FILE" into m (op given), the value read into
 * a new *buf when from a file. */
static int parse_mod(char *arg, enum gpo_ldap_op op, struct gpo_ldap_mod *m,
		     struct gpo_ldap_value *v, char **buf)
{
	char *eq = strpbrk(arg, "=<");

	*buf = NULL;
	m->op = op;
	m->attr = arg;
	m->values = v;
	m->n = 0;
	if (!eq)
		return 0; /* no value: every value */
	m->n = 1;
	if (*eq == '=') {
		*eq = '\0';
		v->data = eq + 1;
		v->len = strlen(eq + 1);
		return 0;
	}
	*eq = '\0';
	v->len = 0;
	v->data = NULL;
	{
		size_t len = 0;
		int rc = gpo_file_read(eq + 1, VALUE_MAX, buf, &len, NULL);

		v->data = *buf;
		v->len = len;
		return rc;
	}
}

static int print_value(void *arg, const struct gpo_ldap_entry *e)
{
	char *v = NULL;
	size_t len = 0;
	int rc = gpo_ldap_entry_value(e, arg, &v, &len);

	if (!rc && fwrite(v, 1, len, stdout) != len)
		rc = -EIO;
	free(v);
	return rc;
}

static int ldap_cmd(struct probe *p, int argc, char **argv)
{
	const char *cmd = argv[0];
	struct gpo_ldap_mod mods[16];
	struct gpo_ldap_value vals[16];
	char *bufs[16] = { NULL };
	size_t n = 0;
	char msg[512];
	int rc;

	rc = gpo_ldap_open(&p->ldap, &p->lg, &p->conf, &p->cred, p->host, msg,
			   sizeof(msg));
	if (rc) {
		fprintf(stderr, "%s\n", msg);
		return rc;
	}
	test_hooks(p);
	pthread_mutex_lock(&p->ldap.lock);
	if (!strcmp(cmd, "ldap-pdc")) {
		char *host = NULL;

		rc = gpo_ldap_pdc(&p->ldap, &host);
		if (!rc)
			printf("%s\n", host);
		free(host);
	} else if (argc < 2) {
		rc = -EINVAL;
	} else if (!strcmp(cmd, "ldap-delete")) {
		rc = gpo_ldap_delete(&p->ldap, argv[1],
				     argc > 2 && !strcmp(argv[2], "tree"));
	} else if (!strcmp(cmd, "ldap-read") && argc >= 3) {
		const char *attrs[] = { argv[2], NULL };

		rc = gpo_ldap_read(&p->ldap, argv[1], attrs, p->sd_flags,
				   print_value, argv[2]);
	} else if (!strcmp(cmd, "ldap-add") || !strcmp(cmd, "ldap-modify")) {
		bool add = !strcmp(cmd, "ldap-add");

		for (int i = 2; i < argc && !rc; i++, n++) {
			enum gpo_ldap_op op = GPO_LDAP_ADD;
			char *a = argv[i];

			if (n == 16) {
				rc = -E2BIG;
				break;
			}
			if (!add) {
				char *colon = strchr(a, ':');

				if (!colon) {
					rc = -EINVAL;
					break;
				}
				*colon = '\0';
				op = !strcmp(a, "add") ? GPO_LDAP_ADD :
				     !strcmp(a, "delete") ? GPO_LDAP_DELETE :
				     GPO_LDAP_REPLACE;
				a = colon + 1;
			}
			rc = parse_mod(a, op, &mods[n], &vals[n], &bufs[n]);
		}
		if (!rc)
			rc = add ? gpo_ldap_add(&p->ldap, argv[1], mods, n)
				 : gpo_ldap_modify(&p->ldap, argv[1], mods, n,
						   p->sd_flags);
		if (rc == -EIO && p->ldap.error[0])
			fprintf(stderr, "%s\n", p->ldap.error);
	} else {
		rc = -EINVAL;
	}
	pthread_mutex_unlock(&p->ldap.lock);
	for (size_t i = 0; i < 16; i++)
		free(bufs[i]);
	gpo_ldap_close(&p->ldap);
	return rc;
}

static void usage(void)
{
	fprintf(stderr, "usage: ad_write_probe -d DOMAIN -s DC -c CREDFILE [-a CAFILE] [-w N] [-f SDFLAGS] COMMAND ARGS (see the source)\n");
}

int main(int argc, char **argv)
{
	static struct probe p;
	const char *credfile = NULL;
	char msg[512];
	ssize_t n;
	int opt;
	int rc;

	if (argc == 2 && !strcmp(argv[1], GPO_WORKER_ARG))
		return gpo_worker_main(3);
	/* as the daemon (libfuse's handlers): a write to a connection cut
	 * under libldap or libsmbclient is an error, not the end */
	signal(SIGPIPE, SIG_IGN);
	p.lg.debug = getenv("PROBE_DEBUG") != NULL;
	while ((opt = getopt(argc, argv, "+d:s:c:a:w:f:")) != -1) {
		switch (opt) {
		case 'd': p.conf.domain = optarg; break;
		case 's': p.host = optarg; break;
		case 'c': credfile = optarg; break;
		case 'a': p.conf.tls_cacert = optarg; break;
		case 'w': p.workers = (unsigned)atoi(optarg); break;
		case 'f': p.sd_flags = atoi(optarg); break;
		default: usage(); return 2;
		}
	}
	if (!p.conf.domain || !p.host || !credfile || optind >= argc ||
	    p.workers > WORKERS_MAX) {
		usage();
		return 2;
	}
	n = readlink("/proc/self/exe", p.exe, sizeof(p.exe) - 1);
	p.exe[n > 0 ? n : 0] = '\0';
	p.conf.server = (char *)p.host;
	p.conf.credentials = (char *)credfile;
	rc = gpo_credentials_load(credfile, &p.cred, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "%s\n", msg);
		return 1;
	}
	if (!strncmp(argv[optind], "smb-", 4))
		rc = smb_cmd(&p, argc - optind, argv + optind);
	else if (!strncmp(argv[optind], "ldap-", 5))
		rc = ldap_cmd(&p, argc - optind, argv + optind);
	else
		rc = -EINVAL;
	gpo_credentials_free(&p.cred);
	return rc ? fail(rc, argv[optind]) : 0;
}
