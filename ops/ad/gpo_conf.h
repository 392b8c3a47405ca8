/* What a mount is told: per-domain settings, from -o options or a config
 * file with one [section] per domain, and credentials files. */
#ifndef GPO_CONF_H
#define GPO_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gpo_ldap_tls {
	GPO_TLS_DEFAULT,   /* LDAPS for a password, plain+GSSAPI sealing for Kerberos */
	GPO_TLS_LDAPS,
	GPO_TLS_STARTTLS,
	GPO_TLS_NONE,      /* only allowed with Kerberos (GSSAPI seals) */
};

struct gpo_domain_conf {
	char *domain;        /* DNS name, lower case */
	char *server;        /* DC host name; NULL: DNS SRV lookup */
	char *credentials;   /* smbclient -A style file */
	bool krb5;           /* use the ticket cache */
	char *keytab;
	char *principal;
	char *tls_cacert;
	bool tls_reqcert_never;
	enum gpo_ldap_tls ldap_tls;
};

struct gpo_conf {
	struct gpo_domain_conf *domains;
	size_t n_domains, cap_domains;
	char *backup_dir;
	char *migtable_dir;
	char *cache_dir;     /* where GPOs are captured while being read */
	uint64_t cache_max;  /* bound on cache_dir's use; 0: the default */
	char *log_dir;       /* each domain's log file, <dns name>.log */
	unsigned workers;    /* SMB worker processes per domain */
	bool workers_set;    /* given: else GPO_WORKERS_DEFAULT */
};

#define GPO_WORKERS_DEFAULT 4
#define GPO_WORKERS_MAX 32

struct gpo_credentials {
	char *username;
	char *password;  /* wiped on free */
	char *domain;    /* NetBIOS or DNS name of the account's domain */
};

/* Parses a size: digits, then nothing (bytes) or K, M, G or T (powers
 * of 1024), optionally followed by "B" or "iB", any case. Returns 0, or
 * -EINVAL for anything else or a size that overflows. */
int gpo_parse_size(const char *s, uint64_t *bytes);

/* True when key names a per-domain setting (domain=, server=, ...). */
bool gpo_conf_is_domain_key(const char *key);

/* Applies key=value (value NULL for flags such as "krb5") to dc, or to
 * conf for mount-wide keys. Returns 0, or -EINVAL with a reason in msg. */
int gpo_conf_set(struct gpo_conf *conf, struct gpo_domain_conf *dc,
		 const char *key, const char *value, char *msg, size_t msglen);

/* Appends an empty domain and returns it, or NULL when out of memory. The
 * pointer is valid until the next call. */
struct gpo_domain_conf *gpo_conf_add_domain(struct gpo_conf *conf);

/* Removes domain i (i < n_domains) and frees what it owns; the domains
 * after it move down one. */
void gpo_conf_remove_domain(struct gpo_conf *conf, size_t i);

/* Reads an INI-style config file: mount-wide keys before any section, one
 * [dns.name] section per domain. Returns 0, or -errno with the file, line
 * and reason in msg; conf may then hold part of the file. */
int gpo_conf_load_file(struct gpo_conf *conf, const char *path, char *msg,
		       size_t msglen);

/* The same from len bytes of text (at most 64 KiB, no NUL byte); name
 * stands for the file in msg. gpo_conf_load_file reads the file and
 * calls this. */
int gpo_conf_load_text(struct gpo_conf *conf, const char *data, size_t len,
		       const char *name, char *msg, size_t msglen);

/* Checks the finished configuration (a domain name each, one way to sign
 * in, no plain-text simple bind) and fills defaults: backup_dir and
 * migtable_dir under /var/lib/gpofs for root, else under
 * $XDG_DATA_HOME/gpofs; cache_dir /var/cache/gpofs for root, else
 * $XDG_CACHE_HOME/gpofs; log_dir /var/lib/gpofs/log for root, else
 * $XDG_DATA_HOME/gpofs/log; workers GPO_WORKERS_DEFAULT. Returns 0 or -EINVAL with a reason in msg. */
int gpo_conf_finish(struct gpo_conf *conf, char *msg, size_t msglen);

/* Frees everything conf owns. */
void gpo_conf_free(struct gpo_conf *conf);

/* Reads a credentials file (username=, password=, domain= lines). Refused
 * with -EPERM unless it is a regular file that only its owner may read or
 * write. Returns 0 or -errno with a reason in msg (never the password). */
int gpo_credentials_load(const char *path, struct gpo_credentials *cred,
			 char *msg, size_t msglen);

/* The same from len bytes of text (at most 16 KiB, no NUL byte), without
 * the file checks; name stands for the file in msg. The copy it cuts into
 * lines is wiped. Returns 0 (free with gpo_credentials_free) or -errno;
 * on failure cred holds nothing. */
int gpo_credentials_parse(const char *data, size_t len, const char *name,
			  struct gpo_credentials *cred, char *msg, size_t msglen);

/* Wipes the password and frees the fields. */
void gpo_credentials_free(struct gpo_credentials *cred);

#endif
