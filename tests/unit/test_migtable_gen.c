/* A migration table to start from (gpo_migtable_gen): a backup folder
 * made here, whose settings name principals SecurityGroups knows, one it
 * does not, builtin ones and UNC paths, gives exactly GPMC's entries; and
 * every GPMC backup of the fixtures gives a table that parses and lists
 * each principal of its SecurityGroups. */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpo_backup_read.h"
#include "gpo_file.h"
#include "gpo_migrate.h"
#include "gpo_migtable.h"
#include "gpo_migtable_gen.h"
#include "gpo_utf16.h"
#include "test.h"

#define D "S-1-5-21-1111111111-2222222222-3333333333"
#define NS "http://www.microsoft.com/GroupPolicy/GPOOperations"

#define GROUP(src, sid, sam, type, upn) \
	"<Group" src "><Sid><![CDATA[" sid "]]></Sid><SamAccountName><![CDATA[" sam \
	"]]></SamAccountName><Type><![CDATA[" type "]]></Type><NetBIOSDomainName><![CDATA[CORP]]>" \
	"</NetBIOSDomainName><DnsDomainName><![CDATA[corp.test]]></DnsDomainName>" upn "</Group>"

static const char backup_xml[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
	"<GroupPolicyBackupScheme bkp:version=\"2.0\" bkp:type=\"GroupPolicyBackupTemplate\" "
	"xmlns:bkp=\"" NS "\" xmlns=\"" NS "\">\r\n"
	"<GroupPolicyObject><SecurityGroups>"
	GROUP("", D "-1101", "CorpHelpdesk", "GlobalGroup", "<UPN><![CDATA[CorpHelpdesk@corp.test]]></UPN>")
	/* no UPN: GPMC's form is made of its account and domain */
	GROUP("", D "-1102", "CorpPrinters", "GlobalGroup", "")
	GROUP("", D "-1103", "Kiosk", "UniversalGroup", "<UPN><![CDATA[Kiosk@corp.test]]></UPN>")
	GROUP(" bkp:Source=\"FromDACL\"", D "-512", "Domain Admins", "GlobalGroup",
	      "<UPN><![CDATA[Domain Admins@corp.test]]></UPN>")
	GROUP(" bkp:Source=\"FromDACL\"", "S-1-5-32-544", "Administrators", "LocalGroup", "")
	/* a name alone, as the generated Backup.xml lists one the template
	 * gives by name */
	"<Group><SamAccountName><![CDATA[LocalName]]></SamAccountName><Type><![CDATA[Unknown]]></Type></Group>"
	"</SecurityGroups><FilePaths/><GroupPolicyCoreSettings>"
	"<ID><![CDATA[{50C1514A-7F0D-4ABF-8B2E-07C600EC97E8}]]></ID><Domain><![CDATA[corp.test]]></Domain>"
	"<SecurityDescriptor>01 00 04 9c 00 00 00 00</SecurityDescriptor>"
	"<DisplayName><![CDATA[Gen source]]></DisplayName><Options><![CDATA[0]]></Options>"
	"<UserVersionNumber><![CDATA[1]]></UserVersionNumber>"
	"<MachineVersionNumber><![CDATA[3]]></MachineVersionNumber>"
	"<MachineExtensionGuids><![CDATA[ ]]></MachineExtensionGuids>"
	"<UserExtensionGuids><![CDATA[ ]]></UserExtensionGuids><WMIFilter/></GroupPolicyCoreSettings>"
	"</GroupPolicyObject></GroupPolicyBackupScheme>";

static const char gpttmpl[] =
	"[Unicode]\r\nUnicode=yes\r\n[Version]\r\nsignature=\"$CHICAGO$\"\r\nRevision=1\r\n"
	"[Privilege Rights]\r\n"
	"SeBackupPrivilege = *S-1-5-32-544,*" D "-1101,*" D "-1102\r\n"
	"SeInteractiveLogonRight = *S-1-5-32-545,*" D "-1999,LocalName\r\n"
	"SeServiceLogonRight = *S-1-5-18,*" D "-1101,*S-1-5-20\r\n"
	"[Group Membership]\r\n"
	"*" D "-1103__Memberof = *S-1-5-32-544\r\n"
	"*S-1-5-32-555__Members = *" D "-1103\r\n";

static const char scripts_ini[] =
	"\r\n[Startup]\r\n0CmdLine=\\\\corpsrv\\scripts\\start.cmd\r\n"
	"0Parameters=/log \\\\corpsrv\\logs\r\n"
	"1CmdLine=\\\\CORPSRV\\Scripts\\other.cmd\r\n1Parameters=\r\n";

static const char groups_xml[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<Groups clsid=\"{3125E937-EB16-4b4c-9934-544FC6D24D26}\">"
	"<Group clsid=\"{6D4A79E4-529C-4481-ABD0-F5BD7EA93BA7}\" name=\"Administrators (built-in)\" uid=\"{1}\">"
	"<Properties action=\"U\" groupName=\"Administrators (built-in)\" groupSid=\"S-1-5-32-544\">"
	"<Members>"
	"<Member name=\"CORP\\CorpHelpdesk\" action=\"ADD\" sid=\"" D "-1101\"/>"
	"<Member name=\"CORP\\Contractors\" action=\"ADD\" sid=\"" D "-1200\"/>"
	"<Member name=\"NT AUTHORITY\\INTERACTIVE\" action=\"ADD\" sid=\"S-1-5-4\"/>"
	"</Members></Properties></Group></Groups>\n";

static const char drives_xml[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<Drives clsid=\"{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}\">"
	"<Drive clsid=\"{935D1B74-9CB8-4e3c-9914-7DD559B7A417}\" name=\"H:\" uid=\"{2}\">"
	"<Properties action=\"U\" path=\"\\\\corpsrv\\home\\%USERNAME%\" label=\"Home\" letter=\"H\"/>"
	"</Drive></Drives>\n";

/* Writes len bytes (-1: a string) to root/rel, making its folders. */
static int put(const char *root, const char *rel, const char *data, long len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *s = strchr(path + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	fwrite(data, 1, len < 0 ? strlen(data) : (size_t)len, f);
	return fclose(f) ? -EIO : 0;
}

/* text as GPMC writes GptTmpl.inf and scripts.ini: UTF-16LE, a BOM. */
static int put_utf16(const char *root, const char *rel, const char *text)
{
	char *u = NULL;
	size_t n = 0;
	int rc = gpo_utf8_to_utf16(text, strlen(text), true, &u, &n);

	if (!rc)
		rc = put(root, rel, u, (long)n);
	free(u);
	return rc;
}

static int remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;

		while (d && (de = readdir(d))) {
			char child[PATH_MAX];

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
			remove_tree(child);
		}
		if (d)
			closedir(d);
		return rmdir(path) < 0 ? -errno : 0;
	}
	return unlink(path) < 0 ? -errno : 0;
}

static int make_backup(char *dir)
{
	strcpy(dir, "/tmp/gpo-migtable-gen-XXXXXX");
	if (!mkdtemp(dir))
		return -errno;
	if (put(dir, "Backup.xml", backup_xml, -1) ||
	    put_utf16(dir, "DomainSysvol/GPO/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf",
		      gpttmpl) ||
	    put_utf16(dir, "DomainSysvol/GPO/Machine/Scripts/scripts.ini", scripts_ini) ||
	    put(dir, "DomainSysvol/GPO/Machine/Preferences/Groups/Groups.xml", groups_xml, -1) ||
	    put(dir, "DomainSysvol/GPO/User/Preferences/Drives/Drives.xml", drives_xml, -1) ||
	    /* named by no setting a table maps */
	    put(dir, "DomainSysvol/GPO/Machine/registry.pol", "PReg\x01\0\0\0", 8))
		return -EIO;
	return 0;
}

struct want {
	enum gpo_mig_type type;
	const char *source;
};

static int expect(const char *data, size_t len, const struct want *w, size_t n)
{
	struct gpo_migtable *t = NULL;
	struct gpo_err err = { 0 };

	ASSERT(len > 2 && (unsigned char)data[0] == 0xff && (unsigned char)data[1] == 0xfe);
	ASSERT_EQ(gpo_migtable_parse(data, len, "generated", &t, &err), 0);
	ASSERT_EQ(gpo_migtable_count(t), n);
	for (size_t i = 0; i < n; i++) {
		const struct gpo_mig_entry *e = gpo_migtable_get(t, i);

		ASSERT_STR(e->source, w[i].source);
		ASSERT_EQ(e->type, w[i].type);
		ASSERT_EQ(e->dest_kind, GPO_MIG_DEST_SAME);
		ASSERT(e->dest == NULL);
	}
	gpo_migtable_free(t);
	return 0;
}

static int test_migtable_gen_folder(void)
{
	static const struct want want[] = {
		/* the settings' principals, in file order */
		{ GPO_MIG_GLOBAL_GROUP, "CorpHelpdesk@corp.test" },
		{ GPO_MIG_GLOBAL_GROUP, "CorpPrinters@corp.test" },
		{ GPO_MIG_UNKNOWN, D "-1999" },
		{ GPO_MIG_UNKNOWN, "LocalName" },
		{ GPO_MIG_UNIVERSAL_GROUP, "Kiosk@corp.test" },
		{ GPO_MIG_UNKNOWN, "CORP\\Contractors" },
		/* then SecurityGroups' others: the DACL's */
		{ GPO_MIG_GLOBAL_GROUP, "Domain Admins@corp.test" },
		/* then each share once */
		{ GPO_MIG_UNC_PATH, "\\\\corpsrv\\scripts" },
		{ GPO_MIG_UNC_PATH, "\\\\corpsrv\\logs" },
		{ GPO_MIG_UNC_PATH, "\\\\corpsrv\\home" },
	};
	char dir[64], *out = NULL, *again = NULL;
	size_t len = 0, len2 = 0;
	struct gpo_err err = { 0 };

	ASSERT_EQ(make_backup(dir), 0);
	ASSERT_EQ(gpo_migtable_gen_folder(dir, &out, &len, &err), 0);
	ASSERT_EQ(expect(out, len, want, sizeof(want) / sizeof(*want)), 0);
	/* the same bytes every time */
	ASSERT_EQ(gpo_migtable_gen_folder(dir, &again, &len2, &err), 0);
	ASSERT(len == len2 && !memcmp(out, again, len));
	free(out);
	free(again);
	ASSERT_EQ(remove_tree(dir), 0);
	return 0;
}

/* Names in any letter case, no GPO folder, and the refusals. */
static int test_migtable_gen_errors(void)
{
	static const struct want dacl_only[] = {
		{ GPO_MIG_GLOBAL_GROUP, "CorpHelpdesk@corp.test" },
		{ GPO_MIG_GLOBAL_GROUP, "CorpPrinters@corp.test" },
		{ GPO_MIG_UNIVERSAL_GROUP, "Kiosk@corp.test" },
		{ GPO_MIG_GLOBAL_GROUP, "Domain Admins@corp.test" },
		{ GPO_MIG_UNKNOWN, "LocalName" },
	};
	char dir[64], path[PATH_MAX], *out = NULL;
	size_t len = 0;
	struct gpo_err err = { 0 };

	strcpy(dir, "/tmp/gpo-migtable-gen-XXXXXX");
	ASSERT(mkdtemp(dir));
	ASSERT_EQ(gpo_migtable_gen_folder(dir, &out, &len, &err), -ENOENT);
	ASSERT(out == NULL && strstr(err.reason, "Backup.xml"));

	ASSERT_EQ(put(dir, "backup.XML", backup_xml, -1), 0);
	err = (struct gpo_err){ 0 };
	ASSERT_EQ(gpo_migtable_gen_folder(dir, &out, &len, &err), 0);
	ASSERT_EQ(expect(out, len, dacl_only, sizeof(dacl_only) / sizeof(*dacl_only)), 0);
	free(out);

	ASSERT_EQ(put(dir, "domainsysvol/gpo/Machine/Preferences/Groups/Groups.xml",
		      "<Groups><Group name=", -1), 0);
	err = (struct gpo_err){ 0 };
	ASSERT_EQ(gpo_migtable_gen_folder(dir, &out, &len, &err), -EINVAL);
	ASSERT(out == NULL && strstr(err.reason, "Groups.xml"));

	snprintf(path, sizeof(path), "%s/backup.XML", dir);
	ASSERT_EQ(put(dir, "backup.XML", "<GroupPolicyBackupScheme/>", -1), 0);
	err = (struct gpo_err){ 0 };
	ASSERT_EQ(gpo_migtable_gen_folder(dir, &out, &len, &err), -EINVAL);
	ASSERT(out == NULL && strstr(err.reason, "Backup.xml"));
	ASSERT_EQ(remove_tree(dir), 0);
	return 0;
}

/* Every GPMC backup of the fixtures: the table parses, and each
 * principal of SecurityGroups is in it by its UPN. */
static int test_migtable_gen_fixtures(void)
{
	const char *env = getenv("GPOFS_FIXTURES");
	char pattern[1024];
	glob_t g;
	size_t seen = 0, principals = 0;

	/* beside the repository, as tests/fuzz/run-one finds them */
	snprintf(pattern, sizeof(pattern), "%s/*/Backup.xml",
		 env ? env : GPO_SOURCE_ROOT "/../shared/fixtures/gpmc-backups");
	if (glob(pattern, 0, NULL, &g)) {
		fprintf(stderr, "no fixtures at %s: nothing to check\n", pattern);
		return 0;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char dir[PATH_MAX], why[256] = "", *xml = NULL, *out = NULL;
		size_t xlen = 0, len = 0;
		struct gpo_err err = { 0 };
		struct gpo_migtable *t = NULL;
		struct gpo_backup b;

		snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(g.gl_pathv[i], '/') - g.gl_pathv[i]),
			 g.gl_pathv[i]);
		ASSERT_EQ(gpo_file_read(g.gl_pathv[i], GPO_BACKUP_XML_MAX, &xml, &xlen, NULL), 0);
		ASSERT_EQ(gpo_backup_read(xml, xlen, &b, why, sizeof(why)), 0);
		if (gpo_migtable_gen_folder(dir, &out, &len, &err)) {
			fprintf(stderr, "%s: %s\n", dir, err.reason);
			return 1;
		}
		ASSERT_EQ(gpo_migtable_parse(out, len, dir, &t, &err), 0);
		for (size_t k = 0; k < b.n_groups; k++) {
			const struct gpo_backup_group *grp = &b.groups[k];
			bool found = false;
			char upn[512];

			/* GPMC writes what it does not know empty */
			if (!grp->sid || !*grp->sid || gpo_sid_is_builtin(grp->sid))
				continue;
			ASSERT(grp->sam && *grp->sam && grp->dns && *grp->dns);
			snprintf(upn, sizeof(upn), "%s@%s", grp->sam, grp->dns);
			ASSERT(!grp->upn || !*grp->upn || !strcmp(grp->upn, upn));
			for (size_t e = 0; e < gpo_migtable_count(t) && !found; e++)
				found = !strcmp(gpo_migtable_get(t, e)->source, upn);
			if (!found) {
				fprintf(stderr, "%s: %s (%s) is not in the table\n", dir, grp->sid, upn);
				return 1;
			}
			principals++;
		}
		gpo_migtable_free(t);
		gpo_backup_free(&b);
		free(xml);
		free(out);
		seen++;
	}
	globfree(&g);
	ASSERT(seen >= 12);
	ASSERT(principals > 0);
	return 0;
}

static const struct test_case cases[] = {
	{ "migtable_gen_folder", test_migtable_gen_folder },
	{ "migtable_gen_errors", test_migtable_gen_errors },
	{ "migtable_gen_fixtures", test_migtable_gen_fixtures },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	return test_run(cases, argc, argv);
}
