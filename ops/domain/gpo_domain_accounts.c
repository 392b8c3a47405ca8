/* Accounts of a domain found by name: where a migration table's
 * destination becomes the SID a setting of the target domain holds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_buf.h"
#include "gpo_domain_internal.h"
#include "gpo_sd.h"

struct found {
	char sid[GPO_SID_STR_MAX];
	char *sam;
	size_t n;
};

static int account_entry(void *arg, const struct gpo_ldap_entry *e)
{
	struct found *f = arg;
	char *bin = NULL;
	size_t len = 0;
	struct gpo_sid sid;
	int rc = 0;

	if (gpo_ldap_entry_value(e, "objectSid", &bin, &len) ||
	    gpo_sid_parse(bin, len, &sid, NULL))
		goto out;
	if (++f->n > 1)
		goto out; /* counted: an ambiguous name is refused */
	gpo_sid_to_string(&sid, f->sid, sizeof(f->sid));
	rc = gpo_ldap_entry_value(e, "sAMAccountName", &f->sam, NULL);
	if (rc == -ENOENT)
		rc = 0;
out:
	free(bin);
	return rc;
}

int gpo_domain_find_account(struct gpo_domain *d, const char *account,
			    char sid[GPO_SID_STR_MAX], char **sam, struct gpo_err *err)
{
	static const char *const attrs[] = { "objectSid", "sAMAccountName", NULL };
	struct gpo_buf filter = GPO_BUF_INIT;
	struct found f = { .sam = NULL };
	int rc;

	*sam = NULL;
	sid[0] = '\0';
	/* a computer's sAMAccountName ends in '$'; people write it without */
	rc = gpo_buf_printf(&filter, "(&(objectSid=*)(|(sAMAccountName=");
	if (!rc)
		rc = gpo_ldap_filter_escape(account, &filter);
	if (!rc)
		rc = gpo_buf_printf(&filter, ")(sAMAccountName=");
	if (!rc)
		rc = gpo_ldap_filter_escape(account, &filter);
	if (!rc)
		rc = gpo_buf_printf(&filter, "$)))");
	if (rc) {
		rc = gpo_err_set(err, rc, "out of memory");
		goto out;
	}
	pthread_mutex_lock(&d->ldap.lock);
	rc = gpo_ldap_search(&d->ldap, d->ldap.base_dn, 1, filter.data, attrs, 0,
			     account_entry, &f);
	if (rc)
		gpo_err_set(err, rc, "looking up %s in %s: %s", account, d->conf->domain,
			    *d->ldap.error ? d->ldap.error : strerror(-rc));
	pthread_mutex_unlock(&d->ldap.lock);
	if (rc)
		goto out;
	if (f.n == 0) {
		rc = gpo_err_set(err, -ENOENT, "%s has no account %s", d->conf->domain, account);
		goto out;
	}
	if (f.n > 1) {
		rc = gpo_err_set(err, -EINVAL, "%s has more than one account named %s",
				 d->conf->domain, account);
		goto out;
	}
	memcpy(sid, f.sid, sizeof(f.sid));
	*sam = f.sam;
	f.sam = NULL;
out:
	free(f.sam);
	gpo_buf_free(&filter);
	return rc;
}

const char *gpo_domain_netbios(const struct gpo_domain *d)
{
	return d->netbios;
}
