/* gpofs: mount Active Directory domains, each GPO a GPMC backup folder.
 *
 * Parses options in the style of sshfs, signs in to every domain before
 * mounting (so a wrong password or an unreachable DC is a one-line error
 * and a non-zero exit), then hands the context to FUSE. */
#include "gpofs_ops.h"

#include <fuse_lowlevel.h>

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include <libxml/parser.h>

#include "gpofs.h"
#include "gpofs_config.h"
#include "gpo_krb5.h"
#include "gpo_smb.h"
#include "gpo_store.h"
#include "gpo_worker.h"

struct cmdline {
	struct gpofs *fs;
	struct gpo_domain_conf *current;
	bool help;
	bool version;
	bool debug;
	int failed;
	char msg[512];
};

enum { KEY_HELP, KEY_VERSION, KEY_DEBUG, KEY_OURS };

static const struct fuse_opt gpofs_opts[] = {
	FUSE_OPT_KEY("-h", KEY_HELP),
	FUSE_OPT_KEY("--help", KEY_HELP),
	FUSE_OPT_KEY("-V", KEY_VERSION),
	FUSE_OPT_KEY("--version", KEY_VERSION),
	FUSE_OPT_KEY("-d", KEY_DEBUG),
	FUSE_OPT_KEY("debug", KEY_DEBUG),
	FUSE_OPT_KEY("domain=", KEY_OURS),
	FUSE_OPT_KEY("server=", KEY_OURS),
	FUSE_OPT_KEY("credentials=", KEY_OURS),
	FUSE_OPT_KEY("krb5", KEY_OURS),
	FUSE_OPT_KEY("keytab=", KEY_OURS),
	FUSE_OPT_KEY("principal=", KEY_OURS),
	FUSE_OPT_KEY("tls_cacert=", KEY_OURS),
	FUSE_OPT_KEY("tls_reqcert=", KEY_OURS),
	FUSE_OPT_KEY("ldap_tls=", KEY_OURS),
	FUSE_OPT_KEY("backup_dir=", KEY_OURS),
	FUSE_OPT_KEY("migtable_dir=", KEY_OURS),
	FUSE_OPT_KEY("cache_dir=", KEY_OURS),
	FUSE_OPT_KEY("cache_max=", KEY_OURS),
	FUSE_OPT_KEY("log_dir=", KEY_OURS),
	FUSE_OPT_KEY("workers=", KEY_OURS),
	FUSE_OPT_KEY("config=", KEY_OURS),
	FUSE_OPT_END
};

static void usage(const char *prog)
{
	printf(
"usage: %s [options] MOUNTPOINT\n"
"\n"
"Mounts Active Directory domains; every GPO is a folder laid out as a GPMC\n"
"backup.\n"
"\n"
"gpofs options:\n"
"    -o domain=DNS.NAME      the domain to mount (repeat for several)\n"
"    -o server=HOST          its domain controller (default: DNS SRV\n"
"                            _ldap._tcp.dc._msdcs.DOMAIN)\n"
"    -o credentials=FILE     username=/password=/domain= lines, mode 0600\n"
"    -o krb5                 use the Kerberos ticket cache (kinit)\n"
"    -o keytab=FILE,principal=NAME   sign in from a keytab\n"
"    -o tls_cacert=FILE      CA certificate to verify the DC's LDAPS certificate\n"
"    -o tls_reqcert=never    do not verify it (explicit opt-out)\n"
"    -o ldap_tls=ldaps|starttls|none   how a password bind is protected\n"
"                            (none is refused for passwords)\n"
"    -o backup_dir=DIR       folder behind backups/\n"
"    -o migtable_dir=DIR     folder behind migtables/\n"
"    -o cache_dir=DIR        where GPOs are captured while being read\n"
"    -o cache_max=SIZE       bound on the files captured there (default 4G;\n"
"                            K, M, G, T suffixes)\n"
"    -o log_dir=DIR          where each domain's log is kept (<dns name>.log)\n"
"    -o workers=N            SMB connections per domain that read SYSVOL\n"
"                            side by side (default 4; 0: one, in process)\n"
"    -o config=FILE          domains from a file, one [dns.name] section each\n"
"                            with the keys above\n"
"    -d                      debug log (implies -f)\n"
"    -f                      stay in the foreground\n"
"    -V, --version           print the version\n"
"\n", prog);
}

static int apply(struct cmdline *cl, const char *arg)
{
	struct gpofs *fs = cl->fs;
	char key[64];
	const char *eq = strchr(arg, '=');
	const char *value = eq ? eq + 1 : NULL;
	size_t klen = eq ? (size_t)(eq - arg) : strlen(arg);
	int rc;

	if (klen >= sizeof(key))
		return -EINVAL;
	memcpy(key, arg, klen);
	key[klen] = '\0';
	if (!strcmp(key, "config"))
		return gpo_conf_load_file(&fs->conf, value ? value : "",
					  cl->msg, sizeof(cl->msg));
	if (gpo_conf_is_domain_key(key)) {
		/* domain= starts a new domain unless the current one is
		 * still unnamed: "-o server=X,domain=Y" works too. */
		if (!cl->current || (!strcmp(key, "domain") && cl->current->domain)) {
			size_t idx = fs->conf.n_domains;

			if (!gpo_conf_add_domain(&fs->conf))
				return -ENOMEM;
			cl->current = &fs->conf.domains[idx];
		}
	}
	rc = gpo_conf_set(&fs->conf, gpo_conf_is_domain_key(key) ? cl->current
								 : NULL,
			  key, value, cl->msg, sizeof(cl->msg));
	return rc;
}

static int opt_proc(void *data, const char *arg, int key,
		    struct fuse_args *outargs)
{
	struct cmdline *cl = data;

	(void)outargs;
	switch (key) {
	case KEY_HELP:
		cl->help = true;
		return 0;
	case KEY_VERSION:
		cl->version = true;
		return 0;
	case KEY_DEBUG:
		cl->debug = true;
		return 0;
	case KEY_OURS:
		if (apply(cl, arg)) {
			cl->failed = 1;
			return -1;
		}
		/* the config= file may have added domains: later per-domain
		 * keys then belong to its last one */
		if (!strncmp(arg, "config=", 7) && cl->fs->conf.n_domains)
			cl->current = &cl->fs->conf.domains[cl->fs->conf.n_domains - 1];
		return 0;
	default:
		return 1;
	}
}

static int make_private_dir(const char *dir)
{
	char *copy = strdup(dir);
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST)
			rc = -errno;
		*p = '/';
	}
	if (!rc && mkdir(copy, 0700) < 0 && errno != EEXIST)
		rc = -errno;
	free(copy);
	return rc;
}

static const char *runtime_dir(void)
{
	const char *d = getenv("XDG_RUNTIME_DIR");

	return d && *d ? d : "/tmp";
}

static void context_free(struct gpofs *fs)
{
	for (size_t i = 0; i < fs->n_domains; i++)
		gpo_domain_close(&fs->domains[i]);
	free(fs->domains);
	if (fs->krb5_ccache) {
		unlink(fs->krb5_ccache + strlen("FILE:"));
		free(fs->krb5_ccache);
	}
	gpo_cache_close(&fs->cache);
	gpo_conf_free(&fs->conf);
	if (fs->smb_lib_ready)
		gpo_smb_lib_destroy(&fs->smb_lib);
}

/* Signs in to every domain. Returns 0, or -errno after printing why. */
static int open_domains(struct gpofs *fs)
{
	struct gpo_domain_io io = {
		.workers = fs->conf.workers, .exe = fs->exe,
		.tmpdir = runtime_dir(), .cache = &fs->cache,
		.log_dir = fs->conf.log_dir,
	};
	char msg[768];
	ssize_t n;
	int rc;

	/* Resolved now, not exec'd as /proc/self/exe: under valgrind that
	 * would be the tool, not gpofs. */
	n = readlink("/proc/self/exe", fs->exe, sizeof(fs->exe) - 1);
	if (n <= 0)
		io.workers = 0;
	else
		fs->exe[n] = '\0';

	fs->domains = calloc(fs->conf.n_domains, sizeof(*fs->domains));
	if (!fs->domains)
		return -ENOMEM;
	for (size_t i = 0; i < fs->conf.n_domains; i++) {
		struct gpo_domain_conf *dc = &fs->conf.domains[i];

		if (dc->keytab && !fs->krb5_ccache) {
			rc = gpo_krb5_kinit_keytab(dc->keytab, dc->principal,
						   runtime_dir(), &fs->krb5_ccache,
						   msg, sizeof(msg));
			if (rc) {
				fprintf(stderr, "gpofs: %s: %s\n", dc->domain, msg);
				return rc;
			}
			/* libsmbclient and GSSAPI both read the cache from
			 * the environment; set before any thread exists. */
			setenv("KRB5CCNAME", fs->krb5_ccache, 1);
		}
		msg[0] = '\0';
		rc = gpo_domain_open(&fs->domains[i], &fs->log, &fs->smb_lib,
				     dc, fs->cache.dir, &io, msg, sizeof(msg));
		fs->n_domains = i + 1;
		if (rc) {
			fprintf(stderr, "gpofs: %s\n",
				*msg ? msg : strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts = { 0 };
	struct gpofs fs = { 0 };
	struct cmdline cl = { .fs = &fs };
	struct fuse *fuse = NULL;
	bool mounted = false;
	int rc = 1;

	/* An SMB worker of a mount (see gpo_worker.h): not a mount itself. */
	if (argc == 2 && !strcmp(argv[1], GPO_WORKER_ARG))
		return gpo_worker_main(3);
	xmlInitParser();
	if (fuse_opt_parse(&args, &cl, gpofs_opts, opt_proc) < 0) {
		if (cl.failed)
			fprintf(stderr, "gpofs: %s\n", *cl.msg ? cl.msg : "bad option");
		goto out;
	}
	if (cl.version) {
		printf("gpofs %s\n", GPOFS_VERSION);
		printf("FUSE library version %s\n", fuse_pkgversion());
		rc = 0;
		goto out;
	}
	if (cl.help) {
		usage(argv[0]);
		printf("FUSE options:\n");
		fuse_lib_help(&args);
		rc = 0;
		goto out;
	}
	if (fuse_parse_cmdline(&args, &opts) != 0)
		goto out;
	if (!opts.mountpoint) {
		fprintf(stderr, "gpofs: no mountpoint (see --help)\n");
		goto out;
	}
	if (gpo_conf_finish(&fs.conf, cl.msg, sizeof(cl.msg))) {
		fprintf(stderr, "gpofs: %s\n", cl.msg);
		goto out;
	}
	if (cl.debug)
		opts.foreground = 1;
	fs.log.debug = cl.debug;
	fs.uid = getuid();
	fs.gid = getgid();
	fs.mounted = time(NULL);
	if (make_private_dir(fs.conf.backup_dir) ||
	    make_private_dir(fs.conf.migtable_dir) ||
	    make_private_dir(fs.conf.cache_dir) ||
	    make_private_dir(fs.conf.log_dir)) {
		fprintf(stderr, "gpofs: cannot create %s, %s, %s or %s: %s\n",
			fs.conf.backup_dir, fs.conf.migtable_dir,
			fs.conf.cache_dir, fs.conf.log_dir, strerror(errno));
		goto out;
	}
	if (gpo_cache_open(&fs.cache, fs.conf.cache_dir, fs.conf.cache_max,
			   &fs.log, cl.msg, sizeof(cl.msg))) {
		fprintf(stderr, "gpofs: %s\n", *cl.msg ? cl.msg : "out of memory");
		goto out;
	}
	if (gpo_smb_lib_init(&fs.smb_lib, &fs.log, runtime_dir())) {
		fprintf(stderr, "gpofs: cannot set up the SMB client\n");
		goto out;
	}
	fs.smb_lib_ready = true;
	if (open_domains(&fs))
		goto out;

	/* The kernel checks every access against the modes gpofs shows,
	 * always: with allow_other, the private stores (0700) must refuse
	 * other users whether or not the admin remembered to say so. */
	if (fuse_opt_add_arg(&args, "-odefault_permissions"))
		goto out;
	/* Re-add the mountpoint-free options for fuse_new: it takes -o
	 * options like allow_other, the rest were consumed above. */
	fuse = fuse_new(&args, &gpofs_ops, sizeof(gpofs_ops), &fs);
	if (!fuse)
		goto out;
	if (fuse_mount(fuse, opts.mountpoint) != 0)
		goto out;
	mounted = true;
	if (!opts.foreground) {
		fs.log.use_syslog = true;
		openlog("gpofs", LOG_PID, LOG_DAEMON);
	}
	if (fuse_daemonize(opts.foreground) != 0)
		goto out;
	if (fuse_set_signal_handlers(fuse_get_session(fuse)) != 0)
		goto out;
	if (opts.singlethread) {
		rc = fuse_loop(fuse);
	} else {
		struct fuse_loop_config *lc = fuse_loop_cfg_create();

		fuse_loop_cfg_set_clone_fd(lc, (unsigned)opts.clone_fd);
		fuse_loop_cfg_set_max_threads(lc, opts.max_threads);
		/* Keep idle threads: a walk of the mount makes requests in
		 * bursts, and making a thread per burst cost more than the
		 * requests (seen with perf: clone and exit in every rsync). */
		fuse_loop_cfg_set_idle_threads(lc, opts.max_idle_threads != UINT_MAX
						   ? opts.max_idle_threads
						   : opts.max_threads);
		rc = fuse_loop_mt(fuse, lc);
		fuse_loop_cfg_destroy(lc);
	}
	rc = rc ? 1 : 0;
	gpofs_unwatch_logs(&fs);
	fuse_remove_signal_handlers(fuse_get_session(fuse));
out:
	if (mounted)
		fuse_unmount(fuse);
	if (fuse)
		fuse_destroy(fuse);
	free(opts.mountpoint);
	fuse_opt_free_args(&args);
	context_free(&fs);
	xmlCleanupParser();
	return rc;
}
