/* One signed-and-sealed LDAP connection to a domain controller.
 *
 * Binds with SASL GSSAPI (minimum security strength 56: signing and
 * sealing) or with a simple bind over LDAPS/StartTLS with the certificate
 * verified; never a simple bind in plain text. A connection is used by one
 * thread at a time: callers hold gpo_ldap.lock around every call but open
 * and close. */
#ifndef GPO_LDAP_H
#define GPO_LDAP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include "gpo_buf.h"
#include "gpo_conf.h"
#include "gpo_log.h"

struct ldap;
struct ldapmsg;

struct gpo_ldap {
	pthread_mutex_t lock;
	struct ldap *ld;                     /* NULL while disconnected */
	const struct gpo_log *lg;
	const struct gpo_domain_conf *conf;
	const struct gpo_credentials *cred;  /* NULL for Kerberos */
	char *host;                          /* the DC's DNS name */
	char *base_dn;                       /* defaultNamingContext */
	char *config_dn;                     /* configurationNamingContext */
	unsigned long searches;              /* searches made (not pages), for benchmarks */
	unsigned page_size;                  /* 0: 1000; tests only, see gpo_ldap_open */
	char *test_hold;                     /* tests only, see gpo_ldap_open */
	char error[256];                     /* why the last reconnect failed
						("" after one that worked) */
};

/* One entry of a search result, valid during the callback only. */
struct gpo_ldap_entry {
	struct ldap *ld;
	struct ldapmsg *msg;
};

/* Called for each entry; a non-zero return stops the search and becomes
 * the search's result. */
typedef int (*gpo_ldap_entry_fn)(void *arg, const struct gpo_ldap_entry *e);

/* Connects to host and binds as conf says (cred for a password). On
 * failure returns -errno and writes one line for the user into msg naming
 * the cause: unreachable, unresolvable, untrusted certificate, wrong
 * password, missing or expired ticket. l must be zeroed or closed.
 *
 * For tests only, two environment variables (read here) change paged
 * searches: GPOFS_TEST_LDAP_PAGE_SIZE=N asks for N entries a page instead
 * of 1000; GPOFS_TEST_LDAP_HOLD=FILE holds a search between two pages
 * while FILE exists (logging that it does), so that a test can restart
 * the DC in the middle of a search. */
int gpo_ldap_open(struct gpo_ldap *l, const struct gpo_log *lg,
		  const struct gpo_domain_conf *conf,
		  const struct gpo_credentials *cred, const char *host,
		  char *msg, size_t msglen);

/* Drops and re-establishes the connection after a network failure.
 * Caller holds l->lock. Returns 0 or -EIO (l->error then says why). */
int gpo_ldap_reconnect(struct gpo_ldap *l);

/* Unbinds and frees everything l owns (not the conf or credentials). */
void gpo_ldap_close(struct gpo_ldap *l);

/* Runs a paged search (1000 entries a page) and calls fn per entry, each
 * entry once: fn is called only once every page has come (the pages are
 * held in memory meanwhile), so when the connection is lost half-way and
 * the search is run again from the start on a new connection (once),
 * fn has seen nothing of the lost attempt. With sd_flags non-zero, asks
 * for nTSecurityDescriptor parts (LDAP_SERVER_SD_FLAGS: 1 owner, 2 group,
 * 4 DACL, 8 SACL). Caller holds l->lock. Returns 0 or -errno, or fn's
 * non-zero result. */
int gpo_ldap_search(struct gpo_ldap *l, const char *base, int scope_subtree,
		    const char *filter, const char *const *attrs,
		    int sd_flags, gpo_ldap_entry_fn fn, void *arg);

/* Copies the first value of attr into a new NUL-terminated buffer (caller
 * frees). Returns 0, -ENOENT when the entry lacks attr, or -ENOMEM. */
int gpo_ldap_entry_value(const struct gpo_ldap_entry *e, const char *attr,
			 char **data, size_t *len);

/* Copies the entry's DN (caller frees). Returns 0 or -ENOMEM. */
int gpo_ldap_entry_dn(const struct gpo_ldap_entry *e, char **dn);

/* --- writes ---------------------------------------------------------------
 *
 * A write is sent once. When the connection is found lost (closed before
 * the call, it is made again first: nothing was sent yet) during a write,
 * the write may or may not have been applied: it is not sent again, the
 * connection is dropped, l->error says what was lost, and the call returns
 * -EIO; the caller reads the object to find out (a read reconnects).
 * Errors map as gpo_ldap_errno: -EACCES for insufficient access, -EEXIST
 * for an object or value that exists, -ENODATA for a value to delete that
 * the attribute does not hold (how a compare-and-swap fails), -ENOENT for
 * an object that does not, -ENOTEMPTY for deleting an object with children
 * without subtree, -EINVAL for a schema or syntax violation, -EPERM for
 * "unwilling to perform". Callers hold l->lock. */

/* One value of an attribute, bytes (not NUL-terminated). */
struct gpo_ldap_value {
	const void *data;
	size_t len;
};

enum gpo_ldap_op { GPO_LDAP_ADD, GPO_LDAP_DELETE, GPO_LDAP_REPLACE };

/* One change of one attribute: ADD these values; DELETE these values
 * (n 0: every value); REPLACE every value by these (n 0: remove the
 * attribute). For gpo_ldap_add the op is ignored. */
struct gpo_ldap_mod {
	enum gpo_ldap_op op;
	const char *attr;
	const struct gpo_ldap_value *values;
	size_t n;
};

/* Applies mods to dn in one LDAP modify, which the DC applies whole or
 * not at all. sd_flags non-zero sends LDAP_SERVER_SD_FLAGS with it (4:
 * the DACL only, which writing nTSecurityDescriptor needs without the
 * right to write the SACL). A DELETE of versionNumber's old value
 * followed by an ADD of the new one is a compare-and-swap: -ENODATA
 * when the value changed meanwhile, and then nothing was changed.
 * Returns 0 or -errno (see above). */
int gpo_ldap_modify(struct gpo_ldap *l, const char *dn,
		    const struct gpo_ldap_mod *mods, size_t n, int sd_flags);

/* Adds the object dn with attrs (objectClass among them). Returns 0,
 * -EEXIST, or -errno. */
int gpo_ldap_add(struct gpo_ldap *l, const char *dn,
		 const struct gpo_ldap_mod *attrs, size_t n);

/* Deletes dn; with subtree, its children too in the same request (the
 * tree-delete control). Returns 0, -ENOENT, -ENOTEMPTY (children, not
 * subtree), or -errno. */
int gpo_ldap_delete(struct gpo_ldap *l, const char *dn, bool subtree);

/* Reads the one object dn (base scope), with nTSecurityDescriptor parts
 * as gpo_ldap_search's sd_flags, calling fn once. Reconnects once like a
 * search. Returns 0, -ENOENT when dn does not exist, -errno, or fn's
 * non-zero result. */
int gpo_ldap_read(struct gpo_ldap *l, const char *dn, const char *const *attrs,
		  int sd_flags, gpo_ldap_entry_fn fn, void *arg);

/* The DNS name of the domain's PDC emulator, where GPMC writes GPOs: the
 * domain object's fSMORoleOwner (an NTDS Settings object) names it, and
 * its parent, the server object, holds dNSHostName. Into a new *host
 * (caller frees). Returns 0, -ENOENT when the directory does not say, or
 * -errno. */
int gpo_ldap_pdc(struct gpo_ldap *l, char **host);

/* Appends v to b as a value inside a search filter (RFC 4515: * ( ) \
 * escaped; NUL ends v). Returns 0 or -ENOMEM. */
int gpo_ldap_filter_escape(const char *v, struct gpo_buf *b);

#endif
