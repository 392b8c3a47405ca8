/* libFuzzer harness for the security descriptor parser and what reads
 * its result: the SDDL writer and the principal list.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iops \
 *       ops/gpo_sd.c ops/gpo_buf.c tests/fuzz/fuzz_sd.c -o fuzz_sd
 *   ./fuzz_sd -max_total_time=60 corpus/
 *
 * The first input byte picks which relative aliases the writer may use,
 * so the alias paths are reached too. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_sd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct gpo_sid domain = {
		4, 5, { 21, 852640682, 2439737213u, 2645099010u }
	};
	struct gpo_sddl_scope scope = { NULL, NULL, NULL };
	struct gpo_sd sd;
	struct gpo_sid *sids = NULL;
	size_t n = 0;
	char *sddl = NULL;
	char str[GPO_SID_STR_MAX];
	unsigned char bin[8 + 4 * GPO_SID_MAX_SUB];
	struct gpo_sid back;

	if (size < 1)
		return 0;
	if (data[0] & 1)
		scope.domain = &domain;
	if (data[0] & 2)
		scope.forest = &domain;
	if (data[0] & 4)
		scope.machine = &domain;
	data++;
	size--;

	/* a SID alone: binary -> string -> binary must round-trip */
	if (!gpo_sid_parse(data, size, &back, NULL)) {
		struct gpo_sid again;

		if (gpo_sid_to_string(&back, str, sizeof(str)) ||
		    gpo_sid_from_string(str, &again) ||
		    !gpo_sid_equal(&back, &again) ||
		    gpo_sid_to_binary(&again, bin, sizeof(bin)) !=
			    (int)gpo_sid_size(&again) ||
		    memcmp(bin, data, gpo_sid_size(&again)))
			abort();
	}

	if (gpo_sd_parse(data, size, &sd)) {
		/* a refusal leaves nothing behind */
		if (sd.dacl.aces || sd.sacl.aces)
			abort();
		return 0;
	}
	switch (gpo_sd_to_sddl(&sd, &scope, &sddl)) {
	case 0:
		if (!sddl || strlen(sddl) > 64 * (size + 1))
			abort();
		break;
	case -EOPNOTSUPP:
		break;
	default:
		abort();
	}
	free(sddl);
	if (gpo_sd_domain_principals(&sd, &sids, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (gpo_sid_to_string(&sids[i], str, sizeof(str)))
				abort();
		free(sids);
	}
	gpo_sd_free(&sd);
	return 0;
}
