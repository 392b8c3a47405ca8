/* Unit tests of gpreport.xml: the input is the GPO of the fixture backup
 * {0DFDDA81-860E-45A6-892F-7DE64B04102E} (GPO {BE97DA8F-...}), whose
 * values are embedded below as literals. */
#include "test.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "gpo_report_xml.h"

#define NS_S "http://www.microsoft.com/GroupPolicy/Settings"
#define NS_T "http://www.microsoft.com/GroupPolicy/Types"
#define NS_X "http://www.microsoft.com/GroupPolicy/Types/Security"

/* Every element path of the 14 fixture reports outside the settings inside
 * <Extension>, with s: Settings, t: Types, x: Types/Security. */
static const char *const fixture_paths[] = {
	"/s:GPO",
	"/s:GPO/s:Identifier",
	"/s:GPO/s:Identifier/t:Identifier",
	"/s:GPO/s:Identifier/t:Domain",
	"/s:GPO/s:Name",
	"/s:GPO/s:IncludeComments",
	"/s:GPO/s:CreatedTime",
	"/s:GPO/s:ModifiedTime",
	"/s:GPO/s:ReadTime",
	"/s:GPO/s:SecurityDescriptor",
	"/s:GPO/s:SecurityDescriptor/x:SDDL",
	"/s:GPO/s:SecurityDescriptor/x:Owner",
	"/s:GPO/s:SecurityDescriptor/x:Owner/t:SID",
	"/s:GPO/s:SecurityDescriptor/x:Owner/t:Name",
	"/s:GPO/s:SecurityDescriptor/x:Group",
	"/s:GPO/s:SecurityDescriptor/x:Group/t:SID",
	"/s:GPO/s:SecurityDescriptor/x:Group/t:Name",
	"/s:GPO/s:SecurityDescriptor/x:PermissionsPresent",
	"/s:GPO/s:SecurityDescriptor/x:Permissions",
	"/s:GPO/s:SecurityDescriptor/x:Permissions/x:InheritsFromParent",
	"/s:GPO/s:SecurityDescriptor/x:Permissions/x:TrusteePermissions",
	"/s:GPO/s:SecurityDescriptor/x:Permissions/x:TrusteePermissions/x:Trustee",
	"/s:GPO/s:SecurityDescriptor/x:Permissions/x:TrusteePermissions/x:Trustee/t:SID",
	"/s:GPO/s:SecurityDescriptor/x:Permissions/x:TrusteePermissions/x:Trustee/t:Name",
	"/s:GPO/s:SecurityDescriptor/x:Permissions/x:TrusteePermissions/x:Type",
	"/s:GPO/s:SecurityDescriptor/x:Permissions/x:TrusteePermissions/x:Type/x:PermissionType",
	"/s:GPO/s:SecurityDescriptor/x:Permissions/x:TrusteePermissions/x:Inherited",
	"/s:GPO/s:SecurityDescriptor/x:Permissions/x:TrusteePermissions/x:Applicability",
	"/s:GPO/s:SecurityDescriptor/x:Permissions/x:TrusteePermissions/x:Applicability/x:ToSelf",
	"/s:GPO/s:SecurityDescriptor/x:Permissions/x:TrusteePermissions/x:Applicability/x:ToDescendantObjects",
	"/s:GPO/s:SecurityDescriptor/x:Permissions/x:TrusteePermissions/x:Applicability/x:ToDescendantContainers",
	"/s:GPO/s:SecurityDescriptor/x:Permissions/x:TrusteePermissions/x:Applicability/x:ToDirectDescendantsOnly",
	"/s:GPO/s:SecurityDescriptor/x:Permissions/x:TrusteePermissions/x:Standard",
	"/s:GPO/s:SecurityDescriptor/x:Permissions/x:TrusteePermissions/x:Standard/x:GPOGroupedAccessEnum",
	"/s:GPO/s:SecurityDescriptor/x:Permissions/x:TrusteePermissions/x:AccessMask",
	"/s:GPO/s:SecurityDescriptor/x:AuditingPresent",
	"/s:GPO/s:FilterDataAvailable",
	"/s:GPO/s:Computer",
	"/s:GPO/s:Computer/s:VersionDirectory",
	"/s:GPO/s:Computer/s:VersionSysvol",
	"/s:GPO/s:Computer/s:Enabled",
	"/s:GPO/s:Computer/s:ExtensionData",
	"/s:GPO/s:Computer/s:ExtensionData/s:Extension",
	"/s:GPO/s:Computer/s:ExtensionData/s:Name",
	"/s:GPO/s:User",
	"/s:GPO/s:User/s:VersionDirectory",
	"/s:GPO/s:User/s:VersionSysvol",
	"/s:GPO/s:User/s:Enabled",
	"/s:GPO/s:User/s:ExtensionData",
	"/s:GPO/s:User/s:ExtensionData/s:Extension",
	"/s:GPO/s:User/s:ExtensionData/s:Name",
	/* not in the fixtures (no filter, no link there): as published GPMC
	 * reports show them */
	"/s:GPO/s:FilterName",
	"/s:GPO/s:LinksTo",
	"/s:GPO/s:LinksTo/s:SOMName",
	"/s:GPO/s:LinksTo/s:SOMPath",
	"/s:GPO/s:LinksTo/s:Enabled",
	"/s:GPO/s:LinksTo/s:NoOverride",
	NULL
};

#define SID_DA "S-1-5-21-1919661418-4284097610-952411612-512"
#define SID_EA "S-1-5-21-1919661418-4284097610-952411612-519"

static const struct gpo_report_permission fixture_perms[] = {
	{ { SID_EA, "SECURITY\\Enterprise Admins" }, false, false,
	  true, false, true, false, "Edit, delete, modify security", 0 },
	{ { "S-1-5-9", "NT AUTHORITY\\ENTERPRISE DOMAIN CONTROLLERS" },
	  false, false, true, false, true, false, "Read", 0 },
	{ { "S-1-5-18", "NT AUTHORITY\\SYSTEM" }, false, false,
	  true, false, true, false, "Edit, delete, modify security", 0 },
	{ { "S-1-5-11", "NT AUTHORITY\\Authenticated Users" }, false, false,
	  true, false, true, false, "Apply Group Policy", 0 },
	{ { SID_DA, "SECURITY\\Domain Admins" }, false, false,
	  true, false, true, false, "Edit, delete, modify security", 0 },
};

static const char *const ext_registry[] = { "Registry" };

static struct gpo_report_input fixture_input(void)
{
	struct gpo_report_input in = {
		.guid = "{BE97DA8F-3E77-4DF5-A4B8-ED01B14B8ED8}",
		.domain = "Security.local",
		.display_name = "DRAFT - DoD Office 2016 - Computer",
		.created = 1455035818,         /* 2016-02-09T16:36:58 */
		.modified = 1472758952,        /* 2016-09-01T19:42:32 */
		.read_time = { 1478002757, 714207800 },
		.sddl = "O:DAG:DAD:PAI(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)"
			"(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)"
			"(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;" SID_EA ")(A;CI;LCRPLORC;;;ED)"
			"(A;CI;LCRPLORC;;;AU)(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;SY)"
			"(A;CIIO;CCDCLCSWRPWPDTLOSDRCWDWO;;;CO)"
			"S:AI(OU;CIIDSA;WPWD;;f30e3bc2-9ff0-11d1-b603-0000f80367c1;WD)"
			"(OU;CIIOIDSA;WP;f30e3bbe-9ff0-11d1-b603-0000f80367c1;bf967aa5-0de6-11d0-a285-00aa003049e2;WD)"
			"(OU;CIIOIDSA;WP;f30e3bbf-9ff0-11d1-b603-0000f80367c1;bf967aa5-0de6-11d0-a285-00aa003049e2;WD)",
		.owner = { SID_DA, "SECURITY\\Domain Admins" },
		.group = { SID_DA, "SECURITY\\Domain Admins" },
		.permissions_present = true,
		.inherits_from_parent = false,
		.perms = fixture_perms,
		.n_perms = sizeof(fixture_perms) / sizeof(fixture_perms[0]),
		.filter_data_available = true,
		.flags = 1,                    /* user half disabled */
		.version = 219u << 16 | 4,
		.sysvol_version = 219u << 16 | 4,
		.computer_ext = ext_registry,
		.n_computer_ext = 1,
	};
	return in;
}

/* The report as UTF-8 (after its BOM), for looking at its text. */
static char *utf8_of(const char *data, size_t len)
{
	iconv_t cd = iconv_open("UTF-8", "UTF-16LE");
	size_t cap = len * 2 + 1, left_out = cap - 1, left_in = len - 2;
	char *out = malloc(cap), *o = out, *in = (char *)data + 2;

	if (cd == (iconv_t)-1 || !out ||
	    iconv(cd, &in, &left_in, &o, &left_out) == (size_t)-1) {
		free(out);
		out = NULL;
	} else {
		*o = '\0';
	}
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	return out;
}

static bool known_path(const char *p)
{
	for (int i = 0; fixture_paths[i]; i++)
		if (!strcmp(fixture_paths[i], p))
			return true;
	return false;
}

/* Counts the elements whose path (with namespaces) is not a fixture's.
 * The settings inside <Extension> are not walked: there are none. */
static int unknown_paths(xmlNodePtr n, const char *parent)
{
	int bad = 0;

	for (; n; n = n->next) {
		char path[512];
		const char *ns, *tag;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		ns = n->ns ? (const char *)n->ns->href : "";
		tag = !strcmp(ns, NS_S) ? "s" : !strcmp(ns, NS_T) ? "t" :
		      !strcmp(ns, NS_X) ? "x" : "?";
		snprintf(path, sizeof(path), "%s/%s:%s", parent, tag, n->name);
		if (!known_path(path)) {
			fprintf(stderr, "not in the fixtures: %s\n", path);
			bad++;
		}
		if (strcmp((const char *)n->name, "Extension"))
			bad += unknown_paths(n->children, path);
		else if (n->children)
			bad++;
	}
	return bad;
}

/* The string value of an XPath expression over the report. */
static char *xp(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o = NULL;
	char *s = NULL;

	if (!ctx)
		return NULL;
	xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST NS_S);
	xmlXPathRegisterNs(ctx, BAD_CAST "t", BAD_CAST NS_T);
	xmlXPathRegisterNs(ctx, BAD_CAST "x", BAD_CAST NS_X);
	xmlXPathRegisterNs(ctx, BAD_CAST "xsi",
			   BAD_CAST "http://www.w3.org/2001/XMLSchema-instance");
	o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	if (o) {
		xmlChar *v = xmlXPathCastToString(o);

		s = v ? strdup((const char *)v) : NULL;
		xmlFree(v);
		xmlXPathFreeObject(o);
	}
	xmlXPathFreeContext(ctx);
	return s;
}

#define ASSERT_XP(doc, expr, want)                                          \
	do {                                                                \
		char *v_ = xp(doc, expr);                                   \
		int ok_ = v_ && !strcmp(v_, want);                          \
		if (!ok_)                                                   \
			fprintf(stderr, "%s: \"%s\"\n", expr, v_ ? v_ : "(null)"); \
		free(v_);                                                   \
		ASSERT(ok_);                                                \
	} while (0)

static xmlDocPtr parse(const char *data, size_t len)
{
	return xmlReadMemory(data, (int)len, "gpreport.xml", NULL,
			     XML_PARSE_NONET | XML_PARSE_NOBLANKS);
}

static int test_report_fixture(void)
{
	struct gpo_report_input in = fixture_input();
	char *data = NULL, *text = NULL;
	size_t len = 0;
	xmlDocPtr doc;
	int rc = 1;

	/* line for line as in the fixture, settings aside */
	static const char head[] = "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n"
		"<GPO xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
		"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
		"xmlns=\"" NS_S "\">\r\n"
		"  <Identifier>\r\n"
		"    <Identifier xmlns=\"" NS_T "\">{BE97DA8F-3E77-4DF5-A4B8-ED01B14B8ED8}</Identifier>\r\n"
		"    <Domain xmlns=\"" NS_T "\">Security.local</Domain>\r\n"
		"  </Identifier>\r\n"
		"  <Name>DRAFT - DoD Office 2016 - Computer</Name>\r\n"
		"  <IncludeComments>true</IncludeComments>\r\n"
		"  <CreatedTime>2016-02-09T16:36:58</CreatedTime>\r\n"
		"  <ModifiedTime>2016-09-01T19:42:32</ModifiedTime>\r\n"
		"  <ReadTime>2016-11-01T12:19:17.7142078Z</ReadTime>\r\n"
		"  <SecurityDescriptor>\r\n"
		"    <SDDL xmlns=\"" NS_X "\">O:DAG:DAD:PAI(";
	ASSERT_EQ(gpo_report_xml(&in, &data, &len), 0);
	ASSERT(len > 2 && len % 2 == 0);
	ASSERT(!memcmp(data, "\xff\xfe<\0?\0x\0m\0l\0", 12));
	text = utf8_of(data, len);
	ASSERT(text);
	ASSERT(!strncmp(text, head, strlen(head)));
	ASSERT(strstr(text, "\r\n      <TrusteePermissions>\r\n        <Trustee>\r\n"
		"          <SID xmlns=\"" NS_T "\">S-1-5-9</SID>\r\n"
		"          <Name xmlns=\"" NS_T "\">NT AUTHORITY\\ENTERPRISE DOMAIN CONTROLLERS</Name>\r\n"
		"        </Trustee>\r\n"
		"        <Type xsi:type=\"PermissionType\">\r\n"
		"          <PermissionType>Allow</PermissionType>\r\n"
		"        </Type>\r\n"
		"        <Inherited>false</Inherited>\r\n"
		"        <Applicability>\r\n"
		"          <ToSelf>true</ToSelf>\r\n"
		"          <ToDescendantObjects>false</ToDescendantObjects>\r\n"
		"          <ToDescendantContainers>true</ToDescendantContainers>\r\n"
		"          <ToDirectDescendantsOnly>false</ToDirectDescendantsOnly>\r\n"
		"        </Applicability>\r\n"
		"        <Standard>\r\n"
		"          <GPOGroupedAccessEnum>Read</GPOGroupedAccessEnum>\r\n"
		"        </Standard>\r\n"
		"        <AccessMask>0</AccessMask>\r\n"
		"      </TrusteePermissions>\r\n"));
	{
		static const char tail[] =
			"    </Permissions>\r\n"
			"    <AuditingPresent xmlns=\"" NS_X "\">false</AuditingPresent>\r\n"
			"  </SecurityDescriptor>\r\n"
			"  <FilterDataAvailable>true</FilterDataAvailable>\r\n"
			"  <Computer>\r\n"
			"    <VersionDirectory>4</VersionDirectory>\r\n"
			"    <VersionSysvol>4</VersionSysvol>\r\n"
			"    <Enabled>true</Enabled>\r\n"
			"    <ExtensionData>\r\n"
			"      <Extension xmlns:q1=\"" NS_S "/Registry\" xsi:type=\"q1:RegistrySettings\" />\r\n"
			"      <Name>Registry</Name>\r\n"
			"    </ExtensionData>\r\n"
			"  </Computer>\r\n"
			"  <User>\r\n"
			"    <VersionDirectory>219</VersionDirectory>\r\n"
			"    <VersionSysvol>219</VersionSysvol>\r\n"
			"    <Enabled>false</Enabled>\r\n"
			"  </User>\r\n"
			"</GPO>";
		size_t n = strlen(text);

		ASSERT(n > sizeof(tail) - 1);
		ASSERT_STR(text + n - (sizeof(tail) - 1), tail);
	}
	/* CRLF throughout, as GPMC writes it */
	for (const char *p = text; *p; p++)
		if (*p == '\n' && (p == text || p[-1] != '\r'))
			goto out;
	doc = parse(data, len);
	ASSERT(doc);
	if (unknown_paths(xmlDocGetRootElement(doc), "")) {
		xmlFreeDoc(doc);
		goto out;
	}
	rc = 0;
	xmlFreeDoc(doc);
out:
	free(text);
	free(data);
	return rc;
}

static int test_report_values(void)
{
	static const struct gpo_report_permission perms[] = {
		{ { "S-1-5-21-1-2-3-1105", "CORP\\R&D <\"Ops\"> ]]> é" },
		  true, true, true, true, true, true, "Custom", 0x20094 },
		{ { "S-1-5-21-1-2-3-9999", NULL }, false, false,
		  true, false, false, false, "Edit settings", 0 },
	};
	static const struct gpo_report_link links[] = {
		{ "Servers & <Tier 1>", "corp.test/Servers & <Tier 1>", true, false },
		{ "corp.test", "corp.test", false, true },
	};
	static const char *const cext[] = { "Registry", "Security" };
	static const char *const uext[] = { "Drive Maps", "Registry" };
	const char *name = "Politique de sécurité — Ünïcode <&\"/>'\r\n2";
	struct gpo_report_input in = fixture_input();
	char *data = NULL;
	size_t len = 0;
	xmlDocPtr doc;

	in.display_name = name;
	in.domain = "corp.test";
	in.perms = perms;
	in.n_perms = 2;
	in.inherits_from_parent = true;
	in.wmi_filter_name = "Windows 10 & \"later\" \xf0\x9f\x92\xbb";
	in.read_time.tv_nsec = 500;
	in.flags = 2;
	in.version = 3u << 16 | 7;
	in.sysvol_version = 2u << 16 | 6;
	in.computer_ext = cext;
	in.n_computer_ext = 2;
	in.user_ext = uext;
	in.n_user_ext = 2;
	in.links = links;
	in.n_links = 2;
	ASSERT_EQ(gpo_report_xml(&in, &data, &len), 0);
	doc = parse(data, len);
	free(data);
	ASSERT(doc);
	ASSERT_EQ(unknown_paths(xmlDocGetRootElement(doc), ""), 0);
	ASSERT_XP(doc, "string(/s:GPO/s:Name)", name);
	ASSERT_XP(doc, "string(/s:GPO/s:Identifier/t:Domain)", "corp.test");
	ASSERT_XP(doc, "string(/s:GPO/s:ReadTime)", "2016-11-01T12:19:17.0000005Z");
	ASSERT_XP(doc, "string(//x:Permissions/x:InheritsFromParent)", "true");
	ASSERT_XP(doc, "string(//x:TrusteePermissions[1]/x:Trustee/t:Name)",
		  perms[0].trustee.name);
	ASSERT_XP(doc, "string(//x:TrusteePermissions[1]/x:Type/x:PermissionType)", "Deny");
	ASSERT_XP(doc, "string(//x:TrusteePermissions[1]/x:Inherited)", "true");
	ASSERT_XP(doc, "string(//x:TrusteePermissions[1]//x:GPOGroupedAccessEnum)", "Custom");
	ASSERT_XP(doc, "string(//x:TrusteePermissions[1]/x:AccessMask)", "131220");
	ASSERT_XP(doc, "string(count(//x:TrusteePermissions[2]/x:Trustee/t:Name))", "0");
	ASSERT_XP(doc, "string(//x:TrusteePermissions[2]//x:GPOGroupedAccessEnum)", "Edit settings");
	ASSERT_XP(doc, "string(/s:GPO/s:FilterName)", in.wmi_filter_name);
	ASSERT_XP(doc, "name(/s:GPO/s:FilterDataAvailable/following-sibling::*[1])", "FilterName");
	/* flags 2: computer half disabled; versions split per half */
	ASSERT_XP(doc, "string(/s:GPO/s:Computer/s:Enabled)", "false");
	ASSERT_XP(doc, "string(/s:GPO/s:User/s:Enabled)", "true");
	ASSERT_XP(doc, "string(/s:GPO/s:Computer/s:VersionDirectory)", "7");
	ASSERT_XP(doc, "string(/s:GPO/s:Computer/s:VersionSysvol)", "6");
	ASSERT_XP(doc, "string(/s:GPO/s:User/s:VersionDirectory)", "3");
	ASSERT_XP(doc, "string(/s:GPO/s:User/s:VersionSysvol)", "2");
	/* GPMC's order (Security before Registry) and q1, q2... across the
	 * file */
	ASSERT_XP(doc, "string(/s:GPO/s:Computer/s:ExtensionData[1]/s:Name)", "Security");
	ASSERT_XP(doc, "string(/s:GPO/s:Computer/s:ExtensionData[1]/s:Extension/@xsi:type)",
		  "q1:SecuritySettings");
	ASSERT_XP(doc, "string(/s:GPO/s:Computer/s:ExtensionData[2]/s:Extension/@xsi:type)",
		  "q2:RegistrySettings");
	ASSERT_XP(doc, "string(/s:GPO/s:User/s:ExtensionData[1]/s:Extension/@xsi:type)",
		  "q3:DriveMapSettings");
	ASSERT_XP(doc, "string(/s:GPO/s:User/s:ExtensionData[1]/s:Extension/namespace::q3)",
		  NS_S "/DriveMaps");
	ASSERT_XP(doc, "string(/s:GPO/s:User/s:ExtensionData[2]/s:Name)", "Registry");
	/* links after <User>, in order */
	ASSERT_XP(doc, "name(/s:GPO/s:User/following-sibling::*[1])", "LinksTo");
	ASSERT_XP(doc, "string(/s:GPO/s:LinksTo[1]/s:SOMName)", "Servers & <Tier 1>");
	ASSERT_XP(doc, "string(/s:GPO/s:LinksTo[1]/s:SOMPath)", "corp.test/Servers & <Tier 1>");
	ASSERT_XP(doc, "string(/s:GPO/s:LinksTo[1]/s:Enabled)", "true");
	ASSERT_XP(doc, "string(/s:GPO/s:LinksTo[1]/s:NoOverride)", "false");
	ASSERT_XP(doc, "string(/s:GPO/s:LinksTo[2]/s:Enabled)", "false");
	ASSERT_XP(doc, "string(/s:GPO/s:LinksTo[2]/s:NoOverride)", "true");
	xmlFreeDoc(doc);
	return 0;
}

static int test_report_stable(void)
{
	static const char *const fwd[] = { "Registry", "Security" };
	static const char *const rev[] = { "Security", "Registry", "Security" };
	struct gpo_report_input in = fixture_input();
	char *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	int same;

	ASSERT_EQ(gpo_report_xml(&in, &a, &na), 0);
	ASSERT_EQ(gpo_report_xml(&in, &b, &nb), 0);
	same = na == nb && !memcmp(a, b, na);
	free(a);
	free(b);
	ASSERT(same);
	/* the order (and repeats) of the extension names do not matter */
	in.computer_ext = fwd;
	in.n_computer_ext = 2;
	ASSERT_EQ(gpo_report_xml(&in, &a, &na), 0);
	in.computer_ext = rev;
	in.n_computer_ext = 3;
	ASSERT_EQ(gpo_report_xml(&in, &b, &nb), 0);
	same = na == nb && !memcmp(a, b, na);
	free(a);
	free(b);
	ASSERT(same);
	return 0;
}

static int expect_einval(const struct gpo_report_input *in)
{
	char *data = (char *)"untouched";
	size_t len = 0;
	int rc = gpo_report_xml(in, &data, &len);

	if (rc == 0)
		free(data);
	return rc == -EINVAL && !strcmp(data, "untouched") ? 0 : 1;
}

static int test_report_malformed(void)
{
	static const char *const unknown[] = { "Registry", "Registri" };
	static const char *const null_name[] = { NULL };
	struct gpo_report_permission perm = fixture_perms[0];
	struct gpo_report_link link = { NULL, NULL, true, false };
	struct gpo_report_input in;
	char *data = NULL;
	size_t len = 0;
	xmlDocPtr doc;

	ASSERT_EQ(gpo_report_xml(NULL, &data, &len), -EINVAL);
	in = fixture_input(); in.guid = NULL;               ASSERT(!expect_einval(&in));
	in = fixture_input(); in.guid = "{BE97DA8F-3E77}";  ASSERT(!expect_einval(&in));
	in = fixture_input(); in.domain = NULL;             ASSERT(!expect_einval(&in));
	in = fixture_input(); in.perms = NULL;              ASSERT(!expect_einval(&in));
	in = fixture_input(); in.n_links = 1;               ASSERT(!expect_einval(&in));
	in = fixture_input(); in.computer_ext = unknown; in.n_computer_ext = 2;
	ASSERT(!expect_einval(&in));
	in = fixture_input(); in.user_ext = null_name; in.n_user_ext = 1;
	ASSERT(!expect_einval(&in));
	in = fixture_input(); in.user_ext = NULL; in.n_user_ext = 1;
	ASSERT(!expect_einval(&in));
	in = fixture_input(); in.display_name = "bad \xc3\x28 utf-8";
	ASSERT(!expect_einval(&in));
	in = fixture_input(); in.display_name = "control \x01 char";
	ASSERT(!expect_einval(&in));
	in = fixture_input(); in.sddl = "\xef\xbf\xbe";   /* U+FFFE */
	ASSERT(!expect_einval(&in));
	in = fixture_input(); in.read_time.tv_nsec = 1000000000L;
	ASSERT(!expect_einval(&in));
	in = fixture_input(); in.perms = &perm; in.n_perms = 1;
	perm.access = "Full control";                      ASSERT(!expect_einval(&in));
	perm.access = NULL;                                ASSERT(!expect_einval(&in));
	perm = fixture_perms[0]; perm.trustee.sid = NULL;  ASSERT(!expect_einval(&in));
	in = fixture_input(); in.links = &link; in.n_links = 1;
	ASSERT(!expect_einval(&in));

	/* what is optional may be NULL: it is left out or written empty */
	in = fixture_input();
	in.display_name = NULL;
	in.sddl = NULL;
	in.owner.sid = NULL;
	in.group.name = NULL;
	in.permissions_present = false;
	in.computer_ext = NULL;
	in.n_computer_ext = 0;
	link.som_path = "corp.test";
	in.links = &link;
	in.n_links = 1;
	ASSERT_EQ(gpo_report_xml(&in, &data, &len), 0);
	doc = parse(data, len);
	free(data);
	ASSERT(doc);
	ASSERT_XP(doc, "string(count(/s:GPO/s:Name))", "1");
	ASSERT_XP(doc, "string(/s:GPO/s:Name)", "");
	ASSERT_XP(doc, "string(count(//x:SDDL | //x:Owner | //x:Permissions))", "0");
	ASSERT_XP(doc, "string(//x:Group/t:SID)", SID_DA);
	ASSERT_XP(doc, "string(count(//x:Group/t:Name))", "0");
	ASSERT_XP(doc, "string(//x:PermissionsPresent)", "false");
	ASSERT_XP(doc, "string(count(//s:ExtensionData))", "0");
	ASSERT_XP(doc, "string(count(/s:GPO/s:LinksTo/s:SOMName))", "1");
	ASSERT_XP(doc, "string(/s:GPO/s:LinksTo/s:SOMPath)", "corp.test");
	ASSERT_EQ(unknown_paths(xmlDocGetRootElement(doc), ""), 0);
	xmlFreeDoc(doc);
	return 0;
}

static int test_report_ext_cse(void)
{
	ASSERT_STR(gpo_report_ext_for_cse("{35378EAC-683F-11D2-A89A-00C04FBBCFA2}"), "Registry");
	ASSERT_STR(gpo_report_ext_for_cse("{827d319e-6eac-11d2-a4ea-00c04f79f83a}"), "Security");
	ASSERT_STR(gpo_report_ext_for_cse("{F3CCC681-B74C-4060-9F26-CD84525DCA2A}"),
		   "Advanced Audit Configuration");
	ASSERT_STR(gpo_report_ext_for_cse("{B1BE8D72-6EAC-11D2-A4EA-00C04F79F83A}"), "Public Key");
	/* tool GUIDs and extensions GPMC shows nothing for */
	ASSERT(!gpo_report_ext_for_cse("{D02B1F72-3407-48AE-BA88-E8213C6761F1}"));
	ASSERT(!gpo_report_ext_for_cse("{2A8FDC61-2347-4C87-92F6-B05EB91A201A}"));
	ASSERT(!gpo_report_ext_for_cse(NULL));
	return 0;
}

static const struct test_case cases[] = {
	{ "report_fixture", test_report_fixture },
	{ "report_values", test_report_values },
	{ "report_stable", test_report_stable },
	{ "report_malformed", test_report_malformed },
	{ "report_ext_cse", test_report_ext_cse },
	{ NULL, NULL }
};

int main(int argc, char **argv)
{
	return test_run(cases, argc, argv);
}
