/* Unit tests of the security descriptor writer and of the SYSVOL ACL
 * derivation, against what Samba's own code derives
 * (fsacl_vectors.h, made by gen_fsacl_vectors.py with Samba's python). */
#include "test.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "fsacl_vectors.h"
#include "gpo_fsacl.h"
#include "gpo_sd.h"

#define N_VECTORS (sizeof(fsacl_vectors) / sizeof(fsacl_vectors[0]))

/* the test forest's domain, which the generator named its aliases by */
static const char domain_str[] = "S-1-5-21-1315048264-2528778059-906232684";

static unsigned char *from_hex(const char *hex, size_t *n)
{
	size_t len = strlen(hex) / 2;
	unsigned char *b = malloc(len ? len : 1);
	unsigned v;

	for (size_t i = 0; b && i < len; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			free(b);
			return NULL;
		}
		b[i] = (unsigned char)v;
	}
	*n = len;
	return b;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int parse_hex(const char *hex, struct gpo_sd *sd)
{
	size_t n;
	unsigned char *b = from_hex(hex, &n);
	int rc = b ? gpo_sd_parse(b, n, sd) : -ENOMEM;

	free(b);
	return rc;
}

/* Writes the descriptor hex holds and checks the bytes come back: as they
 * were read; laid out anew in their own order (these inputs have no gap
 * or slack, so that is the same bytes); and in Windows' order, which
 * parses back to the same descriptor. */
static int check_roundtrip(const char *hex, const char *what)
{
	struct gpo_sd sd, back;
	unsigned char *in, *out = NULL;
	size_t n, len;
	int bad = 1;

	in = from_hex(hex, &n);
	if (!in || gpo_sd_parse(in, n, &sd))
		goto out;
	if (gpo_sd_to_binary(&sd, &out, &len) || len != n || memcmp(out, in, n))
		goto fail;
	free(out);
	out = NULL;
	/* raw no longer says what the fields say (its control differs):
	 * written from the fields, in raw's order */
	sd.raw[2] ^= GPO_SD_DACL_TRUSTED;
	if (gpo_sd_to_binary(&sd, &out, &len) || len != n || memcmp(out, in, n))
		goto fail;
	free(out);
	out = NULL;
	gpo_sd_forget_raw(&sd);
	if (gpo_sd_to_binary(&sd, &out, &len) || gpo_sd_parse(out, len, &back))
		goto fail;
	bad = !gpo_sd_equal(&sd, &back) || len != n;
	gpo_sd_free(&back);
fail:
	gpo_sd_free(&sd);
out:
	if (bad)
		fprintf(stderr, "round trip failed: %s\n", what);
	free(in);
	free(out);
	return bad;
}

static int test_write_vectors(void)
{
	int bad = 0;

	for (size_t i = 0; i < N_VECTORS; i++) {
		bad |= check_roundtrip(fsacl_vectors[i].ds, fsacl_vectors[i].what);
		if (fsacl_vectors[i].fs)
			bad |= check_roundtrip(fsacl_vectors[i].fs,
					       fsacl_vectors[i].what);
	}
	ASSERT(!bad);
	return 0;
}

/* A layout that is not Windows': the fields changed, the parts keep the
 * input's order; forgotten, they take Windows' order. */
static int test_write_layout(void)
{
	const struct fsacl_vector *v = NULL;
	struct gpo_sd sd, back;
	unsigned char *in, *out;
	size_t n, len;

	for (size_t i = 0; i < N_VECTORS; i++)
		if (strstr(fsacl_vectors[i].what, "SD flags 15"))
			v = &fsacl_vectors[i];
	ASSERT(v);
	in = from_hex(v->ds, &n);
	ASSERT(in);
	ASSERT_EQ(gpo_sd_parse(in, n, &sd), 0);
	/* Samba's order: owner at 20, group, SACL, DACL */
	ASSERT_EQ(in[4], 20);
	sd.dacl.aces[0].mask ^= 1;
	ASSERT_EQ(gpo_sd_to_binary(&sd, &out, &len), 0);
	ASSERT_EQ(len, n);
	ASSERT(memcmp(out, in, n) != 0);
	ASSERT_EQ(out[4], 20);
	ASSERT_EQ(gpo_sd_parse(out, len, &back), 0);
	ASSERT(gpo_sd_equal(&sd, &back));
	gpo_sd_free(&back);
	free(out);

	gpo_sd_forget_raw(&sd);
	ASSERT_EQ(gpo_sd_to_binary(&sd, &out, &len), 0);
	ASSERT_EQ(len, n);
	/* Windows' order: SACL at 20, then the DACL, owner, group */
	ASSERT_EQ(le32(out + 12), 20);
	ASSERT(le32(out + 16) > 20 && le32(out + 4) > le32(out + 16) &&
	       le32(out + 8) > le32(out + 4));
	ASSERT_EQ(gpo_sd_parse(out, len, &back), 0);
	ASSERT(gpo_sd_equal(&sd, &back));
	gpo_sd_free(&back);
	free(out);

	/* a copy is equal, and independent */
	ASSERT_EQ(gpo_sd_copy(&sd, &back), 0);
	ASSERT(gpo_sd_equal(&sd, &back));
	back.sacl.aces[1].flags ^= GPO_ACE_INHERITED;
	ASSERT(!gpo_sd_equal(&sd, &back));
	gpo_sd_free(&back);
	gpo_sd_free(&sd);
	free(in);
	return 0;
}

/* What the writer refuses, and what it fills in. */
static int test_write_refused(void)
{
	struct gpo_ace ace = { 0 };
	unsigned char extra[4] = { 1, 2, 3, 4 };
	struct gpo_sd sd = { 0 }, back;
	unsigned char *out = (unsigned char *)1;
	size_t len = 1;

	ASSERT_EQ(gpo_sid_from_string("S-1-5-11", &ace.sid), 0);
	ace.mask = 0x20094;
	sd.control = GPO_SD_DACL_PRESENT;
	sd.has_dacl = true;
	sd.dacl.revision = 2;
	sd.dacl.n_aces = 1;
	sd.dacl.aces = &ace;

	/* SELF_RELATIVE is set; the output parses back */
	ASSERT_EQ(gpo_sd_to_binary(&sd, &out, &len), 0);
	ASSERT_EQ(len, 20 + 8 + 20);
	ASSERT_EQ(out[3], 0x80);
	ASSERT_EQ(gpo_sd_parse(out, len, &back), 0);
	ASSERT_EQ(back.control, GPO_SD_DACL_PRESENT | GPO_SD_SELF_RELATIVE);
	ASSERT_EQ(back.dacl.aces[0].mask, 0x20094);
	gpo_sd_free(&back);
	free(out);

	/* callback data is written as it was */
	ace.type = GPO_ACE_ALLOWED_CALLBACK;
	ace.extra = extra;
	ace.extra_len = 4;
	ASSERT_EQ(gpo_sd_to_binary(&sd, &out, &len), 0);
	ASSERT_EQ(gpo_sd_parse(out, len, &back), 0);
	ASSERT_EQ(back.dacl.aces[0].extra_len, 4);
	ASSERT(!memcmp(back.dacl.aces[0].extra, extra, 4));
	gpo_sd_free(&back);
	free(out);

#define REFUSED(edit, undo)                                              \
	do {                                                             \
		edit;                                                    \
		ASSERT_EQ(gpo_sd_to_binary(&sd, &out, &len), -EINVAL);   \
		ASSERT(out == NULL && len == 0);                         \
		undo;                                                    \
	} while (0)

	REFUSED(ace.extra_len = 3, ace.extra_len = 4);
	REFUSED(ace.extra = NULL, ace.extra = extra);
	REFUSED(ace.type = 4, ace.type = 0);
	REFUSED(ace.type = 0x14, ace.type = 0);
	REFUSED(ace.sid.n_sub = 16, ace.sid.n_sub = 1);
	REFUSED(sd.dacl.revision = 1, sd.dacl.revision = 2);
	REFUSED(sd.dacl.revision = 5, sd.dacl.revision = 2);
	REFUSED(sd.control = 0, sd.control = GPO_SD_DACL_PRESENT);
	REFUSED(sd.dacl.aces = NULL, sd.dacl.aces = &ace);
	REFUSED((ace.type = GPO_ACE_ALLOWED_OBJECT, ace.object_flags = 4),
		(ace.type = 0, ace.object_flags = 0));
	REFUSED((sd.has_owner = true, sd.owner.authority = (uint64_t)1 << 48),
		sd.has_owner = false);
	/* an ACE over 65535 bytes */
	{
		static unsigned char big[65532];

		REFUSED((ace.extra = big, ace.extra_len = sizeof(big)),
			(ace.extra = extra, ace.extra_len = 4));
	}
#undef REFUSED

	/* a NULL DACL and an empty SACL */
	sd.has_dacl = false;
	sd.control = GPO_SD_DACL_PRESENT | GPO_SD_SACL_PRESENT;
	sd.has_sacl = true;
	sd.sacl.revision = 2;
	ASSERT_EQ(gpo_sd_to_binary(&sd, &out, &len), 0);
	ASSERT_EQ(len, 28);
	ASSERT_EQ(gpo_sd_parse(out, len, &back), 0);
	ASSERT(!back.has_dacl && back.has_sacl && back.sacl.n_aces == 0);
	gpo_sd_free(&back);
	free(out);
	return 0;
}

/* ---- the derivation ---- */

static int test_samba_vectors(void)
{
	int bad = 0;

	for (size_t i = 0; i < N_VECTORS; i++) {
		const struct fsacl_vector *v = &fsacl_vectors[i];
		struct gpo_sd ds, fs, want;
		static const struct gpo_sd zero;
		int rc;

		ASSERT_EQ(parse_hex(v->ds, &ds), 0);
		rc = gpo_fsacl_from_ds(&ds, &fs);
		if (!v->fs) {
			if (rc != -EINVAL || memcmp(&fs, &zero, sizeof(fs))) {
				fprintf(stderr, "%s: rc %d, want -EINVAL\n",
					v->what, rc);
				bad = 1;
			}
			gpo_sd_free(&ds);
			continue;
		}
		ASSERT_EQ(parse_hex(v->fs, &want), 0);
		if (rc || !gpo_sd_equal(&fs, &want)) {
			char *a = NULL, *b = NULL;

			gpo_sd_to_sddl(&fs, NULL, &a);
			gpo_sd_to_sddl(&want, NULL, &b);
			fprintf(stderr, "%s:\n  rc %d\n  got  %s (0x%x)\n  want %s (0x%x)\n",
				v->what, rc, a ? a : "?", fs.control,
				b ? b : "?", want.control);
			free(a);
			free(b);
			bad = 1;
		}
		gpo_sd_free(&want);
		gpo_sd_free(&fs);
		gpo_sd_free(&ds);
	}
	ASSERT(!bad);
	return 0;
}

/* One ACE of an SDDL string, its fields; masks as numbers. */
struct sddl_ace {
	char type[4], flags[32], obj[40], inh[40], sid[GPO_SID_STR_MAX];
	uint32_t mask;
};

/* Samba's and Windows' names of mask bits (Samba writes the names when
 * every bit has one, else "0x%08x"). */
static int mask_of(const char *s, size_t n, uint32_t *mask)
{
	static const struct { char name[3]; uint32_t bit; } names[] = {
		{ "CC", 0x1 }, { "DC", 0x2 }, { "LC", 0x4 }, { "SW", 0x8 },
		{ "RP", 0x10 }, { "WP", 0x20 }, { "DT", 0x40 }, { "LO", 0x80 },
		{ "CR", 0x100 }, { "SD", 0x10000 }, { "RC", 0x20000 },
		{ "WD", 0x40000 }, { "WO", 0x80000 }, { "GA", 0x10000000 },
		{ "GX", 0x20000000 }, { "GW", 0x40000000 }, { "GR", 0x80000000 },
	};
	char buf[64];

	*mask = 0;
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (!strncmp(buf, "0x", 2)) {
		*mask = (uint32_t)strtoul(buf, NULL, 16);
		return 0;
	}
	for (size_t i = 0; i < n; i += 2) {
		size_t k;

		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (!strncmp(buf + i, names[k].name, 2))
				break;
		if (k == sizeof(names) / sizeof(names[0]))
			return -1;
		*mask |= names[k].bit;
	}
	return 0;
}

/* Splits "(a;b;c;d;e;f)" at s into ace; returns the length, or -1. */
static int ace_at(const char *s, struct sddl_ace *ace)
{
	const char *end = strchr(s, ')');
	const char *f[6];
	size_t len[6];
	int k = 0;

	if (*s != '(' || !end)
		return -1;
	f[0] = s + 1;
	for (const char *p = s + 1; p <= end; p++)
		if (*p == ';' || p == end) {
			if (k == 6)
				return -1;
			len[k] = (size_t)(p - f[k]);
			if (++k < 6)
				f[k] = p + 1;
		}
	if (k != 6 || len[0] >= sizeof(ace->type) || len[1] >= sizeof(ace->flags) ||
	    len[3] >= sizeof(ace->obj) || len[4] >= sizeof(ace->inh) ||
	    len[5] >= sizeof(ace->sid) || mask_of(f[2], len[2], &ace->mask))
		return -1;
	memset(ace->type, 0, sizeof(ace->type));
	memcpy(ace->type, f[0], len[0]);
	memset(ace->flags, 0, sizeof(ace->flags));
	memcpy(ace->flags, f[1], len[1]);
	memset(ace->obj, 0, sizeof(ace->obj));
	memcpy(ace->obj, f[3], len[3]);
	memset(ace->inh, 0, sizeof(ace->inh));
	memcpy(ace->inh, f[4], len[4]);
	memset(ace->sid, 0, sizeof(ace->sid));
	memcpy(ace->sid, f[5], len[5]);
	return (int)(end - s + 1);
}

/* True when two SDDL strings say the same, masks compared as numbers:
 * the same text up to the first ACE, then the same ACEs. */
static bool same_sddl(const char *a, const char *b)
{
	const char *pa = strchr(a, '('), *pb = strchr(b, '(');

	if (!pa || !pb || pa - a != pb - b || strncmp(a, b, (size_t)(pa - a)))
		return false;
	while (*pa && *pb) {
		struct sddl_ace x, y;
		int na = ace_at(pa, &x), nb = ace_at(pb, &y);

		if (na < 0 || nb < 0 || x.mask != y.mask || strcmp(x.type, y.type) ||
		    strcmp(x.flags, y.flags) || strcmp(x.obj, y.obj) ||
		    strcmp(x.inh, y.inh) || strcmp(x.sid, y.sid))
			return false;
		pa += na;
		pb += nb;
	}
	return !*pa && !*pb;
}

/* Our SDDL of each derived ACL says what Samba's says. */
static int test_sddl(void)
{
	struct gpo_sid dom;
	/* Samba names both DA and EA by the domain it is given */
	struct gpo_sddl_scope scope = { &dom, &dom, NULL };
	int bad = 0;

	ASSERT_EQ(gpo_sid_from_string(domain_str, &dom), 0);
	for (size_t i = 0; i < N_VECTORS; i++) {
		const struct fsacl_vector *v = &fsacl_vectors[i];
		struct gpo_sd ds, fs;
		char *s = NULL;

		if (!v->fs)
			continue;
		ASSERT_EQ(parse_hex(v->ds, &ds), 0);
		ASSERT_EQ(gpo_fsacl_from_ds(&ds, &fs), 0);
		ASSERT_EQ(gpo_sd_to_sddl_opts(&fs, &scope,
					      GPO_SDDL_HEX_MASKS | GPO_SDDL_NO_SACL,
					      &s), 0);
		if (!same_sddl(s, v->samba_sddl)) {
			fprintf(stderr, "%s:\n  ours  %s\n  Samba %s\n", v->what, s,
				v->samba_sddl);
			bad = 1;
		}
		free(s);
		gpo_sd_free(&fs);
		gpo_sd_free(&ds);
	}
	ASSERT(!bad);
	return 0;
}

/* The SDDL handed to Samba for a new GPO of the test forest. */
static int test_new_gpo_sddl(void)
{
	static const char want[] =
		"O:S-1-5-21-1315048264-2528778059-906232684-512"
		"G:S-1-5-21-1315048264-2528778059-906232684-512"
		"D:P(A;OICI;0x1f01ff;;;S-1-5-21-1315048264-2528778059-906232684-512)"
		"(A;OICI;0x1f01ff;;;S-1-5-21-1315048264-2528778059-906232684-519)"
		"(A;OICIIO;0x1f01ff;;;CO)"
		"(A;OICI;0x1f01ff;;;S-1-5-21-1315048264-2528778059-906232684-512)"
		"(A;OICI;0x1f01ff;;;SY)(A;OICI;0x1200a9;;;AU)"
		"(OA;OICI;;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)"
		"(A;OICI;0x1200a9;;;ED)";
	int found = 0;

	for (size_t i = 0; i < N_VECTORS; i++) {
		const struct fsacl_vector *v = &fsacl_vectors[i];
		struct gpo_sd ds, fs;
		char *s = NULL;

		if (!strstr(v->what, "new GPO"))
			continue;
		found++;
		ASSERT_EQ(parse_hex(v->ds, &ds), 0);
		ASSERT_EQ(gpo_fsacl_from_ds(&ds, &fs), 0);
		ASSERT_EQ(gpo_fsacl_to_sddl(&fs, &s), 0);
		ASSERT_STR(s, want);
		free(s);
		gpo_sd_free(&fs);
		gpo_sd_free(&ds);
	}
	ASSERT_EQ(found, 2);
	return 0;
}

static int test_map_mask(void)
{
	ASSERT_EQ(gpo_fsacl_map_mask(0), 0);
	ASSERT_EQ(gpo_fsacl_map_mask(0x100), 0);
	ASSERT_EQ(gpo_fsacl_map_mask(0x10000000), 0);
	ASSERT_EQ(gpo_fsacl_map_mask(0x10), 0);
	ASSERT_EQ(gpo_fsacl_map_mask(0x14), 0x1200a9 & ~0x20000u);
	ASSERT_EQ(gpo_fsacl_map_mask(0x20094), 0x1200a9);
	ASSERT_EQ(gpo_fsacl_map_mask(0x20), 0x100116);
	ASSERT_EQ(gpo_fsacl_map_mask(0x1), 0x6);
	ASSERT_EQ(gpo_fsacl_map_mask(0x2), 0x40);
	ASSERT_EQ(gpo_fsacl_map_mask(0xf01ff), 0x1f01ff);
	ASSERT_EQ(gpo_fsacl_map_mask(0xffffffff), 0x1f01ff);
	return 0;
}

static int test_refused(void)
{
	struct gpo_sd ds = { 0 }, fs;
	static const struct gpo_sd zero;

	/* no DACL; a NULL one */
	ASSERT_EQ(gpo_fsacl_from_ds(&ds, &fs), -EINVAL);
	ASSERT(!memcmp(&fs, &zero, sizeof(fs)));
	ds.control = GPO_SD_DACL_PRESENT;
	ASSERT_EQ(gpo_fsacl_from_ds(&ds, &fs), -EINVAL);
	ASSERT(!memcmp(&fs, &zero, sizeof(fs)));
	return 0;
}

static const struct test_case cases[] = {
	{ "sd_write_vectors", test_write_vectors },
	{ "sd_write_layout", test_write_layout },
	{ "sd_write_refused", test_write_refused },
	{ "fsacl_samba_vectors", test_samba_vectors },
	{ "fsacl_sddl", test_sddl },
	{ "fsacl_new_gpo_sddl", test_new_gpo_sddl },
	{ "fsacl_map_mask", test_map_mask },
	{ "fsacl_refused", test_refused },
	{ NULL, NULL }
};

int main(int argc, char **argv)
{
	return test_run(cases, argc, argv);
}
