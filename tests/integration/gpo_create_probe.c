/* gpo_create_probe: creating and deleting GPOs (ops/domain) from a shell,
 * for tests/integration/t_42_create.sh (built for tests only, never
 * installed). Opens one domain as gpofs does, from -o options in gpofs's
 * form (credentials=FILE or krb5: never a password on the command line),
 * with its files under a private folder, and makes one call:
 *
 *   gpo_create_probe -t DIR -o domain=D,credentials=F,tls_cacert=C CMD ARGS
 *
 *   create NAME             prints the new GUID; then checks that the
 *                           domain's list (read before, so fresh) shows
 *                           it under NAME at once
 *   create-guid GUID NAME   the same under GUID
 *   delete GUID             then checks the list no longer shows it
 *   set-acl GUID            sets the SYSVOL folder's ACL from the DACL
 *   list                    "GUID<TAB>name" per GPO
 *
 * A failure prints "error: ENAME: reason" on stderr and exits 1. The
 * domain's log is DIR/log/<domain>.log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gpo_cache.h"
#include "gpo_conf.h"
#include "gpo_domain.h"
#include "gpo_err.h"
#include "gpo_log.h"
#include "gpo_session.h"

struct probe {
	struct gpo_log lg;
	struct gpo_conf conf;
	struct gpo_session session;
	struct gpo_cache cache;
	struct gpo_domain *d;
};

static int fail(int rc, const char *why)
{
	fprintf(stderr, "error: %s: %s\n", strerrorname_np(-rc),
		why && *why ? why : strerror(-rc));
	return 1;
}

/* "a=b,c,d=e" into conf, as gpofs -o takes it (no escapes needed here). */
static int parse_opts(struct probe *p, char *opts, char *msg, size_t msglen)
{
	struct gpo_domain_conf *dc = gpo_conf_add_domain(&p->conf);
	char *save = NULL;

	if (!dc)
		return -ENOMEM;
	for (char *kv = strtok_r(opts, ",", &save); kv;
	     kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		int rc;

		if (eq)
			*eq++ = '\0';
		/* the table moves when it grows: one domain, never again */
		rc = gpo_conf_set(&p->conf, gpo_conf_is_domain_key(kv) ? dc : NULL,
				  kv, eq, msg, msglen);
		if (rc)
			return rc;
	}
	return gpo_conf_finish(&p->conf, msg, msglen);
}

static int open_domain(struct probe *p, const char *dir, char *opts)
{
	char msg[768] = "";
	char path[4096];
	struct gpo_domain_io io = { .workers = 0 };
	int rc;

	snprintf(path, sizeof(path), "%s/log", dir);
	mkdir(path, 0700);
	rc = gpo_conf_set(&p->conf, NULL, "log_dir", path, msg, sizeof(msg));
	snprintf(path, sizeof(path), "%s/cache", dir);
	mkdir(path, 0700);
	if (!rc)
		rc = gpo_conf_set(&p->conf, NULL, "cache_dir", path, msg, sizeof(msg));
	if (!rc)
		rc = parse_opts(p, opts, msg, sizeof(msg));
	if (!rc && p->conf.n_domains != 1)
		rc = -EINVAL;
	if (!rc)
		rc = gpo_session_init(&p->session, &p->lg, msg, sizeof(msg));
	if (!rc)
		rc = gpo_session_sign_in(&p->session, &p->conf.domains[0], msg,
					 sizeof(msg));
	if (!rc)
		rc = gpo_cache_open(&p->cache, p->conf.cache_dir, 0, &p->lg, msg,
				    sizeof(msg));
	if (!rc) {
		io.tmpdir = p->session.tmpdir;
		io.cache = &p->cache;
		io.log_dir = p->conf.log_dir;
		rc = gpo_domain_open(&p->d, &p->lg, &p->session.smb_lib,
				     &p->conf.domains[0], p->conf.cache_dir, &io,
				     msg, sizeof(msg));
	}
	if (rc)
		fail(rc, msg);
	return rc;
}

/* The name the domain's list shows for guid; NULL when it shows none. */
static char *listed_name(struct probe *p, const char *guid, int *rc)
{
	struct gpo_snapshot *s = NULL;
	const struct gpo *g;
	char *name = NULL;

	*rc = gpo_domain_snapshot(p->d, &s);
	if (*rc)
		return NULL;
	g = gpo_snapshot_find(s, guid);
	if (g) {
		name = strdup(g->display_name);
		if (!name)
			*rc = -ENOMEM;
	}
	gpo_snapshot_put(s);
	return name;
}

static int cmd_create(struct probe *p, const char *guid_in, const char *name)
{
	struct gpo_err err = { 0 };
	char guid[GPO_GUID_LEN + 1];
	char *shown;
	int rc;

	/* read the list now: fresh for its ttl, so only the create's own
	 * refresh can show the new GPO below */
	free(listed_name(p, "{00000000-0000-0000-0000-000000000000}", &rc));
	if (rc)
		return fail(rc, "cannot list the GPOs");
	if (guid_in) {
		rc = gpo_domain_create_guid(p->d, name, guid_in, &err);
		snprintf(guid, sizeof(guid), "%s", guid_in);
	} else {
		rc = gpo_domain_create(p->d, name, guid, &err);
	}
	if (rc)
		return fail(rc, gpo_err_reason(&err));
	printf("%s\n", guid);
	shown = listed_name(p, guid, &rc);
	if (!shown || strcmp(shown, name)) {
		fprintf(stderr, "error: the list shows %s as \"%s\", not \"%s\"\n",
			guid, shown ? shown : "(nothing)", name);
		free(shown);
		return 1;
	}
	free(shown);
	return 0;
}

static int cmd_delete(struct probe *p, const char *guid)
{
	struct gpo_err err = { 0 };
	char *shown;
	int rc;

	free(listed_name(p, guid, &rc));
	rc = gpo_domain_delete(p->d, guid, &err);
	if (rc)
		return fail(rc, gpo_err_reason(&err));
	shown = listed_name(p, guid, &rc);
	if (shown) {
		fprintf(stderr, "error: the list still shows %s\n", guid);
		free(shown);
		return 1;
	}
	return 0;
}

static int cmd_list(struct probe *p)
{
	struct gpo_snapshot *s = NULL;
	int rc = gpo_domain_snapshot(p->d, &s);

	if (rc)
		return fail(rc, "cannot list the GPOs");
	for (size_t i = 0; i < gpo_snapshot_count(s); i++) {
		const struct gpo *g = gpo_snapshot_at(s, i);

		printf("%s\t%s\n", g->guid, g->display_name);
	}
	gpo_snapshot_put(s);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: gpo_create_probe -t DIR -o OPTIONS create NAME | create-guid GUID NAME | delete GUID | set-acl GUID | list\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct probe p = { 0 };
	const char *dir = NULL;
	char *opts = NULL;
	struct gpo_err err = { 0 };
	int i = 1, rc;

	p.lg.debug = getenv("PROBE_DEBUG") != NULL;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "-t"))
			dir = argv[i + 1];
		else if (!strcmp(argv[i], "-o"))
			opts = argv[i + 1];
		else
			return usage();
	}
	if (!dir || !opts || i >= argc)
		return usage();
	if (open_domain(&p, dir, opts)) {
		rc = 1;
		goto out;
	}
	if (!strcmp(argv[i], "create") && argc == i + 2)
		rc = cmd_create(&p, NULL, argv[i + 1]);
	else if (!strcmp(argv[i], "create-guid") && argc == i + 3)
		rc = cmd_create(&p, argv[i + 1], argv[i + 2]);
	else if (!strcmp(argv[i], "delete") && argc == i + 2)
		rc = cmd_delete(&p, argv[i + 1]);
	else if (!strcmp(argv[i], "set-acl") && argc == i + 2)
		rc = (rc = gpo_domain_set_folder_acl(p.d, argv[i + 1], &err)) ?
		     fail(rc, gpo_err_reason(&err)) : 0;
	else if (!strcmp(argv[i], "list") && argc == i + 1)
		rc = cmd_list(&p);
	else
		rc = usage();
out:
	gpo_domain_close(p.d);
	gpo_cache_close(&p.cache);
	gpo_conf_free(&p.conf);
	gpo_session_close(&p.session);
	return rc;
}
