/* libFuzzer harness: bkupInfo.xml as the backup store reads it from a
 * folder copied into backups/ (gpo_backup_check calls the same reader). */
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
	struct gpo_backup_info info;
	char why[256];

	if (gpo_bkupinfo_read((const char *)data, size, &info, why, sizeof(why))) {
		/* a refusal owns nothing and says why */
		if (info.domain || info.display_name || !why[0] ||
		    strlen(why) >= sizeof(why))
			abort();
		return 0;
	}
	if (!gpo_guid_valid(info.id) || !gpo_guid_valid(info.gpo_guid))
		abort();
	for (const char *p = info.id; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			abort();
	gpo_backup_info_free(&info);
	return 0;
}
