/* libFuzzer harness for the security descriptor writer and the SYSVOL
 * ACL derivation: whatever the parser accepts must be written back as
 * the same bytes, laid out anew as a descriptor that parses back to the
 * same fields (and is then stable), and derive a folder ACL that is
 * refused or made only of what Samba's derivation makes.
 *
 *   meson setup build-fuzz -Dfuzz=true (CC=clang); ninja -C build-fuzz
 *   build-fuzz/tests/fuzz/fuzz_sd_write -max_total_time=60 corpus/ */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_fsacl.h"
#include "gpo_sd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes sd, checks it parses back equal, and returns the bytes. */
static unsigned char *write_checked(const struct gpo_sd *sd, size_t *len)
{
	struct gpo_sd back;
	unsigned char *out = NULL;

	if (gpo_sd_to_binary(sd, &out, len) || !out)
		abort();
	if (gpo_sd_parse(out, *len, &back) || !gpo_sd_equal(sd, &back))
		abort();
	gpo_sd_free(&back);
	return out;
}

static void check_fsacl(const struct gpo_sd *ds)
{
	struct gpo_sd fs;
	unsigned char *out;
	char *sddl = NULL;
	size_t len;
	int rc = gpo_fsacl_from_ds(ds, &fs);

	if (rc == -EINVAL) {
		if (fs.dacl.aces || fs.has_dacl)
			abort();
		return;
	}
	if (rc || !fs.has_dacl || !fs.dacl.n_aces || fs.has_sacl ||
	    fs.dacl.n_aces > ds->dacl.n_aces)
		abort();
	for (uint16_t i = 0; i < fs.dacl.n_aces; i++) {
		const struct gpo_ace *a = &fs.dacl.aces[i];

		if ((a->type != GPO_ACE_ALLOWED && a->type != GPO_ACE_ALLOWED_OBJECT) ||
		    (a->flags & 3) != 3 || (a->mask & ~UINT32_C(0x1f01ff)) ||
		    a->extra_len)
			abort();
	}
	out = write_checked(&fs, &len);
	free(out);
	rc = gpo_fsacl_to_sddl(&fs, &sddl);
	if (rc == 0) {
		if (!sddl || strstr(sddl, "S:"))
			abort();
	} else if (rc != -EOPNOTSUPP) {
		abort();
	}
	free(sddl);
	gpo_sd_free(&fs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpo_sd sd, copy, again;
	unsigned char *out, *fresh, *fresh2;
	size_t len, flen, flen2;

	if (gpo_sd_parse(data, size, &sd))
		return 0;

	/* unchanged: the very bytes */
	out = write_checked(&sd, &len);
	if (len != size || memcmp(out, data, size))
		abort();
	free(out);

	/* a copy says the same, and laid out anew it parses back the same
	 * and is stable from then on */
	if (gpo_sd_copy(&sd, &copy))
		abort();
	if (!gpo_sd_equal(&sd, &copy))
		abort();
	gpo_sd_forget_raw(&copy);
	fresh = write_checked(&copy, &flen);
	if (gpo_sd_parse(fresh, flen, &again))
		abort();
	gpo_sd_forget_raw(&again);
	fresh2 = write_checked(&again, &flen2);
	if (flen2 != flen || memcmp(fresh, fresh2, flen))
		abort();
	free(fresh);
	free(fresh2);
	gpo_sd_free(&again);
	gpo_sd_free(&copy);

	check_fsacl(&sd);
	gpo_sd_free(&sd);
	return 0;
}
