/* Migration rewriters (gpo_migrate): each settings file kind with a
 * mapper that moves one domain's SIDs and names to another, drops one
 * principal and moves \\oldsrv\ to \\newsrv\; the exact bytes out, what
 * the mapper is offered, and the refusals. */
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gpo_buf.h"
#include "gpo_migrate.h"
#include "gpo_utf16.h"
#include "test.h"

#define OLD "S-1-5-21-1004336348-1177238915-682003330"
#define NEW "S-1-5-21-3623811015-3361044348-30300820"

enum mode { KEEP_ALL, MAP, DROP_PATH, FAIL };

struct tmap {
	enum mode mode;
	unsigned principals, paths, builtin, sids, names;
	unsigned no_drop;            /* occurrences offered with can_drop false */
	struct gpo_buf log;          /* one line per occurrence */
};

static int t_principal(void *ctx, const struct gpo_map_where *w, const char *sid,
		       const char *name, enum gpo_map_verdict *v,
		       struct gpo_map_principal_out *out)
{
	struct tmap *t = ctx;

	t->principals++;
	t->sids += sid != NULL;
	t->names += name != NULL;
	t->no_drop += !w->can_drop;
	if (sid && gpo_sid_is_builtin(sid))
		t->builtin++;
	gpo_buf_printf(&t->log, "%u %s: %s | %s\n", w->line, w->what,
		       sid ? sid : "-", name ? name : "-");
	if (t->mode == FAIL)
		return -EIO;
	if (t->mode != MAP)
		return 0;
	if (sid && !strncmp(sid, OLD "-", strlen(OLD) + 1)) {
		const char *rid = sid + strlen(OLD) + 1;

		if (!strcmp(rid, "1105")) {
			*v = GPO_MAP_DROP;
			return 0;
		}
		*v = GPO_MAP_REPLACE;
		if (asprintf(&out->sid, NEW "-%s", rid) < 0)
			return -ENOMEM;
	}
	if (name && !strncasecmp(name, "OLDDOM\\", 7)) {
		if (!strcmp(name + 7, "Temps")) {
			*v = GPO_MAP_DROP;
			return 0;
		}
		*v = GPO_MAP_REPLACE;
		if (asprintf(&out->name, "NEWDOM\\%s", name + 7) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int t_path(void *ctx, const struct gpo_map_where *w, const char *path,
		  enum gpo_map_verdict *v, char **out)
{
	struct tmap *t = ctx;

	t->paths++;
	gpo_buf_printf(&t->log, "%u %s: %s\n", w->line, w->what, path);
	if (t->mode == DROP_PATH) {
		*v = GPO_MAP_DROP;
		return 0;
	}
	if (t->mode != MAP || strncasecmp(path, "\\\\oldsrv\\", 9))
		return 0;
	*v = GPO_MAP_REPLACE;
	return asprintf(out, "\\\\newsrv\\%s", path + 9) < 0 ? -ENOMEM : 0;
}

/* Runs text (UTF-8; made UTF-16LE with a BOM when utf16, its LFs CRLF
 * when crlf) through a mapper of mode, and compares the result with want
 * made the same way (NULL: unchanged). Fills *t when not NULL. */
static int run(const char *relpath, const char *text, bool utf16, bool crlf,
	       enum mode mode, const char *want, struct tmap *t_out)
{
	struct tmap t = { mode, 0, 0, 0, 0, 0, 0, GPO_BUF_INIT };
	struct gpo_mapper m = { t_principal, t_path, &t };
	struct gpo_err err = { 0 };
	struct gpo_buf in = GPO_BUF_INIT, exp = GPO_BUF_INIT;
	char *data = NULL, *wdata = NULL, *out = NULL;
	size_t len = 0, wlen = 0, out_len = 0;
	int rc, fail = 1;

	for (int k = 0; k < 2; k++) {
		const char *s = k ? want : text;
		struct gpo_buf *b = k ? &exp : &in;

		if (!s)
			continue;
		for (; *s; s++)
			if (crlf && *s == '\n')
				gpo_buf_add(b, "\r\n", 2);
			else
				gpo_buf_add(b, s, 1);
		gpo_buf_add(b, "", 0);
	}
	if (utf16) {
		ASSERT_EQ(gpo_utf8_to_utf16(in.data, in.len, true, &data, &len), 0);
		if (want)
			ASSERT_EQ(gpo_utf8_to_utf16(exp.data, exp.len, true, &wdata, &wlen), 0);
	} else {
		data = gpo_buf_steal(&in, &len);
		wdata = want ? gpo_buf_steal(&exp, &wlen) : NULL;
	}
	rc = gpo_migrate_file(relpath, data, len, &m, &out, &out_len, &err);
	if (rc) {
		fprintf(stderr, "%s: %d %s\n", relpath, rc, gpo_err_reason(&err));
		goto done;
	}
	if (!want != !out) {
		fprintf(stderr, "%s: %s\n", relpath, out ? "changed" : "unchanged");
		if (out && !utf16)
			fprintf(stderr, "got:\n%.*s\n", (int)out_len, out);
		goto done;
	}
	if (want && (out_len != wlen || memcmp(out, wdata, wlen))) {
		fprintf(stderr, "%s: output differs (%zu bytes, want %zu)\n", relpath,
			out_len, wlen);
		if (!utf16)
			fprintf(stderr, "got:\n%.*s\nwant:\n%.*s\n", (int)out_len, out,
				(int)wlen, wdata);
		goto done;
	}
	fail = 0;
done:
	if (fail && t.log.data)
		fprintf(stderr, "offered:\n%s", t.log.data);
	if (t_out)
		*t_out = t;
	else
		gpo_buf_free(&t.log);
	gpo_buf_free(&in);
	gpo_buf_free(&exp);
	free(data);
	free(wdata);
	free(out);
	return fail;
}

/* Expects -EINVAL with a reason and no output. */
static int refused(const char *relpath, const void *data, size_t len,
		   enum mode mode, int want_rc, const char *want)
{
	struct tmap t = { mode, 0, 0, 0, 0, 0, 0, GPO_BUF_INIT };
	struct gpo_mapper m = { t_principal, t_path, &t };
	struct gpo_err err = { 0 };
	char *out = (char *)"x";
	size_t out_len = 7;
	int rc = gpo_migrate_file(relpath, data, len, &m, &out, &out_len, &err);

	gpo_buf_free(&t.log);
	ASSERT_EQ(rc, want_rc);
	ASSERT(out == NULL);
	ASSERT_EQ(out_len, 0);
	if (!strstr(err.reason, want)) {
		fprintf(stderr, "reason \"%s\" lacks \"%s\"\n", err.reason, want);
		return 1;
	}
	return 0;
}

#define SECEDIT "Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf"

static const char secedit_in[] =
	"[Unicode]\n"
	"Unicode=yes\n"
	"[System Access]\n"
	"MinimumPasswordAge = 1\n"
	"NewGuestName = \"Visitor\"\n"
	"[Privilege Rights]\n"
	"SeBackupPrivilege = *S-1-5-32-544,*S-1-5-32-551\n"
	"SeRemoteInteractiveLogonRight = *" OLD "-1103,*S-1-5-32-544,*" OLD "-1105\n"
	"SeDenyNetworkLogonRight = *" OLD "-1105\n"
	"SeServiceLogonRight = OLDDOM\\svc-backup,*S-1-5-80-0,\"OLDDOM\\svc sql\"\n"
	"SeInteractiveLogonRight = *" OLD "-1105, *" OLD "-512\n"
	"SeTcbPrivilege = \n"
	"[Group Membership]\n"
	"*" OLD "-1110__Memberof = *S-1-5-32-544\n"
	"*" OLD "-1110__Members = *" OLD "-1103,*" OLD "-1105\n"
	"*" OLD "-1105__Memberof = \n"
	"*S-1-5-32-555__Members = *" OLD "-513\n"
	"[Service General Setting]\n"
	"\"Spooler\",4,\"D:AR(A;;CCLCSWRPWPDTLOCRRC;;;SY)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)"
	"(A;;RPWPDTRC;;;" OLD "-1103)(A;;RP;;;" OLD "-1105)S:(AU;FA;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;WD)\"\n"
	"\"AppIDSvc\",2,\"\"\n"
	"[Registry Keys]\n"
	"\"MACHINE\\SOFTWARE\\Contoso\",0,\"D:PAR(A;CI;KA;;;BA)(A;CI;KR;;;" OLD "-1103)\"\n"
	"[File Security]\n"
	"\"%SystemRoot%\\System32\\drivers\\etc\",2,\"O:" OLD "-512G:S-1-5-32-544D:PAI(A;OICI;FA;;;SY)"
	"(A;OICI;0x1200a9;;;" OLD "-1105)\"\n"
	"[Registry Values]\n"
	"MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\RestrictRemoteSAM=1,\"O:BAG:BAD:(A;;RC;;;BA)(A;;RC;;;" OLD "-1103)\"\n"
	"[Version]\n"
	"signature=\"$CHICAGO$\"\n"
	"Revision=1\n";

static const char secedit_want[] =
	"[Unicode]\n"
	"Unicode=yes\n"
	"[System Access]\n"
	"MinimumPasswordAge = 1\n"
	"NewGuestName = \"Visitor\"\n"
	"[Privilege Rights]\n"
	"SeBackupPrivilege = *S-1-5-32-544,*S-1-5-32-551\n"
	"SeRemoteInteractiveLogonRight = *" NEW "-1103,*S-1-5-32-544\n"
	"SeDenyNetworkLogonRight =\n"
	"SeServiceLogonRight = NEWDOM\\svc-backup,*S-1-5-80-0,\"NEWDOM\\svc sql\"\n"
	"SeInteractiveLogonRight = *" NEW "-512\n"
	"SeTcbPrivilege = \n"
	"[Group Membership]\n"
	"*" NEW "-1110__Memberof = *S-1-5-32-544\n"
	"*" NEW "-1110__Members = *" NEW "-1103\n"
	"*S-1-5-32-555__Members = *" NEW "-513\n"
	"[Service General Setting]\n"
	"\"Spooler\",4,\"D:AR(A;;CCLCSWRPWPDTLOCRRC;;;SY)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)"
	"(A;;RPWPDTRC;;;" NEW "-1103)S:(AU;FA;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;WD)\"\n"
	"\"AppIDSvc\",2,\"\"\n"
	"[Registry Keys]\n"
	"\"MACHINE\\SOFTWARE\\Contoso\",0,\"D:PAR(A;CI;KA;;;BA)(A;CI;KR;;;" NEW "-1103)\"\n"
	"[File Security]\n"
	"\"%SystemRoot%\\System32\\drivers\\etc\",2,\"O:" NEW "-512G:S-1-5-32-544D:PAI(A;OICI;FA;;;SY)\"\n"
	"[Registry Values]\n"
	"MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\RestrictRemoteSAM=1,\"O:BAG:BAD:(A;;RC;;;BA)(A;;RC;;;" OLD "-1103)\"\n"
	"[Version]\n"
	"signature=\"$CHICAGO$\"\n"
	"Revision=1\n";

static int test_migrate_secedit_utf16(void)
{
	struct tmap t;

	ASSERT_EQ(run(SECEDIT, secedit_in, true, true, MAP, secedit_want, &t), 0);
	gpo_buf_free(&t.log);
	/* as GPMC names the folders in some backups */
	ASSERT_EQ(run("machine\\microsoft\\windows nt\\SecEdit\\gpttmpl.INF", secedit_in,
		      true, true, MAP, secedit_want, NULL), 0);
	return 0;
}

static int test_migrate_secedit_utf8(void)
{
	ASSERT_EQ(run(SECEDIT, secedit_in, false, false, MAP, secedit_want, NULL), 0);
	/* CRLF without a BOM, and a UTF-8 BOM kept */
	ASSERT_EQ(run(SECEDIT, secedit_in, false, true, MAP, secedit_want, NULL), 0);
	{
		char in[sizeof(secedit_in) + 3], want[sizeof(secedit_want) + 3];

		snprintf(in, sizeof(in), "\xef\xbb\xbf%s", secedit_in);
		snprintf(want, sizeof(want), "\xef\xbb\xbf%s", secedit_want);
		ASSERT_EQ(run(SECEDIT, in, false, false, MAP, want, NULL), 0);
	}
	return 0;
}

static int test_migrate_secedit_offered(void)
{
	struct tmap t;

	/* everything is offered, builtins too; keeping all changes nothing */
	ASSERT_EQ(run(SECEDIT, secedit_in, true, true, KEEP_ALL, NULL, &t), 0);
	/* privileges 2+3+1+3+2, membership 2+3+1+2, SDDL 2+1+3 */
	if (t.principals != 25)
		fprintf(stderr, "%s", t.log.data);
	ASSERT_EQ(t.principals, 25);
	ASSERT_EQ(t.names, 2);
	ASSERT(strstr(t.log.data, "10 [Privilege Rights] SeServiceLogonRight: - | OLDDOM\\svc sql\n"));
	ASSERT_EQ(t.sids, 23);
	/* 544 three times, 551, 80-0, 555 */
	ASSERT_EQ(t.builtin, 7);
	/* the SDDL owner and group */
	ASSERT_EQ(t.no_drop, 2);
	ASSERT_EQ(t.paths, 0);
	ASSERT(strstr(t.log.data, "8 [Privilege Rights] SeRemoteInteractiveLogonRight: " OLD "-1103 | -\n"));
	ASSERT(strstr(t.log.data, "24 SDDL owner: " OLD "-512 | -\n"));
	ASSERT(strstr(t.log.data, "24 SDDL group: S-1-5-32-544 | -\n"));
	gpo_buf_free(&t.log);
	return 0;
}

#define SCRIPTS "User/Scripts/scripts.ini"

static const char scripts_in[] =
	"\n"
	"[Logon]\n"
	"0CmdLine=\\\\oldsrv\\netlogon\\map-drives.cmd\n"
	"0Parameters=/log \\\\oldsrv\\logs\\logon.txt /q\n"
	"1CmdLine=setprinter.vbs\n"
	"1Parameters=\"\\\\OLDSRV\\Print Share\\queue\" \\\\other\\x\n"
	"[Logoff]\n"
	"0CmdLine=\\\\fs01\\scripts\\logoff.cmd\n"
	"0Parameters=\n";

static const char scripts_want[] =
	"\n"
	"[Logon]\n"
	"0CmdLine=\\\\newsrv\\netlogon\\map-drives.cmd\n"
	"0Parameters=/log \\\\newsrv\\logs\\logon.txt /q\n"
	"1CmdLine=setprinter.vbs\n"
	"1Parameters=\"\\\\newsrv\\Print Share\\queue\" \\\\other\\x\n"
	"[Logoff]\n"
	"0CmdLine=\\\\fs01\\scripts\\logoff.cmd\n"
	"0Parameters=\n";

static const char psscripts_in[] =
	"[ScriptsConfig]\n"
	"StartExecutePSFirst=true\n"
	"[Startup]\n"
	"0CmdLine=\\\\oldsrv\\deploy\\install.ps1\n"
	"0Parameters=-Source \\\\oldsrv\\deploy\\pkg\n";

static const char psscripts_want[] =
	"[ScriptsConfig]\n"
	"StartExecutePSFirst=true\n"
	"[Startup]\n"
	"0CmdLine=\\\\newsrv\\deploy\\install.ps1\n"
	"0Parameters=-Source \\\\newsrv\\deploy\\pkg\n";

static int test_migrate_scripts(void)
{
	struct tmap t;

	ASSERT_EQ(run(SCRIPTS, scripts_in, true, true, MAP, scripts_want, NULL), 0);
	ASSERT_EQ(run(SCRIPTS, scripts_in, true, true, KEEP_ALL, NULL, &t), 0);
	ASSERT_EQ(t.paths, 5);
	ASSERT_EQ(t.principals, 0);
	ASSERT(strstr(t.log.data, "6 UNC path in parameters: \\\\OLDSRV\\Print Share\\queue\n"));
	gpo_buf_free(&t.log);
	ASSERT_EQ(run("Machine/Scripts/psscripts.ini", psscripts_in, false, false, MAP,
		      psscripts_want, NULL), 0);
	return 0;
}

#define FDEPLOY "User/Documents & Settings/fdeploy.ini"
#define FDEPLOY1 "User/Documents & Settings/fdeploy1.ini"

static const char fdeploy_in[] =
	"[FolderStatus]\n"
	"My Documents=11\n"
	"My Pictures=2\n"
	"Desktop=11\n"
	"[My Documents]\n"
	OLD "-1103=\\\\oldsrv\\users\\%USERNAME%\\My Documents\n"
	OLD "-1105=\\\\oldsrv\\temps\\%USERNAME%\\My Documents\n"
	"s-1-1-0=\\\\fs01\\home\\%USERNAME%\\My Documents\n"
	"[Desktop]\n"
	"S-1-1-0=\\\\oldsrv\\users\\%USERNAME%\\Desktop\n";

static const char fdeploy_want[] =
	"[FolderStatus]\n"
	"My Documents=11\n"
	"My Pictures=2\n"
	"Desktop=11\n"
	"[My Documents]\n"
	NEW "-1103=\\\\newsrv\\users\\%USERNAME%\\My Documents\n"
	"s-1-1-0=\\\\fs01\\home\\%USERNAME%\\My Documents\n"
	"[Desktop]\n"
	"S-1-1-0=\\\\newsrv\\users\\%USERNAME%\\Desktop\n";

#define DOCS "{FDD39AD0-238F-46AF-ADB4-6C85480369C7}"
#define DESK "{B4BFCC3A-DB2C-424C-B029-7FE99A87C641}"
#define FAVS "{1777F761-68AD-4D8A-87BD-30B759FA33DD}"

/* the preamble GPMC writes: a blank line, five spaces, a blank line */
static const char fdeploy1_in[] =
	"\n"
	"     \n"
	"[version]\n"
	"version=100\n"
	"[Folder_Redirection]\n"
	DOCS "=" OLD "-1103;" OLD "-1105;\n"
	DESK "=" OLD "-1105;\n"
	FAVS "=s-1-1-0;\n"
	"[" DOCS "_" OLD "-1103]\n"
	"Flags=1021\n"
	"FullPath=\\\\oldsrv\\users\\%USERNAME%\\Documents\n"
	"[" DOCS "_" OLD "-1105]\n"
	"Flags=1021\n"
	"FullPath=\\\\oldsrv\\temps\\%USERNAME%\\Documents\n"
	"[" DESK "_" OLD "-1105]\n"
	"Flags=1021\n"
	"FullPath=\\\\oldsrv\\temps\\%USERNAME%\\Desktop\n"
	"[" FAVS "_s-1-1-0]\n"
	"Flags=2001\n";

static const char fdeploy1_want[] =
	"\n"
	"     \n"
	"[version]\n"
	"version=100\n"
	"[Folder_Redirection]\n"
	DOCS "=" NEW "-1103;\n"
	FAVS "=s-1-1-0;\n"
	"[" DOCS "_" NEW "-1103]\n"
	"Flags=1021\n"
	"FullPath=\\\\newsrv\\users\\%USERNAME%\\Documents\n"
	"[" FAVS "_s-1-1-0]\n"
	"Flags=2001\n";

static int test_migrate_fdeploy(void)
{
	struct tmap t;

	ASSERT_EQ(run(FDEPLOY, fdeploy_in, true, true, MAP, fdeploy_want, NULL), 0);
	ASSERT_EQ(run(FDEPLOY, fdeploy_in, true, true, KEEP_ALL, NULL, &t), 0);
	ASSERT_EQ(t.principals, 4);
	ASSERT_EQ(t.builtin, 2);
	ASSERT_EQ(t.paths, 4);
	/* the mapper sees one spelling of a SID */
	ASSERT(strstr(t.log.data, "8 [My Documents] s-1-1-0: S-1-1-0 | -\n"));
	gpo_buf_free(&t.log);
	return 0;
}

static int test_migrate_fdeploy1(void)
{
	struct tmap t;

	ASSERT_EQ(run(FDEPLOY1, fdeploy1_in, true, true, MAP, fdeploy1_want, NULL), 0);
	ASSERT_EQ(run(FDEPLOY1, fdeploy1_in, true, true, KEEP_ALL, NULL, &t), 0);
	/* the list: 2+1+1; the section names: 4 */
	ASSERT_EQ(t.principals, 8);
	ASSERT_EQ(t.paths, 3);
	gpo_buf_free(&t.log);
	return 0;
}

#define GROUPS "Machine/Preferences/Groups/Groups.xml"

static const char groups_in[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<Groups clsid=\"{3125E937-EB16-4b4c-9934-544FC6D24D26}\">"
	"<Group clsid=\"{6D4A79E4-529C-4481-ABD0-F5BD7EA93BA7}\" name=\"Administrators (built-in)\" image=\"2\" changed=\"2024-05-02 10:11:12\" uid=\"{0F1D3A55-7B1E-4C52-9B6A-1B2C3D4E5F60}\">"
	"<Properties action=\"U\" newName=\"\" description=\"\" deleteAllUsers=\"0\" deleteAllGroups=\"0\" removeAccounts=\"0\" groupSid=\"S-1-5-32-544\" groupName=\"Administrators (built-in)\">"
	"<Members>"
	"<Member name=\"OLDDOM\\Helpdesk\" action=\"ADD\" sid=\"" OLD "-1103\"/>"
	"<Member name=\"OLDDOM\\Temps\" action=\"ADD\" sid=\"" OLD "-1105\"/>"
	"<Member sid='" OLD "-512' action = \"ADD\"\n   name='OLDDOM\\Domain Admins'/>"
	"<Member name=\"NT AUTHORITY\\INTERACTIVE\" action=\"ADD\" sid=\"S-1-5-4\"/>"
	"</Members></Properties>"
	"<Filters><FilterGroup bool=\"AND\" not=\"0\" name=\"OLDDOM\\Sales &amp; Marketing\" sid=\"" OLD "-1110\" userContext=\"1\" primaryGroup=\"0\" localGroup=\"0\"/></Filters>"
	"</Group>\n"
	"\t<Group clsid=\"{6D4A79E4-529C-4481-ABD0-F5BD7EA93BA7}\" name=\"Remote Desktop Users (built-in)\" image=\"2\" changed=\"2024-05-02 10:12:13\" uid=\"{1A2B3C4D-5E6F-4071-8293-A4B5C6D7E8F9}\">\n"
	"\t\t<Properties action=\"U\" groupSid=\"S-1-5-32-555\" groupName=\"Remote Desktop Users (built-in)\">\n"
	"\t\t\t<Members>\n"
	"\t\t\t\t<Member name=\"OLDDOM\\Temps\" action=\"ADD\" sid=\"" OLD "-1105\"/>\n"
	"\t\t\t\t<Member name=\"OLDDOM\\Helpdesk\" action=\"ADD\" sid=\"\"/>\n"
	"\t\t\t</Members>\n"
	"\t\t</Properties>\n"
	"\t</Group>\n"
	"<User clsid=\"{DF5F1855-51E5-4d24-8B1A-D9BDE98BA1D1}\" name=\"Administrator (built-in)\" image=\"2\" changed=\"2024-05-02 10:13:14\" uid=\"{2B3C4D5E-6F70-4182-93A4-B5C6D7E8F90A}\">"
	"<Properties action=\"U\" newName=\"\" fullName=\"\" description=\"\" cpassword=\"\" changeLogon=\"0\" noChange=\"0\" neverExpires=\"0\" acctDisabled=\"0\" userName=\"Administrator (built-in)\"/>"
	"</User>\n"
	"</Groups>\n";

static const char groups_want[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<Groups clsid=\"{3125E937-EB16-4b4c-9934-544FC6D24D26}\">"
	"<Group clsid=\"{6D4A79E4-529C-4481-ABD0-F5BD7EA93BA7}\" name=\"Administrators (built-in)\" image=\"2\" changed=\"2024-05-02 10:11:12\" uid=\"{0F1D3A55-7B1E-4C52-9B6A-1B2C3D4E5F60}\">"
	"<Properties action=\"U\" newName=\"\" description=\"\" deleteAllUsers=\"0\" deleteAllGroups=\"0\" removeAccounts=\"0\" groupSid=\"S-1-5-32-544\" groupName=\"Administrators (built-in)\">"
	"<Members>"
	"<Member name=\"NEWDOM\\Helpdesk\" action=\"ADD\" sid=\"" NEW "-1103\"/>"
	"<Member sid='" NEW "-512' action = \"ADD\"\n   name='NEWDOM\\Domain Admins'/>"
	"<Member name=\"NT AUTHORITY\\INTERACTIVE\" action=\"ADD\" sid=\"S-1-5-4\"/>"
	"</Members></Properties>"
	"<Filters><FilterGroup bool=\"AND\" not=\"0\" name=\"NEWDOM\\Sales &amp; Marketing\" sid=\"" NEW "-1110\" userContext=\"1\" primaryGroup=\"0\" localGroup=\"0\"/></Filters>"
	"</Group>\n"
	"\t<Group clsid=\"{6D4A79E4-529C-4481-ABD0-F5BD7EA93BA7}\" name=\"Remote Desktop Users (built-in)\" image=\"2\" changed=\"2024-05-02 10:12:13\" uid=\"{1A2B3C4D-5E6F-4071-8293-A4B5C6D7E8F9}\">\n"
	"\t\t<Properties action=\"U\" groupSid=\"S-1-5-32-555\" groupName=\"Remote Desktop Users (built-in)\">\n"
	"\t\t\t<Members>\n"
	"\t\t\t\t<Member name=\"NEWDOM\\Helpdesk\" action=\"ADD\" sid=\"\"/>\n"
	"\t\t\t</Members>\n"
	"\t\t</Properties>\n"
	"\t</Group>\n"
	"<User clsid=\"{DF5F1855-51E5-4d24-8B1A-D9BDE98BA1D1}\" name=\"Administrator (built-in)\" image=\"2\" changed=\"2024-05-02 10:13:14\" uid=\"{2B3C4D5E-6F70-4182-93A4-B5C6D7E8F90A}\">"
	"<Properties action=\"U\" newName=\"\" fullName=\"\" description=\"\" cpassword=\"\" changeLogon=\"0\" noChange=\"0\" neverExpires=\"0\" acctDisabled=\"0\" userName=\"Administrator (built-in)\"/>"
	"</User>\n"
	"</Groups>\n";

static int test_migrate_groups_xml(void)
{
	struct tmap t;

	ASSERT_EQ(run(GROUPS, groups_in, false, false, MAP, groups_want, NULL), 0);
	ASSERT_EQ(run(GROUPS, groups_in, false, true, MAP, groups_want, NULL), 0);
	/* UTF-16 with a BOM stays so */
	ASSERT_EQ(run(GROUPS, groups_in, true, true, MAP, groups_want, NULL), 0);
	ASSERT_EQ(run(GROUPS, groups_in, false, false, KEEP_ALL, NULL, &t), 0);
	/* groups 2, members 4+2, filter 1, user 1 */
	ASSERT_EQ(t.principals, 10);
	ASSERT_EQ(t.builtin, 3);
	ASSERT(strstr(t.log.data, "FilterGroup@sid: " OLD "-1110 | OLDDOM\\Sales & Marketing\n"));
	ASSERT(strstr(t.log.data, "Member@sid: - | OLDDOM\\Helpdesk\n"));
	ASSERT(strstr(t.log.data, "Properties@groupSid: S-1-5-32-555 | Remote Desktop Users (built-in)\n"));
	ASSERT(strstr(t.log.data, "Properties@userName: - | Administrator (built-in)\n"));
	gpo_buf_free(&t.log);
	return 0;
}

#define DRIVES "User/Preferences/Drives/Drives.xml"

static const char drives_in[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
	"<Drives clsid=\"{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}\">"
	"<Drive clsid=\"{935D1B74-9CB8-4e3c-9914-7DD559B7A417}\" name=\"S:\" status=\"S:\" image=\"2\" changed=\"2024-05-02 10:11:12\" uid=\"{3C4D5E6F-7081-4293-A4B5-C6D7E8F90A1B}\">"
	"<Properties action=\"U\" thisDrive=\"NOCHANGE\" allDrives=\"NOCHANGE\" userName=\"\" path=\"\\\\oldsrv\\shared\" label=\"Shared\" persistent=\"0\" useLetter=\"1\" letter=\"S\"/>"
	"<Filters><FilterUser bool=\"AND\" not=\"0\" name=\"OLDDOM\\Temps\" sid=\"" OLD "-1105\"/><FilterGroup bool=\"AND\" not=\"0\" name=\"OLDDOM\\Staff\" sid=\"" OLD "-1120\" userContext=\"1\" primaryGroup=\"0\" localGroup=\"0\"/></Filters>"
	"</Drive>"
	"<Drive clsid=\"{935D1B74-9CB8-4e3c-9914-7DD559B7A417}\" name=\"T:\" status=\"T:\" image=\"2\" changed=\"2024-05-02 10:11:13\" uid=\"{4D5E6F70-8192-43A4-B5C6-D7E8F90A1B2C}\">"
	"<Properties action=\"U\" thisDrive=\"NOCHANGE\" allDrives=\"NOCHANGE\" userName=\"OLDDOM\\svc-map\" cpassword=\"\" path=\"\\\\fs01\\tools\" label=\"\" persistent=\"1\" useLetter=\"1\" letter=\"T\"/>"
	"</Drive></Drives>";

static const char drives_want[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
	"<Drives clsid=\"{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}\">"
	"<Drive clsid=\"{935D1B74-9CB8-4e3c-9914-7DD559B7A417}\" name=\"S:\" status=\"S:\" image=\"2\" changed=\"2024-05-02 10:11:12\" uid=\"{3C4D5E6F-7081-4293-A4B5-C6D7E8F90A1B}\">"
	"<Properties action=\"U\" thisDrive=\"NOCHANGE\" allDrives=\"NOCHANGE\" userName=\"\" path=\"\\\\newsrv\\shared\" label=\"Shared\" persistent=\"0\" useLetter=\"1\" letter=\"S\"/>"
	"<Filters><FilterGroup bool=\"AND\" not=\"0\" name=\"NEWDOM\\Staff\" sid=\"" NEW "-1120\" userContext=\"1\" primaryGroup=\"0\" localGroup=\"0\"/></Filters>"
	"</Drive>"
	"<Drive clsid=\"{935D1B74-9CB8-4e3c-9914-7DD559B7A417}\" name=\"T:\" status=\"T:\" image=\"2\" changed=\"2024-05-02 10:11:13\" uid=\"{4D5E6F70-8192-43A4-B5C6-D7E8F90A1B2C}\">"
	"<Properties action=\"U\" thisDrive=\"NOCHANGE\" allDrives=\"NOCHANGE\" userName=\"NEWDOM\\svc-map\" cpassword=\"\" path=\"\\\\fs01\\tools\" label=\"\" persistent=\"1\" useLetter=\"1\" letter=\"T\"/>"
	"</Drive></Drives>";

#define SHORTCUTS "User/Preferences/Shortcuts/Shortcuts.xml"

static const char shortcuts_in[] =
	"\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
	"<Shortcuts clsid=\"{872ECB34-B2EC-401b-A585-D32574AA90EE}\">"
	"<Shortcut clsid=\"{4F2F7C55-2790-433e-8127-0739D1CFA327}\" name=\"ERP\" status=\"ERP\" image=\"2\" changed=\"2024-05-02 10:11:12\" uid=\"{5E6F7081-92A3-44B5-C6D7-E8F90A1B2C3D}\">"
	"<Properties pidl=\"\" targetType=\"FILESYSTEM\" action=\"U\" comment=\"ERP &lt;prod&gt;\" shortcutKey=\"0\" startIn=\"\\\\oldsrv\\apps\\erp\" arguments=\"/server \\\\oldsrv\\erpdata\" iconIndex=\"0\" targetPath=\"\\\\OldSrv\\apps\\erp\\erp.exe\" iconPath=\"\\\\oldsrv\\apps\\erp\\erp.ico\" window=\"\" shortcutPath=\"%DesktopDir%\\ERP\"/>"
	"</Shortcut></Shortcuts>\r\n";

static const char shortcuts_want[] =
	"\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
	"<Shortcuts clsid=\"{872ECB34-B2EC-401b-A585-D32574AA90EE}\">"
	"<Shortcut clsid=\"{4F2F7C55-2790-433e-8127-0739D1CFA327}\" name=\"ERP\" status=\"ERP\" image=\"2\" changed=\"2024-05-02 10:11:12\" uid=\"{5E6F7081-92A3-44B5-C6D7-E8F90A1B2C3D}\">"
	"<Properties pidl=\"\" targetType=\"FILESYSTEM\" action=\"U\" comment=\"ERP &lt;prod&gt;\" shortcutKey=\"0\" startIn=\"\\\\newsrv\\apps\\erp\" arguments=\"/server \\\\oldsrv\\erpdata\" iconIndex=\"0\" targetPath=\"\\\\newsrv\\apps\\erp\\erp.exe\" iconPath=\"\\\\newsrv\\apps\\erp\\erp.ico\" window=\"\" shortcutPath=\"%DesktopDir%\\ERP\"/>"
	"</Shortcut></Shortcuts>\r\n";

static int test_migrate_drives_shortcuts(void)
{
	struct tmap t;

	ASSERT_EQ(run(DRIVES, drives_in, false, false, MAP, drives_want, NULL), 0);
	ASSERT_EQ(run(DRIVES, drives_in, false, false, KEEP_ALL, NULL, &t), 0);
	ASSERT_EQ(t.principals, 3);
	ASSERT_EQ(t.paths, 2);
	gpo_buf_free(&t.log);
	ASSERT_EQ(run(SHORTCUTS, shortcuts_in, false, false, MAP, shortcuts_want, NULL), 0);
	ASSERT_EQ(run(SHORTCUTS, shortcuts_in, false, false, KEEP_ALL, NULL, &t), 0);
	/* arguments do not start with a path: not one */
	ASSERT_EQ(t.paths, 3);
	ASSERT(strstr(t.log.data, "2 Properties@targetPath: \\\\OldSrv\\apps\\erp\\erp.exe\n"));
	gpo_buf_free(&t.log);
	return 0;
}

#define TASKS "Machine/Preferences/ScheduledTasks/ScheduledTasks.xml"

static const char tasks_in[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<ScheduledTasks clsid=\"{CC63F200-7309-4ba0-B154-A71CD118DBCC}\">\n"
	"\t<TaskV2 clsid=\"{D8896631-B747-47a7-84A6-C155337F3BC8}\" name=\"Nightly\" image=\"2\" changed=\"2024-05-02 10:11:12\" uid=\"{6F708192-A3B4-45C6-D7E8-F90A1B2C3D4E}\">\n"
	"\t\t<Properties action=\"U\" name=\"Nightly\" runAs=\"OLDDOM\\svc-task\" logonType=\"Password\">\n"
	"\t\t\t<Task version=\"1.2\">\n"
	"\t\t\t\t<Principals><Principal id=\"Author\"><UserId>OLDDOM\\svc-task</UserId><LogonType>Password</LogonType><RunLevel>HighestAvailable</RunLevel></Principal></Principals>\n"
	"\t\t\t\t<Actions Context=\"Author\"><Exec><Command>\\\\oldsrv\\scripts\\nightly.cmd</Command><Arguments>/all</Arguments></Exec></Actions>\n"
	"\t\t\t</Task>\n"
	"\t\t</Properties>\n"
	"\t</TaskV2>\n"
	"\t<TaskV2 clsid=\"{D8896631-B747-47a7-84A6-C155337F3BC8}\" name=\"Temp cleanup\" image=\"2\" changed=\"2024-05-02 10:11:13\" uid=\"{708192A3-B4C5-46D7-E8F9-0A1B2C3D4E5F}\">\n"
	"\t\t<Properties action=\"U\" name=\"Temp cleanup\" runAs=\"OLDDOM\\Temps\" logonType=\"S4U\">\n"
	"\t\t\t<Task version=\"1.2\"><Principals><Principal id=\"Author\"><UserId>OLDDOM\\Temps</UserId></Principal></Principals></Task>\n"
	"\t\t</Properties>\n"
	"\t</TaskV2>\n"
	"\t<ImmediateTaskV2 clsid=\"{9756B581-76EC-4169-9AFC-0CA8D43ADB5F}\" name=\"Now\" image=\"0\" changed=\"2024-05-02 10:11:14\" uid=\"{8192A3B4-C5D6-47E8-F90A-1B2C3D4E5F60}\">"
	"<Properties action=\"C\" name=\"Now\" runAs=\"NT AUTHORITY\\System\" logonType=\"S4U\">"
	"<Task version=\"1.3\"><Principals><Principal id=\"Author\"><UserId>S-1-5-18</UserId><RunLevel>HighestAvailable</RunLevel></Principal></Principals>"
	"<Actions Context=\"Author\"><Exec><Command>\\\\oldsrv\\scripts\\now.cmd</Command></Exec></Actions></Task></Properties></ImmediateTaskV2>\n"
	"</ScheduledTasks>\n";

static const char tasks_want[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<ScheduledTasks clsid=\"{CC63F200-7309-4ba0-B154-A71CD118DBCC}\">\n"
	"\t<TaskV2 clsid=\"{D8896631-B747-47a7-84A6-C155337F3BC8}\" name=\"Nightly\" image=\"2\" changed=\"2024-05-02 10:11:12\" uid=\"{6F708192-A3B4-45C6-D7E8-F90A1B2C3D4E}\">\n"
	"\t\t<Properties action=\"U\" name=\"Nightly\" runAs=\"NEWDOM\\svc-task\" logonType=\"Password\">\n"
	"\t\t\t<Task version=\"1.2\">\n"
	"\t\t\t\t<Principals><Principal id=\"Author\"><UserId>NEWDOM\\svc-task</UserId><LogonType>Password</LogonType><RunLevel>HighestAvailable</RunLevel></Principal></Principals>\n"
	"\t\t\t\t<Actions Context=\"Author\"><Exec><Command>\\\\newsrv\\scripts\\nightly.cmd</Command><Arguments>/all</Arguments></Exec></Actions>\n"
	"\t\t\t</Task>\n"
	"\t\t</Properties>\n"
	"\t</TaskV2>\n"
	"\t<ImmediateTaskV2 clsid=\"{9756B581-76EC-4169-9AFC-0CA8D43ADB5F}\" name=\"Now\" image=\"0\" changed=\"2024-05-02 10:11:14\" uid=\"{8192A3B4-C5D6-47E8-F90A-1B2C3D4E5F60}\">"
	"<Properties action=\"C\" name=\"Now\" runAs=\"NT AUTHORITY\\System\" logonType=\"S4U\">"
	"<Task version=\"1.3\"><Principals><Principal id=\"Author\"><UserId>S-1-5-18</UserId><RunLevel>HighestAvailable</RunLevel></Principal></Principals>"
	"<Actions Context=\"Author\"><Exec><Command>\\\\newsrv\\scripts\\now.cmd</Command></Exec></Actions></Task></Properties></ImmediateTaskV2>\n"
	"</ScheduledTasks>\n";

static int test_migrate_tasks_xml(void)
{
	struct tmap t;

	ASSERT_EQ(run(TASKS, tasks_in, false, false, MAP, tasks_want, NULL), 0);
	ASSERT_EQ(run(TASKS, tasks_in, false, true, MAP, tasks_want, NULL), 0);
	ASSERT_EQ(run(TASKS, tasks_in, false, false, KEEP_ALL, NULL, &t), 0);
	if (t.principals != 6)
		fprintf(stderr, "%s", t.log.data);
	ASSERT_EQ(t.principals, 6);
	ASSERT_EQ(t.paths, 2);
	ASSERT_EQ(t.builtin, 1);
	ASSERT(strstr(t.log.data, "16 task principal: S-1-5-18 | -\n"));
	ASSERT(strstr(t.log.data, "7 <Command>: \\\\oldsrv\\scripts\\nightly.cmd\n"));
	gpo_buf_free(&t.log);
	return 0;
}

static int test_migrate_unchanged(void)
{
	static const struct { const char *path, *text; } all[] = {
		{ SECEDIT, secedit_in }, { SCRIPTS, scripts_in },
		{ FDEPLOY, fdeploy_in }, { FDEPLOY1, fdeploy1_in },
		{ GROUPS, groups_in }, { DRIVES, drives_in },
		{ SHORTCUTS, shortcuts_in }, { TASKS, tasks_in },
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		ASSERT_EQ(run(all[i].path, all[i].text, false, false, KEEP_ALL, NULL, NULL), 0);
		/* (a UTF-8 BOM in the text would be a second one there) */
		if (all[i].text[0] != '\xef')
			ASSERT_EQ(run(all[i].path, all[i].text, true, true, KEEP_ALL, NULL, NULL), 0);
	}
	/* kinds that hold nothing gpo_migrate_file looks for */
	ASSERT_EQ(run("Machine/registry.pol", "PReg\x01", false, false, MAP, NULL, NULL), 0);
	ASSERT_EQ(run("Machine/Microsoft/Windows NT/Audit/audit.csv", "a,b\n", false, false, MAP, NULL, NULL), 0);
	ASSERT_EQ(run("Machine/Groups.xml", groups_in, false, false, MAP, NULL, NULL), 0);
	return 0;
}

static int test_migrate_handles(void)
{
	ASSERT(gpo_migrate_handles(SECEDIT));
	ASSERT(gpo_migrate_handles("MACHINE\\MICROSOFT\\WINDOWS NT\\SECEDIT\\GPTTMPL.INF"));
	ASSERT(gpo_migrate_handles("User/Scripts/scripts.ini"));
	ASSERT(gpo_migrate_handles("Machine/Scripts/psscripts.ini"));
	ASSERT(gpo_migrate_handles(FDEPLOY));
	ASSERT(gpo_migrate_handles(FDEPLOY1));
	ASSERT(gpo_migrate_handles("Machine/Preferences/Groups/Groups.xml"));
	ASSERT(gpo_migrate_handles("user\\preferences\\PowerOptions\\PowerOptions.XML"));
	ASSERT(!gpo_migrate_handles("Machine/registry.pol"));
	ASSERT(!gpo_migrate_handles("Machine/Preferences/Groups/Groups.xml.bak"));
	ASSERT(!gpo_migrate_handles("Machine/Groups/Groups.xml"));
	ASSERT(!gpo_migrate_handles("Machine/Preferences.xml"));
	ASSERT(!gpo_migrate_handles("GPT.INI"));
	ASSERT(!gpo_migrate_handles(""));

	ASSERT(gpo_sid_is_builtin("S-1-5-32-544"));
	ASSERT(gpo_sid_is_builtin("S-1-5-18"));
	ASSERT(gpo_sid_is_builtin("S-1-5-19"));
	ASSERT(gpo_sid_is_builtin("S-1-5-20"));
	ASSERT(gpo_sid_is_builtin("S-1-1-0"));
	ASSERT(gpo_sid_is_builtin("S-1-5-11"));
	ASSERT(gpo_sid_is_builtin("S-1-3-0"));
	ASSERT(gpo_sid_is_builtin("S-1-5-9"));
	ASSERT(gpo_sid_is_builtin("S-1-5-4"));
	ASSERT(gpo_sid_is_builtin("S-1-5-80-0"));
	ASSERT(!gpo_sid_is_builtin(OLD "-512"));
	ASSERT(!gpo_sid_is_builtin("s-1-5-21-1-2-3-1000"));
	ASSERT(!gpo_sid_is_builtin("CORP\\Domain Admins"));
	ASSERT(!gpo_sid_is_builtin(NULL));
	return 0;
}

static int test_migrate_malformed(void)
{
	static const char bad_xml[] = "<Groups><Member name=\"x\" sid=\"S-1-5-32-544\"></Groups>";
	static const char doctype[] = "<!DOCTYPE Groups [<!ENTITY x \"S-1-5-32-544\">]><Groups><Member sid=\"&x;\"/></Groups>";
	static const char bad_sid_xml[] = "<Groups clsid=\"{1}\"><Member name=\"x\" sid=\"S-1-five\"/></Groups>";
	static const char cp1252[] = "<?xml version=\"1.0\" encoding=\"windows-1252\"?><Groups/>";
	static const char bad_utf16[] = "\xff\xfe[\0U\0n";
	static const char lone_surrogate[] = "\xff\xfe[\0\x00\xd8]\0";
	static const char sddl_open[] = "[Service General Setting]\n\"svc\",2,\"D:(A;;RP;;;" OLD "-1103\"\n";
	static const char sddl_trustee[] = "[Registry Keys]\n\"MACHINE\\x\",0,\"D:(A;;KA;;;who)\"\n";
	static const char sddl_part[] = "[File Security]\n\"c:\\x\",0,\"X:(A;;FA;;;BA)\"\n";
	static const char sddl_fields[] = "[File Security]\n\"c:\\x\",0,\"D:(A;;FA;BA)\"\n";
	static const char sddl_line[] = "[File Security]\nc:\\x\n";
	static const char priv_line[] = "[Privilege Rights]\nSeBackupPrivilege\n";
	static const char priv_sid[] = "[Privilege Rights]\nSeBackupPrivilege = *S-1-x\n";
	static const char member_key[] = "[Group Membership]\n*S-1-5-32-544 = *S-1-5-4\n";
	static const char header[] = "[Privilege Rights\nSeBackupPrivilege = *S-1-5-32-544\n";
	static const char fr_list[] = "[Folder_Redirection]\n" DOCS "=Everyone;\n";
	static const char path_only[] = "[Logon]\n0CmdLine=\\\\oldsrv\\x.cmd\n";

	ASSERT_EQ(refused(GROUPS, bad_xml, strlen(bad_xml), MAP, -EINVAL, "Groups.xml"), 0);
	ASSERT_EQ(refused(GROUPS, doctype, strlen(doctype), MAP, -EINVAL, "DOCTYPE"), 0);
	ASSERT_EQ(refused(GROUPS, bad_sid_xml, strlen(bad_sid_xml), MAP, -EINVAL, "not a SID"), 0);
	ASSERT_EQ(refused(GROUPS, cp1252, strlen(cp1252), MAP, -EINVAL, "windows-1252"), 0);
	ASSERT_EQ(refused(SECEDIT, bad_utf16, sizeof(bad_utf16) - 1, MAP, -EINVAL, "UTF-16"), 0);
	ASSERT_EQ(refused(SECEDIT, lone_surrogate, sizeof(lone_surrogate) - 1, MAP, -EINVAL, "UTF-16"), 0);
	ASSERT_EQ(refused(SECEDIT, sddl_open, strlen(sddl_open), MAP, -EINVAL, "')'"), 0);
	ASSERT_EQ(refused(SECEDIT, sddl_trustee, strlen(sddl_trustee), MAP, -EINVAL, "trustee"), 0);
	ASSERT_EQ(refused(SECEDIT, sddl_part, strlen(sddl_part), MAP, -EINVAL, "SDDL"), 0);
	ASSERT_EQ(refused(SECEDIT, sddl_fields, strlen(sddl_fields), MAP, -EINVAL, "six fields"), 0);
	ASSERT_EQ(refused(SECEDIT, sddl_line, strlen(sddl_line), MAP, -EINVAL, "line 2"), 0);
	ASSERT_EQ(refused(SECEDIT, priv_line, strlen(priv_line), MAP, -EINVAL, "key = value"), 0);
	ASSERT_EQ(refused(SECEDIT, priv_sid, strlen(priv_sid), MAP, -EINVAL, "not a SID"), 0);
	ASSERT_EQ(refused(SECEDIT, member_key, strlen(member_key), MAP, -EINVAL, "__Members"), 0);
	ASSERT_EQ(refused(SECEDIT, header, strlen(header), MAP, -EINVAL, "']'"), 0);
	ASSERT_EQ(refused(FDEPLOY1, fr_list, strlen(fr_list), MAP, -EINVAL, "not a SID"), 0);
	ASSERT_EQ(refused(SECEDIT, "[a]\0b", 5, MAP, -EINVAL, "NUL"), 0);
	/* the mapper's own refusals */
	ASSERT_EQ(refused(SCRIPTS, path_only, strlen(path_only), DROP_PATH, -EINVAL,
			  "cannot be dropped"), 0);
	ASSERT_EQ(refused(SECEDIT, secedit_in, strlen(secedit_in), FAIL, -EIO, "mapper failed"), 0);
	ASSERT_EQ(refused(GROUPS, groups_in, strlen(groups_in), FAIL, -EIO, "mapper failed"), 0);
	return 0;
}

/* The mapper that gives what a place cannot hold. */
static int name_for_sid(void *ctx, const struct gpo_map_where *w, const char *sid,
			const char *name, enum gpo_map_verdict *v,
			struct gpo_map_principal_out *out)
{
	(void)ctx;
	(void)w;
	(void)sid;
	(void)name;
	*v = GPO_MAP_REPLACE;
	out->name = strdup("NEWDOM\\a,b");
	return out->name ? 0 : -ENOMEM;
}

static int test_migrate_bad_answers(void)
{
	static const char sddl[] = "[Registry Keys]\n\"MACHINE\\x\",0,\"D:(A;;KA;;;" OLD "-1103)\"\n";
	static const char priv[] = "[Privilege Rights]\nSeBackupPrivilege = *" OLD "-1103\n";
	static const char fd1[] = "[Folder_Redirection]\n" DOCS "=" OLD "-1103;\n";
	struct gpo_mapper m = { name_for_sid, NULL, NULL };
	struct gpo_err err = { 0 };
	char *out = NULL;
	size_t n = 0;

	ASSERT_EQ(gpo_migrate_file(SECEDIT, sddl, strlen(sddl), &m, &out, &n, &err), -EINVAL);
	ASSERT(strstr(err.reason, "only a SID"));
	memset(&err, 0, sizeof(err));
	ASSERT_EQ(gpo_migrate_file(SECEDIT, priv, strlen(priv), &m, &out, &n, &err), -EINVAL);
	ASSERT(strstr(err.reason, "separator"));
	memset(&err, 0, sizeof(err));
	ASSERT_EQ(gpo_migrate_file(FDEPLOY1, fd1, strlen(fd1), &m, &out, &n, &err), -EINVAL);
	ASSERT(out == NULL);
	return 0;
}

/* The mapper that gives names full of markup. */
static int markup_name(void *ctx, const struct gpo_map_where *w, const char *sid,
		       const char *name, enum gpo_map_verdict *v,
		       struct gpo_map_principal_out *out)
{
	(void)ctx;
	(void)w;
	(void)sid;
	if (!name)
		return 0;
	*v = GPO_MAP_REPLACE;
	out->name = strdup("A&B <\"x'>z");
	return out->name ? 0 : -ENOMEM;
}

static int test_migrate_xml_escapes(void)
{
	static const char in[] =
		"<Groups clsid=\"{1}\"><Group clsid=\"{2}\"><Properties groupName=\"Old &#x41;\">"
		"<Members><Member name='OLDDOM\\x' action=\"ADD\" sid=\"\"/></Members></Properties></Group>"
		"<TaskV2 clsid=\"{3}\"><Properties><Task><Principals><Principal><UserId>OLDDOM\\t</UserId>"
		"</Principal></Principals></Task></Properties></TaskV2></Groups>";
	static const char want[] =
		"<Groups clsid=\"{1}\"><Group clsid=\"{2}\"><Properties groupName=\"A&amp;B &lt;&quot;x'&gt;z\">"
		"<Members><Member name='A&amp;B &lt;\"x&apos;&gt;z' action=\"ADD\" sid=\"\"/></Members></Properties></Group>"
		"<TaskV2 clsid=\"{3}\"><Properties><Task><Principals><Principal><UserId>A&amp;B &lt;\"x'&gt;z</UserId>"
		"</Principal></Principals></Task></Properties></TaskV2></Groups>";
	struct gpo_mapper m = { markup_name, NULL, NULL };
	struct gpo_err err = { 0 };
	char *out = NULL;
	size_t n = 0;

	ASSERT_EQ(gpo_migrate_file(GROUPS, in, strlen(in), &m, &out, &n, &err), 0);
	ASSERT(out);
	if (n != strlen(want) || memcmp(out, want, n)) {
		fprintf(stderr, "got:\n%.*s\n", (int)n, out);
		free(out);
		return 1;
	}
	free(out);
	return 0;
}

static int read_all(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct gpo_buf b = GPO_BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f)
		return -errno;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		gpo_buf_add(&b, chunk, n);
	fclose(f);
	*data = gpo_buf_steal(&b, len);
	return 0;
}

/* Every GptTmpl.inf of the GPMC backups: unchanged through a mapper
 * that keeps, and through one that maps (they name no domain SID). */
static int test_migrate_fixtures(void)
{
	const char *env = getenv("GPOFS_FIXTURES");
	char pattern[1024];
	glob_t g;
	size_t seen = 0;

	/* beside the repository, as tests/fuzz/run-one finds them */
	snprintf(pattern, sizeof(pattern), "%s/*/DomainSysvol/GPO/Machine/*/*/SecEdit/GptTmpl.inf",
		 env ? env : GPO_SOURCE_ROOT "/../shared/fixtures/gpmc-backups");
	if (glob(pattern, 0, NULL, &g)) {
		fprintf(stderr, "no fixtures at %s: nothing to check\n", pattern);
		return 0;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		for (int mode = KEEP_ALL; mode <= MAP; mode++) {
			struct tmap t = { (enum mode)mode, 0, 0, 0, 0, 0, 0, GPO_BUF_INIT };
			struct gpo_mapper m = { t_principal, t_path, &t };
			struct gpo_err err = { 0 };
			char *data = NULL, *out = NULL;
			size_t len = 0, n = 0;

			ASSERT_EQ(read_all(g.gl_pathv[i], &data, &len), 0);
			ASSERT(len > 2 && (unsigned char)data[0] == 0xff);
			ASSERT_EQ(gpo_migrate_file(SECEDIT, data, len, &m, &out, &n, &err), 0);
			ASSERT(out == NULL);
			free(data);
			gpo_buf_free(&t.log);
			seen++;
		}
	}
	globfree(&g);
	ASSERT(seen >= 12);
	return 0;
}

static const struct test_case cases[] = {
	{ "migrate_secedit_utf16", test_migrate_secedit_utf16 },
	{ "migrate_secedit_utf8", test_migrate_secedit_utf8 },
	{ "migrate_secedit_offered", test_migrate_secedit_offered },
	{ "migrate_scripts", test_migrate_scripts },
	{ "migrate_fdeploy", test_migrate_fdeploy },
	{ "migrate_fdeploy1", test_migrate_fdeploy1 },
	{ "migrate_groups_xml", test_migrate_groups_xml },
	{ "migrate_drives_shortcuts", test_migrate_drives_shortcuts },
	{ "migrate_tasks_xml", test_migrate_tasks_xml },
	{ "migrate_unchanged", test_migrate_unchanged },
	{ "migrate_handles", test_migrate_handles },
	{ "migrate_malformed", test_migrate_malformed },
	{ "migrate_bad_answers", test_migrate_bad_answers },
	{ "migrate_xml_escapes", test_migrate_xml_escapes },
	{ "migrate_fixtures", test_migrate_fixtures },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	return test_run(cases, argc, argv);
}
