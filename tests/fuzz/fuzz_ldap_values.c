/* libFuzzer harness: the small formats of the directory's attributes that
 * gpofs parses: gPCWQLFilter (the WMI filter link "[domain;{GUID};0]"),
 * whenChanged/whenCreated (GeneralizedTime), objectGUID (16 bytes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpo_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char guid[GPO_GUID_LEN + 1];
	time_t t;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (gpo_wmi_filter_guid(s, guid) == 0 && !gpo_guid_valid(guid))
		abort();
	(void)gpo_parse_gentime(s, &t);
	(void)gpo_guid_valid(s);
	if (gpo_guid_from_binary(data, size, guid) == 0 && !gpo_guid_valid(guid))
		abort();
	free(s);
	return 0;
}
