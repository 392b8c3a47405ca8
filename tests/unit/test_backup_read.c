/* Unit tests of reading a backup's own files: bkupInfo.xml and Backup.xml
 * from their bytes (gpo_backup_read.h), and gpo_backup_check, which reads
 * them from a folder and looks each Location up there. */
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpo_backup_read.h"
#include "gpo_store.h"

#define NS "http://www.microsoft.com/GroupPolicy/GPOOperations"
#define INFO(body) "<BackupInst xmlns=\"" NS "/Manifest\">" body "</BackupInst>"
#define SCHEME(body) "<?xml version=\"1.0\" encoding=\"utf-8\"?>" \
	"<GroupPolicyBackupScheme xmlns:bkp=\"" NS "\" xmlns=\"" NS "\">" \
	"<GroupPolicyObject>" body "</GroupPolicyObject></GroupPolicyBackupScheme>"
#define FILE_AT(loc) "<FSObjectFile bkp:Location=\"" loc "\"/>"

static const char good_info[] = INFO(
	"<GPOGuid><![CDATA[{31b2f340-016d-11d2-945f-00c04fb984f9}]]></GPOGuid>"
	"<GPODomain><![CDATA[corp.test]]></GPODomain>"
	"<ID><![CDATA[{0A1DD5AF-50DA-4D4D-866B-6C664765A155}]]></ID>"
	"<GPODisplayName><![CDATA[A & B]]></GPODisplayName>");

static int info_rc(const char *text, char *why, size_t whylen)
{
	struct gpo_backup_info info;
	int rc = gpo_bkupinfo_read(text, strlen(text), &info, why, whylen);

	if (rc && (info.domain || info.display_name))
		return 1000; /* a refusal must own nothing */
	if (!rc)
		gpo_backup_info_free(&info);
	return rc;
}

static int test_bkupinfo(void)
{
	struct gpo_backup_info info;
	char why[256];
	char *big;

	ASSERT_EQ(gpo_bkupinfo_read(good_info, strlen(good_info), &info, why,
				    sizeof(why)), 0);
	ASSERT_STR(info.id, "{0A1DD5AF-50DA-4D4D-866B-6C664765A155}");
	ASSERT_STR(info.gpo_guid, "{31B2F340-016D-11D2-945F-00C04FB984F9}");
	ASSERT_STR(info.domain, "corp.test");
	ASSERT_STR(info.display_name, "A & B");
	gpo_backup_info_free(&info);

	ASSERT_EQ(info_rc(INFO("<GPOGuid>{31B2F340-016D-11D2-945F-00C04FB984F9}</GPOGuid>"),
			  why, sizeof(why)), -EINVAL);
	ASSERT_STR(why, "bkupInfo.xml has no valid ID");
	ASSERT_EQ(info_rc(INFO("<ID>{0A1DD5AF-50DA-4D4D-866B-6C664765A155}</ID>"
			       "<GPOGuid>31B2F340</GPOGuid>"), why, sizeof(why)), -EINVAL);
	ASSERT_STR(why, "bkupInfo.xml has no valid GPOGuid");
	ASSERT_EQ(info_rc("<Other/>", why, sizeof(why)), -EINVAL);
	ASSERT_STR(why, "bkupInfo.xml is not a BackupInst");
	ASSERT_EQ(info_rc("<BackupInst><ID>", why, sizeof(why)), -EINVAL);
	ASSERT(!strncmp(why, "bkupInfo.xml is not well-formed XML", 35));
	ASSERT(!strchr(why, '\n'));
	ASSERT_EQ(info_rc("", why, sizeof(why)), -EINVAL);

	/* the length bounds the text: cut before </BackupInst> */
	ASSERT_EQ(gpo_bkupinfo_read(good_info, strlen(good_info) - 5, &info, why,
				    sizeof(why)), -EINVAL);
	big = malloc(GPO_BKUPINFO_MAX + 2);
	ASSERT(big);
	memset(big, ' ', GPO_BKUPINFO_MAX + 1);
	big[GPO_BKUPINFO_MAX + 1] = '\0';
	ASSERT_EQ(info_rc(big, why, sizeof(why)), -EINVAL);
	ASSERT(strstr(why, "larger than") != NULL);
	free(big);
	return 0;
}

static int locs_rc(const char *text, char *why, size_t whylen)
{
	char **locs = NULL;
	size_t n = 0;
	int rc = gpo_backup_xml_locations(text, strlen(text), &locs, &n, why,
					  whylen);

	if (!rc)
		gpo_backup_locations_free(locs, n);
	return rc;
}

static int test_locations(void)
{
	static const char two[] = SCHEME(
		"<GroupPolicyExtension>"
		FILE_AT("DomainSysvol\\GPO\\Machine\\registry.pol")
		"<FSObjectDir bkp:Location=\"DomainSysvol/GPO/User\">"
		FILE_AT("DomainSysvol\\GPO\\User\\a b.txt") "</FSObjectDir>"
		"<FSObjectFile Location=\"not in the namespace: ignored\"/>"
		"</GroupPolicyExtension>");
	char **locs = NULL;
	size_t n = 0;
	char why[256];

	ASSERT_EQ(gpo_backup_xml_locations(two, strlen(two), &locs, &n, why,
					   sizeof(why)), 0);
	ASSERT_EQ(n, 3);
	ASSERT_STR(locs[0], "DomainSysvol/GPO/Machine/registry.pol");
	ASSERT_STR(locs[1], "DomainSysvol/GPO/User");
	ASSERT_STR(locs[2], "DomainSysvol/GPO/User/a b.txt");
	gpo_backup_locations_free(locs, n);

	ASSERT_EQ(gpo_backup_xml_locations(SCHEME(""), strlen(SCHEME("")), &locs,
					   &n, why, sizeof(why)), 0);
	ASSERT_EQ(n, 0);
	ASSERT(locs == NULL);

	ASSERT_EQ(locs_rc(SCHEME(FILE_AT("DomainSysvol\\..\\..\\etc\\passwd")),
			  why, sizeof(why)), -EINVAL);
	ASSERT(strstr(why, "is not a plain path") != NULL);
	ASSERT_EQ(locs_rc(SCHEME(FILE_AT("DomainSysvol\\GPO\\\\x")), why,
			  sizeof(why)), -EINVAL);
	ASSERT(strstr(why, "is not a plain path") != NULL);
	ASSERT_EQ(locs_rc(SCHEME(FILE_AT("DomainSysvol\\GPO\\.")), why,
			  sizeof(why)), -EINVAL);
	/* a trailing separator: an empty last part (GPMC writes none) */
	ASSERT_EQ(locs_rc(SCHEME(FILE_AT("DomainSysvol\\")), why, sizeof(why)),
		  -EINVAL);
	ASSERT(strstr(why, "is not a plain path") != NULL);
	ASSERT_EQ(locs_rc(SCHEME(FILE_AT("DomainSysvol\\GPO/")), why,
			  sizeof(why)), -EINVAL);
	ASSERT_EQ(locs_rc(SCHEME(FILE_AT("\\\\server\\share\\x")), why,
			  sizeof(why)), -EINVAL);
	ASSERT(strstr(why, "is outside DomainSysvol") != NULL);
	ASSERT_EQ(locs_rc(SCHEME(FILE_AT("/etc/passwd")), why, sizeof(why)),
		  -EINVAL);
	ASSERT_EQ(locs_rc("<GroupPolicyBackupScheme/>", why, sizeof(why)),
		  -EINVAL);
	ASSERT_STR(why, "Backup.xml is not a GroupPolicyBackupScheme");
	ASSERT_EQ(locs_rc("<GroupPolicyBackupScheme", why, sizeof(why)), -EINVAL);
	ASSERT(!strncmp(why, "Backup.xml is not well-formed XML", 33));
	return 0;
}

static int put(const char *dir, const char *rel, const char *text)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* A backup folder: bkupInfo.xml, Backup.xml naming one file, the file. */
static int test_check(void)
{
	static const char bx[] = SCHEME(
		FILE_AT("DomainSysvol\\GPO\\machine\\REGISTRY.POL"));
	static const char missing[] = SCHEME(
		FILE_AT("DomainSysvol\\GPO\\Machine\\registry.pol")
		FILE_AT("DomainSysvol\\GPO\\Machine\\gone.txt"));
	char dir[] = "/tmp/gpo_unit_XXXXXX";
	char path[512], cmd[600];
	struct gpo_backup_info info;
	char why[256];

	ASSERT(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/DomainSysvol/GPO/Machine", dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	ASSERT_EQ(system(cmd), 0);
	ASSERT_EQ(put(dir, "DomainSysvol/GPO/Machine/Registry.pol", "PReg"), 0);
	ASSERT_EQ(put(dir, "bkupInfo.xml", good_info), 0);

	/* no Backup.xml yet */
	ASSERT_EQ(gpo_backup_check(dir, &info, why, sizeof(why)), -ENOENT);
	ASSERT_STR(why, "no Backup.xml");
	ASSERT(info.domain == NULL);
	/* a Location spelled in another case is found, as Windows finds it */
	ASSERT_EQ(put(dir, "Backup.xml", bx), 0);
	ASSERT_EQ(gpo_backup_check(dir, &info, why, sizeof(why)), 0);
	ASSERT_STR(info.id, "{0A1DD5AF-50DA-4D4D-866B-6C664765A155}");
	ASSERT_STR(info.domain, "corp.test");
	gpo_backup_info_free(&info);
	/* a missing Location is named as the backup names it */
	ASSERT_EQ(put(dir, "Backup.xml", missing), 0);
	ASSERT_EQ(gpo_backup_check(dir, &info, why, sizeof(why)), -ENOENT);
	ASSERT_STR(why, "Location DomainSysvol\\GPO\\Machine\\gone.txt is missing");
	/* a symlink is not a file of the backup */
	snprintf(path, sizeof(path), "%s/DomainSysvol/GPO/Machine/gone.txt", dir);
	ASSERT_EQ(symlink("/etc/passwd", path), 0);
	ASSERT_EQ(gpo_backup_check(dir, &info, why, sizeof(why)), -ENOENT);
	snprintf(path, sizeof(path), "%s/bkupInfo.xml", dir);
	unlink(path);
	ASSERT_EQ(symlink("/etc/hostname", path), 0);
	ASSERT_EQ(gpo_backup_check(dir, &info, why, sizeof(why)), -ENOENT);
	ASSERT_STR(why, "no bkupInfo.xml");
	/* not a backup at all */
	unlink(path);
	ASSERT_EQ(put(dir, "bkupInfo.xml", "<BackupInst><ID>"), 0);
	ASSERT_EQ(gpo_backup_check(dir, &info, why, sizeof(why)), -EINVAL);
	ASSERT(strstr(why, "bkupInfo.xml is not well-formed") != NULL);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ASSERT_EQ(system(cmd), 0);
	return 0;
}

static const struct test_case cases[] = {
	{ "backup_read_bkupinfo", test_bkupinfo },
	{ "backup_read_locations", test_locations },
	{ "backup_read_check", test_check },
	{ NULL, NULL }
};

int main(int argc, char **argv)
{
	return test_run(cases, argc, argv);
}
