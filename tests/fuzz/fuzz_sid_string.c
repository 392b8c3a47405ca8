/* libFuzzer harness: SIDs as text ("S-1-5-21-..."), as GptTmpl.inf,
 * Preferences and backups write them. What parses must format back to a
 * string that parses to the same SID, and convert to binary and back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_sd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct gpo_sid sid, again, bin_back;
	char str[GPO_SID_STR_MAX];
	unsigned char bin[8 + 4 * GPO_SID_MAX_SUB];
	size_t used = 0;
	int n;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (gpo_sid_from_string(s, &sid) == 0) {
		if (sid.n_sub > GPO_SID_MAX_SUB ||
		    gpo_sid_to_string(&sid, str, sizeof(str)) ||
		    gpo_sid_from_string(str, &again) ||
		    !gpo_sid_equal(&sid, &again))
			abort();
		n = gpo_sid_to_binary(&sid, bin, sizeof(bin));
		if (n != (int)gpo_sid_size(&sid) ||
		    gpo_sid_parse(bin, (size_t)n, &bin_back, &used) ||
		    used != (size_t)n || !gpo_sid_equal(&sid, &bin_back))
			abort();
		(void)gpo_sid_is_domain_principal(&sid);
	}
	free(s);
	return 0;
}
