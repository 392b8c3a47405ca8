/* Unit tests of the security descriptor parser and SDDL writer.
 *
 * The fixture vectors are the SecurityDescriptor bytes of the real GPMC
 * backups in ../shared/fixtures/gpmc-backups (one per distinct descriptor:
 * the 14 backups hold 6), with the DACL part of the SDDL that GPMC wrote
 * into the same backup's gpreport.xml and the SecurityGroups it listed in
 * Backup.xml. They are copied here so the test reads nothing at run time. */
#include "test.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "gpo_sd.h"

struct fixture {
	const char *backup;          /* the backup folder it comes from */
	const char *hex;             /* Backup.xml SecurityDescriptor */
	const char *domain;          /* the domain SID of its owner */
	const char *dacl_sddl;       /* the D: part of gpreport.xml's SDDL */
	const char *groups[2];       /* SecurityGroups, FromDACL, in order */
};

static const struct fixture fixtures[] = {
	{
		"{0DFDDA81-860E-45A6-892F-7DE64B04102E}",
		"01 00 04 9c 00 00 00 00 00 00 00 00 00 00 00 00 "
		"14 00 00 00 04 00 ec 00 08 00 00 00 05 02 28 00 "
		"00 01 00 00 01 00 00 00 8f fd ac ed b3 ff d1 11 "
		"b4 1d 00 a0 c9 68 f9 39 01 01 00 00 00 00 00 05 "
		"0b 00 00 00 00 00 24 00 ff 00 0f 00 01 05 00 00 "
		"00 00 00 05 15 00 00 00 6a b5 6b 72 4a 24 5a ff "
		"dc a5 c4 38 00 02 00 00 00 02 24 00 ff 00 0f 00 "
		"01 05 00 00 00 00 00 05 15 00 00 00 6a b5 6b 72 "
		"4a 24 5a ff dc a5 c4 38 00 02 00 00 00 02 24 00 "
		"ff 00 0f 00 01 05 00 00 00 00 00 05 15 00 00 00 "
		"6a b5 6b 72 4a 24 5a ff dc a5 c4 38 07 02 00 00 "
		"00 02 14 00 94 00 02 00 01 01 00 00 00 00 00 05 "
		"09 00 00 00 00 02 14 00 94 00 02 00 01 01 00 00 "
		"00 00 00 05 0b 00 00 00 00 02 14 00 ff 00 0f 00 "
		"01 01 00 00 00 00 00 05 12 00 00 00 00 0a 14 00 "
		"ff 00 0f 00 01 01 00 00 00 00 00 03 00 00 00 00",
		"S-1-5-21-1919661418-4284097610-952411612",
		"D:PAI(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)"
		"(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;S-1-5-21-1919661418-4284097610-952411612-519)"
		"(A;CI;LCRPLORC;;;ED)"
		"(A;CI;LCRPLORC;;;AU)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;SY)"
		"(A;CIIO;CCDCLCSWRPWPDTLOSDRCWDWO;;;CO)",
		{ "S-1-5-21-1919661418-4284097610-952411612-519",
		  "S-1-5-21-1919661418-4284097610-952411612-512" },
	},
	{
		"{16D29EA5-BD80-4487-A7C7-20AF2D68F202}",
		"01 00 04 9c 00 00 00 00 00 00 00 00 00 00 00 00 "
		"14 00 00 00 04 00 ec 00 08 00 00 00 05 02 28 00 "
		"00 01 00 00 01 00 00 00 8f fd ac ed b3 ff d1 11 "
		"b4 1d 00 a0 c9 68 f9 39 01 01 00 00 00 00 00 05 "
		"0b 00 00 00 00 00 24 00 ff 00 0f 00 01 05 00 00 "
		"00 00 00 05 15 00 00 00 da 71 7d 95 a4 2d 6a b7 "
		"4d 17 b5 91 00 02 00 00 00 02 24 00 ff 00 0f 00 "
		"01 05 00 00 00 00 00 05 15 00 00 00 da 71 7d 95 "
		"a4 2d 6a b7 4d 17 b5 91 00 02 00 00 00 02 24 00 "
		"ff 00 0f 00 01 05 00 00 00 00 00 05 15 00 00 00 "
		"da 71 7d 95 a4 2d 6a b7 4d 17 b5 91 07 02 00 00 "
		"00 02 14 00 94 00 02 00 01 01 00 00 00 00 00 05 "
		"09 00 00 00 00 02 14 00 94 00 02 00 01 01 00 00 "
		"00 00 00 05 0b 00 00 00 00 02 14 00 ff 00 0f 00 "
		"01 01 00 00 00 00 00 05 12 00 00 00 00 0a 14 00 "
		"ff 00 0f 00 01 01 00 00 00 00 00 03 00 00 00 00",
		"S-1-5-21-2508026330-3077189028-2444564301",
		"D:PAI(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)"
		"(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;S-1-5-21-2508026330-3077189028-2444564301-519)"
		"(A;CI;LCRPLORC;;;ED)"
		"(A;CI;LCRPLORC;;;AU)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;SY)"
		"(A;CIIO;CCDCLCSWRPWPDTLOSDRCWDWO;;;CO)",
		{ "S-1-5-21-2508026330-3077189028-2444564301-519",
		  "S-1-5-21-2508026330-3077189028-2444564301-512" },
	},
	{
		"{20906CEB-5524-410B-88EF-00017C306B80}",
		"01 00 04 9c 00 00 00 00 00 00 00 00 00 00 00 00 "
		"14 00 00 00 04 00 ec 00 08 00 00 00 05 02 28 00 "
		"00 01 00 00 01 00 00 00 8f fd ac ed b3 ff d1 11 "
		"b4 1d 00 a0 c9 68 f9 39 01 01 00 00 00 00 00 05 "
		"0b 00 00 00 00 00 24 00 ff 00 0f 00 01 05 00 00 "
		"00 00 00 05 15 00 00 00 76 69 f5 35 e3 56 c6 da "
		"0d f7 37 e0 00 02 00 00 00 02 24 00 ff 00 0f 00 "
		"01 05 00 00 00 00 00 05 15 00 00 00 76 69 f5 35 "
		"e3 56 c6 da 0d f7 37 e0 00 02 00 00 00 02 24 00 "
		"ff 00 0f 00 01 05 00 00 00 00 00 05 15 00 00 00 "
		"76 69 f5 35 e3 56 c6 da 0d f7 37 e0 07 02 00 00 "
		"00 02 14 00 94 00 02 00 01 01 00 00 00 00 00 05 "
		"09 00 00 00 00 02 14 00 94 00 02 00 01 01 00 00 "
		"00 00 00 05 0b 00 00 00 00 02 14 00 ff 00 0f 00 "
		"01 01 00 00 00 00 00 05 12 00 00 00 00 0a 14 00 "
		"ff 00 0f 00 01 01 00 00 00 00 00 03 00 00 00 00",
		"S-1-5-21-905275766-3670431459-3761764109",
		"D:PAI(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)"
		"(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;S-1-5-21-905275766-3670431459-3761764109-519)"
		"(A;CI;LCRPLORC;;;ED)"
		"(A;CI;LCRPLORC;;;AU)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;SY)"
		"(A;CIIO;CCDCLCSWRPWPDTLOSDRCWDWO;;;CO)",
		{ "S-1-5-21-905275766-3670431459-3761764109-519",
		  "S-1-5-21-905275766-3670431459-3761764109-512" },
	},
	{
		"{32D5EEFD-DACE-44DC-BC16-D364B32B0D2A}",
		"01 00 04 9c 00 00 00 00 00 00 00 00 00 00 00 00 "
		"14 00 00 00 04 00 ec 00 08 00 00 00 05 02 28 00 "
		"00 01 00 00 01 00 00 00 8f fd ac ed b3 ff d1 11 "
		"b4 1d 00 a0 c9 68 f9 39 01 01 00 00 00 00 00 05 "
		"0b 00 00 00 00 00 24 00 ff 00 0f 00 01 05 00 00 "
		"00 00 00 05 15 00 00 00 aa 43 d2 32 7d 6f 6b 91 "
		"02 02 a9 9d 00 02 00 00 00 02 24 00 ff 00 0f 00 "
		"01 05 00 00 00 00 00 05 15 00 00 00 aa 43 d2 32 "
		"7d 6f 6b 91 02 02 a9 9d 00 02 00 00 00 02 24 00 "
		"ff 00 0f 00 01 05 00 00 00 00 00 05 15 00 00 00 "
		"aa 43 d2 32 7d 6f 6b 91 02 02 a9 9d 07 02 00 00 "
		"00 02 14 00 94 00 02 00 01 01 00 00 00 00 00 05 "
		"09 00 00 00 00 02 14 00 94 00 02 00 01 01 00 00 "
		"00 00 00 05 0b 00 00 00 00 02 14 00 ff 00 0f 00 "
		"01 01 00 00 00 00 00 05 12 00 00 00 00 0a 14 00 "
		"ff 00 0f 00 01 01 00 00 00 00 00 03 00 00 00 00",
		"S-1-5-21-852640682-2439737213-2645099010",
		"D:PAI(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)"
		"(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;S-1-5-21-852640682-2439737213-2645099010-519)"
		"(A;CI;LCRPLORC;;;ED)"
		"(A;CI;LCRPLORC;;;AU)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;SY)"
		"(A;CIIO;CCDCLCSWRPWPDTLOSDRCWDWO;;;CO)",
		{ "S-1-5-21-852640682-2439737213-2645099010-519",
		  "S-1-5-21-852640682-2439737213-2645099010-512" },
	},
	{
		"{403B3DA7-7021-439A-8CA4-B2B0C1138937}",
		"01 00 04 9c 00 00 00 00 00 00 00 00 00 00 00 00 "
		"14 00 00 00 04 00 ec 00 08 00 00 00 05 02 28 00 "
		"00 01 00 00 01 00 00 00 8f fd ac ed b3 ff d1 11 "
		"b4 1d 00 a0 c9 68 f9 39 01 01 00 00 00 00 00 05 "
		"0b 00 00 00 00 00 24 00 ff 00 0f 00 01 05 00 00 "
		"00 00 00 05 15 00 00 00 d4 ed 77 b5 9a d0 e1 33 "
		"1e 79 c6 ae 00 02 00 00 00 02 24 00 ff 00 0f 00 "
		"01 05 00 00 00 00 00 05 15 00 00 00 d4 ed 77 b5 "
		"9a d0 e1 33 1e 79 c6 ae 00 02 00 00 00 02 24 00 "
		"ff 00 0f 00 01 05 00 00 00 00 00 05 15 00 00 00 "
		"d4 ed 77 b5 9a d0 e1 33 1e 79 c6 ae 07 02 00 00 "
		"00 02 14 00 94 00 02 00 01 01 00 00 00 00 00 05 "
		"09 00 00 00 00 02 14 00 94 00 02 00 01 01 00 00 "
		"00 00 00 05 0b 00 00 00 00 02 14 00 ff 00 0f 00 "
		"01 01 00 00 00 00 00 05 12 00 00 00 00 0a 14 00 "
		"ff 00 0f 00 01 01 00 00 00 00 00 03 00 00 00 00",
		"S-1-5-21-3044535764-870437018-2932242718",
		"D:PAI(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)"
		"(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;S-1-5-21-3044535764-870437018-2932242718-519)"
		"(A;CI;LCRPLORC;;;ED)"
		"(A;CI;LCRPLORC;;;AU)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;SY)"
		"(A;CIIO;CCDCLCSWRPWPDTLOSDRCWDWO;;;CO)",
		{ "S-1-5-21-3044535764-870437018-2932242718-519",
		  "S-1-5-21-3044535764-870437018-2932242718-512" },
	},
	{
		"{4700F508-14C1-4369-8518-0E47507A58A8}",
		"01 00 04 9c 00 00 00 00 00 00 00 00 00 00 00 00 "
		"14 00 00 00 04 00 ec 00 08 00 00 00 05 02 28 00 "
		"00 01 00 00 01 00 00 00 8f fd ac ed b3 ff d1 11 "
		"b4 1d 00 a0 c9 68 f9 39 01 01 00 00 00 00 00 05 "
		"0b 00 00 00 00 00 24 00 ff 00 0f 00 01 05 00 00 "
		"00 00 00 05 15 00 00 00 2a bc 2e ee 6e 44 db 3b "
		"67 62 78 2f 00 02 00 00 00 02 24 00 ff 00 0f 00 "
		"01 05 00 00 00 00 00 05 15 00 00 00 2a bc 2e ee "
		"6e 44 db 3b 67 62 78 2f 00 02 00 00 00 02 24 00 "
		"ff 00 0f 00 01 05 00 00 00 00 00 05 15 00 00 00 "
		"2a bc 2e ee 6e 44 db 3b 67 62 78 2f 07 02 00 00 "
		"00 02 14 00 94 00 02 00 01 01 00 00 00 00 00 05 "
		"09 00 00 00 00 02 14 00 94 00 02 00 01 01 00 00 "
		"00 00 00 05 0b 00 00 00 00 02 14 00 ff 00 0f 00 "
		"01 01 00 00 00 00 00 05 12 00 00 00 00 0a 14 00 "
		"ff 00 0f 00 01 01 00 00 00 00 00 03 00 00 00 00",
		"S-1-5-21-3996040234-1004225646-796418663",
		"D:PAI(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)"
		"(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;S-1-5-21-3996040234-1004225646-796418663-519)"
		"(A;CI;LCRPLORC;;;ED)"
		"(A;CI;LCRPLORC;;;AU)"
		"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;SY)"
		"(A;CIIO;CCDCLCSWRPWPDTLOSDRCWDWO;;;CO)",
		{ "S-1-5-21-3996040234-1004225646-796418663-519",
		  "S-1-5-21-3996040234-1004225646-796418663-512" },
	},
};

#define N_FIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

/* idl.local's full descriptor as gpreport.xml of
 * {32D5EEFD-DACE-44DC-BC16-D364B32B0D2A} writes it; fixtures[3] holds its
 * DACL, and build_full_sd() adds the owner, group and SACL. */
static const char full_sddl[] =
	"O:DAG:DAD:PAI(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)"
	"(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)"
	"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)"
	"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;S-1-5-21-852640682-2439737213-2645099010-519)"
	"(A;CI;LCRPLORC;;;ED)(A;CI;LCRPLORC;;;AU)"
	"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;SY)"
	"(A;CIIO;CCDCLCSWRPWPDTLOSDRCWDWO;;;CO)"
	"S:AI(OU;CIIDSA;WPWD;;f30e3bc2-9ff0-11d1-b603-0000f80367c1;WD)"
	"(OU;CIIOIDSA;WP;f30e3bbe-9ff0-11d1-b603-0000f80367c1;"
	"bf967aa5-0de6-11d0-a285-00aa003049e2;WD)"
	"(OU;CIIOIDSA;WP;f30e3bbf-9ff0-11d1-b603-0000f80367c1;"
	"bf967aa5-0de6-11d0-a285-00aa003049e2;WD)";

/* ---- a small writer of descriptors, for synthetic and broken input ---- */

struct bytes {
	unsigned char b[8192];
	size_t n;
};

static void put8(struct bytes *w, unsigned v)
{
	w->b[w->n++] = (unsigned char)v;
}

static void put16(struct bytes *w, unsigned v)
{
	put8(w, v & 0xff);
	put8(w, v >> 8 & 0xff);
}

static void put32(struct bytes *w, uint32_t v)
{
	put16(w, v & 0xffff);
	put16(w, v >> 16);
}

static void set16(struct bytes *w, size_t at, unsigned v)
{
	w->b[at] = (unsigned char)v;
	w->b[at + 1] = (unsigned char)(v >> 8);
}

static void set32(struct bytes *w, size_t at, uint32_t v)
{
	set16(w, at, v & 0xffff);
	set16(w, at + 2, v >> 16);
}

static void put_sid(struct bytes *w, const char *s)
{
	struct gpo_sid sid;

	if (gpo_sid_from_string(s, &sid) ||
	    gpo_sid_to_binary(&sid, w->b + w->n, sizeof(w->b) - w->n) < 0)
		abort();
	w->n += gpo_sid_size(&sid);
}

/* "f30e3bc2-9ff0-11d1-b603-0000f80367c1" as stored in an ACE */
static void put_guid(struct bytes *w, const char *g)
{
	static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6,
				       8, 9, 10, 11, 12, 13, 14, 15 };
	unsigned char raw[16];
	unsigned v;

	for (int i = 0; i < 16; i++) {
		if (*g == '-')
			g++;
		if (sscanf(g, "%2x", &v) != 1)
			abort();
		raw[i] = (unsigned char)v;
		g += 2;
	}
	for (int i = 0; i < 16; i++)
		put8(w, raw[order[i]]);
}

/* An ACE; object and inherited are GUID strings or NULL, and an object
 * ACE type writes its flags word even when both are NULL. */
static void put_ace(struct bytes *w, unsigned type, unsigned flags,
		    uint32_t mask, const char *object, const char *inherited,
		    const char *sid)
{
	size_t start = w->n;

	put8(w, type);
	put8(w, flags);
	put16(w, 0);
	put32(w, mask);
	if ((type >= 5 && type <= 8) || (type >= 0x0b && type <= 0x0c) ||
	    (type >= 0x0f && type <= 0x10)) {
		put32(w, (object ? 1u : 0u) | (inherited ? 2u : 0u));
		if (object)
			put_guid(w, object);
		if (inherited)
			put_guid(w, inherited);
	}
	put_sid(w, sid);
	set16(w, start + 2, (unsigned)(w->n - start));
}

static size_t acl_begin(struct bytes *w)
{
	size_t start = w->n;

	put8(w, 4);
	put8(w, 0);
	put16(w, 0);
	put16(w, 0);
	put16(w, 0);
	return start;
}

static void acl_end(struct bytes *w, size_t start, unsigned count)
{
	set16(w, start + 2, (unsigned)(w->n - start));
	set16(w, start + 4, count);
}

/* A header with no parts yet; the offsets are patched by the caller. */
static void sd_begin(struct bytes *w, unsigned control)
{
	w->n = 0;
	put8(w, 1);
	put8(w, 0);
	put16(w, control | GPO_SD_SELF_RELATIVE);
	for (int i = 0; i < 4; i++)
		put32(w, 0);
}

static int from_hex(const char *hex, struct bytes *w)
{
	unsigned v;
	int k;

	w->n = 0;
	while (*hex) {
		if (sscanf(hex, "%2x%n", &v, &k) != 1 || k != 2)
			return -1;
		put8(w, v);
		hex += 2;
		while (*hex == ' ')
			hex++;
	}
	return 0;
}

/* Every descriptor the parser accepts is written back as the same bytes,
 * and laid out anew (in Windows' order) as one that parses back to the
 * same fields. Returns 0 when both hold. */
static int roundtrip(const unsigned char *b, size_t n)
{
	struct gpo_sd sd, back;
	unsigned char *out = NULL;
	size_t len;
	int bad = 1;

	if (gpo_sd_parse(b, n, &sd))
		return 1;
	if (gpo_sd_to_binary(&sd, &out, &len) || len != n || memcmp(out, b, n))
		goto out;
	free(out);
	out = NULL;
	gpo_sd_forget_raw(&sd);
	if (gpo_sd_to_binary(&sd, &out, &len) || gpo_sd_parse(out, len, &back))
		goto out;
	bad = !gpo_sd_equal(&sd, &back);
	gpo_sd_free(&back);
out:
	if (bad)
		fprintf(stderr, "descriptor of %zu bytes: no round trip\n", n);
	free(out);
	gpo_sd_free(&sd);
	return bad;
}

/* Parses w and writes it as SDDL; NULL when either fails or w does not
 * make the round trip. */
static char *sddl_of(const struct bytes *w, const struct gpo_sddl_scope *scope)
{
	struct gpo_sd sd;
	char *s = NULL;

	if (roundtrip(w->b, w->n) || gpo_sd_parse(w->b, w->n, &sd))
		return NULL;
	if (gpo_sd_to_sddl(&sd, scope, &s))
		s = NULL;
	gpo_sd_free(&sd);
	return s;
}

/* ---- tests ---- */

static int test_fixture_dacls(void)
{
	for (size_t i = 0; i < N_FIXTURES; i++) {
		const struct fixture *f = &fixtures[i];
		struct bytes w;
		struct gpo_sd sd;
		struct gpo_sid dom, *groups = NULL;
		struct gpo_sddl_scope scope = { &dom, NULL, NULL };
		char *s = NULL;
		char sid[GPO_SID_STR_MAX];
		size_t n = 0;

		ASSERT_EQ(from_hex(f->hex, &w), 0);
		ASSERT_EQ(gpo_sid_from_string(f->domain, &dom), 0);
		ASSERT_EQ(roundtrip(w.b, w.n), 0);
		ASSERT_EQ(gpo_sd_parse(w.b, w.n, &sd), 0);
		/* GPMC's layout is Windows': laid out anew, the same bytes */
		{
			unsigned char *out;
			size_t len;

			gpo_sd_forget_raw(&sd);
			ASSERT_EQ(gpo_sd_to_binary(&sd, &out, &len), 0);
			ASSERT(len == w.n && !memcmp(out, w.b, len));
			free(out);
		}
		ASSERT_EQ(sd.control, 0x9c04);
		ASSERT(!sd.has_owner && !sd.has_group && !sd.has_sacl);
		ASSERT(sd.has_dacl);
		ASSERT_EQ(sd.dacl.revision, 4);
		ASSERT_EQ(sd.dacl.n_aces, 8);
		/* the Apply Group Policy extended right, an object ACE */
		ASSERT_EQ(sd.dacl.aces[0].type, GPO_ACE_ALLOWED_OBJECT);
		ASSERT_EQ(sd.dacl.aces[0].object_flags, GPO_ACE_OBJECT_TYPE_PRESENT);
		ASSERT_EQ(sd.dacl.aces[0].object_type[0], 0x8f);
		ASSERT_EQ(sd.dacl.aces[0].mask, 0x100);
		ASSERT_EQ(sd.dacl.aces[7].flags, GPO_ACE_CONTAINER_INHERIT |
						 GPO_ACE_INHERIT_ONLY);

		ASSERT_EQ(gpo_sd_to_sddl(&sd, &scope, &s), 0);
		ASSERT_STR(s, f->dacl_sddl);
		free(s);

		ASSERT_EQ(gpo_sd_domain_principals(&sd, &groups, &n), 0);
		ASSERT_EQ(n, 2);
		for (size_t j = 0; j < n; j++) {
			ASSERT_EQ(gpo_sid_to_string(&groups[j], sid, sizeof(sid)), 0);
			ASSERT_STR(sid, f->groups[j]);
		}
		free(groups);

		/* without a domain, DA is a full SID too */
		ASSERT_EQ(gpo_sd_to_sddl(&sd, NULL, &s), 0);
		ASSERT(strstr(s, ";DA)") == NULL);
		ASSERT(strstr(s, "-512)") != NULL);
		free(s);
		gpo_sd_free(&sd);
	}
	return 0;
}

/* The fixture DACL with the owner, group and SACL that its gpreport.xml
 * shows, laid out as AD returns nTSecurityDescriptor. */
static void build_full_sd(struct bytes *w)
{
	const char *da = "S-1-5-21-852640682-2439737213-2645099010-512";
	struct bytes dacl;
	size_t acl;

	if (from_hex(fixtures[3].hex, &dacl))
		abort();
	sd_begin(w, GPO_SD_DACL_PRESENT | GPO_SD_SACL_PRESENT |
		    GPO_SD_DACL_PROTECTED | GPO_SD_DACL_AUTO_INHERITED |
		    GPO_SD_SACL_AUTO_INHERITED);
	set32(w, 12, (uint32_t)w->n);
	acl = acl_begin(w);
	put_ace(w, GPO_ACE_AUDIT_OBJECT, 0x52, 0x40020, NULL,
		"f30e3bc2-9ff0-11d1-b603-0000f80367c1", "S-1-1-0");
	put_ace(w, GPO_ACE_AUDIT_OBJECT, 0x5a, 0x20,
		"f30e3bbe-9ff0-11d1-b603-0000f80367c1",
		"bf967aa5-0de6-11d0-a285-00aa003049e2", "S-1-1-0");
	put_ace(w, GPO_ACE_AUDIT_OBJECT, 0x5a, 0x20,
		"f30e3bbf-9ff0-11d1-b603-0000f80367c1",
		"bf967aa5-0de6-11d0-a285-00aa003049e2", "S-1-1-0");
	acl_end(w, acl, 3);
	set32(w, 16, (uint32_t)w->n);
	memcpy(w->b + w->n, dacl.b + 20, dacl.n - 20);
	w->n += dacl.n - 20;
	set32(w, 4, (uint32_t)w->n);
	put_sid(w, da);
	set32(w, 8, (uint32_t)w->n);
	put_sid(w, da);
}

static int test_fixture_full(void)
{
	struct gpo_sid dom;
	struct gpo_sddl_scope scope = { &dom, NULL, NULL };
	struct bytes w;
	char *s;

	ASSERT_EQ(gpo_sid_from_string(fixtures[3].domain, &dom), 0);
	build_full_sd(&w);
	s = sddl_of(&w, &scope);
	ASSERT_STR(s, full_sddl);
	free(s);

	/* a DC in the forest root would also name Enterprise Admins */
	scope.forest = &dom;
	s = sddl_of(&w, &scope);
	ASSERT(s && strstr(s, "(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;EA)"));
	free(s);
	return 0;
}

static int test_sid_string(void)
{
	static const struct { const char *in, *out; } good[] = {
		{ "S-1-5-21-852640682-2439737213-2645099010-519",
		  "S-1-5-21-852640682-2439737213-2645099010-519" },
		{ "S-1-1-0", "S-1-1-0" },
		{ "S-1-5", "S-1-5" },
		{ "s-1-5-32-544", "S-1-5-32-544" },
		{ "S-1-5-21-0x1-0x2-0x3-513", "S-1-5-21-1-2-3-513" },
		{ "S-1-3-4294967295", "S-1-3-4294967295" },
		{ "S-1-0x20-3-4", "S-1-32-3-4" },
		{ "S-1-21474836480-32-579", "S-1-0x500000000-32-579" },
		{ "S-1-0xffffffffffff-1", "S-1-0xFFFFFFFFFFFF-1" },
		{ "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15",
		  "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15" },
	};
	static const char *const bad[] = {
		"", "S", "S-", "S-1", "S-1-", "S-2-5-32", "S-0x1-5", "X-1-5",
		"S-1-5-", "S-1-5--1", "S-1-5-+1", "S-1-5- 1", "S-1-5-1 ",
		"S-1-5-4294967296", "S-1-5-0x100000000", "S-1-0x1000000000000",
		"S-1-281474976710656", "S-1-5-21x", "S-1-5-0x", "S-1-5-1.5",
		"S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
		"S-1-5-99999999999999999999999",
	};
	struct gpo_sid sid, back;
	unsigned char bin[80];
	char s[GPO_SID_STR_MAX];
	int n;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ASSERT_EQ(gpo_sid_from_string(good[i].in, &sid), 0);
		ASSERT_EQ(gpo_sid_to_string(&sid, s, sizeof(s)), 0);
		ASSERT_STR(s, good[i].out);
		n = gpo_sid_to_binary(&sid, bin, sizeof(bin));
		ASSERT_EQ(n, 8 + 4 * sid.n_sub);
		ASSERT_EQ(gpo_sid_parse(bin, (size_t)n, &back, NULL), 0);
		ASSERT(gpo_sid_equal(&sid, &back));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (gpo_sid_from_string(bad[i], &sid) != -EINVAL) {
			fprintf(stderr, "accepted \"%s\"\n", bad[i]);
			return 1;
		}
	}
	ASSERT_EQ(gpo_sid_from_string(NULL, &sid), -EINVAL);

	/* the binary of Domain Admins, and its string */
	{
		static const unsigned char da[] = {
			0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
			0x15, 0x00, 0x00, 0x00, 0xaa, 0x43, 0xd2, 0x32,
			0x7d, 0x6f, 0x6b, 0x91, 0x02, 0x02, 0xa9, 0x9d,
			0x00, 0x02, 0x00, 0x00, 0xff
		};
		size_t used = 0;

		ASSERT_EQ(gpo_sid_parse(da, sizeof(da), &sid, &used), 0);
		ASSERT_EQ(used, 28);
		ASSERT_EQ(gpo_sid_to_string(&sid, s, sizeof(s)), 0);
		ASSERT_STR(s, "S-1-5-21-852640682-2439737213-2645099010-512");
		ASSERT(gpo_sid_is_domain_principal(&sid));
		for (size_t len = 0; len < 28; len++)
			ASSERT_EQ(gpo_sid_parse(da, len, &sid, NULL), -EINVAL);
		/* too small an output */
		ASSERT_EQ(gpo_sid_to_string(&sid, s, 10), -ERANGE);
		ASSERT_EQ(gpo_sid_to_binary(&sid, bin, 27), -ERANGE);
		memcpy(bin, da, sizeof(da));
		bin[0] = 2;
		ASSERT_EQ(gpo_sid_parse(bin, sizeof(da), &sid, NULL), -EINVAL);
		bin[0] = 1;
		bin[1] = 16;
		ASSERT_EQ(gpo_sid_parse(bin, sizeof(bin), &sid, NULL), -EINVAL);
	}
	sid.n_sub = 16;
	ASSERT_EQ(gpo_sid_to_string(&sid, s, sizeof(s)), -EINVAL);
	ASSERT_EQ(gpo_sid_to_binary(&sid, bin, sizeof(bin)), -EINVAL);

	ASSERT_EQ(gpo_sid_from_string("S-1-5-11", &sid), 0);
	ASSERT(!gpo_sid_is_domain_principal(&sid));
	ASSERT_EQ(gpo_sid_from_string("S-1-5-32-544", &sid), 0);
	ASSERT(!gpo_sid_is_domain_principal(&sid));
	ASSERT_EQ(gpo_sid_from_string("S-1-5-21-1-2-3", &sid), 0);
	ASSERT(!gpo_sid_is_domain_principal(&sid));
	return 0;
}

/* One allowed ACE with the given mask and SID, in a DACL. */
static char *one_ace(unsigned type, unsigned flags, uint32_t mask,
		     const char *sid, const struct gpo_sddl_scope *scope)
{
	struct bytes w;
	size_t acl;

	sd_begin(&w, GPO_SD_DACL_PRESENT);
	set32(&w, 16, (uint32_t)w.n);
	acl = acl_begin(&w);
	put_ace(&w, type, flags, mask, NULL, NULL, sid);
	acl_end(&w, acl, 1);
	return sddl_of(&w, scope);
}

static int check_ace(unsigned type, unsigned flags, uint32_t mask,
		     const char *sid, const struct gpo_sddl_scope *scope,
		     const char *want)
{
	char *got = one_ace(type, flags, mask, sid, scope);
	int bad = !got || strcmp(got, want);

	if (bad)
		fprintf(stderr, "mask 0x%x %s: got \"%s\", want \"%s\"\n",
			(unsigned)mask, sid, got ? got : "(failed)", want);
	free(got);
	return bad;
}

static int test_sddl_rights(void)
{
	/* expectations from Windows' own output (Samba's
	 * libcli/security/tests/windows/ and icacls-style file ACLs) */
	static const struct { uint32_t mask; const char *want; } cases[] = {
		{ 0, "D:(A;;;;;WD)" },
		{ 0x10, "D:(A;;RP;;;WD)" },
		{ 0x11, "D:(A;;CCRP;;;WD)" },
		{ 0xff, "D:(A;;CCDCLCSWRPWPDTLO;;;WD)" },
		{ 0x1ff, "D:(A;;CCDCLCSWRPWPDTLOCR;;;WD)" },
		{ 0xf01ff, "D:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;WD)" },
		{ 0x20094, "D:(A;;LCRPLORC;;;WD)" },
		{ 0xe00f0000, "D:(A;;SDRCWDWOGXGWGR;;;WD)" },
		{ 0x10000000, "D:(A;;GA;;;WD)" },
		{ 0xa0000000, "D:(A;;GXGR;;;WD)" },
		{ 0x1f01ff, "D:(A;;FA;;;WD)" },
		{ 0x120089, "D:(A;;FR;;;WD)" },
		{ 0x120116, "D:(A;;FW;;;WD)" },
		{ 0x1200a0, "D:(A;;FX;;;WD)" },
		{ 0xf003f, "D:(A;;KA;;;WD)" },
		{ 0x20019, "D:(A;;KR;;;WD)" },
		{ 0x20006, "D:(A;;KW;;;WD)" },
		{ 0x1200a9, "D:(A;;0x1200a9;;;WD)" },
		{ 0x201f01ff, "D:(A;;0x201f01ff;;;WD)" },
		{ 0x75bcd15, "D:(A;;0x75bcd15;;;WD)" },
		{ 0x401200a0, "D:(A;;0x401200a0;;;WD)" },
		{ 0x1000000, "D:(A;;0x1000000;;;WD)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ASSERT(!check_ace(GPO_ACE_ALLOWED, 0, cases[i].mask, "S-1-1-0",
				  NULL, cases[i].want));
	/* mandatory labels name their own bits */
	ASSERT(!check_ace(GPO_ACE_MANDATORY_LABEL, 0, 1, "S-1-16-4096", NULL,
			  "D:(ML;;NW;;;LW)"));
	ASSERT(!check_ace(GPO_ACE_MANDATORY_LABEL, 3, 3, "S-1-16-16384", NULL,
			  "D:(ML;OICI;NWNR;;;SI)"));
	ASSERT(!check_ace(GPO_ACE_MANDATORY_LABEL, 0, 0x10, "S-1-16-8192", NULL,
			  "D:(ML;;0x10;;;ME)"));
	/* every ACE flag, in Windows' order */
	ASSERT(!check_ace(GPO_ACE_DENIED, 0xdf, 0x100, "S-1-5-18", NULL,
			  "D:(D;OICINPIOIDSAFA;CR;;;SY)"));
	ASSERT(!check_ace(GPO_ACE_AUDIT, 0x40, 0x20, "S-1-5-11", NULL,
			  "D:(AU;SA;WP;;;AU)"));
	ASSERT(!check_ace(GPO_ACE_ALARM, 0x80, 0x20, "S-1-5-11", NULL,
			  "D:(AL;FA;WP;;;AU)"));
	/* an object ACE with no GUIDs keeps its type */
	ASSERT(!check_ace(GPO_ACE_DENIED_OBJECT, 0, 0x100, "S-1-5-10", NULL,
			  "D:(OD;;CR;;;PS)"));
	ASSERT(!check_ace(GPO_ACE_ALARM_OBJECT, 0, 0x100, "S-1-5-10", NULL,
			  "D:(OL;;CR;;;PS)"));
	return 0;
}

static int test_sddl_sids(void)
{
	static const struct { const char *sid, *want; } fixed[] = {
		{ "S-1-1-0", "WD" }, { "S-1-3-0", "CO" }, { "S-1-3-1", "CG" },
		{ "S-1-3-4", "OW" }, { "S-1-5-7", "AN" }, { "S-1-5-9", "ED" },
		{ "S-1-5-10", "PS" }, { "S-1-5-11", "AU" }, { "S-1-5-12", "RC" },
		{ "S-1-5-18", "SY" }, { "S-1-5-19", "LS" }, { "S-1-5-20", "NS" },
		{ "S-1-5-32-544", "BA" }, { "S-1-5-32-545", "BU" },
		{ "S-1-5-32-554", "RU" }, { "S-1-5-32-579", "AA" },
		{ "S-1-5-84-0-0-0-0-0", "UD" }, { "S-1-15-2-1", "AC" },
		{ "S-1-16-12288", "HI" }, { "S-1-18-1", "AS" },
		/* no alias: written in full */
		{ "S-1-5-32-560", "S-1-5-32-560" },
		{ "S-1-5-32", "S-1-5-32" },
		{ "S-1-5-4-1", "S-1-5-4-1" },
		{ "S-1-333-4", "S-1-333-4" },
		{ "S-1-0x500000000-32-579", "S-1-0x500000000-32-579" },
	};
	static const struct { const char *rid, *domain, *forest, *machine; } rel[] = {
		{ "512", "DA", NULL, NULL }, { "513", "DU", NULL, NULL },
		{ "514", "DG", NULL, NULL }, { "515", "DC", NULL, NULL },
		{ "516", "DD", NULL, NULL }, { "517", "CA", NULL, NULL },
		{ "520", "PA", NULL, NULL }, { "522", "CN", NULL, NULL },
		{ "525", "AP", NULL, NULL }, { "526", "KA", NULL, NULL },
		{ "553", "RS", NULL, NULL },
		{ "498", NULL, "RO", NULL }, { "518", NULL, "SA", NULL },
		{ "519", NULL, "EA", NULL }, { "527", NULL, "EK", NULL },
		{ "500", NULL, NULL, "LA" }, { "501", NULL, NULL, "LG" },
		{ "1105", NULL, NULL, NULL },
	};
	const char *dom = "S-1-5-21-852640682-2439737213-2645099010";
	struct gpo_sid d;
	char want[256], sid[128];

	ASSERT_EQ(gpo_sid_from_string(dom, &d), 0);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		snprintf(want, sizeof(want), "D:(A;;GA;;;%s)", fixed[i].want);
		ASSERT(!check_ace(0, 0, 0x10000000, fixed[i].sid, NULL, want));
	}
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		struct gpo_sddl_scope only_domain = { &d, NULL, NULL };
		struct gpo_sddl_scope only_forest = { NULL, &d, NULL };
		struct gpo_sddl_scope only_machine = { NULL, NULL, &d };
		const struct gpo_sddl_scope *scopes[] = {
			&only_domain, &only_forest, &only_machine, NULL
		};
		const char *codes[] = {
			rel[i].domain, rel[i].forest, rel[i].machine, NULL
		};

		snprintf(sid, sizeof(sid), "%s-%s", dom, rel[i].rid);
		for (int k = 0; k < 4; k++) {
			snprintf(want, sizeof(want), "D:(A;;GA;;;%s)",
				 codes[k] ? codes[k] : sid);
			ASSERT(!check_ace(0, 0, 0x10000000, sid, scopes[k], want));
		}
	}
	/* another domain's Domain Admins is not DA */
	{
		struct gpo_sddl_scope scope = { &d, &d, &d };

		ASSERT(!check_ace(0, 0, 0x10000000, "S-1-5-21-1-2-3-512", &scope,
				  "D:(A;;GA;;;S-1-5-21-1-2-3-512)"));
		ASSERT(!check_ace(0, 0, 0x10000000, "S-1-5-21-852640682-2439737213-512",
				  &scope,
				  "D:(A;;GA;;;S-1-5-21-852640682-2439737213-512)"));
	}
	return 0;
}

static int test_sddl_parts(void)
{
	struct bytes w;
	size_t acl;
	char *s;
	struct gpo_sd sd;

	/* nothing present: the empty string */
	sd_begin(&w, 0);
	s = sddl_of(&w, NULL);
	ASSERT_STR(s, "");
	free(s);

	/* owner and group only */
	sd_begin(&w, 0);
	set32(&w, 4, (uint32_t)w.n);
	put_sid(&w, "S-1-5-32-544");
	set32(&w, 8, (uint32_t)w.n);
	put_sid(&w, "S-1-5-18");
	s = sddl_of(&w, NULL);
	ASSERT_STR(s, "O:BAG:SY");
	free(s);

	/* every ACL flag, and empty ACLs */
	sd_begin(&w, GPO_SD_DACL_PRESENT | GPO_SD_SACL_PRESENT | 0x3f00);
	set32(&w, 12, (uint32_t)w.n);
	acl_end(&w, acl_begin(&w), 0);
	set32(&w, 16, (uint32_t)w.n);
	acl_end(&w, acl_begin(&w), 0);
	s = sddl_of(&w, NULL);
	ASSERT_STR(s, "D:PARAIS:PARAI");
	free(s);

	/* SACL flags are the SACL's own bits */
	sd_begin(&w, GPO_SD_DACL_PRESENT | GPO_SD_SACL_PRESENT |
		     GPO_SD_DACL_AUTO_INHERITED | GPO_SD_SACL_PROTECTED);
	set32(&w, 12, (uint32_t)w.n);
	acl_end(&w, acl_begin(&w), 0);
	set32(&w, 16, (uint32_t)w.n);
	acl_end(&w, acl_begin(&w), 0);
	s = sddl_of(&w, NULL);
	ASSERT_STR(s, "D:AIS:P");
	free(s);

	/* a NULL DACL; an ACL whose PRESENT bit is clear is not read */
	sd_begin(&w, GPO_SD_DACL_PRESENT | GPO_SD_DACL_PROTECTED);
	set32(&w, 12, 0xfffffff0);
	ASSERT_EQ(roundtrip(w.b, w.n), 0);
	ASSERT_EQ(gpo_sd_parse(w.b, w.n, &sd), 0);
	ASSERT(!sd.has_dacl && !sd.has_sacl);
	ASSERT_EQ(gpo_sd_to_sddl(&sd, NULL, &s), 0);
	ASSERT_STR(s, "D:PNO_ACCESS_CONTROL");
	free(s);
	gpo_sd_free(&sd);
	gpo_sd_free(&sd);

	/* slack after the ACEs of an ACL is allowed */
	sd_begin(&w, GPO_SD_DACL_PRESENT);
	set32(&w, 16, (uint32_t)w.n);
	acl = acl_begin(&w);
	put_ace(&w, 0, 0, 0x20094, NULL, NULL, "S-1-5-11");
	put32(&w, 0xdeadbeef);
	acl_end(&w, acl, 1);
	s = sddl_of(&w, NULL);
	ASSERT_STR(s, "D:(A;;LCRPLORC;;;AU)");
	free(s);
	return 0;
}

static int test_sddl_refused(void)
{
	struct bytes w;
	size_t acl;
	struct gpo_sd sd;
	char dummy;
	char *s = &dummy;

	/* a callback ACE parses (with its application data) but has no
	 * SDDL here */
	sd_begin(&w, GPO_SD_DACL_PRESENT);
	set32(&w, 16, (uint32_t)w.n);
	acl = acl_begin(&w);
	put_ace(&w, GPO_ACE_ALLOWED_CALLBACK, 0, 1, NULL, NULL, "S-1-1-0");
	put32(&w, 0x78747261);        /* "artx", a conditional expression */
	set16(&w, acl + 8 + 2, 24);
	acl_end(&w, acl, 1);
	ASSERT_EQ(roundtrip(w.b, w.n), 0);
	ASSERT_EQ(gpo_sd_parse(w.b, w.n, &sd), 0);
	ASSERT_EQ(sd.dacl.aces[0].extra_len, 4);
	ASSERT(!memcmp(sd.dacl.aces[0].extra, "artx", 4));
	ASSERT_EQ(gpo_sd_to_sddl(&sd, NULL, &s), -EOPNOTSUPP);
	ASSERT(s == NULL);
	gpo_sd_free(&sd);

	/* ACE flag 0x20 has no SDDL name */
	sd_begin(&w, GPO_SD_DACL_PRESENT);
	set32(&w, 16, (uint32_t)w.n);
	acl = acl_begin(&w);
	put_ace(&w, 0, 0x20, 1, NULL, NULL, "S-1-1-0");
	acl_end(&w, acl, 1);
	ASSERT_EQ(roundtrip(w.b, w.n), 0);
	ASSERT_EQ(gpo_sd_parse(w.b, w.n, &sd), 0);
	ASSERT_EQ(gpo_sd_to_sddl(&sd, NULL, &s), -EOPNOTSUPP);
	gpo_sd_free(&sd);

	/* the types without an SDDL name */
	for (unsigned t = 0x09; t <= 0x12; t++) {
		if (t == GPO_ACE_MANDATORY_LABEL)
			continue;
		sd_begin(&w, GPO_SD_DACL_PRESENT);
		set32(&w, 16, (uint32_t)w.n);
		acl = acl_begin(&w);
		put_ace(&w, t, 0, 1, NULL, NULL, "S-1-1-0");
		acl_end(&w, acl, 1);
		ASSERT_EQ(roundtrip(w.b, w.n), 0);
		ASSERT_EQ(gpo_sd_parse(w.b, w.n, &sd), 0);
		ASSERT_EQ(gpo_sd_to_sddl(&sd, NULL, &s), -EOPNOTSUPP);
		gpo_sd_free(&sd);
	}
	return 0;
}

static int test_principals(void)
{
	static const char *const dacl[] = {
		"S-1-5-11",
		"S-1-5-21-852640682-2439737213-2645099010-512",
		"S-1-5-21-852640682-2439737213-2645099010-1105",
		"S-1-5-32-544",
		"S-1-5-21-852640682-2439737213-2645099010-512",
		"S-1-5-21-1-2-3",
		"S-1-5-21-852640682-2439737213-2645099010-519",
		"S-1-5-21-111-222-333-1106",
		"S-1-5-18",
	};
	static const char *const want[] = {
		"S-1-5-21-111-222-333-1106",
		"S-1-5-21-852640682-2439737213-2645099010-519",
		"S-1-5-21-852640682-2439737213-2645099010-512",
		"S-1-5-21-852640682-2439737213-2645099010-1105",
	};
	struct bytes w;
	size_t acl, n;
	struct gpo_sd sd;
	struct gpo_sid *sids;
	char s[GPO_SID_STR_MAX];

	sd_begin(&w, GPO_SD_DACL_PRESENT);
	set32(&w, 16, (uint32_t)w.n);
	acl = acl_begin(&w);
	for (size_t i = 0; i < sizeof(dacl) / sizeof(dacl[0]); i++)
		put_ace(&w, i == 3 ? GPO_ACE_DENIED : GPO_ACE_ALLOWED_OBJECT, 0,
			0x100, NULL, NULL, dacl[i]);
	acl_end(&w, acl, sizeof(dacl) / sizeof(dacl[0]));
	ASSERT_EQ(roundtrip(w.b, w.n), 0);
	ASSERT_EQ(gpo_sd_parse(w.b, w.n, &sd), 0);
	ASSERT_EQ(gpo_sd_domain_principals(&sd, &sids, &n), 0);
	ASSERT_EQ(n, 4);
	for (size_t i = 0; i < n; i++) {
		ASSERT_EQ(gpo_sid_to_string(&sids[i], s, sizeof(s)), 0);
		ASSERT_STR(s, want[i]);
	}
	free(sids);
	gpo_sd_free(&sd);

	/* none: no DACL, a NULL DACL, only well-known SIDs */
	sd_begin(&w, 0);
	ASSERT_EQ(roundtrip(w.b, w.n), 0);
	ASSERT_EQ(gpo_sd_parse(w.b, w.n, &sd), 0);
	ASSERT_EQ(gpo_sd_domain_principals(&sd, &sids, &n), 0);
	ASSERT(sids == NULL && n == 0);
	gpo_sd_free(&sd);
	sd_begin(&w, GPO_SD_DACL_PRESENT);
	ASSERT_EQ(roundtrip(w.b, w.n), 0);
	ASSERT_EQ(gpo_sd_parse(w.b, w.n, &sd), 0);
	ASSERT_EQ(gpo_sd_domain_principals(&sd, &sids, &n), 0);
	ASSERT(sids == NULL && n == 0);
	gpo_sd_free(&sd);
	sd_begin(&w, GPO_SD_DACL_PRESENT);
	set32(&w, 16, (uint32_t)w.n);
	acl = acl_begin(&w);
	put_ace(&w, 0, 0, 1, NULL, NULL, "S-1-5-11");
	acl_end(&w, acl, 1);
	ASSERT_EQ(roundtrip(w.b, w.n), 0);
	ASSERT_EQ(gpo_sd_parse(w.b, w.n, &sd), 0);
	ASSERT_EQ(gpo_sd_domain_principals(&sd, &sids, &n), 0);
	ASSERT(sids == NULL && n == 0);
	gpo_sd_free(&sd);
	return 0;
}

/* Parses w expecting -EINVAL and a cleared result. */
static int expect_invalid(const struct bytes *w, const char *what)
{
	struct gpo_sd sd;
	static const struct gpo_sd zero;
	int rc = gpo_sd_parse(w->b, w->n, &sd);

	if (rc != -EINVAL || memcmp(&sd, &zero, sizeof(sd))) {
		fprintf(stderr, "%s: rc %d\n", what, rc);
		if (!rc)
			gpo_sd_free(&sd);
		return 1;
	}
	return 0;
}

/* A valid one-ACE DACL descriptor: header, ACL at 20, ACE at 28
 * (Authenticated Users, 20 bytes), then an owner SID at 48. */
static void small_sd(struct bytes *w)
{
	size_t acl;

	sd_begin(w, GPO_SD_DACL_PRESENT);
	set32(w, 16, (uint32_t)w->n);
	acl = acl_begin(w);
	put_ace(w, 0, 0, 0x20094, NULL, NULL, "S-1-5-11");
	acl_end(w, acl, 1);
	set32(w, 4, (uint32_t)w->n);
	put_sid(w, "S-1-5-21-1-2-3-512");
}

static int test_malformed(void)
{
	struct bytes w, fx;
	struct gpo_sd sd;
	size_t acl;
	int bad = 0;

	small_sd(&w);
	ASSERT_EQ(roundtrip(w.b, w.n), 0);
	ASSERT_EQ(gpo_sd_parse(w.b, w.n, &sd), 0);
	gpo_sd_free(&sd);
	ASSERT_EQ(gpo_sd_parse(NULL, 0, &sd), -EINVAL);

	/* every truncation of a real descriptor */
	ASSERT_EQ(from_hex(fixtures[0].hex, &fx), 0);
	for (size_t len = 0; len < fx.n; len++) {
		struct bytes t = fx;

		t.n = len;
		bad |= expect_invalid(&t, "truncated");
	}
	ASSERT(!bad);

#define BROKEN(what, edit)                              \
	do {                                            \
		small_sd(&w);                           \
		edit;                                   \
		bad |= expect_invalid(&w, what);        \
	} while (0)

	BROKEN("revision 0", w.b[0] = 0);
	BROKEN("revision 2", w.b[0] = 2);
	BROKEN("not self-relative", set16(&w, 2, GPO_SD_DACL_PRESENT));
	BROKEN("owner past the end", set32(&w, 4, 4096));
	BROKEN("owner at the end", set32(&w, 4, (uint32_t)w.n));
	BROKEN("owner offset wraps", set32(&w, 4, 0xfffffffc));
	BROKEN("owner inside the header", set32(&w, 4, 4));
	BROKEN("owner unaligned", set32(&w, 4, 49));
	BROKEN("owner truncated", w.n -= 4);
	BROKEN("owner 16 sub-authorities", w.b[49] = 16);
	BROKEN("owner SID revision 2", w.b[48] = 2);
	BROKEN("group past the end", set32(&w, 8, 0x10000));
	BROKEN("DACL past the end", set32(&w, 16, 4096));
	BROKEN("DACL offset wraps", set32(&w, 16, 0xfffffff8));
	BROKEN("DACL inside the header", set32(&w, 16, 8));
	BROKEN("DACL unaligned", set32(&w, 16, 22));
	BROKEN("ACL revision 1", w.b[20] = 1);
	BROKEN("ACL revision 5", w.b[20] = 5);
	BROKEN("ACL size below its header", set16(&w, 22, 4));
	BROKEN("ACL size larger than the buffer", set16(&w, 22, 0x1000));
	BROKEN("ACL size unaligned", set16(&w, 22, 27));
	BROKEN("ACE count larger than the ACL", set16(&w, 24, 1000));
	BROKEN("ACE count 65535", set16(&w, 24, 0xffff));
	BROKEN("second ACE missing", (set16(&w, 24, 2), set16(&w, 22, 44)));
	BROKEN("ACE size 0", set16(&w, 30, 0));
	BROKEN("ACE size 2", set16(&w, 30, 2));
	BROKEN("ACE size 4", set16(&w, 30, 4));
	BROKEN("ACE size 12", set16(&w, 30, 12));
	BROKEN("ACE size unaligned", set16(&w, 30, 21));
	BROKEN("ACE size past the ACL", set16(&w, 30, 24));
	BROKEN("ACE size 65532", set16(&w, 30, 0xfffc));
	BROKEN("ACE SID 16 sub-authorities", w.b[37] = 16);
	BROKEN("ACE SID 15 sub-authorities", w.b[37] = 15);
	BROKEN("ACE SID 2 sub-authorities", w.b[37] = 2);
	BROKEN("ACE SID revision 0", w.b[36] = 0);
	BROKEN("ACE type 4", w.b[28] = 4);
	BROKEN("ACE type 0x14", w.b[28] = 0x14);
	BROKEN("ACE type 0xff", w.b[28] = 0xff);
	BROKEN("SACL present but broken",
	       (set16(&w, 2, GPO_SD_SELF_RELATIVE | GPO_SD_DACL_PRESENT |
			     GPO_SD_SACL_PRESENT), set32(&w, 12, 44)));
	/* an object ACE: the same 20 bytes now need a flags word first */
	BROKEN("object ACE too short", w.b[28] = GPO_ACE_ALLOWED_OBJECT);

	/* object ACEs whose GUIDs do not fit, or unknown object flags */
	{
		static const uint32_t oflags[] = { 1, 2, 3, 4, 0x80000001 };

		for (size_t i = 0; i < 5; i++) {
			sd_begin(&w, GPO_SD_DACL_PRESENT);
			set32(&w, 16, (uint32_t)w.n);
			acl = acl_begin(&w);
			put_ace(&w, GPO_ACE_ALLOWED_OBJECT, 0, 0x100, NULL, NULL,
				"S-1-5-11");
			acl_end(&w, acl, 1);
			set32(&w, 36, oflags[i]);
			bad |= expect_invalid(&w, "object flags");
		}
	}
	ASSERT(!bad);
#undef BROKEN
	return 0;
}

/* Every byte of a real descriptor, and of a full one, changed to a few
 * values: the parser must either refuse it or return something the
 * writer can handle, and ASan watches every read. */
static int test_mutations(void)
{
	static const unsigned char values[] = { 0x00, 0x01, 0x02, 0x04, 0x0f,
						0x10, 0x7f, 0x80, 0xfe, 0xff };
	struct bytes base[2], t;
	long parsed = 0, refused = 0;

	if (from_hex(fixtures[0].hex, &base[0]))
		return 1;
	build_full_sd(&base[1]);
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < base[k].n; i++) {
			for (size_t v = 0; v < sizeof(values); v++) {
				struct gpo_sd sd;
				struct gpo_sid *sids;
				size_t n;
				char *s;
				int rc;

				t = base[k];
				t.b[i] = values[v];
				rc = gpo_sd_parse(t.b, t.n, &sd);
				if (rc) {
					ASSERT_EQ(rc, -EINVAL);
					refused++;
					continue;
				}
				parsed++;
				ASSERT_EQ(roundtrip(t.b, t.n), 0);
				rc = gpo_sd_to_sddl(&sd, NULL, &s);
				ASSERT(rc == 0 || rc == -EOPNOTSUPP);
				if (!rc)
					free(s);
				ASSERT_EQ(gpo_sd_domain_principals(&sd, &sids, &n), 0);
				free(sids);
				gpo_sd_free(&sd);
			}
		}
	}
	ASSERT(parsed > 0 && refused > 0);
	return 0;
}

/* A DC keeps a written DACL's explicit ACEs and derives the inherited
 * ones again: two DACLs that differ only there are the same to it. */
static int test_same_explicit_dacl(void)
{
	struct gpo_ace a_aces[3] = { 0 }, b_aces[3] = { 0 };
	struct gpo_sd a = { 0 }, b = { 0 };

	ASSERT_EQ(gpo_sid_from_string("S-1-5-11", &a_aces[0].sid), 0);
	a_aces[0].mask = 0x20094;
	ASSERT_EQ(gpo_sid_from_string("S-1-5-18", &a_aces[1].sid), 0);
	a_aces[1].mask = 0xf01ff;
	a_aces[1].flags = GPO_ACE_INHERITED | GPO_ACE_CONTAINER_INHERIT;
	ASSERT_EQ(gpo_sid_from_string("S-1-5-21-1-2-3-512", &a_aces[2].sid), 0);
	a_aces[2].mask = 0xf00ff;
	/* b: another inherited ACE first, then a's two explicit ones */
	b_aces[0] = a_aces[1];
	b_aces[0].mask = 0x20094;
	b_aces[1] = a_aces[0];
	b_aces[2] = a_aces[2];
	a.control = b.control = GPO_SD_DACL_PRESENT | GPO_SD_SELF_RELATIVE;
	a.has_dacl = b.has_dacl = true;
	a.dacl = (struct gpo_acl){ 2, 3, a_aces };
	b.dacl = (struct gpo_acl){ 2, 3, b_aces };
	ASSERT(gpo_sd_same_explicit_dacl(&a, &b));
	ASSERT(gpo_sd_same_explicit_dacl(&b, &a));
	/* owner, group and other control bits are not the DACL's */
	b.control |= GPO_SD_DACL_AUTO_INHERITED;
	b.has_owner = true;
	ASSERT(gpo_sd_same_explicit_dacl(&a, &b));
	b.control |= GPO_SD_DACL_PROTECTED;
	ASSERT(!gpo_sd_same_explicit_dacl(&a, &b));
	b.control &= (uint16_t)~GPO_SD_DACL_PROTECTED;
	b_aces[2].mask = 0xf01ff;
	ASSERT(!gpo_sd_same_explicit_dacl(&a, &b));
	b_aces[2].mask = a_aces[2].mask;
	/* one explicit ACE fewer, or in another order */
	b.dacl.n_aces = 2;
	ASSERT(!gpo_sd_same_explicit_dacl(&a, &b));
	b.dacl.n_aces = 3;
	b_aces[1] = a_aces[2];
	b_aces[2] = a_aces[0];
	ASSERT(!gpo_sd_same_explicit_dacl(&a, &b));
	/* no DACL at all on one side */
	b.has_dacl = false;
	b.control &= (uint16_t)~GPO_SD_DACL_PRESENT;
	ASSERT(!gpo_sd_same_explicit_dacl(&a, &b));
	a.has_dacl = false;
	a.control &= (uint16_t)~GPO_SD_DACL_PRESENT;
	ASSERT(gpo_sd_same_explicit_dacl(&a, &b));
	return 0;
}

static const struct test_case cases[] = {
	{ "sd_same_explicit_dacl", test_same_explicit_dacl },
	{ "sd_fixture_dacls", test_fixture_dacls },
	{ "sd_fixture_full", test_fixture_full },
	{ "sd_sid_string", test_sid_string },
	{ "sd_sddl_rights", test_sddl_rights },
	{ "sd_sddl_sids", test_sddl_sids },
	{ "sd_sddl_parts", test_sddl_parts },
	{ "sd_sddl_refused", test_sddl_refused },
	{ "sd_principals", test_principals },
	{ "sd_malformed", test_malformed },
	{ "sd_mutations", test_mutations },
	{ NULL, NULL }
};

int main(int argc, char **argv)
{
	return test_run(cases, argc, argv);
}
