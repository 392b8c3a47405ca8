#include "gpo_report_xml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/chvalid.h>
#include <libxml/xmlstring.h>
#include <libxml/xmlwriter.h>

#include "gpo_buf.h"
#include "gpo_utf16.h"
#include "gpo_xmlw.h"
#include "gpo_model.h"

#define NS_XSD "http://www.w3.org/2001/XMLSchema"
#define NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define NS_SETTINGS "http://www.microsoft.com/GroupPolicy/Settings"
#define NS_TYPES "http://www.microsoft.com/GroupPolicy/Types"
#define NS_SECURITY "http://www.microsoft.com/GroupPolicy/Types/Security"

/* The extensions GPMC reports, in the order it writes them. The pairs
 * Security < Advanced Audit Configuration < Registry, Security <
 * Application Control Policies < Registry, Windows Firewall < Registry and
 * Public Key < Registry are seen in the fixtures, Scripts < Windows
 * Registry < Public Key in other published reports; the rest of the order
 * is a guess. Names, namespaces and types of the first six are from the
 * fixtures, the others from published GPMC reports. Application Control
 * Policies and Windows Firewall have no CSE of their own: GPMC finds them
 * in registry.pol and the security template, which this module does not
 * read. */
struct report_ext {
	const char *name;   /* <Name> */
	const char *ns;     /* below http://www.microsoft.com/GroupPolicy/Settings/ */
	const char *type;   /* xsi:type, local part */
	const char *cse;    /* client-side extension GUID, or NULL */
};

static const struct report_ext report_exts[] = {
	{ "Security", "Security", "SecuritySettings",
	  "{827D319E-6EAC-11D2-A4EA-00C04F79F83A}" },
	{ "Advanced Audit Configuration", "Auditing", "AuditSettings",
	  "{F3CCC681-B74C-4060-9F26-CD84525DCA2A}" },
	{ "Application Control Policies", "SRPV2", "Policy", NULL },
	{ "Windows Firewall", "WindowsFirewall", "WindowsFirewallSettings",
	  NULL },
	{ "Scripts", "Scripts", "Scripts",
	  "{42B5FAAE-6536-11D2-AE5A-0000F87571E3}" },
	{ "Folder Redirection", "FolderRedirection",
	  "FolderRedirectionSettings",
	  "{25537BA6-77A8-11D2-9B6C-0000F8080861}" },
	{ "Software Installation", "SoftwareInstallation",
	  "SoftwareInstallationSettings",
	  "{C6DC5466-785A-11D2-84D0-00C04FB169F7}" },
	{ "Drive Maps", "DriveMaps", "DriveMapSettings",
	  "{5794DAFD-BE60-433F-88A2-1A31939AC01F}" },
	{ "Files", "Files", "FilesSettings",
	  "{7150F9BF-48AD-4DA4-A49C-29EF4A8369BA}" },
	{ "Local Users and Groups", "Lugs", "LugsSettings",
	  "{17D89FEC-5C44-4972-B12D-241CAEF74509}" },
	{ "Scheduled Tasks", "ScheduledTasks", "ScheduledTasksSettings",
	  "{AADCED64-746C-4633-A97C-D61349046527}" },
	{ "Windows Registry", "Windows/Registry", "RegistrySettings",
	  "{B087BE9D-ED37-454F-AF9C-04291E351182}" },
	{ "Public Key", "PublicKey", "PublicKeySettings",
	  "{B1BE8D72-6EAC-11D2-A4EA-00C04F79F83A}" },
	{ "Registry", "Registry", "RegistrySettings",
	  "{35378EAC-683F-11D2-A89A-00C04FBBCFA2}" },
};

#define N_EXTS (sizeof(report_exts) / sizeof(report_exts[0]))

static const char *const grouped_access[] = {
	"Read", "Apply Group Policy", "Edit settings",
	"Edit, delete, modify security", "Custom",
};

const char *gpo_report_ext_for_cse(const char *cse_guid)
{
	if (!cse_guid)
		return NULL;
	for (size_t i = 0; i < N_EXTS; i++)
		if (report_exts[i].cse && !strcasecmp(report_exts[i].cse, cse_guid))
			return report_exts[i].name;
	return NULL;
}

/* The writer's calls return -1 on failure; gpo_xmlw collects them (and
 * refused input) into one code so the generator reads as the file it
 * writes. */
struct xw {
	struct gpo_xmlw xw;
	xmlTextWriterPtr w;  /* xw's, for the calls gpo_xmlw has no helper of */
	unsigned ext_seq;   /* GPMC numbers the extension prefixes q1, q2...
			     * across the whole file */
};

static void check(struct xw *x, int n)
{
	if (n < 0)
		gpo_xmlw_fail(&x->xw, -ENOMEM);
}

static void refuse(struct xw *x)
{
	gpo_xmlw_fail(&x->xw, -EINVAL);
}

/* GPMC's serializer cannot write what XML 1.0 cannot carry, and neither
 * may we: the value must be UTF-8 of XML characters only. */
static bool xml_text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int len = (int)strlen(s);

	if (xmlCheckUTF8(p) == 0)
		return false;
	while (len > 0) {
		int n = len;
		int c = xmlGetUTF8Char(p, &n);

		if (c < 0 || !xmlIsCharQ(c))
			return false;
		p += n;
		len -= n;
	}
	return true;
}

static void attr(struct xw *x, const char *name, const char *value)
{
	check(x, xmlTextWriterWriteAttribute(x->w, BAD_CAST name,
					     BAD_CAST value));
}

/* GPMC declares the Types namespaces again on every element that uses
 * them instead of declaring a prefix once. */
static void start(struct xw *x, const char *name, const char *ns)
{
	check(x, xmlTextWriterStartElement(x->w, BAD_CAST name));
	if (ns)
		attr(x, "xmlns", ns);
}

static void end(struct xw *x)
{
	check(x, xmlTextWriterEndElement(x->w));
}

static void text(struct xw *x, const char *name, const char *ns,
		 const char *value)
{
	if (value && !xml_text_ok(value)) {
		refuse(x);
		return;
	}
	start(x, name, ns);
	if (value && *value)
		check(x, xmlTextWriterWriteString(x->w, BAD_CAST value));
	end(x);
}

static void boolean(struct xw *x, const char *name, const char *ns, bool v)
{
	text(x, name, ns, v ? "true" : "false");
}

static void number(struct xw *x, const char *name, unsigned long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%lu", v);
	text(x, name, NULL, s);
}

static void timestamp(struct xw *x, const char *name, time_t t)
{
	char s[32];
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm)) {
		refuse(x);
		return;
	}
	text(x, name, NULL, s);
}

/* GPMC writes the read time with .NET's seven fractional digits. */
static void read_time(struct xw *x, const struct timespec *ts)
{
	char s[64];
	char sec[32];
	struct tm tm;

	if (ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L ||
	    !gmtime_r(&ts->tv_sec, &tm) ||
	    !strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm)) {
		refuse(x);
		return;
	}
	snprintf(s, sizeof(s), "%s.%07ldZ", sec, ts->tv_nsec / 100);
	text(x, "ReadTime", NULL, s);
}

static void principal(struct xw *x, const char *name,
		      const struct gpo_report_principal *p)
{
	start(x, name, NS_SECURITY);
	text(x, "SID", NS_TYPES, p->sid);
	if (p->name)
		text(x, "Name", NS_TYPES, p->name);
	end(x);
}

static bool access_known(const char *access)
{
	for (size_t i = 0; access && i < sizeof(grouped_access) /
					 sizeof(grouped_access[0]); i++)
		if (!strcmp(access, grouped_access[i]))
			return true;
	return false;
}

static void permission(struct xw *x, const struct gpo_report_permission *p)
{
	if (!p->trustee.sid || !access_known(p->access)) {
		refuse(x);
		return;
	}
	start(x, "TrusteePermissions", NULL);
	start(x, "Trustee", NULL);
	text(x, "SID", NS_TYPES, p->trustee.sid);
	if (p->trustee.name)
		text(x, "Name", NS_TYPES, p->trustee.name);
	end(x);
	start(x, "Type", NULL);
	attr(x, "xsi:type", "PermissionType");
	text(x, "PermissionType", NULL, p->deny ? "Deny" : "Allow");
	end(x);
	boolean(x, "Inherited", NULL, p->inherited);
	start(x, "Applicability", NULL);
	boolean(x, "ToSelf", NULL, p->to_self);
	boolean(x, "ToDescendantObjects", NULL, p->to_descendant_objects);
	boolean(x, "ToDescendantContainers", NULL, p->to_descendant_containers);
	boolean(x, "ToDirectDescendantsOnly", NULL,
		p->to_direct_descendants_only);
	end(x);
	/* GPMC's schema may hold a custom right elsewhere than <Standard>;
	 * no report at hand shows one, so every grouped right goes here. */
	start(x, "Standard", NULL);
	text(x, "GPOGroupedAccessEnum", NULL, p->access);
	end(x);
	number(x, "AccessMask", p->access_mask);
	end(x);
}

static void security_descriptor(struct xw *x, const struct gpo_report_input *in)
{
	start(x, "SecurityDescriptor", NULL);
	if (in->sddl)
		text(x, "SDDL", NS_SECURITY, in->sddl);
	if (in->owner.sid)
		principal(x, "Owner", &in->owner);
	if (in->group.sid)
		principal(x, "Group", &in->group);
	boolean(x, "PermissionsPresent", NS_SECURITY, in->permissions_present);
	if (in->permissions_present) {
		start(x, "Permissions", NS_SECURITY);
		boolean(x, "InheritsFromParent", NULL, in->inherits_from_parent);
		for (size_t i = 0; i < in->n_perms; i++)
			permission(x, &in->perms[i]);
		end(x);
	}
	/* The GPO's descriptor as gpofs reads it holds no SACL. */
	boolean(x, "AuditingPresent", NS_SECURITY, false);
	end(x);
}

static bool listed(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

static bool exts_known(const char *const *names, size_t n)
{
	if (n && !names)
		return false;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		if (!names[i])
			return false;
		while (k < N_EXTS && strcmp(report_exts[k].name, names[i]))
			k++;
		if (k == N_EXTS)
			return false;
	}
	return true;
}

/* One half: <Computer> or <User>. Decoding the settings (registry.pol,
 * GptTmpl.inf, the preference XML...) is out of scope, so each extension
 * is written as GPMC writes one whose settings it shows none of: an empty
 * <Extension> of the extension's type, then its <Name>. */
static void half(struct xw *x, const char *name, unsigned dir_version,
		 unsigned sysvol_version, bool enabled,
		 const char *const *exts, size_t n_exts)
{
	start(x, name, NULL);
	number(x, "VersionDirectory", dir_version);
	number(x, "VersionSysvol", sysvol_version);
	boolean(x, "Enabled", NULL, enabled);
	for (size_t i = 0; i < N_EXTS; i++) {
		const struct report_ext *e = &report_exts[i];
		char prefix[32], type[96], ns[128];

		if (!listed(exts, n_exts, e->name))
			continue;
		x->ext_seq++;
		snprintf(prefix, sizeof(prefix), "xmlns:q%u", x->ext_seq);
		snprintf(type, sizeof(type), "q%u:%s", x->ext_seq, e->type);
		snprintf(ns, sizeof(ns), NS_SETTINGS "/%s", e->ns);
		start(x, "ExtensionData", NULL);
		start(x, "Extension", NULL);
		attr(x, prefix, ns);
		attr(x, "xsi:type", type);
		end(x);
		text(x, "Name", NULL, e->name);
		end(x);
	}
	end(x);
}

static void link_to(struct xw *x, const struct gpo_report_link *l)
{
	if (!l->som_path) {
		refuse(x);
		return;
	}
	start(x, "LinksTo", NULL);
	text(x, "SOMName", NULL, l->som_name);
	text(x, "SOMPath", NULL, l->som_path);
	boolean(x, "Enabled", NULL, l->enabled);
	boolean(x, "NoOverride", NULL, l->no_override);
	end(x);
}

/* libxml2 ends lines with LF and empty elements with "/>"; GPMC (.NET)
 * with CRLF and " />". '>' is escaped in text and attributes, so "/>"
 * only ever closes an empty tag; LF in text becomes CRLF, which parsers
 * read back as LF. GPMC ends the file without a line break. */
static int gpmc_layout(const char *s, size_t n, struct gpo_buf *out)
{
	int rc = 0;

	while (n && s[n - 1] == '\n')
		n--;
	for (size_t i = 0; i < n && !rc; i++) {
		if (s[i] == '\n')
			rc = gpo_buf_add(out, "\r\n", 2);
		else if (s[i] == '/' && i + 1 < n && s[i + 1] == '>')
			rc = gpo_buf_add(out, " /", 2);
		else
			rc = gpo_buf_add(out, &s[i], 1);
	}
	return rc;
}

static void document(struct xw *x, const struct gpo_report_input *in)
{
	check(x, xmlTextWriterWriteRaw(x->w, BAD_CAST
		"<?xml version=\"1.0\" encoding=\"utf-16\"?>\n"));
	start(x, "GPO", NULL);
	attr(x, "xmlns:xsd", NS_XSD);
	attr(x, "xmlns:xsi", NS_XSI);
	attr(x, "xmlns", NS_SETTINGS);
	start(x, "Identifier", NULL);
	text(x, "Identifier", NS_TYPES, in->guid);
	text(x, "Domain", NS_TYPES, in->domain);
	end(x);
	text(x, "Name", NULL, in->display_name);
	boolean(x, "IncludeComments", NULL, true);
	timestamp(x, "CreatedTime", in->created);
	timestamp(x, "ModifiedTime", in->modified);
	read_time(x, &in->read_time);
	security_descriptor(x, in);
	boolean(x, "FilterDataAvailable", NULL, in->filter_data_available);
	if (in->wmi_filter_name)
		text(x, "FilterName", NULL, in->wmi_filter_name);
	half(x, "Computer", gpo_version_machine(in->version),
	     gpo_version_machine(in->sysvol_version),
	     !(in->flags & GPO_FLAG_MACHINE_DISABLED),
	     in->computer_ext, in->n_computer_ext);
	half(x, "User", gpo_version_user(in->version),
	     gpo_version_user(in->sysvol_version),
	     !(in->flags & GPO_FLAG_USER_DISABLED),
	     in->user_ext, in->n_user_ext);
	for (size_t i = 0; i < in->n_links; i++)
		link_to(x, &in->links[i]);
	end(x);
}

int gpo_report_xml(const struct gpo_report_input *in, char **data,
		   size_t *len)
{
	struct gpo_buf crlf = GPO_BUF_INIT;
	struct xw x = { 0 };
	char *raw = NULL;
	size_t raw_len = 0;
	int rc;

	if (!in || !data || !len || !gpo_guid_valid(in->guid) || !in->domain ||
	    (in->n_perms && !in->perms) || (in->n_links && !in->links) ||
	    !exts_known(in->computer_ext, in->n_computer_ext) ||
	    !exts_known(in->user_ext, in->n_user_ext))
		return -EINVAL;
	rc = gpo_xmlw_open(&x.xw);
	if (rc)
		return rc;
	x.w = x.xw.w;
	if (xmlTextWriterSetIndent(x.w, 1) < 0 ||
	    xmlTextWriterSetIndentString(x.w, BAD_CAST "  ") < 0) {
		gpo_xmlw_abort(&x.xw);
		return -ENOMEM;
	}
	document(&x, in);
	rc = gpo_xmlw_take(&x.xw, &raw, &raw_len);
	if (!rc)
		rc = gpmc_layout(raw, raw_len, &crlf);
	if (!rc)
		rc = gpo_utf8_to_utf16(crlf.data, crlf.len, true, data, len);
	free(raw);
	gpo_buf_free(&crlf);
	return rc;
}
