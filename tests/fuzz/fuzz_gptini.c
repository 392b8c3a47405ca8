/* libFuzzer harness: GPT.INI's Version= as a capture reads it from
 * SYSVOL (not NUL-terminated: the length is all there is). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	free(text);
	return 0;
}
