#include "gpo_conf.h"
#include "gpo_file.h"
#include "gpo_array.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONF_MAX_BYTES (64 * 1024)
#define CONF_MAX_LINE 4096
#define CRED_MAX_BYTES (16 * 1024)

static int set_str(char **dst, const char *value, const char *key, char *msg,
		   size_t msglen)
{
	char *p;

	if (!value || !*value) {
		snprintf(msg, msglen, "option %s needs a value", key);
		return -EINVAL;
	}
	p = strdup(value);
	if (!p)
		return -ENOMEM;
	free(*dst);
	*dst = p;
	return 0;
}

static const char *const domain_keys[] = {
	"domain", "server", "credentials", "krb5", "keytab", "principal",
	"tls_cacert", "tls_reqcert", "ldap_tls", NULL
};

int gpo_parse_size(const char *s, uint64_t *bytes)
{
	static const char units[] = "KMGT";
	unsigned long long n;
	const char *u;
	char *end = NULL;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u || (end[1] && strcasecmp(end + 1, "iB") && strcasecmp(end + 1, "B")))
			return -EINVAL;
		shift = 10 * (int)(u - units + 1);
	}
	if (n > (UINT64_MAX >> shift))
		return -EINVAL;
	*bytes = (uint64_t)n << shift;
	return 0;
}

bool gpo_conf_is_domain_key(const char *key)
{
	for (size_t i = 0; domain_keys[i]; i++)
		if (!strcmp(key, domain_keys[i]))
			return true;
	return false;
}

int gpo_conf_set(struct gpo_conf *conf, struct gpo_domain_conf *dc,
		 const char *key, const char *value, char *msg, size_t msglen)
{
	int rc;

	if (!strcmp(key, "backup_dir"))
		return set_str(&conf->backup_dir, value, key, msg, msglen);
	if (!strcmp(key, "migtable_dir"))
		return set_str(&conf->migtable_dir, value, key, msg, msglen);
	if (!strcmp(key, "cache_dir"))
		return set_str(&conf->cache_dir, value, key, msg, msglen);
	if (!strcmp(key, "cache_max")) {
		rc = gpo_parse_size(value, &conf->cache_max);
		if (rc || conf->cache_max < (1ULL << 20)) {
			snprintf(msg, msglen,
				 "cache_max= takes a size of at least 1M (K, M, G or T)");
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "log_dir"))
		return set_str(&conf->log_dir, value, key, msg, msglen);
	if (!strcmp(key, "workers")) {
		char *end = NULL;
		long n = value ? strtol(value, &end, 10) : -1;

		if (!value || !*value || *end || n < 0 || n > GPO_WORKERS_MAX) {
			snprintf(msg, msglen, "workers= takes a number from 0 to %d",
				 GPO_WORKERS_MAX);
			return -EINVAL;
		}
		conf->workers = (unsigned)n;
		conf->workers_set = true;
		return 0;
	}
	if (!dc) {
		snprintf(msg, msglen, "unknown option %s", key);
		return -EINVAL;
	}
	if (!strcmp(key, "domain")) {
		rc = set_str(&dc->domain, value, key, msg, msglen);
		if (rc)
			return rc;
		for (char *p = dc->domain; *p; p++) {
			*p = (char)tolower((unsigned char)*p);
			if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-') {
				snprintf(msg, msglen,
					 "domain=%s is not a DNS name", value);
				return -EINVAL;
			}
		}
		return 0;
	}
	if (!strcmp(key, "server"))
		return set_str(&dc->server, value, key, msg, msglen);
	if (!strcmp(key, "credentials"))
		return set_str(&dc->credentials, value, key, msg, msglen);
	if (!strcmp(key, "keytab"))
		return set_str(&dc->keytab, value, key, msg, msglen);
	if (!strcmp(key, "principal"))
		return set_str(&dc->principal, value, key, msg, msglen);
	if (!strcmp(key, "tls_cacert"))
		return set_str(&dc->tls_cacert, value, key, msg, msglen);
	if (!strcmp(key, "krb5")) {
		if (value && strcmp(value, "yes") && strcmp(value, "1")) {
			snprintf(msg, msglen, "krb5 takes no value");
			return -EINVAL;
		}
		dc->krb5 = true;
		return 0;
	}
	if (!strcmp(key, "tls_reqcert")) {
		if (value && !strcmp(value, "never")) {
			dc->tls_reqcert_never = true;
			return 0;
		}
		if (value && (!strcmp(value, "demand") || !strcmp(value, "hard"))) {
			dc->tls_reqcert_never = false;
			return 0;
		}
		snprintf(msg, msglen, "tls_reqcert takes never or demand");
		return -EINVAL;
	}
	if (!strcmp(key, "ldap_tls")) {
		if (value && !strcmp(value, "ldaps"))
			dc->ldap_tls = GPO_TLS_LDAPS;
		else if (value && !strcmp(value, "starttls"))
			dc->ldap_tls = GPO_TLS_STARTTLS;
		else if (value && !strcmp(value, "none"))
			dc->ldap_tls = GPO_TLS_NONE;
		else {
			snprintf(msg, msglen,
				 "ldap_tls takes ldaps, starttls or none");
			return -EINVAL;
		}
		return 0;
	}
	snprintf(msg, msglen, "unknown option %s", key);
	return -EINVAL;
}

static void domain_conf_free(struct gpo_domain_conf *dc);

struct gpo_domain_conf *gpo_conf_add_domain(struct gpo_conf *conf)
{
	return gpo_array_push(&conf->domains, &conf->n_domains,
			      &conf->cap_domains, sizeof(*conf->domains));
}

void gpo_conf_remove_domain(struct gpo_conf *conf, size_t i)
{
	domain_conf_free(&conf->domains[i]);
	memmove(&conf->domains[i], &conf->domains[i + 1],
		(conf->n_domains - i - 1) * sizeof(*conf->domains));
	conf->n_domains--;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Reads a whole small file, refusing one larger than max, with the
 * reason in msg; *out is NUL-terminated. */
static int slurp(const char *path, size_t max, char **out, struct stat *st,
		 char *msg, size_t msglen)
{
	int rc = gpo_file_read(path, max, out, NULL, st);

	if (rc == -EINVAL)
		snprintf(msg, msglen, "%s: not a regular file", path);
	else if (rc == -EFBIG)
		snprintf(msg, msglen, "%s: larger than %zu bytes", path, max);
	else if (rc)
		snprintf(msg, msglen, "%s: %s", path, strerror(-rc));
	return rc;
}

/* A copy of len bytes of text, NUL-terminated, or an error in msg: the
 * parsers cut lines in place, and a NUL byte would end the text early. */
static int text_copy(const char *data, size_t len, size_t max, const char *name,
		     char **out, char *msg, size_t msglen)
{
	if (len > max) {
		snprintf(msg, msglen, "%s: larger than %zu bytes", name, max);
		return -EFBIG;
	}
	if (len && memchr(data, '\0', len)) {
		snprintf(msg, msglen, "%s: holds a NUL byte", name);
		return -EINVAL;
	}
	*out = malloc(len + 1);
	if (!*out)
		return -ENOMEM;
	if (len)
		memcpy(*out, data, len);
	(*out)[len] = '\0';
	return 0;
}

int gpo_conf_load_text(struct gpo_conf *conf, const char *data, size_t len,
		       const char *name, char *msg, size_t msglen)
{
	char *text = NULL;
	char *line, *next;
	struct gpo_domain_conf *dc = NULL;
	unsigned lineno = 0;
	int rc;
	char sub[256];

	rc = text_copy(data, len, CONF_MAX_BYTES, name, &text, msg, msglen);
	if (rc)
		goto out;
	/* line by line, blank ones too, so that a message's line number is
	 * the file's */
	for (line = text; line; line = next) {
		char *s, *eq, *key, *value;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (strlen(line) > CONF_MAX_LINE) {
			rc = -EINVAL;
			snprintf(msg, msglen, "%s:%u: line too long", name, lineno);
			goto out;
		}
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');

			if (!end || end[1] || end == s + 1) {
				rc = -EINVAL;
				snprintf(msg, msglen, "%s:%u: malformed section",
					 name, lineno);
				goto out;
			}
			*end = '\0';
			dc = gpo_conf_add_domain(conf);
			if (!dc) {
				rc = -ENOMEM;
				goto out;
			}
			rc = gpo_conf_set(conf, dc, "domain", trim(s + 1), sub,
					  sizeof(sub));
			if (rc) {
				snprintf(msg, msglen, "%s:%u: %s", name, lineno, sub);
				goto out;
			}
			continue;
		}
		eq = strchr(s, '=');
		if (eq) {
			*eq = '\0';
			value = trim(eq + 1);
		} else {
			value = NULL;
		}
		key = trim(s);
		if (!strcmp(key, "domain") && dc) {
			rc = -EINVAL;
			snprintf(msg, msglen, "%s:%u: the section names the domain",
				 name, lineno);
			goto out;
		}
		rc = gpo_conf_set(conf, gpo_conf_is_domain_key(key) ? dc : NULL,
				  key, value, sub, sizeof(sub));
		if (rc) {
			if (!dc && gpo_conf_is_domain_key(key))
				snprintf(sub, sizeof(sub),
					 "%s belongs in a [domain] section", key);
			snprintf(msg, msglen, "%s:%u: %s", name, lineno, sub);
			goto out;
		}
	}
out:
	free(text);
	return rc;
}

int gpo_conf_load_file(struct gpo_conf *conf, const char *path, char *msg,
		       size_t msglen)
{
	char *text = NULL;
	struct stat st;
	int rc;

	rc = slurp(path, CONF_MAX_BYTES, &text, &st, msg, msglen);
	if (!rc)
		rc = gpo_conf_load_text(conf, text, (size_t)st.st_size, path, msg,
					msglen);
	free(text);
	return rc;
}

static int default_dir(char **dst, const char *root_dir, const char *xdg,
		       const char *home_sub, const char *leaf)
{
	const char *base = getenv(xdg);
	const char *home = getenv("HOME");
	int n;

	if (*dst)
		return 0;
	/* leaf NULL: the gpofs folder itself ($XDG_CACHE_HOME/gpofs) */
	if (geteuid() == 0)
		n = asprintf(dst, "%s%s%s", root_dir, leaf ? "/" : "",
			     leaf ? leaf : "");
	else if (base && *base)
		n = asprintf(dst, "%s/gpofs%s%s", base, leaf ? "/" : "",
			     leaf ? leaf : "");
	else
		n = asprintf(dst, "%s/%s/gpofs%s%s",
			     home && *home ? home : "/tmp", home_sub,
			     leaf ? "/" : "", leaf ? leaf : "");
	if (n < 0) {
		*dst = NULL;
		return -ENOMEM;
	}
	return 0;
}

int gpo_conf_finish(struct gpo_conf *conf, char *msg, size_t msglen)
{
	int rc;

	if (!conf->workers_set)
		conf->workers = GPO_WORKERS_DEFAULT;
	if (!conf->n_domains) {
		snprintf(msg, msglen, "no domain given (-o domain=DNS.NAME or -o config=FILE)");
		return -EINVAL;
	}
	for (size_t i = 0; i < conf->n_domains; i++) {
		struct gpo_domain_conf *dc = &conf->domains[i];
		int ways;

		if (!dc->domain) {
			snprintf(msg, msglen, "a domain has no domain= name");
			return -EINVAL;
		}
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(conf->domains[j].domain, dc->domain)) {
				snprintf(msg, msglen, "%s: domain given twice",
					 dc->domain);
				return -EINVAL;
			}
		}
		ways = !!dc->credentials + !!dc->krb5 + !!dc->keytab;
		if (ways != 1) {
			snprintf(msg, msglen,
				 "%s: give exactly one of credentials=FILE, krb5 or keytab=FILE",
				 dc->domain);
			return -EINVAL;
		}
		if (dc->keytab && !dc->principal) {
			snprintf(msg, msglen, "%s: keytab= needs principal=",
				 dc->domain);
			return -EINVAL;
		}
		if (dc->credentials && dc->ldap_tls == GPO_TLS_NONE) {
			snprintf(msg, msglen,
				 "%s: refusing a plain-text simple bind: a password is only sent over LDAPS or StartTLS (ldap_tls=ldaps|starttls), or use Kerberos",
				 dc->domain);
			return -EINVAL;
		}
	}
	rc = default_dir(&conf->backup_dir, "/var/lib/gpofs", "XDG_DATA_HOME",
			 ".local/share", "backups");
	if (!rc)
		rc = default_dir(&conf->migtable_dir, "/var/lib/gpofs",
				 "XDG_DATA_HOME", ".local/share", "migtables");
	if (!rc)
		rc = default_dir(&conf->cache_dir, "/var/cache/gpofs",
				 "XDG_CACHE_HOME", ".cache", NULL);
	if (!rc)
		rc = default_dir(&conf->log_dir, "/var/lib/gpofs", "XDG_DATA_HOME",
				 ".local/share", "log");
	return rc;
}

static void domain_conf_free(struct gpo_domain_conf *dc)
{
	free(dc->domain);
	free(dc->server);
	free(dc->credentials);
	free(dc->keytab);
	free(dc->principal);
	free(dc->tls_cacert);
}

void gpo_conf_free(struct gpo_conf *conf)
{
	for (size_t i = 0; i < conf->n_domains; i++)
		domain_conf_free(&conf->domains[i]);
	free(conf->domains);
	free(conf->backup_dir);
	free(conf->migtable_dir);
	free(conf->cache_dir);
	free(conf->log_dir);
	memset(conf, 0, sizeof(*conf));
}

int gpo_credentials_parse(const char *data, size_t len, const char *name,
			  struct gpo_credentials *cred, char *msg, size_t msglen)
{
	char *text = NULL;
	char *save = NULL;
	int rc;

	memset(cred, 0, sizeof(*cred));
	rc = text_copy(data, len, CRED_MAX_BYTES, name, &text, msg, msglen);
	if (rc)
		goto out;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *s = trim(line);
		char *eq = strchr(s, '=');
		char **dst;
		char *key;

		if (!*s || *s == '#' || *s == ';')
			continue;
		if (!eq) {
			rc = -EINVAL;
			snprintf(msg, msglen, "%s: a line without '='", name);
			goto out;
		}
		*eq = '\0';
		key = trim(s);
		if (!strcmp(key, "username"))
			dst = &cred->username;
		else if (!strcmp(key, "password"))
			dst = &cred->password;
		else if (!strcmp(key, "domain"))
			dst = &cred->domain;
		else {
			rc = -EINVAL;
			snprintf(msg, msglen, "%s: unknown key %.40s", name, key);
			goto out;
		}
		free(*dst);
		*dst = strdup(trim(eq + 1));
		if (!*dst) {
			rc = -ENOMEM;
			goto out;
		}
	}
	if (!cred->username || !cred->password) {
		rc = -EINVAL;
		snprintf(msg, msglen, "%s: needs username= and password=", name);
		goto out;
	}
	/* user@realm or DOMAIN\user carry the domain in the name. */
	if (!cred->domain) {
		char *sep = strchr(cred->username, '\\');

		if (sep) {
			*sep = '\0';
			cred->domain = cred->username;
			cred->username = strdup(sep + 1);
			if (!cred->username) {
				rc = -ENOMEM;
				goto out;
			}
		}
	}
out:
	if (text) {
		/* strtok_r cut the text with NULs: wipe all of it. */
		explicit_bzero(text, len);
		free(text);
	}
	if (rc)
		gpo_credentials_free(cred);
	return rc;
}

int gpo_credentials_load(const char *path, struct gpo_credentials *cred,
			 char *msg, size_t msglen)
{
	char *text = NULL;
	struct stat st = { 0 };
	int rc;

	memset(cred, 0, sizeof(*cred));
	rc = slurp(path, CRED_MAX_BYTES, &text, &st, msg, msglen);
	if (rc)
		goto out;
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		rc = -EPERM;
		snprintf(msg, msglen,
			 "%s: credentials file may be read by others (mode %03o): chmod 600 it",
			 path, (unsigned)(st.st_mode & 0777));
		goto out;
	}
	if (st.st_uid != geteuid()) {
		rc = -EPERM;
		snprintf(msg, msglen, "%s: credentials file is not owned by you",
			 path);
		goto out;
	}
	rc = gpo_credentials_parse(text, (size_t)st.st_size, path, cred, msg,
				   msglen);
out:
	if (text) {
		explicit_bzero(text, (size_t)st.st_size);
		free(text);
	}
	return rc;
}

void gpo_credentials_free(struct gpo_credentials *cred)
{
	if (cred->password) {
		explicit_bzero(cred->password, strlen(cred->password));
		free(cred->password);
	}
	free(cred->username);
	free(cred->domain);
	memset(cred, 0, sizeof(*cred));
}
