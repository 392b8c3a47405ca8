#include "gpo_backup_xml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <libxml/xmlwriter.h>

#include "gpo_xmlw.h"
#include <uuid/uuid.h>

#define NS_BKP "http://www.microsoft.com/GroupPolicy/GPOOperations"
#define NS_MANIFEST "http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest"
#define CRLF "\r\n"

/* gpofs's namespace for name-based backup IDs (a fixed random UUID). */
static const char backup_ns[] = "6c0f5e4e-2b1d-4f7a-9a39-3d5b2f0c8e71";

void gpo_backup_id(const struct gpo *g, uint32_t sysvol_version, char *out)
{
	uuid_t ns, id;
	char name[128];
	char text[37];
	int n;

	uuid_parse(backup_ns, ns);
	n = snprintf(name, sizeof(name), "%s:%u:%u", g->guid, g->version,
		     sysvol_version);
	for (int i = 0; i < n; i++)
		name[i] = (char)toupper((unsigned char)name[i]);
	uuid_generate_sha1(id, ns, name, (size_t)n);
	uuid_unparse_upper(id, text);
	snprintf(out, GPO_GUID_LEN + 1, "{%s}", text);
}

/* GPMC wraps every text value in CDATA and writes an empty one as <X/>. */
static void cdata(struct gpo_xmlw *x, const char *name, const char *value)
{
	gpo_xmlw_start(x, name);
	if (!value || !*value) {
		gpo_xmlw_end(x);
		return;
	}
	/* "]]>" cannot stand inside CDATA: split it across two sections. */
	for (const char *p = value; *p;) {
		const char *cut = strstr(p, "]]>");
		size_t n = cut ? (size_t)(cut - p) + 2 : strlen(p);
		char *part = strndup(p, n);

		if (!part || xmlTextWriterWriteCDATA(x->w, BAD_CAST part) < 0)
			gpo_xmlw_fail(x, -ENOMEM);
		free(part);
		p += n;
	}
	gpo_xmlw_full_end(x);
}

static void empty(struct gpo_xmlw *x, const char *name)
{
	gpo_xmlw_start(x, name);
	gpo_xmlw_end(x);
}

static void number(struct gpo_xmlw *x, const char *name, unsigned long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%lu", v);
	cdata(x, name, s);
}

static void group(struct gpo_xmlw *x, const struct gpo_principal *p)
{
	gpo_xmlw_start(x, "Group");
	if (p->from_dacl)
		gpo_xmlw_attr(x, "bkp:Source", "FromDACL");
	cdata(x, "Sid", p->sid);
	cdata(x, "SamAccountName", p->sam);
	cdata(x, "Type", p->type);
	cdata(x, "NetBIOSDomainName", p->netbios);
	cdata(x, "DnsDomainName", p->dns);
	cdata(x, "UPN", p->upn);
	gpo_xmlw_full_end(x);
}

int gpo_backup_xml(const struct gpo_domain_info *di, const struct gpo *g,
		   uint32_t sysvol_version, const struct gpo_backup_extras *ex,
		   char **data, size_t *len)
{
	struct gpo_xmlw x;
	char *sd = NULL;
	int rc;

	rc = gpo_xmlw_open(&x);
	if (rc)
		return rc;
	sd = gpo_hex_bytes(g->sd, g->sd_len);
	if (!sd)
		gpo_xmlw_fail(&x, -ENOMEM);
	/* GPMC's declaration and comment share the first line with the root. */
	gpo_xmlw_raw(&x, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
		     "<!-- Copyright (c) Microsoft Corporation.  All rights reserved. -->");
	gpo_xmlw_start(&x, "GroupPolicyBackupScheme");
	gpo_xmlw_attr(&x, "bkp:version", "2.0");
	gpo_xmlw_attr(&x, "bkp:type", "GroupPolicyBackupTemplate");
	gpo_xmlw_attr(&x, "xmlns:bkp", NS_BKP);
	gpo_xmlw_attr(&x, "xmlns", NS_BKP);
	gpo_xmlw_raw(&x, CRLF "    ");
	gpo_xmlw_start(&x, "GroupPolicyObject");
	if (ex && ex->n_groups) {
		gpo_xmlw_start(&x, "SecurityGroups");
		for (size_t i = 0; i < ex->n_groups; i++)
			group(&x, &ex->groups[i]);
		gpo_xmlw_full_end(&x);
	} else {
		empty(&x, "SecurityGroups");
	}
	if (ex && ex->n_file_paths) {
		gpo_xmlw_start(&x, "FilePaths");
		for (size_t i = 0; i < ex->n_file_paths; i++)
			cdata(&x, "Path", ex->file_paths[i]);
		gpo_xmlw_full_end(&x);
	} else {
		empty(&x, "FilePaths");
	}
	gpo_xmlw_start(&x, "GroupPolicyCoreSettings");
	cdata(&x, "ID", g->guid);
	cdata(&x, "Domain", di->dns);
	gpo_xmlw_start(&x, "SecurityDescriptor");
	if (sd && xmlTextWriterWriteString(x.w, BAD_CAST sd) < 0)
		gpo_xmlw_fail(&x, -ENOMEM);
	gpo_xmlw_full_end(&x);
	cdata(&x, "DisplayName", g->display_name);
	number(&x, "Options", g->flags);
	number(&x, "UserVersionNumber",
	       (unsigned long)gpo_version_user(g->version) << 16 |
	       gpo_version_user(sysvol_version));
	number(&x, "MachineVersionNumber",
	       (unsigned long)gpo_version_machine(g->version) << 16 |
	       gpo_version_machine(sysvol_version));
	cdata(&x, "MachineExtensionGuids", g->machine_ext);
	cdata(&x, "UserExtensionGuids", g->user_ext);
	cdata(&x, "WMIFilter", g->wmi_filter);
	if (g->wmi_filter)
		cdata(&x, "WMIFilterName", g->wmi_filter_name);
	gpo_xmlw_full_end(&x); /* GroupPolicyCoreSettings */
	/* The extension entries carry GPMC's template whitespace, up to
	 * the closing tag of GroupPolicyObject. */
	gpo_xmlw_raw(&x, ex && ex->extensions ? ex->extensions : CRLF "    ");
	gpo_xmlw_full_end(&x); /* GroupPolicyObject */
	gpo_xmlw_raw(&x, CRLF);
	gpo_xmlw_full_end(&x);
	free(sd);
	return gpo_xmlw_close(&x, true, data, len);
}

int gpo_bkupinfo_xml(const struct gpo_domain_info *di, const struct gpo *g,
		     uint32_t sysvol_version, char **data, size_t *len)
{
	struct gpo_xmlw x;
	char id[GPO_GUID_LEN + 1];
	char when[32];
	struct tm tm;
	int rc;

	rc = gpo_xmlw_open(&x);
	if (rc)
		return rc;
	gpo_backup_id(g, sysvol_version, id);
	gmtime_r(&g->changed, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	gpo_xmlw_start(&x, "BackupInst");
	gpo_xmlw_attr(&x, "xmlns", NS_MANIFEST);
	cdata(&x, "GPOGuid", g->guid);
	cdata(&x, "GPODomain", di->dns);
	cdata(&x, "GPODomainGuid", di->guid);
	cdata(&x, "GPODomainController", di->dc);
	cdata(&x, "BackupTime", when);
	cdata(&x, "ID", id);
	gpo_xmlw_start(&x, "Comment");
	if (xmlTextWriterWriteCDATA(x.w, BAD_CAST "") < 0)
		gpo_xmlw_fail(&x, -ENOMEM);
	gpo_xmlw_full_end(&x);
	cdata(&x, "GPODisplayName", g->display_name);
	gpo_xmlw_full_end(&x);
	gpo_xmlw_raw(&x, CRLF);
	return gpo_xmlw_close(&x, true, data, len);
}
