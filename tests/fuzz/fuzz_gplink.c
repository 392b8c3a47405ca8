/* libFuzzer harness: the gPLink attribute of a domain, site or OU, and
 * the DN it belongs to as a SOM path. The input is "DN\nGPLINK". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_links.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpo_links links = { 0 };
	char *s = malloc(size + 1);
	char *nl, *dn, *gplink, *path;
	size_t before;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	nl = strchr(s, '\n');
	dn = nl ? s : (char *)"OU=Servers,DC=corp,DC=test";
	gplink = nl ? nl + 1 : s;
	if (nl)
		*nl = '\0';
	/* twice into one list: appends, and a refusal leaves it as it was */
	for (int round = 0; round < 2; round++) {
		before = links.n;
		if (gpo_links_parse(&links, dn, gplink)) {
			if (links.n != before)
				abort();
			continue;
		}
		for (size_t i = before; i < links.n; i++)
			if (!gpo_guid_valid(links.items[i].guid) ||
			    links.items[i].order != i - before + 1 ||
			    strcmp(links.items[i].som_dn, dn))
				abort();
	}
	gpo_links_clear(&links);
	path = gpo_som_path(dn);
	if (path && strlen(path) > strlen(dn) + 1)
		abort();
	free(path);
	free(s);
	return 0;
}
