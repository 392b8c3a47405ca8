#include "gpo_ldap.h"
#include "gpo_ldap_internal.h"
#include "gpo_array.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <lber.h>
#include <ldap.h>
#include <sasl/sasl.h>

#include "gpo_ad_error.h"

#define LDAP_CONNECT_TIMEOUT_S 5
#define LDAP_OP_TIMEOUT_S 30
#define SD_FLAGS_OID "1.2.840.113556.1.4.801"
#define TREE_DELETE_OID "1.2.840.113556.1.4.805"
#define LDAP_PAGE_SIZE 1000

/* Tells "no such host" and "nothing listens" apart from TLS and bind
 * failures, which libldap reports alike as "can't contact server". */
static int probe_tcp(const char *domain, const char *host, int port, char *msg,
		     size_t msglen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	char service[16];
	int rc;
	int err = 0;

	snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc) {
		snprintf(msg, msglen, "%s: cannot resolve domain controller %s: %s",
			 domain, host, gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	rc = -EHOSTUNREACH;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		struct pollfd pfd;
		socklen_t sl = sizeof(err);
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
				SOCK_NONBLOCK, ai->ai_protocol);

		if (fd < 0)
			continue;
		err = 0;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			err = errno;
			if (err == EINPROGRESS) {
				pfd.fd = fd;
				pfd.events = POLLOUT;
				if (poll(&pfd, 1, LDAP_CONNECT_TIMEOUT_S * 1000) <= 0)
					err = ETIMEDOUT;
				else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
					err = errno;
			}
		}
		close(fd);
		if (!err) {
			rc = 0;
			break;
		}
	}
	if (rc)
		snprintf(msg, msglen,
			 "%s: cannot reach domain controller %s on port %d: %s",
			 domain, host, port, strerror(err ? err : EHOSTUNREACH));
	freeaddrinfo(res);
	return rc;
}

static int sasl_quiet(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	sasl_interact_t *it = in;

	/* GSSAPI needs no prompts; take the defaults for anything asked. */
	for (; it && it->id != SASL_CB_LIST_END; it++) {
		it->result = it->defresult ? it->defresult : "";
		it->len = it->defresult ? (unsigned)strlen(it->defresult) : 0;
	}
	return LDAP_SUCCESS;
}

static char *diag_message(LDAP *ld)
{
	char *diag = NULL;

	ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	return diag;
}

static void bind_failure_msg(struct gpo_ldap *l, int rc, const char *diag,
			     char *msg, size_t msglen)
{
	/* libldap's TLS failures carry no useful diagnostic text. */
	const char *d = diag && strcmp(diag, "(unknown error code)") ? diag : "";

	if (rc == LDAP_INVALID_CREDENTIALS)
		snprintf(msg, msglen, "%s: wrong user name or password",
			 l->conf->domain);
	else if (strstr(d, "xpired") || strstr(d, "KRB5KRB_AP_ERR_TKT_EXPIRED"))
		snprintf(msg, msglen,
			 "%s: the Kerberos ticket has expired (run kinit)",
			 l->conf->domain);
	else if (strstr(d, "No Kerberos credentials") ||
		 strstr(d, "No credentials cache") ||
		 strstr(d, "not found in Kerberos database") ||
		 strstr(d, "Server not found"))
		snprintf(msg, msglen, "%s: Kerberos sign-in failed: %s",
			 l->conf->domain, d);
	else if (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR)
		snprintf(msg, msglen,
			 "%s: TLS handshake with %s failed: certificate not trusted or not for this name (tls_cacert=FILE names the CA; tls_reqcert=never skips the check)%s%s",
			 l->conf->domain, l->host, *d ? ": " : "", d);
	else if (rc == LDAP_STRONG_AUTH_REQUIRED)
		snprintf(msg, msglen,
			 "%s: the domain controller requires stronger authentication",
			 l->conf->domain);
	else
		snprintf(msg, msglen, "%s: LDAP bind to %s failed: %s%s%s",
			 l->conf->domain, l->host, ldap_err2string(rc),
			 *d ? ": " : "", d);
}

static int read_root_dse(struct gpo_ldap *l);

static int connect_and_bind(struct gpo_ldap *l, char *msg, size_t msglen)
{
	const struct gpo_domain_conf *c = l->conf;
	bool kerberos = c->krb5 || c->keytab;
	enum gpo_ldap_tls tls = c->ldap_tls;
	char uri[512];
	int version = LDAP_VERSION3;
	struct timeval nto = { LDAP_CONNECT_TIMEOUT_S, 0 };
	struct timeval oto = { LDAP_OP_TIMEOUT_S, 0 };
	int reqcert = c->tls_reqcert_never ? LDAP_OPT_X_TLS_NEVER
					   : LDAP_OPT_X_TLS_DEMAND;
	int zero = 0;
	char *diag = NULL;
	LDAP *ld = NULL;
	int rc;
	int err;

	if (tls == GPO_TLS_DEFAULT)
		tls = kerberos ? GPO_TLS_NONE : GPO_TLS_LDAPS;
	if (!kerberos && tls == GPO_TLS_NONE) {
		snprintf(msg, msglen, "%s: refusing a plain-text simple bind",
			 c->domain);
		return -EACCES;
	}
	err = probe_tcp(c->domain, l->host, tls == GPO_TLS_LDAPS ? 636 : 389, msg, msglen);
	if (err)
		return err;
	snprintf(uri, sizeof(uri), "%s://%s", tls == GPO_TLS_LDAPS ? "ldaps" : "ldap",
		 l->host);
	rc = ldap_initialize(&ld, uri);
	if (rc != LDAP_SUCCESS) {
		snprintf(msg, msglen, "%s: bad LDAP address %s", c->domain, uri);
		err = -EINVAL;
		goto out;
	}
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &nto);
	ldap_set_option(ld, LDAP_OPT_TIMEOUT, &oto);
	ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &reqcert);
	if (c->tls_cacert)
		ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, c->tls_cacert);
	ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero);
	/* Kerberos names the service by the host we were given, not by
	 * what reverse DNS says. */
	ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON);

	if (tls == GPO_TLS_STARTTLS) {
		rc = ldap_start_tls_s(ld, NULL, NULL);
		if (rc != LDAP_SUCCESS) {
			diag = diag_message(ld);
			bind_failure_msg(l, LDAP_CONNECT_ERROR, diag, msg, msglen);
			err = gpo_ldap_errno_reported(l->lg, rc, diag, "StartTLS");
			goto out;
		}
	}
	if (kerberos) {
		/* minssf=56: the session must be signed and sealed. */
		rc = ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS,
				     "minssf=56,noanonymous,noplain");
		if (rc == LDAP_SUCCESS)
			rc = ldap_sasl_interactive_bind_s(ld, NULL, "GSSAPI", NULL,
							  NULL, LDAP_SASL_QUIET,
							  sasl_quiet, NULL);
	} else {
		const struct gpo_credentials *cr = l->cred;
		struct berval pw = { strlen(cr->password), cr->password };
		char who[512];

		if (cr->domain)
			snprintf(who, sizeof(who), "%s\\%s", cr->domain, cr->username);
		else if (strchr(cr->username, '@'))
			snprintf(who, sizeof(who), "%s", cr->username);
		else
			snprintf(who, sizeof(who), "%s@%s", cr->username, c->domain);
		rc = ldap_sasl_bind_s(ld, who, LDAP_SASL_SIMPLE, &pw, NULL, NULL,
				      NULL);
	}
	if (rc != LDAP_SUCCESS) {
		diag = diag_message(ld);
		bind_failure_msg(l, rc, diag, msg, msglen);
		err = gpo_ldap_errno_reported(l->lg, rc, diag, "bind");
		goto out;
	}
	l->ld = ld;
	ld = NULL;
	err = read_root_dse(l);
	if (err)
		snprintf(msg, msglen, "%s: cannot read the directory's root",
			 c->domain);
out:
	ldap_memfree(diag);
	if (ld)
		ldap_unbind_ext_s(ld, NULL, NULL);
	return err;
}

static int root_dse_entry(void *arg, const struct gpo_ldap_entry *e)
{
	struct gpo_ldap *l = arg;
	char *base = NULL;
	char *config = NULL;
	int rc;

	rc = gpo_ldap_entry_value(e, "defaultNamingContext", &base, NULL);
	if (!rc)
		rc = gpo_ldap_entry_value(e, "configurationNamingContext",
					  &config, NULL);
	if (rc) {
		free(base);
		return rc == -ENOENT ? -EIO : rc;
	}
	free(l->base_dn);
	free(l->config_dn);
	l->base_dn = base;
	l->config_dn = config;
	return 0;
}

static int read_root_dse(struct gpo_ldap *l)
{
	static const char *const attrs[] = {
		"defaultNamingContext", "configurationNamingContext", NULL
	};

	return gpo_ldap_search(l, "", -1, "(objectClass=*)", attrs, 0,
			       root_dse_entry, l);
}

/* Tests only: a smaller page size, so that a search of a few GPOs takes
 * several pages, and a file that holds a search between two pages
 * (tests/integration/t_32_ldap_pages.sh). */
static void test_hooks(struct gpo_ldap *l)
{
	const char *size = getenv("GPOFS_TEST_LDAP_PAGE_SIZE");
	const char *hold = getenv("GPOFS_TEST_LDAP_HOLD");

	if (size) {
		long v = strtol(size, NULL, 10);

		l->page_size = v > 0 && v <= LDAP_PAGE_SIZE ? (unsigned)v : 0;
	}
	if (hold && *hold)
		l->test_hold = strdup(hold);
}

int gpo_ldap_open(struct gpo_ldap *l, const struct gpo_log *lg,
		  const struct gpo_domain_conf *conf,
		  const struct gpo_credentials *cred, const char *host,
		  char *msg, size_t msglen)
{
	int rc;

	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->lg = lg;
	l->conf = conf;
	l->cred = cred;
	l->host = strdup(host);
	if (!l->host)
		return -ENOMEM;
	test_hooks(l);
	rc = connect_and_bind(l, msg, msglen);
	if (rc)
		gpo_ldap_close(l);
	return rc;
}

int gpo_ldap_reconnect(struct gpo_ldap *l)
{
	char msg[512];
	int rc;

	if (l->ld) {
		ldap_unbind_ext_s(l->ld, NULL, NULL);
		l->ld = NULL;
	}
	msg[0] = '\0';
	rc = connect_and_bind(l, msg, sizeof(msg));
	if (rc) {
		gpo_log(l->lg, GPO_LOG_WARN, "reconnect: %s", msg);
		snprintf(l->error, sizeof(l->error), "%s", *msg ? msg : strerror(-rc));
		return -EIO;
	}
	l->error[0] = '\0';
	gpo_log(l->lg, GPO_LOG_INFO, "%s: reconnected to %s", l->conf->domain,
		l->host);
	return 0;
}

void gpo_ldap_close(struct gpo_ldap *l)
{
	if (l->ld)
		ldap_unbind_ext_s(l->ld, NULL, NULL);
	free(l->host);
	free(l->base_dn);
	free(l->config_dn);
	free(l->test_hold);
	pthread_mutex_destroy(&l->lock);
	memset(l, 0, sizeof(*l));
}

int gpo_ldap_sd_control(int flags, LDAPControl **out)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);
	struct berval bv = { 0, NULL };
	int rc = -ENOMEM;

	if (!ber)
		return -ENOMEM;
	if (ber_printf(ber, "{i}", (ber_int_t)flags) < 0 ||
	    ber_flatten2(ber, &bv, 0) < 0)
		goto out;
	if (ldap_control_create(SD_FLAGS_OID, 1, &bv, 1, out) != LDAP_SUCCESS)
		goto out;
	rc = 0;
out:
	ber_free(ber, 1);
	return rc;
}

/* The pages of one search, held until the last has come. */
struct pages {
	LDAPMessage **v;
	size_t n, cap;
};

static int keep_page(struct pages *pg, LDAPMessage *res)
{
	LDAPMessage **slot = gpo_array_push(&pg->v, &pg->n, &pg->cap, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	*slot = res;
	return 0;
}

/* Tests only (GPOFS_TEST_LDAP_HOLD): waits between two pages while the
 * file exists, at most two minutes, so that a test can restart the DC
 * in the middle of a search. */
static void test_hold(struct gpo_ldap *l, size_t page)
{
	bool said = false;

	for (int i = 0; l->test_hold && i < 1200 &&
			access(l->test_hold, F_OK) == 0; i++) {
		if (!said)
			gpo_log(l->lg, GPO_LOG_INFO,
				"test hook: search held after page %zu while %s exists",
				page, l->test_hold);
		said = true;
		usleep(100 * 1000);
	}
}

/* One paged search. Returns an LDAP result code; a non-zero result of fn
 * (which ends the search) goes to *cb_rc. fn sees no entry before the
 * last page has come: a search that fails half-way has delivered
 * nothing, and may be run again from the start. */
static int search_once(struct gpo_ldap *l, const char *base, int scope,
		       const char *filter, const char *const *attrs,
		       int sd_flags, gpo_ldap_entry_fn fn, void *arg,
		       int *cb_rc, char **diag)
{
	struct berval *cookie = NULL;
	LDAPControl *sd = NULL;
	LDAPControl *page = NULL;
	LDAPControl *ctrls[3];
	LDAPMessage *res = NULL;
	LDAPControl **rctrls = NULL;
	struct pages pg = { 0 };
	int page_size = l->page_size ? (int)l->page_size : LDAP_PAGE_SIZE;
	int rc = LDAP_SUCCESS;
	int n;

	*cb_rc = 0;
	if (!l->ld)
		return LDAP_SERVER_DOWN;
	if (sd_flags && gpo_ldap_sd_control(sd_flags, &sd)) {
		*cb_rc = -ENOMEM;
		return LDAP_NO_MEMORY;
	}
	l->searches++; /* one, however many pages it takes */
	do {
		int err = 0;
		ber_int_t total;

		if (pg.n)
			test_hold(l, pg.n);
		n = 0;
		if (scope != LDAP_SCOPE_BASE) {
			rc = ldap_create_page_control(l->ld, page_size, cookie, 0,
						      &page);
			if (rc != LDAP_SUCCESS)
				break;
			ctrls[n++] = page;
		}
		if (sd)
			ctrls[n++] = sd;
		ctrls[n] = NULL;
		rc = ldap_search_ext_s(l->ld, base, scope, filter,
				       (char **)attrs, 0, n ? ctrls : NULL, NULL,
				       NULL, LDAP_NO_LIMIT, &res);
		if (page) {
			ldap_control_free(page);
			page = NULL;
		}
		if (rc != LDAP_SUCCESS)
			break;
		rc = ldap_parse_result(l->ld, res, &err, NULL, diag, NULL,
				       &rctrls, 0);
		if (rc == LDAP_SUCCESS)
			rc = err;
		if (rc != LDAP_SUCCESS)
			break;
		if (keep_page(&pg, res)) {
			*cb_rc = -ENOMEM;
			rc = LDAP_NO_MEMORY;
			break;
		}
		res = NULL;
		if (cookie) {
			ber_bvfree(cookie);
			cookie = NULL;
		}
		if (rctrls) {
			LDAPControl *pr = ldap_control_find(
				LDAP_CONTROL_PAGEDRESULTS, rctrls, NULL);
			struct berval c = { 0, NULL };

			if (pr && ldap_parse_pageresponse_control(l->ld, pr,
					&total, &c) == LDAP_SUCCESS && c.bv_len)
				cookie = ber_bvdup(&c);
			if (c.bv_val)
				ber_memfree(c.bv_val);
			ldap_controls_free(rctrls);
			rctrls = NULL;
		}
	} while (cookie);
	for (size_t i = 0; rc == LDAP_SUCCESS && i < pg.n && !*cb_rc; i++) {
		for (LDAPMessage *m = ldap_first_entry(l->ld, pg.v[i]);
		     m && !*cb_rc; m = ldap_next_entry(l->ld, m)) {
			struct gpo_ldap_entry e = { l->ld, m };

			*cb_rc = fn(arg, &e);
		}
	}
	if (rctrls)
		ldap_controls_free(rctrls);
	ldap_msgfree(res);
	for (size_t i = 0; i < pg.n; i++)
		ldap_msgfree(pg.v[i]);
	free(pg.v);
	if (cookie)
		ber_bvfree(cookie);
	if (page)
		ldap_control_free(page);
	if (sd)
		ldap_control_free(sd);
	return rc;
}

int gpo_ldap_search(struct gpo_ldap *l, const char *base, int scope_subtree,
		    const char *filter, const char *const *attrs,
		    int sd_flags, gpo_ldap_entry_fn fn, void *arg)
{
	int scope = scope_subtree > 0 ? LDAP_SCOPE_SUBTREE :
		    scope_subtree == 0 ? LDAP_SCOPE_ONELEVEL : LDAP_SCOPE_BASE;
	char *diag = NULL;
	int cb_rc = 0;
	int rc;

	rc = search_once(l, base, scope, filter, attrs, sd_flags, fn, arg,
			 &cb_rc, &diag);
	if (!cb_rc && gpo_ldap_is_conn_error(rc)) {
		ldap_memfree(diag);
		diag = NULL;
		if (gpo_ldap_reconnect(l))
			return -EIO;
		rc = search_once(l, base, scope, filter, attrs, sd_flags, fn,
				 arg, &cb_rc, &diag);
	}
	if (cb_rc) {
		ldap_memfree(diag);
		return cb_rc;
	}
	if (gpo_ldap_is_conn_error(rc) && l->ld) {
		/* Let the next call start from a fresh connection. */
		ldap_unbind_ext_s(l->ld, NULL, NULL);
		l->ld = NULL;
	}
	rc = gpo_ldap_errno(l->lg, rc, diag, filter);
	ldap_memfree(diag);
	return rc;
}

int gpo_ldap_entry_value(const struct gpo_ldap_entry *e, const char *attr,
			 char **data, size_t *len)
{
	struct berval **vals = ldap_get_values_len(e->ld, e->msg, attr);
	char *p;

	if (!vals || !vals[0]) {
		ldap_value_free_len(vals);
		return -ENOENT;
	}
	p = malloc(vals[0]->bv_len + 1);
	if (!p) {
		ldap_value_free_len(vals);
		return -ENOMEM;
	}
	memcpy(p, vals[0]->bv_val, vals[0]->bv_len);
	p[vals[0]->bv_len] = '\0';
	if (len)
		*len = vals[0]->bv_len;
	*data = p;
	ldap_value_free_len(vals);
	return 0;
}

int gpo_ldap_entry_dn(const struct gpo_ldap_entry *e, char **dn)
{
	char *d = ldap_get_dn(e->ld, e->msg);

	if (!d)
		return -ENOMEM;
	*dn = strdup(d);
	ldap_memfree(d);
	return *dn ? 0 : -ENOMEM;
}

/* --- writes --------------------------------------------------------------- */

int gpo_ldap_tree_delete_control(LDAPControl **out)
{
	return ldap_control_create(TREE_DELETE_OID, 1, NULL, 0, out) == LDAP_SUCCESS ?
	       0 : -ENOMEM;
}

void gpo_ldap_mods_free(LDAPMod **m)
{
	if (!m)
		return;
	for (LDAPMod **p = m; *p; p++) {
		/* the bervals are one block after the pointers */
		free((*p)->mod_bvalues);
		free(*p);
	}
	free(m);
}

int gpo_ldap_mods_make(const struct gpo_ldap_mod *mods, size_t n, bool add,
		       LDAPMod ***out)
{
	LDAPMod **m = calloc(n + 1, sizeof(*m));
	int rc = 0;

	if (!m)
		return -ENOMEM;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct gpo_ldap_mod *g = &mods[i];
		struct berval **bv = NULL;
		struct berval *vals;
		int op;

		if (!g->attr || (add && !g->n)) {
			rc = -EINVAL;
			break;
		}
		op = add ? LDAP_MOD_ADD :
		     g->op == GPO_LDAP_ADD ? LDAP_MOD_ADD :
		     g->op == GPO_LDAP_DELETE ? LDAP_MOD_DELETE : LDAP_MOD_REPLACE;
		m[i] = calloc(1, sizeof(**m));
		if (!m[i]) {
			rc = -ENOMEM;
			break;
		}
		m[i]->mod_op = op | LDAP_MOD_BVALUES;
		m[i]->mod_type = (char *)g->attr;
		if (!g->n)
			continue; /* NULL: every value (delete, replace) */
		bv = malloc((g->n + 1) * sizeof(*bv) + g->n * sizeof(*vals));
		if (!bv) {
			rc = -ENOMEM;
			break;
		}
		vals = (struct berval *)(bv + g->n + 1);
		for (size_t j = 0; j < g->n; j++) {
			vals[j].bv_len = (ber_len_t)g->values[j].len;
			vals[j].bv_val = (char *)g->values[j].data;
			bv[j] = &vals[j];
		}
		bv[g->n] = NULL;
		m[i]->mod_bvalues = bv;
	}
	if (rc) {
		gpo_ldap_mods_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

int gpo_ldap_parent_dn(const char *dn, char **parent)
{
	LDAPDN parsed = NULL;
	bool two = false;
	bool quoted = false;
	const char *p;

	/* parsed to know it is a DN of two RDNs or more; cut in the text
	 * itself, so that its escapes stay as the directory wrote them */
	if (ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return -EINVAL;
	two = parsed && parsed[0] && parsed[1];
	ldap_dnfree(parsed);
	if (!two)
		return -EINVAL;
	for (p = dn; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if ((*p == ',' || *p == ';') && !quoted)
			break;
	}
	if (!*p)
		return -EINVAL;
	for (p++; *p == ' '; p++)
		;
	*parent = strdup(p);
	return *parent ? 0 : -ENOMEM;
}

enum write_kind { WRITE_MODIFY, WRITE_ADD, WRITE_DELETE };

/* Sends one write, once (see gpo_ldap.h). Returns 0 or -errno. */
static int write_once(struct gpo_ldap *l, enum write_kind kind, const char *dn,
		      LDAPMod **mods, LDAPControl **ctrls)
{
	static const char *const what[] = { "modify", "add", "delete" };
	char *diag = NULL;
	char desc[300];
	int rc;

	/* A connection found closed has carried nothing of this write. */
	if (!l->ld && gpo_ldap_reconnect(l))
		return -EIO;
	rc = kind == WRITE_MODIFY ? ldap_modify_ext_s(l->ld, dn, mods, ctrls, NULL) :
	     kind == WRITE_ADD ? ldap_add_ext_s(l->ld, dn, mods, ctrls, NULL) :
	     ldap_delete_ext_s(l->ld, dn, ctrls, NULL);
	snprintf(desc, sizeof(desc), "%s %s", what[kind], dn);
	if (gpo_ldap_is_conn_error(rc)) {
		gpo_log(l->lg, GPO_LOG_WARN,
			"%s: connection to %s lost during LDAP %s: it may or may not have been applied",
			l->conf ? l->conf->domain : "", l->host, desc);
		snprintf(l->error, sizeof(l->error),
			 "connection to %s lost during LDAP %s (it may or may not have been applied)",
			 l->host, what[kind]);
		ldap_unbind_ext_s(l->ld, NULL, NULL);
		l->ld = NULL;
		return -EIO;
	}
	if (rc != LDAP_SUCCESS)
		diag = diag_message(l->ld);
	rc = gpo_ldap_errno(l->lg, rc, diag, desc);
	ldap_memfree(diag);
	return rc;
}

int gpo_ldap_modify(struct gpo_ldap *l, const char *dn,
		    const struct gpo_ldap_mod *mods, size_t n, int sd_flags)
{
	LDAPControl *sd = NULL;
	LDAPControl *ctrls[2] = { NULL, NULL };
	LDAPMod **m = NULL;
	int rc;

	if (!n)
		return -EINVAL;
	rc = gpo_ldap_mods_make(mods, n, false, &m);
	if (!rc && sd_flags) {
		rc = gpo_ldap_sd_control(sd_flags, &sd);
		ctrls[0] = sd;
	}
	if (!rc)
		rc = write_once(l, WRITE_MODIFY, dn, m, sd ? ctrls : NULL);
	if (sd)
		ldap_control_free(sd);
	gpo_ldap_mods_free(m);
	return rc;
}

int gpo_ldap_add(struct gpo_ldap *l, const char *dn,
		 const struct gpo_ldap_mod *attrs, size_t n)
{
	LDAPMod **m = NULL;
	int rc;

	rc = gpo_ldap_mods_make(attrs, n, true, &m);
	if (!rc)
		rc = write_once(l, WRITE_ADD, dn, m, NULL);
	gpo_ldap_mods_free(m);
	return rc;
}

int gpo_ldap_delete(struct gpo_ldap *l, const char *dn, bool subtree)
{
	LDAPControl *tree = NULL;
	LDAPControl *ctrls[2] = { NULL, NULL };
	int rc = 0;

	if (subtree) {
		rc = gpo_ldap_tree_delete_control(&tree);
		ctrls[0] = tree;
	}
	if (!rc)
		rc = write_once(l, WRITE_DELETE, dn, NULL, tree ? ctrls : NULL);
	if (tree)
		ldap_control_free(tree);
	return rc;
}

struct read_one {
	gpo_ldap_entry_fn fn;
	void *arg;
	bool seen;
};

static int read_one_entry(void *arg, const struct gpo_ldap_entry *e)
{
	struct read_one *r = arg;

	if (r->seen)
		return 0; /* a base search has one */
	r->seen = true;
	return r->fn(r->arg, e);
}

int gpo_ldap_read(struct gpo_ldap *l, const char *dn, const char *const *attrs,
		  int sd_flags, gpo_ldap_entry_fn fn, void *arg)
{
	struct read_one r = { fn, arg, false };
	int rc;

	rc = gpo_ldap_search(l, dn, -1, "(objectClass=*)", attrs, sd_flags,
			     read_one_entry, &r);
	if (!rc && !r.seen)
		rc = -ENOENT;
	return rc;
}

struct one_value {
	const char *attr;
	char *value;
};

static int take_value(void *arg, const struct gpo_ldap_entry *e)
{
	struct one_value *v = arg;

	return gpo_ldap_entry_value(e, v->attr, &v->value, NULL);
}

/* The first value of attr of dn, into a new *value. */
static int read_value(struct gpo_ldap *l, const char *dn, const char *attr,
		      char **value)
{
	const char *attrs[] = { attr, NULL };
	struct one_value v = { attr, NULL };
	int rc;

	rc = gpo_ldap_read(l, dn, attrs, 0, take_value, &v);
	if (!rc)
		*value = v.value;
	return rc;
}

int gpo_ldap_pdc(struct gpo_ldap *l, char **host)
{
	char *owner = NULL;
	char *server = NULL;
	int rc;

	if (!l->base_dn)
		return -ENOENT;
	rc = read_value(l, l->base_dn, "fSMORoleOwner", &owner);
	if (!rc)
		rc = gpo_ldap_parent_dn(owner, &server);
	if (rc == -EINVAL)
		rc = -ENOENT;
	if (!rc)
		rc = read_value(l, server, "dNSHostName", host);
	if (rc)
		gpo_log(l->lg, GPO_LOG_WARN, "%s: cannot find the PDC emulator%s%s: %s",
			l->conf ? l->conf->domain : "", owner ? " from " : "",
			owner ? owner : "", strerror(-rc));
	free(owner);
	free(server);
	return rc;
}

int gpo_ldap_filter_escape(const char *v, struct gpo_buf *b)
{
	int rc = 0;

	for (const unsigned char *p = (const unsigned char *)v; *p && !rc; p++)
		if (*p == '*' || *p == '(' || *p == ')' || *p == '\\')
			rc = gpo_buf_printf(b, "\\%02x", *p);
		else
			rc = gpo_buf_add(b, p, 1);
	return rc ? rc : gpo_buf_add(b, "", 0);
}
