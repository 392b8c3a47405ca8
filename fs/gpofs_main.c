/* gpofs: mount Active Directory domains, each GPO a GPMC backup folder.
 *
 * Start-up runs from what costs nothing to what costs most, so that each
 * mistake is one line and a non-zero exit before anything is contacted:
 * every option (ours, then FUSE's, by creating the struct fuse), the
 * mount point, the FUSE device; then the sign-in to every domain; then
 * the mount. "mounted" is said only once the mount exists.
 *
 * Called by mount.fuse3 (fstab, mount -t fuse.gpofs) as
 * "gpofs SOURCE MOUNTPOINT -o OPTIONS": SOURCE names the domain. */
#include "gpofs_ops.h"

#include <fuse_lowlevel.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include <libxml/parser.h>

#include "gpofs.h"
#include "gpofs_config.h"
#include "gpofs_mount.h"
#include "gpo_krb5.h"
#include "gpo_smb.h"
#include "gpo_store.h"
#include "gpo_worker.h"

struct cmdline {
	struct gpofs *fs;
	struct gpo_domain_conf *current;
	const char *source;      /* SOURCE when two arguments were given */
	const char *mountpoint;  /* the last argument */
	unsigned n_args;         /* non-option arguments */
	bool *from_file;         /* which domains a config= file added */
	size_t n_from_file;
	bool help;
	bool version;
	bool debug;
	bool fsname;             /* -o fsname= or subtype= given */
	int failed;
	char msg[512];
};

enum { KEY_HELP, KEY_VERSION, KEY_DEBUG, KEY_OURS, KEY_FSNAME };

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
	FUSE_OPT_KEY("fsname=", KEY_FSNAME),
	FUSE_OPT_KEY("subtype=", KEY_FSNAME),
	/* What mount(8), fstab and systemd may hand on that means nothing
	 * to a FUSE daemon (mount.fuse3 drops most of them itself; gpofs
	 * run by hand with an fstab line's options must not fail on them).
	 * x-* options are dropped in opt_proc. */
	FUSE_OPT_KEY("defaults", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_KEY("auto", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_KEY("noauto", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_KEY("nofail", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_KEY("_netdev", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_KEY("user", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_KEY("users", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_KEY("nouser", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_KEY("comment=", FUSE_OPT_KEY_DISCARD),
	FUSE_OPT_END
};

static void usage(const char *prog)
{
	printf(
"usage: %s [options] [SOURCE] MOUNTPOINT\n"
"\n"
"Mounts Active Directory domains; every GPO is a folder laid out as a GPMC\n"
"backup. SOURCE is a domain's DNS name (the same as a first -o domain=), or\n"
"gpofs or none when -o domain= or -o config= name the domains; it is what\n"
"fstab and mount -t fuse.gpofs give. See gpofs(1).\n"
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
		 * still unnamed ("-o server=X,domain=Y" works too) or has
		 * that name (SOURCE and domain= naming one domain). */
		if (!cl->current ||
		    (!strcmp(key, "domain") && cl->current->domain &&
		     strcasecmp(cl->current->domain, value ? value : ""))) {
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

/* True when SOURCE names a domain (not "gpofs" or "none"): it is then the
 * first domain, and the per-domain -o options before any domain= are its. */
static bool source_domain(const struct cmdline *cl)
{
	return cl->source && strcmp(cl->source, "gpofs") &&
	       strcmp(cl->source, "none");
}

/* Notes where the domains added since the last call came from: a config=
 * file, or -o (with a domain as SOURCE, the file's other sections are not
 * mounted). Returns 0 or -ENOMEM. */
static int note_domains(struct cmdline *cl, bool from_file)
{
	size_t n = cl->fs->conf.n_domains;
	bool *p;

	if (n <= cl->n_from_file)
		return 0;
	p = realloc(cl->from_file, n * sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (size_t i = cl->n_from_file; i < n; i++)
		p[i] = from_file;
	cl->from_file = p;
	cl->n_from_file = n;
	return 0;
}

static int opt_proc(void *data, const char *arg, int key,
		    struct fuse_args *outargs)
{
	struct cmdline *cl = data;
	bool config;

	(void)outargs;
	switch (key) {
	case FUSE_OPT_KEY_NONOPT:
		/* SOURCE and MOUNTPOINT: found by scan_args already */
		return 0;
	case FUSE_OPT_KEY_OPT:
		return strncmp(arg, "x-", 2) ? 1 : 0;
	case KEY_FSNAME:
		cl->fsname = true;
		return 1;
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
		config = !strncmp(arg, "config=", 7);
		if ((config && note_domains(cl, false)) || apply(cl, arg) ||
		    (config && note_domains(cl, true))) {
			cl->failed = 1;
			return -1;
		}
		/* the config= file may have added domains: later per-domain
		 * keys then belong to its last one, or to SOURCE's domain */
		if (config && cl->fs->conf.n_domains)
			cl->current = &cl->fs->conf.domains[source_domain(cl)
				? 0 : cl->fs->conf.n_domains - 1];
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

static void context_free(struct gpofs *fs)
{
	for (size_t i = 0; i < fs->n_domains; i++)
		gpo_domain_close(fs->domains[i]);
	free(fs->domains);
	gpo_cache_close(&fs->cache);
	gpo_conf_free(&fs->conf);
	gpo_session_close(&fs->session);
}

/* Signs in to every domain. Returns 0, or -errno after printing why. */
static int open_domains(struct gpofs *fs)
{
	struct gpo_domain_io io = {
		.workers = fs->conf.workers, .exe = fs->session.exe,
		.tmpdir = fs->session.tmpdir, .cache = &fs->cache,
		.log_dir = fs->conf.log_dir,
	};
	char msg[768];
	int rc;

	if (!*fs->session.exe)
		io.workers = 0;
	fs->domains = calloc(fs->conf.n_domains, sizeof(*fs->domains));
	if (!fs->domains)
		return -ENOMEM;
	for (size_t i = 0; i < fs->conf.n_domains; i++) {
		struct gpo_domain_conf *dc = &fs->conf.domains[i];

		msg[0] = '\0';
		rc = gpo_session_sign_in(&fs->session, dc, msg, sizeof(msg));
		if (!rc) {
			rc = gpo_domain_open(&fs->domains[i], &fs->log,
					     &fs->session.smb_lib, dc, fs->cache.dir,
					     &io, msg, sizeof(msg));
			fs->n_domains = i + 1;
		}
		if (rc) {
			fprintf(stderr, "gpofs: %s\n",
				*msg ? msg : strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int scan_proc(void *data, const char *arg, int key,
		     struct fuse_args *outargs)
{
	struct cmdline *cl = data;

	(void)outargs;
	if (key == FUSE_OPT_KEY_NONOPT) {
		if (cl->n_args == 1)
			cl->source = cl->mountpoint;
		if (cl->n_args < 2)
			cl->mountpoint = arg;
		cl->n_args++;
	}
	return 0;
}

/* Finds SOURCE and MOUNTPOINT before the options are applied (SOURCE's
 * domain must come first), with FUSE's own parser so that an argument is
 * taken for an option exactly as the real parse takes it. Returns 0, or -1
 * after FUSE printed why. */
static int scan_args(int argc, char *argv[], struct cmdline *cl)
{
	struct fuse_args scan = FUSE_ARGS_INIT(argc, argv);
	int rc = fuse_opt_parse(&scan, cl, NULL, scan_proc);

	fuse_opt_free_args(&scan);
	return rc;
}

/* A domain's own settings, besides its name. */
static bool has_settings(const struct gpo_domain_conf *dc)
{
	return dc->server || dc->credentials || dc->krb5 || dc->keytab ||
	       dc->principal || dc->tls_cacert || dc->tls_reqcert_never ||
	       dc->ldap_tls != GPO_TLS_DEFAULT;
}

static void remove_domain(struct cmdline *cl, size_t i)
{
	gpo_conf_remove_domain(&cl->fs->conf, i);
	memmove(&cl->from_file[i], &cl->from_file[i + 1],
		(cl->n_from_file - i - 1) * sizeof(*cl->from_file));
	cl->n_from_file--;
}

/* With a domain as SOURCE, a config= file's other sections are not
 * mounted, and its section for SOURCE gives the settings -o did not.
 * Returns 0, or -errno with the reason in cl->msg. */
static int apply_source(struct cmdline *cl)
{
	struct gpo_conf *conf = &cl->fs->conf;
	size_t in_file = 0;

	if (!source_domain(cl))
		return 0;
	if (note_domains(cl, false))
		return -ENOMEM;
	for (size_t i = conf->n_domains; i-- > 1;) {
		if (!cl->from_file[i])
			continue;
		if (strcmp(conf->domains[i].domain, conf->domains[0].domain))
			remove_domain(cl, i);
		else
			in_file = i;
	}
	if (!in_file)
		return 0;
	if (has_settings(&conf->domains[0])) {
		snprintf(cl->msg, sizeof(cl->msg),
			 "%s: settings both in -o and in the config file's [%s] section: give them in one place",
			 conf->domains[0].domain, conf->domains[0].domain);
		return -EINVAL;
	}
	remove_domain(cl, 0);
	return 0;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts = { 0 };
	struct gpofs fs = { .made_lock = PTHREAD_MUTEX_INITIALIZER };
	struct cmdline cl = { .fs = &fs };
	struct fuse *fuse = NULL;
	bool mounted = false;
	char *name_opts = NULL;
	int rc = 1;

	/* An SMB worker of a mount (see gpo_worker.h): not a mount itself. */
	if (argc == 2 && !strcmp(argv[1], GPO_WORKER_ARG))
		return gpo_worker_main(3);
	xmlInitParser();

	/* 1. Every option, ours and then FUSE's. */
	if (scan_args(argc, argv, &cl) < 0)
		goto out;
	if (source_domain(&cl)) {
		cl.current = gpo_conf_add_domain(&fs.conf);
		if (!cl.current ||
		    gpo_conf_set(&fs.conf, cl.current, "domain", cl.source,
				 cl.msg, sizeof(cl.msg))) {
			fprintf(stderr,
				"gpofs: source %s is not a domain's DNS name (nor gpofs or none)\n",
				cl.source);
			goto out;
		}
	}
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
	if (!cl.mountpoint) {
		fprintf(stderr, "gpofs: no mountpoint (see --help)\n");
		goto out;
	}
	if (cl.n_args > 2) {
		fprintf(stderr,
			"gpofs: too many arguments: give [SOURCE] MOUNTPOINT (see --help)\n");
		goto out;
	}
	if (apply_source(&cl) || gpo_conf_finish(&fs.conf, cl.msg, sizeof(cl.msg))) {
		fprintf(stderr, "gpofs: %s\n", cl.msg);
		goto out;
	}
	if (fuse_parse_cmdline(&args, &opts) != 0)
		goto out;
	/* SOURCE is what findmnt and mount(8) show; fsname= alone would drop
	 * the default subtype, which makes the type fuse.gpofs. */
	if (cl.source && !cl.fsname &&
	    (asprintf(&name_opts, "-ofsname=%s,subtype=gpofs", cl.source) < 0 ||
	     fuse_opt_add_arg(&args, name_opts) != 0)) {
		fprintf(stderr, "gpofs: out of memory\n");
		goto out;
	}
	/* The kernel checks every access against the modes gpofs shows,
	 * always: with allow_other, the private stores (0700) must refuse
	 * other users whether or not the admin remembered to say so. */
	if (fuse_opt_add_arg(&args, "-odefault_permissions") != 0) {
		fprintf(stderr, "gpofs: out of memory\n");
		goto out;
	}
	/* Creating it parses FUSE's options: an unknown one fails here. */
	fuse = fuse_new(&args, &gpofs_ops, sizeof(gpofs_ops), &fs);
	if (!fuse)
		goto out;

	/* 2. The mount point and the FUSE device. */
	if (gpofs_is_fuse_fd(cl.mountpoint)) {
		opts.mountpoint = strdup(cl.mountpoint);
	} else {
		if (gpofs_check_mountpoint(cl.mountpoint) || gpofs_check_fuse_device())
			goto out;
		opts.mountpoint = realpath(cl.mountpoint, NULL);
	}
	if (!opts.mountpoint) {
		fprintf(stderr, "gpofs: %s: %s\n", cl.mountpoint, strerror(errno));
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
	if (gpo_session_init(&fs.session, &fs.log, cl.msg, sizeof(cl.msg))) {
		fprintf(stderr, "gpofs: %s\n", cl.msg);
		goto out;
	}

	/* 3. Sign in to every domain. */
	if (open_domains(&fs))
		goto out;

	/* 4. Mount, and only then say so. */
	if (gpofs_mount(fuse, opts.mountpoint) != 0)
		goto out;
	mounted = true;
	for (size_t i = 0; i < fs.n_domains; i++)
		gpo_log(&fs.log, GPO_LOG_INFO, "%s: mounted from %s on %s",
			gpo_domain_name(fs.domains[i]), gpo_domain_dc(fs.domains[i]),
			opts.mountpoint);
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
	free(name_opts);
	free(cl.from_file);
	fuse_opt_free_args(&args);
	context_free(&fs);
	xmlCleanupParser();
	return rc;
}
