/* Where GPOs are linked: the gPLink attribute of domains, sites and OUs
 * (MS-GPOL 2.2.2), "[LDAP://cn={GUID},cn=policies,...;OPTIONS]..." where
 * OPTIONS bit 1 disables the link and bit 2 enforces it. */
#ifndef GPO_LINKS_H
#define GPO_LINKS_H

#include <stdbool.h>
#include <stddef.h>

#include "gpo_model.h"

#define GPO_LINK_DISABLED 0x1
#define GPO_LINK_ENFORCED 0x2

struct gpo_link {
	char guid[GPO_GUID_LEN + 1];  /* the linked GPO, upper case */
	char *som_dn;                 /* where it is linked */
	unsigned options;
	unsigned order;               /* 1 for the first link of the SOM */
};

struct gpo_links {
	struct gpo_link *items;
	size_t n, cap;
};

/* Parses one gPLink value of the object som_dn and appends its links to
 * links. Entries that do not name a GPO by GUID are skipped, as clients
 * skip them. Returns 0, -EINVAL for a value that is not a gPLink list
 * (nothing is appended then), or -ENOMEM. */
int gpo_links_parse(struct gpo_links *links, const char *som_dn,
		    const char *gplink);

/* Frees what links owns and empties it. */
void gpo_links_clear(struct gpo_links *links);

/* Turns a DN such as OU=Finance,OU=Servers,DC=corp,DC=test into GPMC's
 * canonical SOM path "corp.test/Servers/Finance" (new string, caller
 * frees), or NULL when out of memory. */
char *gpo_som_path(const char *dn);

#endif
