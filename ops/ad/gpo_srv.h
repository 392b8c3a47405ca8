/* Finding a domain controller from DNS (libresolv). */
#ifndef GPO_SRV_H
#define GPO_SRV_H

#include <stddef.h>
#include "gpo_log.h"

/* Looks up _ldap._tcp.dc._msdcs.<domain> and writes the target host of the
 * best record (lowest priority, then highest weight) into host.
 * Returns 0, -ENOENT when the domain has no such record, -EIO when DNS
 * failed, -ENAMETOOLONG when host is too small. */
int gpo_srv_find_dc(const struct gpo_log *lg, const char *domain, char *host,
		    size_t hostlen);

#endif
