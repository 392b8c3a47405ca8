/* Migration tables (gpo_migtable): both encodings, every type and
 * destination form, the matching rules, every refusal with its line, the
 * limits, and GPMC's format written and read back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_buf.h"
#include "gpo_migtable.h"
#include "gpo_utf16.h"
#include "test.h"

#define NS "http://www.microsoft.com/GroupPolicy/GPOOperations/MigrationTable"
#define DECL "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n"
#define ROOT "<MigrationTable xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" " \
	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns=\"" NS "\">\r\n"
/* lines 1 and 2; the first Mapping is on line 3 */
#define HEAD DECL ROOT
#define TAIL "</MigrationTable>\r\n"
#define MAP(type, src, dest) "  <Mapping>\r\n    <Type>" type "</Type>\r\n" \
	"    <Source>" src "</Source>\r\n    " dest "\r\n  </Mapping>\r\n"
#define SAME "<DestinationSameAsSource />"
#define NONE "<DestinationNone />"
#define REL "<DestinationByRelativeName />"
#define DEST(x) "<Destination>" x "</Destination>"

#define SID_DA "S-1-5-21-2508026330-3077189028-2444564301-512"

/* GPMC's own file: what "populate from backup" makes of a GPO whose ACL
 * names Domain Admins (a UTF-8 copy; the test converts it). */
static const char gpmc[] =
	"<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n"
	"<MigrationTable xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	"xmlns=\"http://www.microsoft.com/GroupPolicy/GPOOperations/MigrationTable\">\r\n"
	"  <Mapping>\r\n"
	"    <Type>GlobalGroup</Type>\r\n"
	"    <Source>Domain Admins@corp.test</Source>\r\n"
	"    <DestinationSameAsSource />\r\n"
	"  </Mapping>\r\n"
	"</MigrationTable>";

static int parse_n(const void *data, size_t len, struct gpo_migtable **t)
{
	struct gpo_err e = { 0 };
	int rc = gpo_migtable_parse(data, len, "t.migtable", t, &e);

	if (rc)
		fprintf(stderr, "parse: %d %s\n", rc, gpo_err_reason(&e));
	return rc;
}

static int parse(const char *s, struct gpo_migtable **t)
{
	return parse_n(s, strlen(s), t);
}

/* Parses s and expects code with a reason that holds want. */
static int refused_n(const void *s, size_t len, int code, const char *want)
{
	struct gpo_migtable *t = (struct gpo_migtable *)&t;
	struct gpo_err e = { 0 };
	int rc = gpo_migtable_parse(s, len, "to-prod.migtable", &t, &e);

	ASSERT_EQ(rc, code);
	ASSERT_EQ(e.code, code);
	ASSERT(!t);
	if (!strstr(e.reason, want)) {
		fprintf(stderr, "reason \"%s\" lacks \"%s\"\n", e.reason, want);
		return 1;
	}
	ASSERT(!strchr(e.reason, '\n'));
	return 0;
}

static int refused(const char *s, const char *want)
{
	return refused_n(s, strlen(s), -EINVAL, want);
}

static int test_migtable_utf16(void)
{
	struct gpo_migtable *t = NULL;
	const struct gpo_mig_entry *e;
	char *u16 = NULL;
	size_t n;

	ASSERT_EQ(gpo_utf8_to_utf16(gpmc, strlen(gpmc), true, &u16, &n), 0);
	ASSERT((unsigned char)u16[0] == 0xff && (unsigned char)u16[1] == 0xfe);
	ASSERT_EQ(parse_n(u16, n, &t), 0);
	ASSERT_EQ(gpo_migtable_count(t), 1);
	e = gpo_migtable_get(t, 0);
	ASSERT_EQ(e->type, GPO_MIG_GLOBAL_GROUP);
	ASSERT_STR(e->source, "Domain Admins@corp.test");
	ASSERT_EQ(e->dest_kind, GPO_MIG_DEST_SAME);
	ASSERT(!e->dest);
	ASSERT_EQ(e->line, 3);
	ASSERT(!gpo_migtable_get(t, 1));
	gpo_migtable_free(t);

	/* non-ASCII survives the conversion */
	static const char accented[] = HEAD MAP("User", "Jos\xc3\xa9@corp.test",
						DEST("Ren\xc3\xa9" "e@prod.test")) TAIL;
	free(u16);
	ASSERT_EQ(gpo_utf8_to_utf16(accented, strlen(accented), true, &u16, &n), 0);
	ASSERT_EQ(parse_n(u16, n, &t), 0);
	ASSERT_STR(gpo_migtable_get(t, 0)->source, "Jos\xc3\xa9@corp.test");
	ASSERT_STR(gpo_migtable_get(t, 0)->dest, "Ren\xc3\xa9" "e@prod.test");
	gpo_migtable_free(t);

	/* an odd length is not UTF-16 */
	ASSERT(!refused_n(u16, n - 1, -EINVAL, "to-prod.migtable: not valid UTF-16LE"));
	/* big-endian and BOM-less UTF-16 are refused, with the reason */
	ASSERT(!refused_n("\xfe\xff\0<", 4, -EINVAL, "big-endian"));
	ASSERT(!refused_n(u16 + 2, n - 2, -EINVAL, "without a byte order mark"));
	free(u16);
	return 0;
}

static int test_migtable_utf8(void)
{
	struct gpo_migtable *t = NULL;
	struct gpo_buf b = GPO_BUF_INIT;
	static const char plain[] =
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<MigrationTable xmlns=\"" NS "\">\n"
		"<Mapping><Type>User</Type><Source>a@x.test</Source>" SAME "</Mapping>\n"
		"<!-- a comment -->\n"
		"<Mapping>\n <Source>\n  b@x.test\n </Source>\n <Type>Computer</Type>\n"
		" " DEST("  <![CDATA[B$]]>@y.test ") "\n</Mapping>\n"
		"</MigrationTable>\n";

	/* no BOM, LF line ends, children in any order, CDATA, trimmed */
	ASSERT_EQ(parse(plain, &t), 0);
	ASSERT_EQ(gpo_migtable_count(t), 2);
	ASSERT_STR(gpo_migtable_get(t, 0)->source, "a@x.test");
	ASSERT_EQ(gpo_migtable_get(t, 0)->line, 3);
	ASSERT_STR(gpo_migtable_get(t, 1)->source, "b@x.test");
	ASSERT_EQ(gpo_migtable_get(t, 1)->type, GPO_MIG_COMPUTER);
	ASSERT_STR(gpo_migtable_get(t, 1)->dest, "B$@y.test");
	ASSERT_EQ(gpo_migtable_get(t, 1)->line, 5);
	gpo_migtable_free(t);

	/* a BOM, and GPMC's declaration kept by an editor that saved the
	 * file as UTF-8: the bytes decide */
	ASSERT_EQ(gpo_buf_add(&b, "\xef\xbb\xbf", 3), 0);
	ASSERT_EQ(gpo_buf_printf(&b, "%s", HEAD MAP("User", "Jos\xc3\xa9@x.test", SAME) TAIL), 0);
	ASSERT_EQ(parse_n(b.data, b.len, &t), 0);
	ASSERT_STR(gpo_migtable_get(t, 0)->source, "Jos\xc3\xa9@x.test");
	gpo_migtable_free(t);
	gpo_buf_free(&b);

	/* no declaration; an empty table */
	ASSERT_EQ(parse("<MigrationTable xmlns=\"" NS "\"/>", &t), 0);
	ASSERT_EQ(gpo_migtable_count(t), 0);
	gpo_migtable_free(t);

	/* invalid UTF-8 */
	ASSERT(!refused(HEAD MAP("User", "a\xff@x.test", SAME) TAIL, "to-prod.migtable line "));
	return 0;
}

static int test_migtable_types(void)
{
	static const char doc[] = HEAD
		MAP("User", "u@x.test", SAME)
		MAP("Computer", "c$@x.test", SAME)
		MAP("LocalGroup", "Administrators", SAME)
		MAP("GlobalGroup", "g@x.test", SAME)
		MAP("UniversalGroup", "ug@x.test", SAME)
		MAP("UNCPath", "\\\\srv\\share", SAME)
		MAP("Unknown", "S-1-5-32-544", SAME) TAIL;
	static const enum gpo_mig_type want[] = {
		GPO_MIG_USER, GPO_MIG_COMPUTER, GPO_MIG_LOCAL_GROUP, GPO_MIG_GLOBAL_GROUP,
		GPO_MIG_UNIVERSAL_GROUP, GPO_MIG_UNC_PATH, GPO_MIG_UNKNOWN,
	};
	static const char *const names[] = {
		"User", "Computer", "LocalGroup", "GlobalGroup", "UniversalGroup", "UNCPath",
		"Unknown",
	};
	struct gpo_migtable *t = NULL;

	ASSERT_EQ(parse(doc, &t), 0);
	ASSERT_EQ(gpo_migtable_count(t), 7);
	for (size_t i = 0; i < 7; i++) {
		ASSERT_EQ(gpo_migtable_get(t, i)->type, want[i]);
		ASSERT_EQ(gpo_migtable_get(t, i)->line, 3 + 5 * (long)i);
		ASSERT_STR(gpo_mig_type_name(want[i]), names[i]);
		ASSERT_EQ(gpo_mig_type_parse(names[i]), (int)want[i]);
	}
	gpo_migtable_free(t);
	ASSERT_EQ(gpo_mig_type_parse("user"), -EINVAL);
	ASSERT_EQ(gpo_mig_type_parse(""), -EINVAL);
	ASSERT(!gpo_mig_type_name((enum gpo_mig_type)7));
	return 0;
}

static int test_migtable_dests(void)
{
	static const char doc[] = HEAD
		MAP("User", "jdoe@src.test", DEST("PROD\\john"))
		MAP("User", "asmith@src.test", SAME)
		MAP("User", "old@src.test", NONE)
		MAP("GlobalGroup", "SRC\\Helpdesk", REL)
		MAP("GlobalGroup", "S-1-5-21-1-2-3-1105", REL) TAIL;
	struct gpo_mig_principal jdoe = { .sam = "jdoe", .dns = "src.test", .netbios = "SRC" };
	struct gpo_mig_principal asmith = { .sam = "asmith", .dns = "src.test", .netbios = "SRC" };
	struct gpo_mig_principal nb_less = { .sam = "asmith", .dns = "src.test" };
	struct gpo_mig_principal upn_only = { .upn = "asmith@mail.test" };
	struct gpo_mig_principal by_sid = { .sid = "S-1-5-21-1-2-3-1105" };
	struct gpo_mig_principal hd = { .sam = "Helpdesk", .netbios = "SRC" };
	struct gpo_migtable *t = NULL;
	char *s = NULL;

	ASSERT_EQ(parse(doc, &t), 0);
	ASSERT_EQ(gpo_migtable_get(t, 0)->dest_kind, GPO_MIG_DEST_NAME);
	ASSERT_STR(gpo_migtable_get(t, 0)->dest, "PROD\\john");
	ASSERT_EQ(gpo_migtable_get(t, 1)->dest_kind, GPO_MIG_DEST_SAME);
	ASSERT_EQ(gpo_migtable_get(t, 2)->dest_kind, GPO_MIG_DEST_NONE);
	ASSERT_EQ(gpo_migtable_get(t, 3)->dest_kind, GPO_MIG_DEST_RELATIVE);
	for (size_t i = 1; i < 5; i++)
		ASSERT(!gpo_migtable_get(t, i)->dest);

	/* NAME: the text as written */
	ASSERT_EQ(gpo_migtable_dest_name(gpo_migtable_get(t, 0), &jdoe, "PROD", "prod.test", &s), 1);
	ASSERT_STR(s, "PROD\\john");
	free(s);
	/* SAME: the source account itself */
	ASSERT_EQ(gpo_migtable_dest_name(gpo_migtable_get(t, 1), &asmith, "PROD", "prod.test", &s), 1);
	ASSERT_STR(s, "SRC\\asmith");
	free(s);
	ASSERT_EQ(gpo_migtable_dest_name(gpo_migtable_get(t, 1), &nb_less, "PROD", NULL, &s), 1);
	ASSERT_STR(s, "src.test\\asmith");
	free(s);
	ASSERT_EQ(gpo_migtable_dest_name(gpo_migtable_get(t, 1), &upn_only, "PROD", NULL, &s), 1);
	ASSERT_STR(s, "asmith@mail.test");
	free(s);
	ASSERT_EQ(gpo_migtable_dest_name(gpo_migtable_get(t, 1), NULL, "PROD", NULL, &s), 1);
	ASSERT_STR(s, "asmith@src.test");
	free(s);
	/* NONE: nothing to look up */
	s = (char *)"x";
	ASSERT_EQ(gpo_migtable_dest_name(gpo_migtable_get(t, 2), &jdoe, "PROD", "prod.test", &s), 0);
	ASSERT(!s);
	/* RELATIVE: the sam in the target domain */
	ASSERT_EQ(gpo_migtable_dest_name(gpo_migtable_get(t, 3), &hd, "PROD", "prod.test", &s), 1);
	ASSERT_STR(s, "PROD\\Helpdesk");
	free(s);
	ASSERT_EQ(gpo_migtable_dest_name(gpo_migtable_get(t, 3), &hd, NULL, "prod.test", &s), 1);
	ASSERT_STR(s, "prod.test\\Helpdesk");
	free(s);
	ASSERT_EQ(gpo_migtable_dest_name(gpo_migtable_get(t, 3), &hd, NULL, NULL, &s), 1);
	ASSERT_STR(s, "Helpdesk");
	free(s);
	/* without a sam, the account of a Source that is a name */
	ASSERT_EQ(gpo_migtable_dest_name(gpo_migtable_get(t, 3), &by_sid, "PROD", NULL, &s), 1);
	ASSERT_STR(s, "PROD\\Helpdesk");
	free(s);
	/* a SID alone has no relative name */
	ASSERT_EQ(gpo_migtable_dest_name(gpo_migtable_get(t, 4), &by_sid, "PROD", NULL, &s), -EINVAL);
	ASSERT(!s);
	gpo_migtable_free(t);
	return 0;
}

static int split(const char *name, const char *dom, const char *acc)
{
	char *d = (char *)"x", *a = (char *)"x";

	ASSERT_EQ(gpo_mig_split_name(name, &d, &a), 0);
	if (dom)
		ASSERT_STR(d, dom);
	else
		ASSERT(!d);
	ASSERT_STR(a, acc);
	free(d);
	free(a);
	return 0;
}

static int test_migtable_split(void)
{
	char *d = (char *)"x", *a = (char *)"x";

	ASSERT(!split("john@prod.test", "prod.test", "john"));
	ASSERT(!split("Domain Admins@prod.test", "prod.test", "Domain Admins"));
	ASSERT(!split("PROD\\john", "PROD", "john"));
	ASSERT(!split("prod.test\\john", "prod.test", "john"));
	ASSERT(!split("john", NULL, "john"));
	ASSERT(!split("a@b@prod.test", "prod.test", "a@b"));
	ASSERT(!split("PROD\\j@x", "PROD", "j@x"));
	ASSERT_EQ(gpo_mig_split_name("@prod.test", &d, &a), -EINVAL);
	ASSERT(!d && !a);
	ASSERT_EQ(gpo_mig_split_name("john@", &d, &a), -EINVAL);
	ASSERT_EQ(gpo_mig_split_name("\\john", &d, &a), -EINVAL);
	ASSERT_EQ(gpo_mig_split_name("PROD\\", &d, &a), -EINVAL);
	ASSERT_EQ(gpo_mig_split_name("", &d, &a), -EINVAL);
	ASSERT(!d && !a);
	return 0;
}

/* The line of the entry p finds, or 0 for none. */
static long found(const struct gpo_migtable *t, const struct gpo_mig_principal *p)
{
	const struct gpo_mig_entry *e = gpo_migtable_find_principal(t, p);

	return e ? e->line : 0;
}

static int test_migtable_sources(void)
{
	/* one line per mapping, so the line is the entry's number + 2 */
#define M1(type, src) "<Mapping><Type>" type "</Type><Source>" src "</Source>" SAME "</Mapping>\r\n"
	static const char doc[] = HEAD
		M1("User", "jdoe@corp.test")                      /* 3 */
		M1("User", "CORP\\asmith")                        /* 4 */
		M1("User", "corp.test\\bjones")                   /* 5 */
		M1("Unknown", "S-1-5-21-1-2-3-1107")              /* 6 */
		M1("Unknown", "*S-1-5-21-1-2-3-1108")             /* 7 */
		M1("Unknown", "Print Operators")                  /* 8 */
		M1("User", "j.doe@mail.example")                  /* 9 */
		M1("User", "Jos\xc3\xa9@corp.test")               /* 10 */
		M1("UNCPath", "\\\\corp\\mwhite")                 /* 11 */
		TAIL;
	struct gpo_mig_principal p;
	struct gpo_migtable *t = NULL;

	ASSERT_EQ(parse(doc, &t), 0);
	/* UPN form sam@dns, in any case */
	p = (struct gpo_mig_principal){ .sam = "jdoe", .dns = "CORP.TEST", .netbios = "CORP" };
	ASSERT_EQ(found(t, &p), 3);
	/* NETBIOS\sam */
	p = (struct gpo_mig_principal){ .sam = "ASmith", .dns = "corp.test", .netbios = "corp" };
	ASSERT_EQ(found(t, &p), 4);
	/* dns\sam */
	p = (struct gpo_mig_principal){ .sam = "bjones", .dns = "corp.test", .netbios = "CORP" };
	ASSERT_EQ(found(t, &p), 5);
	/* a SID, without and with '*', and a '*' on the principal's side */
	p = (struct gpo_mig_principal){ .sid = "S-1-5-21-1-2-3-1107" };
	ASSERT_EQ(found(t, &p), 6);
	p = (struct gpo_mig_principal){ .sid = "s-1-5-21-1-2-3-1108" };
	ASSERT_EQ(found(t, &p), 7);
	p = (struct gpo_mig_principal){ .sid = "*S-1-5-21-1-2-3-1107" };
	ASSERT_EQ(found(t, &p), 6);
	/* free text: the bare sam */
	p = (struct gpo_mig_principal){ .sam = "print operators", .netbios = "BUILTIN",
				    .sid = "S-1-5-32-550", .type = GPO_MIG_LOCAL_GROUP };
	ASSERT_EQ(found(t, &p), 8);
	/* the principal's own UPN, which need not be sam@dns */
	p = (struct gpo_mig_principal){ .sam = "jd", .dns = "corp.test", .upn = "J.Doe@Mail.Example" };
	ASSERT_EQ(found(t, &p), 9);
	/* non-ASCII, ignoring case */
	p = (struct gpo_mig_principal){ .sam = "JOS\xc3\x89", .dns = "corp.test" };
	ASSERT_EQ(found(t, &p), 10);
	/* a UNC entry never maps a principal; no false friends */
	p = (struct gpo_mig_principal){ .sam = "mwhite", .netbios = "\\\\corp" };
	ASSERT_EQ(found(t, &p), 0);
	p = (struct gpo_mig_principal){ .sam = "jdoe", .dns = "corp.tes" };
	ASSERT_EQ(found(t, &p), 0);
	p = (struct gpo_mig_principal){ .sam = "jdo", .dns = "corp.test" };
	ASSERT_EQ(found(t, &p), 0);
	p = (struct gpo_mig_principal){ .sid = "S-1-5-21-1-2-3-110" };
	ASSERT_EQ(found(t, &p), 0);
	p = (struct gpo_mig_principal){ 0 };
	ASSERT_EQ(found(t, &p), 0);
	ASSERT(!gpo_migtable_find_principal(t, NULL));
	gpo_migtable_free(t);
	return 0;
}

static int test_migtable_sid_first(void)
{
	static const char doc[] = HEAD
		M1("GlobalGroup", "Domain Admins@corp.test")     /* 3 */
		M1("GlobalGroup", "CORP\\Domain Admins")         /* 4 */
		M1("Unknown", "*" SID_DA)                        /* 5 */
		M1("Unknown", SID_DA)                            /* 6 */
		TAIL;
	struct gpo_mig_principal p = { .sid = SID_DA, .sam = "Domain Admins", .dns = "corp.test",
				   .netbios = "CORP" };
	struct gpo_migtable *t = NULL;

	ASSERT_EQ(parse(doc, &t), 0);
	/* the SID wins though two names come first; then the first SID */
	ASSERT_EQ(found(t, &p), 5);
	/* without the SID, the first name in document order */
	p.sid = NULL;
	ASSERT_EQ(found(t, &p), 3);
	/* another SID does not keep the names from matching */
	p.sid = "S-1-5-21-9-9-9-512";
	ASSERT_EQ(found(t, &p), 3);
	gpo_migtable_free(t);
	return 0;
}

/* Maps path through t; expects want (NULL: no match) and the entry's
 * line. */
static int mapped(const struct gpo_migtable *t, const char *path, const char *want, long line)
{
	const struct gpo_mig_entry *hit = (const struct gpo_mig_entry *)&hit;
	char *out = (char *)"x";
	int rc = gpo_migtable_map_path(t, path, &out, &hit);

	ASSERT_EQ(rc, want ? 1 : 0);
	if (!want) {
		ASSERT(!out && !hit);
		return 0;
	}
	if (!out || strcmp(out, want)) {
		fprintf(stderr, "map \"%s\": \"%s\" != \"%s\"\n", path, out ? out : "(null)", want);
		free(out);
		return 1;
	}
	free(out);
	ASSERT(hit);
	ASSERT_EQ(hit->line, line);
	return 0;
}

static int test_migtable_unc(void)
{
#define MU(src, dest) "<Mapping><Type>UNCPath</Type><Source>" src "</Source>" dest "</Mapping>\r\n"
	static const char doc[] = HEAD
		MU("\\\\srv\\share", DEST("\\\\new\\data"))               /* 3 */
		MU("\\\\srv\\share\\scripts", DEST("\\\\new\\netlogon\\")) /* 4 */
		MU("//files/home/", DEST("\\\\nas\\home"))                 /* 5 */
		MU("\\\\keep\\it\\", SAME)                                 /* 6 */
		MU("\\\\SRV\\share", DEST("\\\\other\\x"))                 /* 7 */
		M1("Unknown", "\\\\user\\share")                           /* 8 */
		TAIL;
	struct gpo_migtable *t = NULL;

	ASSERT_EQ(parse(doc, &t), 0);
	/* itself, below it, on a component boundary only */
	ASSERT(!mapped(t, "\\\\srv\\share", "\\\\new\\data", 3));
	ASSERT(!mapped(t, "\\\\srv\\share\\x\\y.cmd", "\\\\new\\data\\x\\y.cmd", 3));
	ASSERT(!mapped(t, "\\\\srv\\share\\", "\\\\new\\data\\", 3));
	ASSERT(!mapped(t, "\\\\srv\\shares", NULL, 0));
	ASSERT(!mapped(t, "\\\\srv\\shar", NULL, 0));
	ASSERT(!mapped(t, "\\\\srv", NULL, 0));
	/* case; the first of two equal Sources */
	ASSERT(!mapped(t, "\\\\SRV\\Share\\Logon.cmd", "\\\\new\\data\\Logon.cmd", 3));
	/* the longest Source wins, whatever the order; a trailing separator
	 * of the Destination is not doubled */
	ASSERT(!mapped(t, "\\\\srv\\share\\Scripts\\a.bat", "\\\\new\\netlogon\\a.bat", 4));
	ASSERT(!mapped(t, "\\\\srv\\share\\scripts", "\\\\new\\netlogon", 4));
	ASSERT(!mapped(t, "\\\\srv\\share\\scriptsx", "\\\\new\\data\\scriptsx", 3));
	/* '/' in the Source (and in the path), a trailing separator */
	ASSERT(!mapped(t, "\\\\files\\home\\%USERNAME%", "\\\\nas\\home\\%USERNAME%", 5));
	ASSERT(!mapped(t, "//files/home", "\\\\nas\\home", 5));
	ASSERT(!mapped(t, "\\\\files\\homes", NULL, 0));
	/* SameAsSource: the path unchanged */
	ASSERT(!mapped(t, "\\\\Keep\\IT\\a\\b", "\\\\Keep\\IT\\a\\b", 6));
	ASSERT(!mapped(t, "\\\\keep\\it", "\\\\keep\\it", 6));
	/* only UNCPath entries map paths */
	ASSERT(!mapped(t, "\\\\user\\share\\x", NULL, 0));
	ASSERT(!mapped(t, "", NULL, 0));
	gpo_migtable_free(t);
	return 0;
}

static int test_migtable_refused(void)
{
	/* not XML, not the table */
	ASSERT(!refused("", "to-prod.migtable line "));
	ASSERT(!refused(HEAD "<Mapping>", "to-prod.migtable line 3: "));
	ASSERT(!refused(HEAD MAP("User", "a", SAME) "</Migration>",
			"to-prod.migtable line 8: Opening and ending tag mismatch"));
	ASSERT(!refused(DECL "<MigrationTable>\r\n" MAP("User", "a", SAME) TAIL,
			"to-prod.migtable line 2: the MigrationTable is not in namespace " NS));
	ASSERT(!refused(DECL "<GroupPolicyBackupScheme xmlns=\"" NS "\"/>",
			"line 2: the root <GroupPolicyBackupScheme> is not a MigrationTable"));
	ASSERT(!refused(DECL "<MigrationTable xmlns=\"" NS "x\"/>", "line 2: the MigrationTable is not"));
	ASSERT(!refused(DECL "<!DOCTYPE MigrationTable [<!ENTITY a \"b\">]>\r\n"
			"<MigrationTable xmlns=\"" NS "\"/>", "to-prod.migtable line 2: a DOCTYPE is not allowed"));
	ASSERT(!refused(HEAD "<Mapping><Type>User</Type><Source>&ent;</Source>" SAME
			"</Mapping>" TAIL, "to-prod.migtable line 3: Entity 'ent' not defined"));
	/* what the table holds */
	ASSERT(!refused(HEAD "\r\n  <Map/>" TAIL,
			"to-prod.migtable line 4: unknown element <Map> in MigrationTable"));
	ASSERT(!refused(HEAD "  <Mapping xmlns=\"urn:x\"/>" TAIL,
			"line 3: unknown element <Mapping> in MigrationTable"));
	ASSERT(!refused(HEAD "  text" TAIL, "line 3: text in MigrationTable outside any value"));
	ASSERT(!refused(HEAD "  <Mapping>\r\n    <Type>User</Type>\r\n    <Source>a@b</Source>"
			"\r\n    " DEST("x") "\r\n    " NONE "\r\n  </Mapping>" TAIL,
			"to-prod.migtable line 7: Mapping has both Destination and DestinationNone"));
	ASSERT(!refused(HEAD MAP("User", "a@b", SAME SAME) TAIL,
			"line 6: Mapping has two DestinationSameAsSource"));
	ASSERT(!refused(HEAD MAP("User", "a@b", REL "<Type>User</Type>") TAIL,
			"line 6: Mapping has two Type"));
	ASSERT(!refused(HEAD MAP("User", "a@b", "<Source>c</Source>" SAME) TAIL,
			"line 6: Mapping has two Source"));
	ASSERT(!refused(HEAD MAP("User", "a@b", "") TAIL,
			"to-prod.migtable line 3: Mapping has no destination"));
	ASSERT(!refused(HEAD "\r\n<Mapping><Source>a</Source>" SAME "</Mapping>" TAIL,
			"line 4: Mapping has no Type"));
	ASSERT(!refused(HEAD "<Mapping><Type>User</Type>" SAME "</Mapping>" TAIL,
			"line 3: Mapping has no Source"));
	ASSERT(!refused(HEAD MAP("Group", "a@b", SAME) TAIL,
			"to-prod.migtable line 4: unknown Type \"Group\""));
	ASSERT(!refused(HEAD MAP("user", "a@b", SAME) TAIL, "line 4: unknown Type \"user\""));
	/* a value in a reason stays on one line, and short */
	ASSERT(!refused(HEAD MAP("Us\r\ner&#10;", "a@b", SAME) TAIL,
			"line 4: unknown Type \"Us?er\""));
	ASSERT(!refused(HEAD MAP("User", "a", "<Destination xmlns=\"urn:x\">b</Destination>") TAIL,
			"line 6: <Destination> in Mapping is not in the migration table namespace"));
	ASSERT(!refused(HEAD MAP("UNCPath", "C:\xc3\xa9" "0123456789012345678901234567890123456789",
				 SAME) TAIL, "line 5: UNCPath Source \"C:\xc3\xa9"
			"0123456789012345678901234567890123456...\" is not"));
	ASSERT(!refused(HEAD MAP("User", " \r\n ", SAME) TAIL, "line 5: Source is empty"));
	ASSERT(!refused(HEAD MAP("User", "a@b", DEST(" ")) TAIL, "line 6: Destination is empty"));
	ASSERT(!refused(HEAD MAP("User", "a@b", "<DestinationNone>x</DestinationNone>") TAIL,
			"line 6: DestinationNone holds text; it must be empty"));
	ASSERT(!refused(HEAD MAP("UNCPath", "\\\\srv\\share", NONE) TAIL,
			"to-prod.migtable line 6: DestinationNone on a UNCPath"));
	ASSERT(!refused(HEAD MAP("UNCPath", "\\\\srv\\share", REL) TAIL,
			"line 6: DestinationByRelativeName on a UNCPath"));
	ASSERT(!refused(HEAD MAP("UNCPath", "C:\\share", SAME) TAIL,
			"line 5: UNCPath Source \"C:\\share\" is not a UNC path"));
	ASSERT(!refused(HEAD MAP("UNCPath", "\\\\\\share", SAME) TAIL, "line 5: UNCPath Source"));
	ASSERT(!refused(HEAD MAP("User", "a<b/>", SAME) TAIL, "line 5: Source holds an element <b>"));
	ASSERT(!refused(HEAD MAP("User", "a", "<Extra/>" SAME) TAIL,
			"line 6: unknown element <Extra> in Mapping"));
	ASSERT(!refused(HEAD MAP("User", "a", "<x:Destination xmlns:x=\"urn:x\">b</x:Destination>")
			TAIL, "line 6: <Destination> in Mapping is not in the migration table namespace"));
	ASSERT(!refused(HEAD "<Mapping>x<Type>User</Type><Source>a</Source>" SAME "</Mapping>" TAIL,
			"line 3: text in Mapping outside any value"));
	return 0;
}

static int test_migtable_limits(void)
{
	struct gpo_buf b = GPO_BUF_INIT;
	struct gpo_migtable *t = NULL;
	char *big;

	/* one byte too many is refused before it is read */
	big = calloc(1, GPO_MIGTABLE_MAX_BYTES + 1);
	ASSERT(big);
	memset(big, ' ', GPO_MIGTABLE_MAX_BYTES + 1);
	if (refused_n(big, GPO_MIGTABLE_MAX_BYTES + 1, -EFBIG,
		      "to-prod.migtable: larger than 16777216 bytes")) {
		free(big);
		return 1;
	}
	free(big);

	/* the most mappings there may be, then one more */
	ASSERT_EQ(gpo_buf_printf(&b, "%s", HEAD), 0);
	for (int i = 0; i < GPO_MIGTABLE_MAX_ENTRIES; i++)
		ASSERT_EQ(gpo_buf_printf(&b, "<Mapping><Type>User</Type><Source>u%d</Source>"
					 SAME "</Mapping>\n", i), 0);
	ASSERT_EQ(gpo_buf_add(&b, TAIL, strlen(TAIL)), 0);
	ASSERT_EQ(parse_n(b.data, b.len, &t), 0);
	ASSERT_EQ(gpo_migtable_count(t), GPO_MIGTABLE_MAX_ENTRIES);
	/* lines past 65535 are still right */
	ASSERT_EQ(gpo_migtable_get(t, GPO_MIGTABLE_MAX_ENTRIES - 1)->line,
		  GPO_MIGTABLE_MAX_ENTRIES + 2);
	ASSERT_STR(gpo_migtable_get(t, 99999)->source, "u99999");
	gpo_migtable_free(t);
	b.len -= strlen(TAIL);
	ASSERT_EQ(gpo_buf_printf(&b, "<Mapping><Type>User</Type><Source>x</Source>" SAME
				 "</Mapping>\n" TAIL), 0);
	if (refused_n(b.data, b.len, -EFBIG, "to-prod.migtable line 100003: more than 100000 mappings")) {
		gpo_buf_free(&b);
		return 1;
	}
	gpo_buf_free(&b);
	return 0;
}

static int test_migtable_write(void)
{
	static const struct gpo_mig_entry_in one = {
		GPO_MIG_GLOBAL_GROUP, GPO_MIG_DEST_SAME, "Domain Admins@corp.test", NULL,
	};
	static const struct gpo_mig_entry_in all[] = {
		{ GPO_MIG_USER, GPO_MIG_DEST_NAME, "R&D <lead>@corp.test", "\"Jos\xc3\xa9\" 'x'@prod.test" },
		{ GPO_MIG_COMPUTER, GPO_MIG_DEST_NONE, "pc1$@corp.test", NULL },
		{ GPO_MIG_LOCAL_GROUP, GPO_MIG_DEST_SAME, "Administrators", NULL },
		{ GPO_MIG_GLOBAL_GROUP, GPO_MIG_DEST_RELATIVE, "CORP\\G&G", NULL },
		{ GPO_MIG_UNIVERSAL_GROUP, GPO_MIG_DEST_NAME, "u]]>x", "a\r\nb\tc" },
		{ GPO_MIG_UNC_PATH, GPO_MIG_DEST_NAME, "\\\\srv\\caf\xc3\xa9 & co", "\\\\new\\<x>" },
		{ GPO_MIG_UNKNOWN, GPO_MIG_DEST_SAME, "*S-1-5-21-1-2-3-4", NULL },
		{ GPO_MIG_UNC_PATH, GPO_MIG_DEST_SAME, "//srv/x", NULL },
	};
	const size_t n_all = sizeof(all) / sizeof(all[0]);
	struct gpo_migtable *t = NULL;
	char *out = NULL, *u16 = NULL;
	size_t len, n;

	/* GPMC's own bytes */
	ASSERT_EQ(gpo_migtable_write(&one, 1, &out, &len), 0);
	ASSERT_EQ(gpo_utf8_to_utf16(gpmc, strlen(gpmc), true, &u16, &n), 0);
	ASSERT_EQ(len, n);
	ASSERT(!memcmp(out, u16, n));
	free(u16);
	free(out);

	/* every type and destination, awkward characters: read back as
	 * they were */
	ASSERT_EQ(gpo_migtable_write(all, n_all, &out, &len), 0);
	ASSERT_EQ(parse_n(out, len, &t), 0);
	ASSERT_EQ(gpo_migtable_count(t), n_all);
	for (size_t i = 0; i < n_all; i++) {
		const struct gpo_mig_entry *e = gpo_migtable_get(t, i);

		ASSERT_EQ(e->type, all[i].type);
		ASSERT_EQ(e->dest_kind, all[i].dest_kind);
		ASSERT_STR(e->source, all[i].source);
		if (all[i].dest_kind == GPO_MIG_DEST_NAME)
			ASSERT_STR(e->dest, all[i].dest);
		else
			ASSERT(!e->dest);
		/* the LF inside entry 4's Destination is written as it is */
		ASSERT_EQ(e->line, 3 + 5 * (long)i + (i > 4));
	}
	gpo_migtable_free(t);
	free(out);

	/* an empty table */
	ASSERT_EQ(gpo_migtable_write(NULL, 0, &out, &len), 0);
	ASSERT_EQ(parse_n(out, len, &t), 0);
	ASSERT_EQ(gpo_migtable_count(t), 0);
	gpo_migtable_free(t);
	free(out);

	/* what would not read back as it is */
	static const struct gpo_mig_entry_in bad[] = {
		{ GPO_MIG_USER, GPO_MIG_DEST_SAME, "", NULL },
		{ GPO_MIG_USER, GPO_MIG_DEST_SAME, NULL, NULL },
		{ GPO_MIG_USER, GPO_MIG_DEST_SAME, " a", NULL },
		{ GPO_MIG_USER, GPO_MIG_DEST_SAME, "a\n", NULL },
		{ GPO_MIG_USER, GPO_MIG_DEST_SAME, "a\x01", NULL },
		{ GPO_MIG_USER, GPO_MIG_DEST_SAME, "a\xff", NULL },
		{ GPO_MIG_USER, GPO_MIG_DEST_NAME, "a", NULL },
		{ GPO_MIG_USER, GPO_MIG_DEST_NAME, "a", "" },
		{ GPO_MIG_UNC_PATH, GPO_MIG_DEST_NONE, "\\\\a\\b", NULL },
		{ GPO_MIG_UNC_PATH, GPO_MIG_DEST_RELATIVE, "\\\\a\\b", NULL },
		{ GPO_MIG_UNC_PATH, GPO_MIG_DEST_SAME, "a\\b", NULL },
		{ (enum gpo_mig_type)7, GPO_MIG_DEST_SAME, "a", NULL },
		{ GPO_MIG_USER, (enum gpo_mig_dest_kind)4, "a", NULL },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = (char *)"x";
		if (gpo_migtable_write(&bad[i], 1, &out, &len) != -EINVAL || out) {
			fprintf(stderr, "bad entry %zu written\n", i);
			return 1;
		}
	}
	return 0;
}

static const struct test_case cases[] = {
	{ "migtable_utf16", test_migtable_utf16 },
	{ "migtable_utf8", test_migtable_utf8 },
	{ "migtable_types", test_migtable_types },
	{ "migtable_dests", test_migtable_dests },
	{ "migtable_split", test_migtable_split },
	{ "migtable_sources", test_migtable_sources },
	{ "migtable_sid_first", test_migtable_sid_first },
	{ "migtable_unc", test_migtable_unc },
	{ "migtable_refused", test_migtable_refused },
	{ "migtable_limits", test_migtable_limits },
	{ "migtable_write", test_migtable_write },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	return test_run(cases, argc, argv);
}
