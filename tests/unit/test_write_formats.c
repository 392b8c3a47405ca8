/* What a write to a GPO changes besides its files: the versions, GPT.INI
 * and the extension lists. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_backup_read.h"
#include "gpo_cse.h"
#include "gpo_gptini.h"
#include "gpo_model.h"
#include "test.h"

#define REG "{35378EAC-683F-11D2-A89A-00C04FBBCFA2}"
#define SEC "[{827D319E-6EAC-11D2-A4EA-00C04F79F83A}{803E14A0-B4FB-11D0-A0D0-00A0C90F574B}]"
#define NUL_CSE "{00000000-0000-0000-0000-000000000000}"
#define DRIVES "{5794DAFD-BE60-433F-88A2-1A31939AC01F}"
#define DRIVES_TOOL "{2EA1A81B-48E5-45E9-8BB7-A6E3AC170006}"

static int test_version_bump(void)
{
	ASSERT_EQ(gpo_version_bump(0, false, true), 1);
	ASSERT_EQ(gpo_version_bump(0, true, false), 0x10000);
	ASSERT_EQ(gpo_version_bump(0x00050003, true, true), 0x00060004);
	ASSERT_EQ(gpo_version_bump(0x00050003, false, false), 0x00050003);
	/* a half that would wrap to 0 becomes 1, the other is untouched */
	ASSERT_EQ(gpo_version_bump(0xffff0007, true, false), 0x00010007);
	ASSERT_EQ(gpo_version_bump(0x0007ffff, false, true), 0x00070001);
	ASSERT_EQ(gpo_version_above(0x00030009, 0x00050002), 0x0006000a);
	ASSERT_EQ(gpo_version_above(0, 0), 0x00010001);
	return 0;
}

static int expect_ini(const char *in, uint32_t v, const char *want)
{
	char *out = NULL;
	size_t len = 0;
	int rc = gpo_gptini_with_version(in, strlen(in), v, &out, &len);

	ASSERT_EQ(rc, 0);
	ASSERT_STR(out, want);
	ASSERT_EQ(len, strlen(want));
	free(out);
	return 0;
}

static int test_gptini_version(void)
{
	uint32_t v = 0;
	char *out = NULL;
	size_t len;

	/* samba-tool's new GPO; GPMC's; no file at all */
	ASSERT(!expect_ini("[General]\r\nVersion=0\r\n", 65537, "[General]\r\nVersion=65537\r\n"));
	ASSERT(!expect_ini("[General]\r\nVersion=3\r\ndisplayName=New Group Policy Object\r\n", 4,
			   "[General]\r\nVersion=4\r\ndisplayName=New Group Policy Object\r\n"));
	ASSERT(!expect_ini("", 2, "[General]\r\nVersion=2\r\n"));
	/* the key's spelling and the line's ending stay; LF files stay LF */
	ASSERT(!expect_ini("[general]\nversion = 12 \n", 13, "[general]\nversion = 13 \n"));
	/* no Version line: added last in [General]; other sections alone */
	ASSERT(!expect_ini("[General]\r\ndisplayName=x\r\n[Other]\r\nVersion=9\r\n", 5,
			   "[General]\r\ndisplayName=x\r\nVersion=5\r\n[Other]\r\nVersion=9\r\n"));
	ASSERT(!expect_ini("[Other]\r\nA=1\r\n", 1, "[General]\r\nVersion=1\r\n[Other]\r\nA=1\r\n"));
	ASSERT(!expect_ini("[General]", 7, "[General]\r\nVersion=7\r\n"));
	/* a last line without its ending gets one before the added line
	 * (found by fuzz_gptini) */
	ASSERT(!expect_ini("[General]\r\ndisplayName=x", 8,
			   "[General]\r\ndisplayName=x\r\nVersion=8\r\n"));
	ASSERT(!expect_ini("[General]\r\ndisplayName=x\r[Other]\r\n", 9,
			   "[General]\r\ndisplayName=x\r[Other]\r\nVersion=9\r\n"));
	/* what it writes reads back */
	ASSERT_EQ(gpo_gptini_with_version("[General]\r\nVersion=1\r\n", 22, 0x20003, &out, &len), 0);
	ASSERT_EQ(gpo_gptini_version(out, len, &v), 0);
	ASSERT_EQ(v, 0x20003);
	free(out);
	ASSERT_EQ(gpo_gptini_with_version("[General]\0x", 11, 1, &out, &len), -EINVAL);
	return 0;
}

static int expect_format(const char *in, const char *want)
{
	struct gpo_cse_list l;
	char *out = NULL;

	ASSERT_EQ(gpo_cse_parse(in, &l), 0);
	ASSERT_EQ(gpo_cse_format(&l, &out), 0);
	ASSERT_STR(out, want);
	free(out);
	gpo_cse_list_free(&l);
	return 0;
}

static int test_cse_parse(void)
{
	static const char *const bad[] = {
		"x", "[", "[]", "[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}",
		"[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{zz}]", "{35378EAC-683F-11D2-A89A-00C04FBBCFA2}",
		"[{35378EAC-683F-11D2-A89A-00C04FBBCFA}]", NULL,
	};
	struct gpo_cse_list l;

	ASSERT(!expect_format(NULL, ""));
	ASSERT(!expect_format(" ", ""));
	/* sorted by CSE, tools sorted, duplicates once, spelling kept */
	ASSERT(!expect_format(SEC "[" REG "{D02B1F72-3407-48AE-BA88-E8213C6761F1}{0F6B957D-509E-11D1-A7CC-0000F87571E3}]",
			      "[" REG "{0F6B957D-509E-11D1-A7CC-0000F87571E3}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]" SEC));
	ASSERT(!expect_format("[" REG "{D02B1F72-3407-48AE-BA88-E8213C6761F1}][" REG
			      "{d02b1f72-3407-48ae-ba88-e8213c6761f1}]",
			      "[" REG "{D02B1F72-3407-48AE-BA88-E8213C6761F1}]"));
	for (int i = 0; bad[i]; i++)
		ASSERT_EQ(gpo_cse_parse(bad[i], &l), -EINVAL);
	/* the spelling compared: the formatted list, or a bad one as it is */
	for (int i = 0; bad[i]; i++) {
		char *c = gpo_cse_canonical(bad[i]);

		ASSERT_STR(c, bad[i]);
		free(c);
	}
	{
		char *c = gpo_cse_canonical(SEC "[" REG "{D02B1F72-3407-48AE-BA88-E8213C6761F1}]");
		char *e = gpo_cse_canonical(NULL);

		ASSERT_STR(c, "[" REG "{D02B1F72-3407-48AE-BA88-E8213C6761F1}]" SEC);
		ASSERT_STR(e, "");
		free(c);
		free(e);
	}
	return 0;
}

static int expect_derive(const char *current, bool user, const char *const *files,
			 const char *want)
{
	struct gpo_sysvol_entry e[16];
	size_t n = 0;
	char *out = NULL;

	for (; files[n]; n++)
		e[n] = (struct gpo_sysvol_entry){ .path = files[n], .dir = false };
	ASSERT_EQ(gpo_cse_derive(current, user, e, n, &out), 0);
	ASSERT_STR(out, want);
	free(out);
	return 0;
}

static int test_cse_derive(void)
{
	static const char *const none[] = { NULL };
	static const char *const reg_m[] = { "Machine/registry.pol", NULL };
	static const char *const reg_sec[] = { "MACHINE/Registry.pol",
		"machine/microsoft/windows nt/SecEdit/GptTmpl.inf", NULL };
	static const char *const drives[] = { "User/Preferences/Drives/Drives.xml", NULL };
	static const char *const other[] = { "Machine/Files/big.bin", NULL };
	const char *fixture = "[" REG "{62C1845D-C4A6-4ACB-BBB0-C895FD090385}]" SEC;

	/* files appear: the extension is listed with the editor's tool */
	ASSERT(!expect_derive("", false, reg_m, "[" REG "{D02B1F72-3407-48AE-BA88-E8213C6761F1}]"));
	ASSERT(!expect_derive("", true, drives,
			      "[" NUL_CSE DRIVES_TOOL "][" DRIVES DRIVES_TOOL "]"));
	/* a half's files only count for that half */
	ASSERT(!expect_derive("", true, reg_m, ""));
	/* files still there: the list stays as it was, its tools too */
	ASSERT(!expect_derive(fixture, false, reg_sec, fixture));
	/* files gone: their extension goes, and a preference's tool */
	ASSERT(!expect_derive(fixture, false, reg_m,
			      "[" REG "{62C1845D-C4A6-4ACB-BBB0-C895FD090385}]"));
	ASSERT(!expect_derive("[" NUL_CSE DRIVES_TOOL "][" DRIVES DRIVES_TOOL "]", true, none, ""));
	/* extensions gpofs cannot tell by their files are left alone */
	ASSERT(!expect_derive("[{C6DC5466-785A-11D2-84D0-00C04FB169F7}{BACF5C8A-A3C7-11D1-A760-00C04FB9603F}]",
			      false, other,
			      "[{C6DC5466-785A-11D2-84D0-00C04FB169F7}{BACF5C8A-A3C7-11D1-A760-00C04FB9603F}]"));
	return 0;
}


static int test_backup_core(void)
{
	static const char xml[] =
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
		"<GroupPolicyBackupScheme bkp:version=\"2.0\" bkp:type=\"GroupPolicyBackupTemplate\" "
		"xmlns:bkp=\"http://www.microsoft.com/GroupPolicy/GPOOperations\" "
		"xmlns=\"http://www.microsoft.com/GroupPolicy/GPOOperations\">\r\n"
		"<GroupPolicyObject><SecurityGroups/><FilePaths/><GroupPolicyCoreSettings>"
		"<ID><![CDATA[{50C1514A-7F0D-4ABF-8B2E-07C600EC97E8}]]></ID><Domain><![CDATA[idl.local]]></Domain>"
		"<SecurityDescriptor>01 00 04 9c 00 00 00 00</SecurityDescriptor>"
		"<DisplayName><![CDATA[DoD IE11]]></DisplayName><Options><![CDATA[1]]></Options>"
		"<UserVersionNumber><![CDATA[65537]]></UserVersionNumber>"
		"<MachineVersionNumber><![CDATA[851981]]></MachineVersionNumber>"
		"<MachineExtensionGuids><![CDATA[[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]]]></MachineExtensionGuids>"
		"<UserExtensionGuids><![CDATA[ ]]></UserExtensionGuids><WMIFilter/></GroupPolicyCoreSettings> \r\n"
		"<GroupPolicyExtension bkp:ID=\"{35378EAC-683F-11D2-A89A-00C04FBBCFA2}\" bkp:DescName=\"Registry\">"
		"<FSObjectFile bkp:Path=\"%GPO_MACH_FSPATH%\\registry.pol\" bkp:Location=\"DomainSysvol\\GPO\\Machine\\registry.pol\"/>"
		"<FSObjectDir bkp:Path=\"%GPO_USER_FSPATH%\" bkp:Location=\"DomainSysvol\\GPO\\User\"/>"
		"<FSObjectFile bkp:Path=\"x\"/></GroupPolicyExtension></GroupPolicyObject></GroupPolicyBackupScheme>";
	struct gpo_backup b;
	char why[256] = "";
	char *bad;

	ASSERT_EQ(gpo_backup_read(xml, strlen(xml), &b, why, sizeof(why)), 0);
	ASSERT_STR(b.id, "{50C1514A-7F0D-4ABF-8B2E-07C600EC97E8}");
	ASSERT_STR(b.display_name, "DoD IE11");
	ASSERT_EQ(b.options, 1);
	ASSERT_EQ(b.user_version, 65537);
	ASSERT_EQ(b.machine_version, 851981);
	ASSERT_STR(b.machine_ext, "[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]");
	ASSERT_STR(b.user_ext, "");
	ASSERT(!b.wmi_filter);
	ASSERT_EQ(b.sd_len, 8);
	ASSERT_EQ(b.n_entries, 2);
	ASSERT_STR(b.entries[0].path, "Machine/registry.pol");
	ASSERT(!b.entries[0].dir);
	ASSERT_STR(b.entries[1].path, "User");
	ASSERT(b.entries[1].dir);
	gpo_backup_free(&b);
	/* a Location outside the GPO folder is refused */
	bad = strdup(xml);
	ASSERT(bad);
	memcpy(strstr(bad, "DomainSysvol\\GPO\\User"), "DomainSysvol\\XXX\\User", 21);
	ASSERT_EQ(gpo_backup_read(bad, strlen(bad), &b, why, sizeof(why)), -EINVAL);
	ASSERT(strstr(why, "outside"));
	free(bad);
	return 0;
}

static const struct test_case cases[] = {
	{ "backup_core", test_backup_core },
	{ "version_bump", test_version_bump },
	{ "gptini_version", test_gptini_version },
	{ "cse_parse", test_cse_parse },
	{ "cse_derive", test_cse_derive },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	return test_run(cases, argc, argv);
}
