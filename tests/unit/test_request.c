/* Control-file requests (gpo_request): every rule of the grammar, its
 * refusals with their columns, and the helpers the control files use. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_request.h"
#include "test.h"

#define G1 "{31B2F340-016D-11D2-945F-00C04FB984F9}"
#define G2 "{6AC1786C-016F-11D2-945F-00C04FB984F9}"

static const char *const flags[] = { "strict", "dry-run", NULL };

static int parse(const char *s, struct gpo_request *r)
{
	struct gpo_err e = { 0 };
	int rc = gpo_request_parse(s, strlen(s), flags, r, &e);

	if (rc)
		fprintf(stderr, "parse \"%s\": %d %s\n", s, rc, gpo_err_reason(&e));
	return rc;
}

/* Parses n bytes of s, expects -EINVAL with a reason that holds want. */
static int refused_n(const char *s, size_t n, const char *want)
{
	struct gpo_request r;
	struct gpo_err e = { 0 };
	int rc = gpo_request_parse(s, n, flags, &r, &e);

	ASSERT_EQ(rc, -EINVAL);
	ASSERT_EQ(e.code, -EINVAL);
	if (!strstr(e.reason, want)) {
		fprintf(stderr, "reason \"%s\" lacks \"%s\"\n", e.reason, want);
		return 1;
	}
	/* a refused request leaves nothing behind */
	ASSERT_EQ(r.n_pos, 0);
	ASSERT_EQ(r.n_opts, 0);
	ASSERT_EQ(r.n_flags, 0);
	ASSERT(!r.pos && !r.opts && !r.flags);
	return 0;
}

static int refused(const char *s, const char *want)
{
	return refused_n(s, strlen(s), want);
}

static int test_request_examples(void)
{
	struct gpo_request r;

	/* the forms the design and the issues show, as echo writes them */
	ASSERT_EQ(parse(G1 " " G2 "\n", &r), 0);
	ASSERT_EQ(r.n_pos, 2);
	ASSERT_STR(r.pos[0].value, G1);
	ASSERT_STR(r.pos[1].value, G2);
	ASSERT_EQ(r.pos[1].col, 40);
	ASSERT(!r.pos[0].quoted);
	ASSERT_EQ(r.n_opts + r.n_flags, 0);
	gpo_request_free(&r);

	ASSERT_EQ(parse(G1 " create \"Kiosk lockdown\"\n", &r), 0);
	ASSERT_EQ(r.n_pos, 3);
	ASSERT(gpo_request_word_is(&r.pos[1], "create"));
	ASSERT(!gpo_request_word_is(&r.pos[2], "create"));
	ASSERT_STR(r.pos[2].value, "Kiosk lockdown");
	ASSERT(r.pos[2].quoted);
	gpo_request_free(&r);

	ASSERT_EQ(parse("/srv/gpo-backups/" G1 " " G2 " migtable=to-prod.migtable dry-run\n", &r), 0);
	ASSERT_EQ(r.n_pos, 2);
	ASSERT_STR(r.pos[0].value, "/srv/gpo-backups/" G1);
	ASSERT_EQ(r.pos[0].slash, 0);
	ASSERT_STR(gpo_request_option(&r, "migtable"), "to-prod.migtable");
	ASSERT_EQ(r.opts[0].col, 96);
	ASSERT(gpo_request_flag(&r, "dry-run"));
	ASSERT(!gpo_request_flag(&r, "strict"));
	ASSERT(!gpo_request_option(&r, "acl"));
	gpo_request_free(&r);

	ASSERT_EQ(parse("'" G1 "' \"Kiosk lockdown (test)\" acl=source", &r), 0);
	ASSERT_EQ(r.n_pos, 2);
	ASSERT_STR(r.pos[0].value, G1);
	ASSERT(r.pos[0].quoted);
	ASSERT_STR(r.pos[1].value, "Kiosk lockdown (test)");
	ASSERT_STR(gpo_request_option(&r, "acl"), "source");
	gpo_request_free(&r);

	ASSERT_EQ(parse("corp.example/\"Kiosk lockdown\" \"Kiosk lockdown\" "
			"migtable=to-prod.migtable strict\n", &r), 0);
	ASSERT_EQ(r.n_pos, 2);
	ASSERT_STR(r.pos[0].value, "corp.example/Kiosk lockdown");
	ASSERT_EQ(r.pos[0].slash, 12);
	ASSERT_EQ(r.pos[1].col, 31);
	ASSERT_EQ(r.pos[1].slash, GPO_REQUEST_NO_SLASH);
	ASSERT(gpo_request_flag(&r, "strict"));
	ASSERT_STR(gpo_request_option(&r, "migtable"), "to-prod.migtable");
	gpo_request_free(&r);

	/* blanks: tabs and runs of spaces separate, leading and trailing
	 * ones are nothing */
	ASSERT_EQ(parse(" \t a \t\tb  \n", &r), 0);
	ASSERT_EQ(r.n_pos, 2);
	ASSERT_STR(r.pos[0].value, "a");
	ASSERT_EQ(r.pos[0].col, 4);
	ASSERT_STR(r.pos[1].value, "b");
	ASSERT_EQ(r.pos[1].col, 8);
	gpo_request_free(&r);
	/* a zeroed request frees, twice */
	gpo_request_free(&r);
	return 0;
}

static int one_word(const char *s, const char *want, bool quoted)
{
	struct gpo_request r;

	ASSERT_EQ(parse(s, &r), 0);
	ASSERT_EQ(r.n_pos, 1);
	ASSERT_STR(r.pos[0].value, want);
	ASSERT_EQ(r.pos[0].quoted, quoted);
	gpo_request_free(&r);
	return 0;
}

static int test_request_quotes(void)
{
	struct gpo_request r;

	ASSERT(!one_word("plain", "plain", false));
	ASSERT(!one_word("a\"b c\"d", "ab cd", true));
	ASSERT(!one_word("'it'\"'\"'s'", "it's", true));
	ASSERT(!one_word("\"a\\\"b\\\\c\"", "a\"b\\c", true));
	ASSERT(!one_word("'a\\b\\\\c\"d'", "a\\b\\\\c\"d", true));
	ASSERT(!one_word("\"it's\"", "it's", true));
	ASSERT(!one_word("\"  spaces  \"", "  spaces  ", true));
	ASSERT(!one_word("\"\"", "", true));
	ASSERT(!one_word("''", "", true));
	ASSERT(!one_word("\"\"''\"\"", "", true));
	ASSERT(!one_word("x\"\"", "x", true));
	ASSERT(!one_word("\"Politique de sécurité — Ünïcode ✓\"",
			 "Politique de sécurité — Ünïcode ✓", true));
	/* a '/' in quotes is no split point; the first unquoted one is */
	ASSERT_EQ(parse("\"a/b\"/c/d", &r), 0);
	ASSERT_STR(r.pos[0].value, "a/b/c/d");
	ASSERT_EQ(r.pos[0].slash, 3);
	gpo_request_free(&r);
	/* empty words count: two positionals */
	ASSERT_EQ(parse("\"\" ''", &r), 0);
	ASSERT_EQ(r.n_pos, 2);
	ASSERT_EQ(r.pos[1].col, 4);
	gpo_request_free(&r);
	/* an escaped character is one column */
	ASSERT(!refused("\"\\\"\" \"x", "column 8: the double quote opened at column 6 is not closed"));
	return 0;
}

static int test_request_refused(void)
{
	ASSERT(!refused("", "empty request"));
	ASSERT(!refused("\n", "empty request"));
	ASSERT(!refused(" \t \n", "empty request"));
	ASSERT(!refused("a \"b c", "column 7: the double quote opened at column 3 is not closed"));
	ASSERT(!refused("a 'b c\n", "column 7: the single quote opened at column 3 is not closed"));
	ASSERT(!refused("\"abc\\", "double quote opened at column 1 is not closed"));
	ASSERT(!refused("\"abc\\\"", "double quote opened at column 1 is not closed"));
	ASSERT(!refused("ab\\ c", "column 3: backslash outside quotes"));
	ASSERT(!refused("\\\\server\\share", "column 1: backslash outside quotes"));
	ASSERT(!refused("\"a\\nb\"", "column 3: in double quotes a backslash escapes only"));
	ASSERT(!refused("\"a\\'b\"", "column 3: in double quotes a backslash escapes only"));
	ASSERT(!refused("a\tb \"c\td\"", "column 7: control character U+0009 inside quotes"));
	ASSERT(!refused("a b\r\n", "column 4: control character U+000D (a Windows line end?)"));
	ASSERT(!refused("a\nb\n", "column 2: a second line"));
	ASSERT(!refused("a\n\n", "column 2: a second line"));
	ASSERT(!refused("'a\nb'", "column 3: a second line"));
	ASSERT(!refused("a\x01", "column 2: control character U+0001"));
	ASSERT(!refused("a \x1b[31m", "column 3: control character U+001B"));
	ASSERT(!refused("'\x7f'", "column 2: control character U+007F"));
	ASSERT(!refused("x\xc2\x85y", "column 2: control character U+0085"));
	ASSERT(!refused_n("ab\0cd", 5, "column 3: NUL byte"));
	ASSERT(!refused_n("\"a\0\"", 4, "column 3: NUL byte"));
	ASSERT(!refused_n("\0", 1, "column 1: NUL byte"));
	ASSERT(!refused_n("a\n\0", 3, "column 2: a second line"));
	return 0;
}

static int test_request_utf8(void)
{
	struct gpo_request r;

	/* columns are characters: é and ✓ are one each */
	ASSERT_EQ(parse("é ✓ 😀x \"ü\"", &r), 0);
	ASSERT_EQ(r.n_pos, 4);
	ASSERT_EQ(r.pos[1].col, 3);
	ASSERT_EQ(r.pos[2].col, 5);
	ASSERT_STR(r.pos[2].value, "😀x");
	ASSERT_EQ(r.pos[3].col, 8);
	gpo_request_free(&r);
	ASSERT(!refused("é \x80", "column 3: invalid UTF-8 (byte 0x80)"));
	ASSERT(!refused("\xc0\xaf", "column 1: invalid UTF-8 (byte 0xC0)"));       /* overlong '/' */
	ASSERT(!refused("a\xe0\x80\xaf", "column 2: invalid UTF-8 (byte 0xE0)"));   /* overlong */
	ASSERT(!refused("\xf0\x80\x80\xaf", "invalid UTF-8 (byte 0xF0)"));          /* overlong */
	ASSERT(!refused("'\xed\xa0\x80'", "column 2: invalid UTF-8 (byte 0xED)")); /* surrogate */
	ASSERT(!refused("\xf4\x90\x80\x80", "invalid UTF-8 (byte 0xF4)"));         /* > U+10FFFF */
	ASSERT(!refused("ab\xe2\x82", "column 3: invalid UTF-8 (byte 0xE2)"));      /* truncated */
	ASSERT(!refused("ab\xe2\x82\n", "column 3: invalid UTF-8 (byte 0xE2)"));
	ASSERT(!refused("\xe2\x28\xa1", "invalid UTF-8 (byte 0xE2)"));             /* bad continuation */
	ASSERT(!refused("\xff", "invalid UTF-8 (byte 0xFF)"));
	ASSERT(!refused("\xf8\x88\x80\x80\x80", "invalid UTF-8 (byte 0xF8)"));      /* 5-byte form */
	/* the largest and the last before the surrogates are fine */
	ASSERT(!one_word("\xf4\x8f\xbf\xbf\xed\x9f\xbf", "\xf4\x8f\xbf\xbf\xed\x9f\xbf", false));
	return 0;
}

static int test_request_limits(void)
{
	char *s = malloc(GPO_REQUEST_MAX + 2);
	struct gpo_request r;
	int rc;
	size_t n;

	ASSERT(s);
	/* one word of GPO_REQUEST_MAX - 1 bytes and the LF: the most */
	memset(s, 'x', GPO_REQUEST_MAX - 1);
	s[GPO_REQUEST_MAX - 1] = '\n';
	s[GPO_REQUEST_MAX] = '\0';
	rc = parse(s, &r);
	ASSERT_EQ(rc, 0);
	ASSERT_EQ(strlen(r.pos[0].value), GPO_REQUEST_MAX - 1);
	gpo_request_free(&r);
	/* without an LF the limit is the same number of bytes */
	s[GPO_REQUEST_MAX - 1] = 'x';
	ASSERT_EQ(parse(s, &r), 0);
	gpo_request_free(&r);
	/* one byte more, LF or not */
	s[GPO_REQUEST_MAX] = '\n';
	s[GPO_REQUEST_MAX + 1] = '\0';
	ASSERT(!refused(s, "longer than 4096 bytes"));
	s[GPO_REQUEST_MAX] = 'x';
	ASSERT(!refused(s, "longer than 4096 bytes"));
	free(s);

	/* a very long line is refused at once */
	n = 1 << 20;
	s = malloc(n);
	ASSERT(s);
	memset(s, 'a', n);
	ASSERT(!refused_n(s, n, "longer than 4096 bytes"));
	free(s);

	/* GPO_REQUEST_MAX_WORDS words, of every kind; one more is refused */
	s = malloc(4 * GPO_REQUEST_MAX_WORDS + 16);
	ASSERT(s);
	strcpy(s, "strict k=v");
	for (int i = 2; i < GPO_REQUEST_MAX_WORDS; i++)
		strcat(s, " \"\"");
	ASSERT_EQ(parse(s, &r), 0);
	ASSERT_EQ(r.n_pos + r.n_opts + r.n_flags, GPO_REQUEST_MAX_WORDS);
	gpo_request_free(&r);
	strcat(s, " x");
	ASSERT(!refused(s, "column 102: more than 32 words"));
	free(s);
	return 0;
}

static int test_request_options(void)
{
	struct gpo_request r;

	ASSERT_EQ(parse("acl=source a_b-c=1 m=\"to prod.migtable\" e= q=a=b "
			"z='x y'\"z\"", &r), 0);
	ASSERT_EQ(r.n_pos, 0);
	ASSERT_EQ(r.n_opts, 6);
	ASSERT_STR(gpo_request_option(&r, "acl"), "source");
	ASSERT_STR(r.opts[1].key, "a_b-c");
	ASSERT_STR(gpo_request_option(&r, "a_b-c"), "1");
	ASSERT_STR(gpo_request_option(&r, "m"), "to prod.migtable");
	ASSERT_STR(gpo_request_option(&r, "e"), "");
	ASSERT_STR(gpo_request_option(&r, "q"), "a=b");
	ASSERT_STR(gpo_request_option(&r, "z"), "x yz");
	ASSERT_EQ(r.opts[2].col, 20);
	gpo_request_free(&r);

	/* not an option: the key is not [a-z][a-z_-]*, or it, or its '=',
	 * is quoted */
	ASSERT(!one_word("Acl=source", "Acl=source", false));
	ASSERT(!one_word("a1=x", "a1=x", false));
	ASSERT(!one_word("_a=x", "_a=x", false));
	ASSERT(!one_word("-a=x", "-a=x", false));
	ASSERT(!one_word("=x", "=x", false));
	ASSERT(!one_word("\"acl=source\"", "acl=source", true));
	ASSERT(!one_word("\"acl\"=source", "acl=source", true));
	ASSERT(!one_word("acl\"=\"source", "acl=source", true));
	ASSERT(!one_word("a/b=c", "a/b=c", false));

	ASSERT(!refused("acl=source x acl=default",
			"column 14: option acl= given twice (first at column 1)"));

	/* flags: unquoted and whole; once */
	ASSERT_EQ(parse("strict dry-run", &r), 0);
	ASSERT_EQ(r.n_flags, 2);
	ASSERT_EQ(r.n_pos, 0);
	ASSERT(gpo_request_flag(&r, "strict") && gpo_request_flag(&r, "dry-run"));
	gpo_request_free(&r);
	ASSERT(!one_word("\"strict\"", "strict", true));
	ASSERT(!one_word("str'ict'", "strict", true));
	ASSERT(!one_word("stricter", "stricter", false));
	ASSERT(!one_word("Strict", "Strict", false));
	ASSERT(!refused("strict x strict", "column 10: strict given twice"));

	/* a control file without flags takes the word as a positional */
	{
		struct gpo_err e = { 0 };

		ASSERT_EQ(gpo_request_parse("strict", 6, NULL, &r, &e), 0);
		ASSERT_EQ(r.n_pos, 1);
		ASSERT_EQ(r.n_flags, 0);
		gpo_request_free(&r);
	}
	return 0;
}

static int check_refused(const char *s, size_t min, size_t max,
			 const char *const *keys, const char *want)
{
	struct gpo_request r;
	struct gpo_err e = { 0 };

	ASSERT_EQ(parse(s, &r), 0);
	ASSERT_EQ(gpo_request_check(&r, min, max, keys, &e), -EINVAL);
	gpo_request_free(&r);
	ASSERT_STR(e.reason, want);
	return 0;
}

static int test_request_check(void)
{
	static const char *const copy_keys[] = { "acl", "migtable", NULL };
	static const char *const acl_values[] = { "source", "default", NULL };
	struct gpo_request r;
	struct gpo_err e = { 0 };
	const char *v = NULL;

	ASSERT_EQ(parse(G1 " \"New\" acl=source strict", &r), 0);
	ASSERT_EQ(gpo_request_check(&r, 2, 2, copy_keys, &e), 0);
	ASSERT_EQ(gpo_request_check(&r, 1, 3, copy_keys, &e), 0);
	ASSERT_EQ(gpo_request_choice(&r, "acl", acl_values, "default", &v, &e), 0);
	ASSERT_STR(v, "source");
	ASSERT(v == acl_values[0]);
	/* absent: the default */
	ASSERT_EQ(gpo_request_choice(&r, "mode", acl_values, "default", &v, &e), 0);
	ASSERT_STR(v, "default");
	ASSERT_EQ(gpo_request_choice(&r, "mode", acl_values, NULL, &v, &e), 0);
	ASSERT(v == NULL);
	ASSERT_EQ(e.code, 0);
	gpo_request_free(&r);

	ASSERT_EQ(parse("x acl=Source", &r), 0);
	ASSERT_EQ(gpo_request_choice(&r, "acl", acl_values, "default", &v, &e), -EINVAL);
	ASSERT_STR(e.reason, "column 3: acl=Source: expected acl=source or default");
	gpo_request_free(&r);

	ASSERT(!check_refused(G1, 2, 2, copy_keys, "expected 2 arguments, got 1"));
	ASSERT(!check_refused("strict", 1, 2, copy_keys, "expected at least 1 argument, got 0"));
	ASSERT(!check_refused("a b c d", 1, 2, copy_keys,
			      "column 5: unexpected argument \"c\" (at most 2)"));
	/* a reason quotes 40 characters, 120 bytes at most, whole ones */
	{
		char in[512] = "a ", want[512] = "column 3: unexpected argument \"";

		for (int i = 0; i < 50; i++)
			strcat(in, "é");
		for (int i = 0; i < 40; i++)
			strcat(want, "é");
		strcat(want, "\" (at most 1)");
		ASSERT(!check_refused(in, 1, 1, copy_keys, want));
		strcpy(in, "a ");
		strcpy(want, "column 3: unexpected argument \"");
		for (int i = 0; i < 50; i++)
			strcat(in, "😀");
		for (int i = 0; i < 30; i++)
			strcat(want, "😀");
		strcat(want, "\" (at most 1)");
		ASSERT(!check_refused(in, 1, 1, copy_keys, want));
	}
	ASSERT(!check_refused("a acl=source mig=x", 1, 2, copy_keys,
			      "column 14: unknown option mig= (known: acl= or migtable=)"));
	ASSERT(!check_refused("a acl=source", 1, 1, NULL,
			      "column 3: unknown option acl= (known: none)"));
	return 0;
}

static int ref_ok(const char *s, unsigned allow, enum gpo_ref_kind kind,
		  const char *domain, const char *value)
{
	struct gpo_request r;
	struct gpo_ref ref;
	struct gpo_err e = { 0 };
	int rc;

	ASSERT_EQ(parse(s, &r), 0);
	rc = gpo_request_ref(&r.pos[0], allow, &ref, &e);
	gpo_request_free(&r);
	if (rc)
		fprintf(stderr, "ref \"%s\": %s\n", s, gpo_err_reason(&e));
	ASSERT_EQ(rc, 0);
	ASSERT_EQ(ref.kind, kind);
	if (domain)
		ASSERT_STR(ref.domain, domain);
	else
		ASSERT(!ref.domain);
	ASSERT_STR(ref.value, value);
	gpo_ref_free(&ref);
	ASSERT(!ref.domain && !ref.value);
	return 0;
}

static int ref_refused(const char *s, unsigned allow, const char *want)
{
	struct gpo_request r;
	struct gpo_ref ref;
	struct gpo_err e = { 0 };

	ASSERT_EQ(parse(s, &r), 0);
	ASSERT_EQ(gpo_request_ref(&r.pos[0], allow, &ref, &e), -EINVAL);
	gpo_request_free(&r);
	ASSERT(!ref.domain && !ref.value);
	ASSERT_STR(e.reason, want);
	return 0;
}

static int test_request_ref(void)
{
	const unsigned src = GPO_REF_GUID | GPO_REF_NAME | GPO_REF_DOMAIN;
	const unsigned backup = GPO_REF_GUID | GPO_REF_PATH;

	/* copy's source: a GUID (any case, quoted or not), a name, either
	 * after a domain */
	ASSERT(!ref_ok(G1, src, GPO_REF_GUID, NULL, G1));
	ASSERT(!ref_ok("{31b2f340-016d-11d2-945f-00c04fb984f9}", src, GPO_REF_GUID, NULL, G1));
	ASSERT(!ref_ok("'" G1 "'", src, GPO_REF_GUID, NULL, G1));
	ASSERT(!ref_ok("\"Kiosk lockdown\"", src, GPO_REF_NAME, NULL, "Kiosk lockdown"));
	ASSERT(!ref_ok("corp.example/" G1, src, GPO_REF_GUID, "corp.example", G1));
	ASSERT(!ref_ok("corp.example/\"Kiosk lockdown\"", src, GPO_REF_NAME, "corp.example",
		       "Kiosk lockdown"));
	ASSERT(!ref_ok("\"corp.example/Kiosk lockdown\"", src, GPO_REF_NAME, NULL,
		       "corp.example/Kiosk lockdown"));
	ASSERT(!ref_ok("Corp.Example/\"Servers/Finance\"", src, GPO_REF_NAME, "Corp.Example",
		       "Servers/Finance"));
	ASSERT(!ref_ok("corp.example/Servers/Finance", src, GPO_REF_NAME, "corp.example",
		       "Servers/Finance"));
	ASSERT(!ref_ok("\"" G1 "x\"", src, GPO_REF_NAME, NULL, G1 "x"));
	/* a GUID-looking name is a name where GUIDs are not taken */
	ASSERT(!ref_ok(G1, GPO_REF_NAME, GPO_REF_NAME, NULL, G1));
	/* without GPO_REF_DOMAIN a '/' is part of the value */
	ASSERT(!ref_ok("a/b", GPO_REF_NAME, GPO_REF_NAME, NULL, "a/b"));

	/* restore's and import's backup: an ID or a path */
	ASSERT(!ref_ok(G1, backup, GPO_REF_GUID, NULL, G1));
	ASSERT(!ref_ok("/srv/gpo-backups/" G1, backup, GPO_REF_PATH, NULL, "/srv/gpo-backups/" G1));
	ASSERT(!ref_ok("\"/srv/gpo backups/" G1 "\"", backup, GPO_REF_PATH, NULL,
		       "/srv/gpo backups/" G1));
	ASSERT(!ref_ok("/srv/\"gpo backups\"/x", backup | GPO_REF_DOMAIN, GPO_REF_PATH, NULL,
		       "/srv/gpo backups/x"));

	ASSERT(!ref_refused("\"Kiosk\"", backup,
			    "column 1: expected a {GUID} or an absolute path, not \"Kiosk\""));
	ASSERT(!ref_refused("srv/x", backup,
			    "column 1: expected a {GUID} or an absolute path, not \"srv/x\""));
	ASSERT(!ref_refused("\"\"", src, "column 1: expected a {GUID} or a display name, not \"\""));
	ASSERT(!ref_refused("corp.example/", src,
			    "column 1: expected after the domain a {GUID} or a display name, not \"\""));
	ASSERT(!ref_refused("/srv/x", src, "column 1: \"\" before '/' is not a domain name"));
	ASSERT(!ref_refused("corp..example/x", src,
			    "column 1: \"corp..example\" before '/' is not a domain name"));
	ASSERT(!ref_refused("corp_example/x", src,
			    "column 1: \"corp_example\" before '/' is not a domain name"));
	ASSERT(!ref_refused("corp.example./x", src,
			    "column 1: \"corp.example.\" before '/' is not a domain name"));
	ASSERT(!ref_refused("\"Kiosk\"", GPO_REF_GUID, "column 1: expected a {GUID}, not \"Kiosk\""));
	ASSERT(!ref_refused("corp.example/Kiosk", GPO_REF_GUID | GPO_REF_DOMAIN,
			    "column 1: expected after the domain a {GUID}, not \"Kiosk\""));
	return 0;
}

static const struct test_case cases[] = {
	{ "request_examples", test_request_examples },
	{ "request_quotes", test_request_quotes },
	{ "request_refused", test_request_refused },
	{ "request_utf8", test_request_utf8 },
	{ "request_limits", test_request_limits },
	{ "request_options", test_request_options },
	{ "request_check", test_request_check },
	{ "request_ref", test_request_ref },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	return test_run(cases, argc, argv);
}
