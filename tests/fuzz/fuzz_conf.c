/* libFuzzer harness: the config file (-o config=FILE) as
 * gpo_conf_load_file reads it, then the checks of the whole
 * configuration. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpo_conf conf = { 0 };
	char msg[512];
	int rc;

	msg[0] = '\0';
	rc = gpo_conf_load_text(&conf, (const char *)data, size, "fuzz.conf",
				msg, sizeof(msg));
	if (rc) {
		/* a refusal says why (running out of memory need not) */
		if (rc != -ENOMEM && !msg[0])
			abort();
	} else {
		msg[0] = '\0';
		if (gpo_conf_finish(&conf, msg, sizeof(msg)) == 0) {
			for (size_t i = 0; i < conf.n_domains; i++)
				if (!conf.domains[i].domain ||
				    !conf.domains[i].domain[0])
					abort();
			if (!conf.backup_dir || !conf.migtable_dir ||
			    !conf.cache_dir)
				abort();
		} else if (!msg[0]) {
			abort();
		}
	}
	gpo_conf_free(&conf);
	return 0;
}
