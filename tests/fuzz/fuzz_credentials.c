/* libFuzzer harness: the credentials file (-o credentials=FILE) as
 * gpo_credentials_load reads it once its mode and owner are checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpo_credentials c;
	char msg[512];

	msg[0] = '\0';
	if (gpo_credentials_parse((const char *)data, size, "fuzz.cred", &c,
				  msg, sizeof(msg))) {
		if (c.username || c.password || c.domain)
			abort();
		return 0;
	}
	if (!c.username || !c.password)
		abort();
	/* the password never reaches a message */
	gpo_credentials_free(&c);
	return 0;
}
