/* libFuzzer harness: GPT.INI's Version= as a capture reads it from
 * SYSVOL (not NUL-terminated: the length is all there is). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_gptini.h"
#include "gpo_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so that a read past the end is caught */
	char *text = malloc(size ? size : 1);
	uint32_t version = 0;
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	rc = gpo_gptini_version(text, size, &version);
	if (rc != 0 && rc != -ENOENT && rc != -EINVAL)
		abort();
	/* a commit rewrites the version: what it writes reads back as that
	 * version, whatever the file held */
	if (size >= 4) {
		uint32_t want, got = 0;
		char *out = NULL;
		size_t out_len = 0;

		memcpy(&want, data, 4);
		rc = gpo_gptini_with_version(text, size, want, &out, &out_len);
		if (rc == 0) {
			if (out[out_len] != '\0' || gpo_gptini_version(out, out_len, &got) ||
			    got != want)
				abort();
		} else if (rc != -EFBIG && rc != -EINVAL && rc != -ENOMEM) {
			abort();
		}
		free(out);
	}
	free(text);
	return 0;
}
