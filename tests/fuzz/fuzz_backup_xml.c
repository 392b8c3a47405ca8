/* libFuzzer harness: Backup.xml as the backup store reads it from a
 * folder copied into backups/ (gpo_backup_check calls the same reader):
 * every Location it returns must be a plain relative path under
 * DomainSysvol/, which the store then looks up on disk. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>

#include "gpo_backup_read.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	xmlInitParser();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char **locs = NULL;
	size_t n = 0;
	char why[256];
	int rc;

	why[0] = '\0';
	rc = gpo_backup_xml_locations((const char *)data, size, &locs, &n, why,
				      sizeof(why));
	if (rc) {
		/* a refusal says why (running out of memory need not) */
		if (rc != -ENOMEM && !why[0])
			abort();
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const char *l = locs[i];

		if (strncmp(l, "DomainSysvol/", 13) || strchr(l, '\\') ||
		    strstr(l, "//") || strstr(l, "/../") || strstr(l, "/./") ||
		    l[strlen(l) - 1] == '/' || strlen(l) >= 4096)
			abort();
		if (strlen(l) >= 3 && !strcmp(l + strlen(l) - 3, "/.."))
			abort();
		if (strlen(l) >= 2 && !strcmp(l + strlen(l) - 2, "/."))
			abort();
	}
	gpo_backup_locations_free(locs, n);
	return 0;
}
