/* libFuzzer harness: display names (from the directory) as by-name/ file
 * names. Escaping gives a name that is a valid file name and unescapes to
 * the display name; a table of several names stays sorted and unique. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const guids[] = {
		"{31B2F340-016D-11D2-945F-00C04FB984F9}",
		"{6AC1786C-016F-11D2-945F-00C04FB984F9}",
		"{0A1DD5AF-50DA-4D4D-866B-6C664765A155}",
		"{ACB84CA7-8CA4-470E-90D6-D24849D70199}",
	};
	char *s = malloc(size + 1);
	const char *names[4];
	struct gpo_name_entry *t = NULL;
	size_t n = 0;
	char *e, *u, *save = NULL;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	e = gpo_name_escape(s);
	if (e) {
		if (strchr(e, '/') || !strcmp(e, ".") || !strcmp(e, ".."))
			abort();
		u = gpo_name_unescape(e);
		if (!u || strcmp(u, s))
			abort();
		free(u);
		free(e);
	}
	/* up to four names, split at '|' */
	for (char *tok = strtok_r(s, "|", &save); tok && n < 4;
	     tok = strtok_r(NULL, "|", &save))
		names[n++] = tok;
	if (gpo_names_build(names, (const char *const *)guids, n, &t) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (i && strcmp(t[i - 1].name, t[i].name) >= 0)
				abort();
			if (gpo_names_find(t, n, t[i].name) != &t[i])
				abort();
		}
		gpo_names_free(t, n);
	}
	free(s);
	return 0;
}
