/* libFuzzer harness: an extension list as the directory holds it
 * (gPCMachineExtensionNames), and the list an edit derives from it and a
 * GPO's files. The input's first line is the list, each later line a
 * path below the GPO folder (a trailing '/' marks a folder). A list that
 * parses formats to one that parses to the same; a derived list parses. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_cse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *formatted(const char *s)
{
	struct gpo_cse_list l = { 0 };
	char *out = NULL;
	int rc = gpo_cse_parse(s, &l);

	if (rc == -EINVAL || rc == -ENOMEM)
		return NULL;
	if (rc)
		abort();
	rc = gpo_cse_format(&l, &out);
	gpo_cse_list_free(&l);
	if (rc && rc != -ENOMEM)
		abort();
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *line, *save = NULL, *list, *once, *twice;
	struct gpo_sysvol_entry entries[64];
	size_t n = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	list = strtok_r(text, "\n", &save);
	while (n < 64 && (line = strtok_r(NULL, "\n", &save))) {
		size_t len = strlen(line);

		entries[n].dir = len && line[len - 1] == '/';
		if (entries[n].dir)
			line[len - 1] = '\0';
		entries[n++].path = line;
	}
	list = list ? list : "";

	/* formatting is idempotent */
	once = formatted(list);
	if (once) {
		twice = formatted(once);
		if (!twice || strcmp(once, twice))
			abort();
		free(twice);
	}
	for (int user = 0; user < 2; user++) {
		char *derived = NULL;
		int rc = gpo_cse_derive(list, user, entries, n, &derived);

		if (rc == 0) {
			char *again = formatted(derived);

			if (!again || strcmp(again, derived))
				abort(); /* a derived list is already in order */
			free(again);
		} else if (rc != -EINVAL && rc != -ENOMEM) {
			abort();
		}
		free(derived);
	}
	free(once);
	free(text);
	return 0;
}
