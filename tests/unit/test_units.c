/* Unit tests of the FUSE-free library: formats, names, configuration. */
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "gpo_backup_xml.h"
#include "gpo_buf.h"
#include "gpo_conf.h"
#include "gpo_ad_error.h"
#include "gpo_inf.h"
#include "gpo_krb5.h"
#include "gpo_journal.h"
#include "gpo_links.h"
#include "gpo_log.h"
#include "gpo_model.h"
#include "gpo_name.h"

static int write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	fchmod(fd, mode);
	return close(fd);
}

static int test_guid(void)
{
	static const unsigned char bin[16] = {
		0x86, 0x3a, 0x11, 0x8d, 0x83, 0x7f, 0xed, 0x4d,
		0x9a, 0xd7, 0x75, 0x12, 0x2a, 0x34, 0xcf, 0x7e
	};
	char out[GPO_GUID_LEN + 1];

	ASSERT(gpo_guid_valid("{31B2F340-016D-11D2-945F-00C04FB984F9}"));
	ASSERT(gpo_guid_valid("{31b2f340-016d-11d2-945f-00c04fb984f9}"));
	ASSERT(!gpo_guid_valid("31B2F340-016D-11D2-945F-00C04FB984F9"));
	ASSERT(!gpo_guid_valid("{31B2F340-016D-11D2-945F-00C04FB984F}"));
	ASSERT(!gpo_guid_valid("{31B2F340-016D-11D2-945F-00C04FB984FZ}"));
	ASSERT(!gpo_guid_valid("{../../../../etc/passwd-00C04FB984F9}"));
	ASSERT(!gpo_guid_valid(NULL));
	ASSERT_EQ(gpo_guid_from_binary(bin, 16, out), 0);
	/* the domain GUID of the fixture's bkupInfo.xml, from its bytes */
	ASSERT_STR(out, "{8d113a86-7f83-4ded-9ad7-75122a34cf7e}");
	ASSERT_EQ(gpo_guid_from_binary(bin, 15, out), -EINVAL);
	return 0;
}

static int test_gentime(void)
{
	time_t t;

	ASSERT_EQ(gpo_parse_gentime("20160321134019.0Z", &t), 0);
	ASSERT_EQ(t, 1458567619);
	ASSERT_EQ(gpo_parse_gentime("2016032113", &t), -EINVAL);
	ASSERT_EQ(gpo_parse_gentime("garbage", &t), -EINVAL);
	return 0;
}

static int test_gptini(void)
{
	static const char ok[] = "[General]\r\nVersion=327685\r\ndisplayName=New\r\n";
	static const char spaced[] = "\xef\xbb\xbf[general]\n  Version = 65536 \n";
	static const char other[] = "[Other]\nVersion=3\n[General]\n";
	static const char bad[] = "[General]\nVersion=12x\n";
	static const char neg[] = "[General]\nVersion=-1\n";
	static const char huge[] = "[General]\nVersion=4294967296\n";
	uint32_t v = 0;

	ASSERT_EQ(gpo_gptini_version(ok, strlen(ok), &v), 0);
	ASSERT_EQ(v, 327685);
	ASSERT_EQ(gpo_version_user(v), 5);
	ASSERT_EQ(gpo_version_machine(v), 5);
	ASSERT_EQ(gpo_gptini_version(spaced, strlen(spaced), &v), 0);
	ASSERT_EQ(v, 65536);
	ASSERT_EQ(gpo_gptini_version(other, strlen(other), &v), -ENOENT);
	ASSERT_EQ(gpo_gptini_version(bad, strlen(bad), &v), -EINVAL);
	ASSERT_EQ(gpo_gptini_version(neg, strlen(neg), &v), -EINVAL);
	ASSERT_EQ(gpo_gptini_version(huge, strlen(huge), &v), -EINVAL);
	ASSERT_EQ(gpo_gptini_version("", 0, &v), -ENOENT);
	return 0;
}

static int test_wmi_link(void)
{
	char guid[GPO_GUID_LEN + 1];

	ASSERT_EQ(gpo_wmi_filter_guid("[corp.test;{0B7F2C9E-3A43-4E5C-9C47-6A4F1E2D3C4B};0]",
				      guid), 0);
	ASSERT_STR(guid, "{0B7F2C9E-3A43-4E5C-9C47-6A4F1E2D3C4B}");
	ASSERT_EQ(gpo_wmi_filter_guid("[corp.test;{0B7F2C9E};0]", guid), -EINVAL);
	ASSERT_EQ(gpo_wmi_filter_guid("corp.test", guid), -EINVAL);
	ASSERT_EQ(gpo_wmi_filter_guid(NULL, guid), -EINVAL);
	return 0;
}

static int test_hex(void)
{
	static const unsigned char sd[] = { 0x01, 0x00, 0x04, 0x9c, 0xff };
	char *s = gpo_hex_bytes(sd, sizeof(sd));

	ASSERT_STR(s, "01 00 04 9c ff");
	free(s);
	s = gpo_hex_bytes(NULL, 0);
	ASSERT_STR(s, "");
	free(s);
	return 0;
}

static int test_name_escape(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "Default Domain Policy", "Default Domain Policy" },
		{ "Servers/Finance", "Servers%2FFinance" },
		{ "100%", "100%25" },
		{ "a\nb\tc", "a%0Ab%09c" },
		{ ".", "%2E" },
		{ "..", "%2E." },
		{ "...", "..." },
		{ "Politique de s\xc3\xa9" "curit\xc3\xa9", "Politique de s\xc3\xa9" "curit\xc3\xa9" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *e = gpo_name_escape(cases[i].in);
		char *u = gpo_name_unescape(e);

		ASSERT_STR(e, cases[i].out);
		ASSERT_STR(u, cases[i].in);
		free(e);
		free(u);
	}
	ASSERT(gpo_name_unescape("bad%2") == NULL);
	ASSERT(gpo_name_unescape("nul%00") == NULL);
	return 0;
}

static int test_name_table(void)
{
	const char *names[] = { "Same Name", "B/C", "Same Name", "", "Alpha" };
	const char *guids[] = {
		"{00000000-0000-0000-0000-000000000001}",
		"{00000000-0000-0000-0000-000000000002}",
		"{00000000-0000-0000-0000-000000000003}",
		"{00000000-0000-0000-0000-000000000004}",
		"{00000000-0000-0000-0000-000000000005}",
	};
	struct gpo_name_entry *t = NULL;
	const struct gpo_name_entry *e;

	ASSERT_EQ(gpo_names_build(names, guids, 5, &t), 0);
	e = gpo_names_find(t, 5, "Alpha");
	ASSERT(e && e->index == 4);
	e = gpo_names_find(t, 5, "B%2FC");
	ASSERT(e && e->index == 1);
	ASSERT(gpo_names_find(t, 5, "Same Name") == NULL);
	e = gpo_names_find(t, 5, "Same Name ({00000000-0000-0000-0000-000000000001})");
	ASSERT(e && e->index == 0);
	e = gpo_names_find(t, 5, "Same Name ({00000000-0000-0000-0000-000000000003})");
	ASSERT(e && e->index == 2);
	e = gpo_names_find(t, 5, "({00000000-0000-0000-0000-000000000004})");
	ASSERT(e && e->index == 3);
	for (size_t i = 1; i < 5; i++)
		ASSERT(strcmp(t[i - 1].name, t[i].name) < 0);
	gpo_names_free(t, 5);
	return 0;
}

static int test_conf(void)
{
	char dir[] = "/tmp/gpo_unit_XXXXXX";
	char path[128];
	char msg[512];
	struct gpo_conf conf = { 0 };
	struct gpo_domain_conf *dc;

	ASSERT(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/gpofs.conf", dir);
	ASSERT_EQ(write_file(path,
		"# two forests\nbackup_dir = /srv/b\n"
		"[Corp.Test]\nserver = dc1.corp.test\ncredentials=/etc/c\n"
		"tls_cacert = /etc/ca.pem\n"
		"[prod.test]\nkrb5\n", 0644), 0);
	ASSERT_EQ(gpo_conf_load_file(&conf, path, msg, sizeof(msg)), 0);
	ASSERT_EQ(conf.n_domains, 2);
	ASSERT_STR(conf.domains[0].domain, "corp.test");
	ASSERT_STR(conf.domains[0].server, "dc1.corp.test");
	ASSERT_STR(conf.domains[0].tls_cacert, "/etc/ca.pem");
	ASSERT(conf.domains[1].krb5);
	ASSERT_STR(conf.backup_dir, "/srv/b");
	ASSERT_EQ(gpo_conf_finish(&conf, msg, sizeof(msg)), 0);
	ASSERT(conf.migtable_dir != NULL);
	ASSERT_STR(conf.log_dir, geteuid() ? conf.log_dir : "/var/lib/gpofs/log");
	ASSERT(strstr(conf.log_dir, "gpofs/log") != NULL);
	ASSERT_EQ(conf.workers, GPO_WORKERS_DEFAULT);
	gpo_conf_free(&conf);
	ASSERT_EQ(gpo_conf_set(&conf, NULL, "log_dir", "/srv/l", msg, sizeof(msg)), 0);
	ASSERT_STR(conf.log_dir, "/srv/l");
	gpo_conf_free(&conf);

	/* workers=: a number in range; 0 is allowed (in process) */
	ASSERT_EQ(gpo_conf_set(&conf, NULL, "workers", "0", msg, sizeof(msg)), 0);
	ASSERT(conf.workers_set && conf.workers == 0);
	ASSERT_EQ(gpo_conf_set(&conf, NULL, "workers", "8", msg, sizeof(msg)), 0);
	ASSERT_EQ(conf.workers, 8);
	ASSERT_EQ(gpo_conf_set(&conf, NULL, "workers", "33", msg, sizeof(msg)), -EINVAL);
	ASSERT(strstr(msg, "workers=") != NULL);
	ASSERT_EQ(gpo_conf_set(&conf, NULL, "workers", "2x", msg, sizeof(msg)), -EINVAL);
	ASSERT_EQ(gpo_conf_set(&conf, NULL, "workers", "-1", msg, sizeof(msg)), -EINVAL);
	ASSERT_EQ(gpo_conf_set(&conf, NULL, "workers", NULL, msg, sizeof(msg)), -EINVAL);
	ASSERT_EQ(conf.workers, 8);
	gpo_conf_free(&conf);

	/* malformed files say where */
	ASSERT_EQ(write_file(path, "[corp.test\n", 0644), 0);
	ASSERT_EQ(gpo_conf_load_file(&conf, path, msg, sizeof(msg)), -EINVAL);
	ASSERT(strstr(msg, ":1:") != NULL);
	gpo_conf_free(&conf);
	ASSERT_EQ(write_file(path, "server = x\n", 0644), 0);
	ASSERT_EQ(gpo_conf_load_file(&conf, path, msg, sizeof(msg)), -EINVAL);
	ASSERT(strstr(msg, "section") != NULL);
	gpo_conf_free(&conf);
	ASSERT_EQ(write_file(path, "[corp.test]\nbogus = 1\n", 0644), 0);
	ASSERT_EQ(gpo_conf_load_file(&conf, path, msg, sizeof(msg)), -EINVAL);
	gpo_conf_free(&conf);
	ASSERT_EQ(write_file(path, "[bad/name]\n", 0644), 0);
	ASSERT_EQ(gpo_conf_load_file(&conf, path, msg, sizeof(msg)), -EINVAL);
	gpo_conf_free(&conf);

	/* one way to sign in; no password in plain text */
	dc = gpo_conf_add_domain(&conf);
	ASSERT(dc);
	ASSERT_EQ(gpo_conf_set(&conf, dc, "domain", "corp.test", msg, sizeof(msg)), 0);
	ASSERT_EQ(gpo_conf_finish(&conf, msg, sizeof(msg)), -EINVAL);
	ASSERT_EQ(gpo_conf_set(&conf, dc, "credentials", "/x", msg, sizeof(msg)), 0);
	ASSERT_EQ(gpo_conf_set(&conf, dc, "ldap_tls", "none", msg, sizeof(msg)), 0);
	ASSERT_EQ(gpo_conf_finish(&conf, msg, sizeof(msg)), -EINVAL);
	ASSERT(strstr(msg, "plain-text simple bind") != NULL);
	ASSERT_EQ(gpo_conf_set(&conf, dc, "ldap_tls", "starttls", msg, sizeof(msg)), 0);
	ASSERT_EQ(gpo_conf_finish(&conf, msg, sizeof(msg)), 0);
	ASSERT_EQ(gpo_conf_set(&conf, dc, "tls_reqcert", "sometimes", msg, sizeof(msg)), -EINVAL);
	gpo_conf_free(&conf);
	unlink(path);
	rmdir(dir);
	return 0;
}

/* The default folders of one krb5 domain's mount, as gpo_conf_finish
 * fills them for whoever runs this. */
static int default_dirs(struct gpo_conf *conf)
{
	char msg[256];
	struct gpo_domain_conf *dc;

	memset(conf, 0, sizeof(*conf));
	dc = gpo_conf_add_domain(conf);
	ASSERT(dc);
	ASSERT_EQ(gpo_conf_set(conf, dc, "domain", "corp.test", msg, sizeof(msg)), 0);
	ASSERT_EQ(gpo_conf_set(conf, dc, "krb5", NULL, msg, sizeof(msg)), 0);
	ASSERT_EQ(gpo_conf_finish(conf, msg, sizeof(msg)), 0);
	return 0;
}

/* A user's defaults: $XDG_*_HOME/gpofs/..., else under ~/.cache and
 * ~/.local/share. The cache is the gpofs folder itself, as documented
 * (it was ~/.cache/gpofs/gpofs). */
static int user_dirs(void)
{
	struct gpo_conf conf;

	setenv("HOME", "/home/u", 1);
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	setenv("XDG_DATA_HOME", "/x/data", 1);
	ASSERT_EQ(default_dirs(&conf), 0);
	ASSERT_STR(conf.cache_dir, "/x/cache/gpofs");
	ASSERT_STR(conf.backup_dir, "/x/data/gpofs/backups");
	ASSERT_STR(conf.migtable_dir, "/x/data/gpofs/migtables");
	gpo_conf_free(&conf);
	unsetenv("XDG_CACHE_HOME");
	unsetenv("XDG_DATA_HOME");
	ASSERT_EQ(default_dirs(&conf), 0);
	ASSERT_STR(conf.cache_dir, "/home/u/.cache/gpofs");
	ASSERT_STR(conf.backup_dir, "/home/u/.local/share/gpofs/backups");
	gpo_conf_free(&conf);
	/* an empty XDG variable counts as unset, as the spec says */
	setenv("XDG_CACHE_HOME", "", 1);
	ASSERT_EQ(default_dirs(&conf), 0);
	ASSERT_STR(conf.cache_dir, "/home/u/.cache/gpofs");
	gpo_conf_free(&conf);
	return 0;
}

static int test_conf_dirs(void)
{
	struct gpo_conf conf;
	pid_t pid;
	int status = 0;

	if (geteuid() != 0)
		return user_dirs();
	ASSERT_EQ(default_dirs(&conf), 0);
	ASSERT_STR(conf.cache_dir, "/var/cache/gpofs");
	ASSERT_STR(conf.backup_dir, "/var/lib/gpofs/backups");
	ASSERT_STR(conf.migtable_dir, "/var/lib/gpofs/migtables");
	gpo_conf_free(&conf);
	/* root: the user's defaults in a child that is "nobody" */
	fflush(NULL);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(3);
		_exit(user_dirs());
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
	return 0;
}

/* A keytab file that is not there is said to be missing (the library
 * says "Cannot contact any KDC for realm ..."). */
static int test_krb5_keytab(void)
{
	char dir[] = "/tmp/gpo_unit_XXXXXX";
	char path[128];
	char msg[256] = "";
	char *cc = NULL;

	ASSERT(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/missing.keytab", dir);
	ASSERT_EQ(gpo_krb5_check_keytab(path, msg, sizeof(msg)), -ENOENT);
	ASSERT(strstr(msg, "does not exist") && strstr(msg, path));
	ASSERT_EQ(gpo_krb5_kinit_keytab(path, "a@CORP.TEST", dir, &cc, msg,
					sizeof(msg)), -ENOENT);
	ASSERT(strstr(msg, "does not exist") && !strstr(msg, "KDC"));
	ASSERT(cc == NULL);
	snprintf(path, sizeof(path), "FILE:%s/missing.keytab", dir);
	ASSERT_EQ(gpo_krb5_check_keytab(path, msg, sizeof(msg)), -ENOENT);
	ASSERT(strstr(msg, "FILE:") == NULL);
	/* other keytab types are the library's to check */
	ASSERT(gpo_krb5_check_keytab("MEMORY:x", msg, sizeof(msg)) == 0);
	snprintf(path, sizeof(path), "%s/kt", dir);
	ASSERT_EQ(write_file(path, "", 0600), 0);
	ASSERT_EQ(gpo_krb5_check_keytab(path, msg, sizeof(msg)), 0);
	unlink(path);
	rmdir(dir);
	return 0;
}

static int test_credentials(void)
{
	char dir[] = "/tmp/gpo_unit_XXXXXX";
	char path[128];
	char msg[512];
	struct gpo_credentials c;

	ASSERT(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cred", dir);
	ASSERT_EQ(write_file(path, "username = Administrator\npassword=s3cr=t\ndomain=CORP\n",
			     0600), 0);
	ASSERT_EQ(gpo_credentials_load(path, &c, msg, sizeof(msg)), 0);
	ASSERT_STR(c.username, "Administrator");
	ASSERT_STR(c.password, "s3cr=t");
	ASSERT_STR(c.domain, "CORP");
	gpo_credentials_free(&c);

	ASSERT_EQ(write_file(path, "username=CORP\\alice\npassword=pw\n", 0600), 0);
	ASSERT_EQ(gpo_credentials_load(path, &c, msg, sizeof(msg)), 0);
	ASSERT_STR(c.username, "alice");
	ASSERT_STR(c.domain, "CORP");
	gpo_credentials_free(&c);

	/* readable by others: refused, and the message names no secret */
	ASSERT_EQ(write_file(path, "username=a\npassword=topsecret\n", 0644), 0);
	ASSERT_EQ(gpo_credentials_load(path, &c, msg, sizeof(msg)), -EPERM);
	ASSERT(strstr(msg, "chmod 600") != NULL);
	ASSERT(strstr(msg, "topsecret") == NULL);
	ASSERT_EQ(write_file(path, "username=a\npassword=x\n", 0640), 0);
	ASSERT_EQ(gpo_credentials_load(path, &c, msg, sizeof(msg)), -EPERM);

	ASSERT_EQ(write_file(path, "username=a\n", 0600), 0);
	ASSERT_EQ(gpo_credentials_load(path, &c, msg, sizeof(msg)), -EINVAL);
	ASSERT_EQ(write_file(path, "username=a\npassword=b\nfoo=bar\n", 0600), 0);
	ASSERT_EQ(gpo_credentials_load(path, &c, msg, sizeof(msg)), -EINVAL);
	ASSERT_EQ(write_file(path, "garbage line\n", 0600), 0);
	ASSERT_EQ(gpo_credentials_load(path, &c, msg, sizeof(msg)), -EINVAL);
	unlink(path);
	ASSERT_EQ(gpo_credentials_load(path, &c, msg, sizeof(msg)), -ENOENT);
	rmdir(dir);
	return 0;
}

/* The text variants, which the file variants call: the same parse, with
 * the name given standing for the file, and NUL bytes refused. */
static int test_conf_text(void)
{
	static const char text[] = "workers = 2\n[corp.test]\nkrb5\n";
	struct gpo_conf conf = { 0 };
	char msg[512];

	ASSERT_EQ(gpo_conf_load_text(&conf, text, strlen(text), "x.conf", msg,
				     sizeof(msg)), 0);
	ASSERT_EQ(conf.n_domains, 1);
	ASSERT(conf.domains[0].krb5);
	ASSERT_EQ(conf.workers, 2);
	gpo_conf_free(&conf);
	/* not NUL-terminated: the length is all there is */
	ASSERT_EQ(gpo_conf_load_text(&conf, "[corp.test]\nkrb5=no", 16,
				     "x.conf", msg, sizeof(msg)), 0);
	ASSERT(conf.domains[0].krb5);
	gpo_conf_free(&conf);
	ASSERT_EQ(gpo_conf_load_text(&conf, "[a.test]\0x", 10, "x.conf", msg,
				     sizeof(msg)), -EINVAL);
	ASSERT(strstr(msg, "x.conf: holds a NUL byte") != NULL);
	gpo_conf_free(&conf);
	/* blank lines count: the error is on line 3 */
	ASSERT_EQ(gpo_conf_load_text(&conf, "\n\n[a.test\n", 10, "x.conf",
				     msg, sizeof(msg)), -EINVAL);
	ASSERT(strstr(msg, "x.conf:3: malformed section") != NULL);
	gpo_conf_free(&conf);
	ASSERT_EQ(gpo_conf_load_text(&conf, "", 0, "x.conf", msg, sizeof(msg)), 0);
	ASSERT_EQ(conf.n_domains, 0);
	gpo_conf_free(&conf);
	return 0;
}

static int test_credentials_text(void)
{
	static const char text[] = "username=CORP\\bob\npassword = p w \n";
	struct gpo_credentials c;
	char msg[512];

	ASSERT_EQ(gpo_credentials_parse(text, strlen(text), "c", &c, msg,
					sizeof(msg)), 0);
	ASSERT_STR(c.username, "bob");
	ASSERT_STR(c.domain, "CORP");
	ASSERT_STR(c.password, "p w");
	gpo_credentials_free(&c);
	/* the length bounds the text: "password=secret" cut to "passw" */
	ASSERT_EQ(gpo_credentials_parse("username=a\npassword=secret", 16, "c",
					&c, msg, sizeof(msg)), -EINVAL);
	ASSERT(strstr(msg, "secret") == NULL);
	ASSERT(c.username == NULL && c.password == NULL);
	ASSERT_EQ(gpo_credentials_parse("username=a\0\npassword=b\n", 23, "c",
					&c, msg, sizeof(msg)), -EINVAL);
	ASSERT(strstr(msg, "NUL") != NULL);
	return 0;
}

static void sample_gpo(struct gpo *g)
{
	static unsigned char sd[] = { 0x01, 0x00, 0x04, 0x9c, 0x00, 0x00, 0x00, 0x00 };

	memset(g, 0, sizeof(*g));
	strcpy(g->guid, "{ACB84CA7-8CA4-470E-90D6-D24849D70199}");
	g->display_name = "AppLocker <Audit> & ]]> more";
	g->flags = 1;
	g->version = 3 << 16 | 5;
	g->machine_ext = "[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{62C1845D-C4A6-4ACB-BBB0-C895FD090385}]";
	g->user_ext = "";
	g->wmi_filter = "[corp.test;{0B7F2C9E-3A43-4E5C-9C47-6A4F1E2D3C4B};0]";
	g->wmi_filter_name = "Windows 10";
	g->sd = sd;
	g->sd_len = sizeof(sd);
	g->changed = 1458567619;
}

static char *xpath_text(xmlDocPtr doc, const char *ns, const char *expr)
{
	xmlXPathContextPtr x = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o;
	char *out = NULL;

	xmlXPathRegisterNs(x, BAD_CAST "b", BAD_CAST ns);
	o = xmlXPathEvalExpression(BAD_CAST expr, x);
	if (o && o->nodesetval && o->nodesetval->nodeNr) {
		xmlChar *c = xmlNodeGetContent(o->nodesetval->nodeTab[0]);

		out = strdup((char *)c);
		xmlFree(c);
	}
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(x);
	return out;
}

#define NS "http://www.microsoft.com/GroupPolicy/GPOOperations"
#define CORE "/b:GroupPolicyBackupScheme/b:GroupPolicyObject/b:GroupPolicyCoreSettings/b:"

static int check_xpath(xmlDocPtr doc, const char *ns, const char *expr,
		       const char *want)
{
	char *got = xpath_text(doc, ns, expr);
	int bad = !got || strcmp(got, want);

	if (bad)
		fprintf(stderr, "%s: got \"%s\", want \"%s\"\n", expr,
			got ? got : "(none)", want);
	free(got);
	return bad;
}

static int test_backup_xml(void)
{
	struct gpo_domain_info di = { "corp.test", "CORP",
		"{8d113a86-7f83-4ded-9ad7-75122a34cf7e}", "dc-corp.corp.test" };
	struct gpo g;
	char *a = NULL, *b = NULL;
	size_t alen, blen;
	xmlDocPtr doc;
	char id1[GPO_GUID_LEN + 1], id2[GPO_GUID_LEN + 1];

	sample_gpo(&g);
	ASSERT_EQ(gpo_backup_xml(&di, &g, 2 << 16 | 4, NULL, &a, &alen), 0);
	ASSERT(!strncmp(a, "<?xml version=\"1.0\" encoding=\"utf-8\"?><!--", 42));
	ASSERT(strstr(a, "\r\n") != NULL);
	doc = xmlReadMemory(a, (int)alen, "Backup.xml", NULL, XML_PARSE_NONET);
	ASSERT(doc);
	ASSERT(!check_xpath(doc, NS, CORE "ID", g.guid));
	ASSERT(!check_xpath(doc, NS, CORE "Domain", "corp.test"));
	ASSERT(!check_xpath(doc, NS, CORE "DisplayName", g.display_name));
	ASSERT(!check_xpath(doc, NS, CORE "Options", "1"));
	/* directory half high, SYSVOL half low: user 3/2, machine 5/4 */
	ASSERT(!check_xpath(doc, NS, CORE "UserVersionNumber", "196610"));
	ASSERT(!check_xpath(doc, NS, CORE "MachineVersionNumber", "327684"));
	ASSERT(!check_xpath(doc, NS, CORE "MachineExtensionGuids", g.machine_ext));
	ASSERT(!check_xpath(doc, NS, CORE "UserExtensionGuids", ""));
	ASSERT(!check_xpath(doc, NS, CORE "WMIFilter", g.wmi_filter));
	ASSERT(!check_xpath(doc, NS, CORE "WMIFilterName", "Windows 10"));
	ASSERT(!check_xpath(doc, NS, CORE "SecurityDescriptor", "01 00 04 9c 00 00 00 00"));
	xmlFreeDoc(doc);

	/* byte-stable */
	ASSERT_EQ(gpo_backup_xml(&di, &g, 2 << 16 | 4, NULL, &b, &blen), 0);
	ASSERT(alen == blen && !memcmp(a, b, alen));
	free(a);
	free(b);

	/* no filter: no WMIFilterName */
	g.wmi_filter = NULL;
	ASSERT_EQ(gpo_backup_xml(&di, &g, 0, NULL, &a, &alen), 0);
	ASSERT(strstr(a, "<WMIFilter/></GroupPolicyCoreSettings>") != NULL);
	free(a);

	ASSERT_EQ(gpo_bkupinfo_xml(&di, &g, 2 << 16 | 4, &a, &alen), 0);
	ASSERT(!strncmp(a, "<BackupInst xmlns=", 18));
	doc = xmlReadMemory(a, (int)alen, "bkupInfo.xml", NULL, XML_PARSE_NONET);
	ASSERT(doc);
	gpo_backup_id(&g, 2 << 16 | 4, id1);
	ASSERT(!check_xpath(doc, NS "/Manifest", "/b:BackupInst/b:ID", id1));
	ASSERT(!check_xpath(doc, NS "/Manifest", "/b:BackupInst/b:BackupTime",
			    "2016-03-21T13:40:19"));
	ASSERT(!check_xpath(doc, NS "/Manifest", "/b:BackupInst/b:GPODomainGuid", di.guid));
	ASSERT(!check_xpath(doc, NS "/Manifest", "/b:BackupInst/b:GPODisplayName",
			    g.display_name));
	xmlFreeDoc(doc);
	free(a);

	/* the backup ID follows the versions */
	gpo_backup_id(&g, 2 << 16 | 5, id2);
	ASSERT(strcmp(id1, id2));
	ASSERT(gpo_guid_valid(id1));
	gpo_backup_id(&g, 2 << 16 | 4, id2);
	ASSERT_STR(id1, id2);
	return 0;
}


/* What a failed SMB or LDAP call says of the DC: libsmbclient's EINVAL
 * (any NT status it does not know, as NT_STATUS_INTERNAL_ERROR of a DC
 * that is starting) is the DC failing, not an invalid argument. */
static int test_dc_failure(void)
{
	struct gpo_log quiet = { 0 };

	ASSERT_EQ(gpo_smb_errno(&quiet, EINVAL, "list", "x"), -EIO);
	ASSERT_EQ(gpo_smb_errno(&quiet, ECONNREFUSED, "list", "x"), -ECONNREFUSED);
	ASSERT_EQ(gpo_smb_errno(&quiet, ENETRESET, "read", "x"), -ENETRESET);
	ASSERT_EQ(gpo_smb_errno(&quiet, EACCES, "open", "x"), -EACCES);
	ASSERT_EQ(gpo_smb_errno(&quiet, ENOENT, "open", "x"), -ENOENT);
	ASSERT_EQ(gpo_smb_errno(&quiet, EBUSY, "open", "x"), -EBUSY);
	ASSERT(!gpo_is_dc_failure(-EBUSY));
	ASSERT_EQ(gpo_smb_errno(&quiet, ENODATA, "read", "x"), -EIO);
	ASSERT(gpo_is_dc_failure(-EIO));
	ASSERT(gpo_is_dc_failure(-ECONNREFUSED));
	ASSERT(gpo_is_dc_failure(-ETIMEDOUT));
	ASSERT(gpo_is_dc_failure(-ECONNABORTED));
	ASSERT(gpo_is_dc_failure(-ESHUTDOWN));
	ASSERT(!gpo_is_dc_failure(0));
	ASSERT(!gpo_is_dc_failure(-EACCES));
	ASSERT(!gpo_is_dc_failure(-ENOENT));
	ASSERT(!gpo_is_dc_failure(-EPROTO));
	ASSERT(!gpo_is_dc_failure(-EINVAL));
	ASSERT(!gpo_is_dc_failure(-ENOMEM));
	return 0;
}

static void on_grew(void *arg, struct gpo_journal *j)
{
	(void)j;
	(*(int *)arg)++;
}

/* The whole file, NUL-terminated. */
static char *slurp(const char *path, size_t *len)
{
	char *buf = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0)
		goto out;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[st.st_size] = '\0';
	*len = (size_t)st.st_size;
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

/* Every line whole: "<20..Z> text\n", no NUL, no partial line. */
static int lines_whole(const char *text, size_t len)
{
	const char *p = text;

	ASSERT(len == strlen(text));
	while (p < text + len) {
		const char *nl = strchr(p, '\n');

		ASSERT(nl != NULL);
		ASSERT(nl - p > 21 && !strncmp(p, "20", 2) && p[19] == 'Z' && p[20] == ' ');
		p = nl + 1;
	}
	return 0;
}

static int test_journal(void)
{
	char dir[] = "/tmp/gpofs-unit-journal.XXXXXX";
	char path[256], buf[256];
	struct gpo_journal j, k;
	struct stat st, st2;
	char *text = NULL;
	size_t len = 0;
	int grew = 0;

	ASSERT(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/corp.example.log", dir);

	/* opening creates it private and writes nothing */
	ASSERT_EQ(gpo_journal_open(&j, path, 1000), 0);
	ASSERT_EQ(stat(path, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0600);
	ASSERT_EQ(st.st_size, 0);
	ASSERT_EQ(gpo_journal_read(&j, buf, sizeof(buf), 0), 0);

	/* a reader at an offset gets what is there now */
	gpo_journal_watch(&j, on_grew, &grew);
	gpo_journal_add(&j, "first %d", 1);
	ASSERT_EQ(gpo_journal_stat(&j, &st), 0);
	ASSERT_EQ(grew, 1);
	gpo_journal_add(&j, "a name with\na newline");
	ASSERT_EQ(grew, 2);
	memset(buf, 0, sizeof(buf));
	ASSERT(gpo_journal_read(&j, buf, sizeof(buf) - 1, st.st_size) > 0);
	ASSERT(strstr(buf, " a name with?a newline\n") != NULL);
	ASSERT(strchr(buf, '\n') == buf + strlen(buf) - 1);
	gpo_journal_watch(&j, NULL, NULL);
	gpo_journal_add(&j, "unwatched");
	ASSERT_EQ(grew, 2);

	/* across a close and an open: the same content and mtime */
	ASSERT_EQ(gpo_journal_stat(&j, &st), 0);
	gpo_journal_close(&j);
	gpo_journal_close(&j); /* twice is harmless */
	sleep(1);
	ASSERT_EQ(gpo_journal_open(&j, path, 1000), 0);
	ASSERT_EQ(gpo_journal_stat(&j, &st2), 0);
	ASSERT_EQ(st2.st_size, st.st_size);
	ASSERT_EQ(st2.st_mtim.tv_sec, st.st_mtim.tv_sec);
	ASSERT_EQ(st2.st_mtim.tv_nsec, st.st_mtim.tv_nsec);

	/* two journals on one file (two mounts), past the bound: whole
	 * lines only, never above it, the newest kept, the older half
	 * dropped */
	ASSERT_EQ(gpo_journal_open(&k, path, 1000), 0);
	for (int i = 0; i < 200; i++) {
		gpo_journal_add(i % 2 ? &k : &j, "line %03d of the journal", i);
		ASSERT_EQ(gpo_journal_stat(&j, &st), 0);
		ASSERT(st.st_size <= 1000);
	}
	text = slurp(path, &len);
	ASSERT(text != NULL);
	ASSERT(lines_whole(text, len) == 0);
	ASSERT(strstr(text, " line 199 of the journal\n") != NULL);
	ASSERT(strstr(text, " line 198 of the journal\n") != NULL);
	ASSERT(strstr(text, "first 1") == NULL);
	ASSERT(len >= 400); /* half of it at least, less a line */
	free(text);
	gpo_journal_close(&k);
	gpo_journal_close(&j);

	/* never through a symbolic link */
	snprintf(buf, sizeof(buf), "%s/link.log", dir);
	ASSERT_EQ(symlink(path, buf), 0);
	ASSERT_EQ(gpo_journal_open(&j, buf, 1000), -ELOOP);
	gpo_journal_close(&j);
	ASSERT_EQ(gpo_journal_stat(&j, &st), -EBADF);
	gpo_journal_add(&j, "into a journal that is not open");
	unlink(buf);
	unlink(path);
	rmdir(dir);
	return 0;
}

static int test_buf(void)
{
	struct gpo_buf b = GPO_BUF_INIT;
	char *p;
	size_t len;

	for (int i = 0; i < 1000; i++)
		ASSERT_EQ(gpo_buf_printf(&b, "%04d", i), 0);
	ASSERT_EQ(b.len, 4000);
	ASSERT(!memcmp(b.data + 3996, "0999", 4));
	p = gpo_buf_steal(&b, &len);
	ASSERT_EQ(len, 4000);
	ASSERT(b.data == NULL);
	free(p);
	return 0;
}

static int test_links(void)
{
	struct gpo_links l = { 0 };
	char *path;

	ASSERT_EQ(gpo_links_parse(&l, "OU=Servers,DC=corp,DC=test",
		"[LDAP://cn={31B2F340-016D-11D2-945F-00C04FB984F9},cn=policies,cn=system,DC=corp,DC=test;0]"
		"[LDAP://CN={d91de624-0fd0-44ca-abf6-2d4ba8a3c2af},CN=Policies,CN=System,DC=corp,DC=test;2]"
		"[LDAP://cn=notaguid,cn=policies;1]"), 0);
	ASSERT_EQ(l.n, 2);
	ASSERT_STR(l.items[0].guid, "{31B2F340-016D-11D2-945F-00C04FB984F9}");
	ASSERT_EQ(l.items[0].options, 0);
	ASSERT_EQ(l.items[0].order, 1);
	ASSERT_STR(l.items[1].guid, "{D91DE624-0FD0-44CA-ABF6-2D4BA8A3C2AF}");
	ASSERT_EQ(l.items[1].options, GPO_LINK_ENFORCED);
	ASSERT_EQ(l.items[1].order, 2);
	ASSERT_STR(l.items[1].som_dn, "OU=Servers,DC=corp,DC=test");
	/* malformed values append nothing */
	ASSERT_EQ(gpo_links_parse(&l, "DC=corp,DC=test", "[LDAP://cn={31B2F340-016D-11D2-945F-00C04FB984F9};0"), -EINVAL);
	ASSERT_EQ(gpo_links_parse(&l, "DC=corp,DC=test", "[LDAP://x;zz]"), -EINVAL);
	ASSERT_EQ(gpo_links_parse(&l, "DC=corp,DC=test", "garbage"), -EINVAL);
	ASSERT_EQ(l.n, 2);
	ASSERT_EQ(gpo_links_parse(&l, "DC=corp,DC=test", " "), 0);
	ASSERT_EQ(l.n, 2);
	gpo_links_clear(&l);
	ASSERT_EQ(l.n, 0);

	path = gpo_som_path("OU=Finance,OU=Servers,DC=corp,DC=test");
	ASSERT_STR(path, "corp.test/Servers/Finance");
	free(path);
	path = gpo_som_path("DC=corp,DC=test");
	ASSERT_STR(path, "corp.test");
	free(path);
	path = gpo_som_path("OU=a\\,b,DC=corp,DC=test");
	ASSERT_STR(path, "corp.test/a\\,b");
	free(path);
	return 0;
}

static int test_inf(void)
{
	static const char ascii[] =
		"[Unicode]\r\nUnicode=yes\r\n[Version]\r\nsignature=\"$CHICAGO$\"\r\n"
		"[Group Membership]\r\nFSLogix Profile Include List__Memberof =\r\n"
		"FSLogix Profile Include List__Members = FSLogix-Users\r\n"
		"[Privilege Rights]\r\n"
		"SeRemoteInteractiveLogonRight = *S-1-5-32-544,*S-1-5-21-1-2-3-512\r\n"
		"SeDenyNetworkLogonRight = FSLogix-Users, \"Guest Accounts\"\r\n"
		"[System Access]\r\nMinimumPasswordAge = 1\r\n"
		"[Registry Keys]\r\n\"MACHINE\\\\SOFTWARE\\\\X\",0,\"D:PAR(A;CI;KA;;;BA)(A;CI;KR;;;S-1-5-21-1-2-3-1105)\"\r\n";
	static const char bad[] = "[Group Membership]\r\nno separator here = x\r\n";
	struct gpo_inf_principal *p = NULL;
	size_t n = 0;
	char utf16[512];
	size_t len = 0;
	char *text = NULL;
	const char *src = "\xef\xbb\xbf[Privilege Rights]\nSeX = *S-1-5-21-9-9-9-1105, Caf\xc3\xa9\n";

	ASSERT_EQ(gpo_inf_principals(ascii, &p, &n), 0);
	ASSERT_EQ(n, 6);
	ASSERT_STR(p[5].name, "*S-1-5-21-1-2-3-1105");
	ASSERT_STR(p[0].name, "FSLogix Profile Include List");
	ASSERT_STR(p[1].name, "FSLogix-Users");
	ASSERT_STR(p[2].name, "*S-1-5-32-544");
	ASSERT_STR(p[3].name, "*S-1-5-21-1-2-3-512");
	ASSERT_STR(p[4].name, "Guest Accounts");
	gpo_inf_principals_free(p, n);
	ASSERT_EQ(gpo_inf_principals(bad, &p, &n), -EINVAL);

	/* UTF-16LE with a BOM, as Windows writes templates */
	utf16[len++] = (char)0xff;
	utf16[len++] = (char)0xfe;
	for (const char *c = "[Privilege Rights]\r\nSeX = *S-1-5-21-9-9-9-1105, Caf"; *c; c++) {
		utf16[len++] = *c;
		utf16[len++] = 0;
	}
	utf16[len++] = (char)0xe9; /* é */
	utf16[len++] = 0;
	ASSERT_EQ(gpo_inf_text(utf16, len, &text), 0);
	ASSERT_EQ(gpo_inf_principals(text, &p, &n), 0);
	ASSERT_EQ(n, 2);
	ASSERT_STR(p[1].name, "Caf\xc3\xa9");
	gpo_inf_principals_free(p, n);
	free(text);
	ASSERT_EQ(gpo_inf_text(src, strlen(src), &text), 0);
	ASSERT(!strncmp(text, "[Privilege", 10));
	free(text);
	ASSERT_EQ(gpo_ini_unc_paths("[Logon]\r\n0CmdLine=logon.cmd\r\n0Parameters=\r\n"
				    "1CmdLine=\\\\dc\\netlogon\\map.cmd\r\n"
				    "2CmdLine= \\\\dc\\netlogon\\map.cmd\r\n", &p, &n), 0);
	ASSERT_EQ(n, 1);
	ASSERT_STR(p[0].name, "\\\\dc\\netlogon\\map.cmd");
	gpo_inf_principals_free(p, n);
	/* an odd byte count is not UTF-16 */
	ASSERT_EQ(gpo_inf_text(utf16, len - 1, &text), -EINVAL);
	return 0;
}

static const struct test_case cases[] = {
	{ "inf", test_inf },
	{ "links", test_links },
	{ "guid", test_guid },
	{ "gentime", test_gentime },
	{ "gptini", test_gptini },
	{ "wmi_link", test_wmi_link },
	{ "hex", test_hex },
	{ "name_escape", test_name_escape },
	{ "name_table", test_name_table },
	{ "conf", test_conf },
	{ "conf_dirs", test_conf_dirs },
	{ "krb5_keytab", test_krb5_keytab },
	{ "credentials", test_credentials },
	{ "conf_text", test_conf_text },
	{ "credentials_text", test_credentials_text },
	{ "backup_xml", test_backup_xml },
	{ "journal", test_journal },
	{ "dc_failure", test_dc_failure },
	{ "buf", test_buf },
	{ NULL, NULL }
};

int main(int argc, char **argv)
{
	return test_run(cases, argc, argv);
}
