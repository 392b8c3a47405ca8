#include "gpo_backup_read.h"
#include "gpo_array.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#define NS_BKP "http://www.microsoft.com/GroupPolicy/GPOOperations"
#define LOCATION_MAX 4096

/* Parses outside XML: no network, no DTD, no entities, no messages on
 * stderr. Returns the document, or NULL with the reason in why. */
static xmlDocPtr parse(const char *what, const char *data, size_t len,
		       size_t max, char *why, size_t whylen)
{
	xmlDocPtr doc;

	if (len > max) {
		snprintf(why, whylen, "%s is larger than %zu bytes", what, max);
		return NULL;
	}
	xmlResetLastError();
	doc = xmlReadMemory(data, (int)len, NULL, NULL, XML_PARSE_NONET |
			    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = xmlGetLastError();

		snprintf(why, whylen, "%s is not well-formed XML%s%s", what,
			 e && e->message ? ": " : "",
			 e && e->message ? e->message : "");
		/* libxml2's messages end in a newline */
		why[strcspn(why, "\n")] = '\0';
	}
	return doc;
}

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr n = parent ? parent->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST name))
			return n;
	return NULL;
}

/* The text of n (NULL for none); *rc -ENOMEM when it could not be
 * copied. */
static char *text_of(xmlNodePtr n, int *rc)
{
	xmlChar *c = n ? xmlNodeGetContent(n) : NULL;
	char *s = c ? strdup((char *)c) : NULL;

	if (c && !s)
		*rc = -ENOMEM;
	xmlFree(c);
	return s;
}

static int copy_guid(char *dst, xmlNodePtr n, const char *what, char *why,
		     size_t whylen)
{
	int rc = 0;
	char *s = text_of(n, &rc);

	if (rc)
		return rc;
	if (!s || !gpo_guid_valid(s)) {
		snprintf(why, whylen, "bkupInfo.xml has no valid %s", what);
		rc = -EINVAL;
	} else {
		for (int i = 0; i <= GPO_GUID_LEN; i++)
			dst[i] = (char)((s[i] >= 'a' && s[i] <= 'f') ? s[i] - 32 : s[i]);
	}
	free(s);
	return rc;
}

int gpo_bkupinfo_read(const char *data, size_t len,
		      struct gpo_backup_info *info, char *why, size_t whylen)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	int rc = -EINVAL;

	memset(info, 0, sizeof(*info));
	doc = parse("bkupInfo.xml", data, len, GPO_BKUPINFO_MAX, why, whylen);
	if (!doc)
		goto out;
	root = xmlDocGetRootElement(doc);
	if (!root || xmlStrcmp(root->name, BAD_CAST "BackupInst")) {
		snprintf(why, whylen, "bkupInfo.xml is not a BackupInst");
		goto out;
	}
	rc = copy_guid(info->id, child(root, "ID"), "ID", why, whylen);
	if (!rc)
		rc = copy_guid(info->gpo_guid, child(root, "GPOGuid"), "GPOGuid",
			       why, whylen);
	if (!rc)
		info->domain = text_of(child(root, "GPODomain"), &rc);
	if (!rc)
		info->display_name = text_of(child(root, "GPODisplayName"), &rc);
out:
	xmlFreeDoc(doc);
	if (rc)
		gpo_backup_info_free(info);
	return rc;
}

void gpo_backup_info_free(struct gpo_backup_info *info)
{
	free(info->domain);
	free(info->display_name);
	memset(info, 0, sizeof(*info));
}

struct locations {
	char **v;
	size_t n, cap;
};

/* Checks one bkp:Location (relative, under DomainSysvol\, no "." or ".."
 * or empty part) and adds it with '/' for '\'. */
static int add_location(struct locations *l, const char *loc, char *why,
			size_t whylen)
{
	size_t n = strlen(loc);
	char *rel;
	char **slot;

	if (n >= LOCATION_MAX) {
		snprintf(why, whylen, "a Location is too long");
		return -EINVAL;
	}
	rel = strdup(loc);
	if (!rel)
		return -ENOMEM;
	for (char *c = rel; *c; c++)
		if (*c == '\\')
			*c = '/';
	if (strncmp(rel, "DomainSysvol/", 13)) {
		snprintf(why, whylen, "Location %.200s is outside DomainSysvol", loc);
		free(rel);
		return -EINVAL;
	}
	/* a trailing separator is an empty last part too */
	for (char *c = rel; *c;) {
		size_t len = strcspn(c, "/");

		if (len == 0 || (len == 2 && !strncmp(c, "..", 2)) ||
		    (len == 1 && *c == '.') || (c[len] == '/' && !c[len + 1])) {
			snprintf(why, whylen, "Location %.200s is not a plain path", loc);
			free(rel);
			return -EINVAL;
		}
		c += len;
		if (*c == '/')
			c++;
	}
	slot = gpo_array_push(&l->v, &l->n, &l->cap, sizeof(*slot));
	if (!slot) {
		free(rel);
		return -ENOMEM;
	}
	*slot = rel;
	return 0;
}

static int gather(struct locations *l, xmlNodePtr n, char *why, size_t whylen)
{
	for (; n; n = n->next) {
		xmlChar *loc;
		int rc = 0;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		loc = xmlGetNsProp(n, BAD_CAST "Location", BAD_CAST NS_BKP);
		if (loc)
			rc = add_location(l, (char *)loc, why, whylen);
		xmlFree(loc);
		if (!rc)
			rc = gather(l, n->children, why, whylen);
		if (rc)
			return rc;
	}
	return 0;
}

int gpo_backup_xml_locations(const char *data, size_t len, char ***locs,
			     size_t *n, char *why, size_t whylen)
{
	struct locations l = { 0 };
	xmlDocPtr doc;
	xmlNodePtr root;
	int rc = -EINVAL;

	doc = parse("Backup.xml", data, len, GPO_BACKUP_XML_MAX, why, whylen);
	if (!doc)
		goto out;
	root = xmlDocGetRootElement(doc);
	if (!root || xmlStrcmp(root->name, BAD_CAST "GroupPolicyBackupScheme") ||
	    !root->ns || xmlStrcmp(root->ns->href, BAD_CAST NS_BKP)) {
		snprintf(why, whylen, "Backup.xml is not a GroupPolicyBackupScheme");
		goto out;
	}
	rc = gather(&l, root->children, why, whylen);
out:
	xmlFreeDoc(doc);
	if (rc) {
		gpo_backup_locations_free(l.v, l.n);
		return rc;
	}
	*locs = l.v;
	*n = l.n;
	return 0;
}

void gpo_backup_locations_free(char **locs, size_t n)
{
	for (size_t i = 0; locs && i < n; i++)
		free(locs[i]);
	free(locs);
}

void gpo_backup_free(struct gpo_backup *b)
{
	for (size_t i = 0; i < b->n_groups; i++) {
		struct gpo_backup_group *g = &b->groups[i];

		free(g->sid);
		free(g->sam);
		free(g->type);
		free(g->netbios);
		free(g->dns);
		free(g->upn);
	}
	free(b->groups);
	for (size_t i = 0; i < b->n_entries; i++)
		free(b->entries[i].path);
	free(b->entries);
	free(b->id);
	free(b->domain);
	free(b->display_name);
	free(b->machine_ext);
	free(b->user_ext);
	free(b->wmi_filter);
	free(b->sd);
	memset(b, 0, sizeof(*b));
}

/* The text of core's child name, trimmed of blanks (GPMC writes a blank
 * for an empty extension list), into *out; "" when absent. */
static int core_text(xmlNodePtr core, const char *name, char **out)
{
	int rc = 0;
	char *s = text_of(child(core, name), &rc);
	char *b, *e;

	if (rc)
		return rc;
	if (!s)
		s = strdup("");
	if (!s)
		return -ENOMEM;
	for (b = s; *b == ' ' || *b == '\r' || *b == '\n' || *b == '\t'; b++)
		;
	e = b + strlen(b);
	while (e > b && (e[-1] == ' ' || e[-1] == '\r' || e[-1] == '\n' || e[-1] == '\t'))
		*--e = '\0';
	memmove(s, b, strlen(b) + 1);
	*out = s;
	return 0;
}

static int core_number(xmlNodePtr core, const char *name, uint32_t *out,
		       char *why, size_t whylen)
{
	char *s = NULL, *end = NULL;
	unsigned long long v;
	int rc = core_text(core, name, &s);

	if (rc)
		return rc;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s && (errno || *end || v > UINT32_MAX || *s == '-')) {
		snprintf(why, whylen, "Backup.xml: %s is not a number", name);
		rc = -EINVAL;
	}
	*out = (uint32_t)v;
	free(s);
	return rc;
}

/* The security descriptor as GPMC writes it: hex bytes, blank-separated. */
static int core_sd(xmlNodePtr core, struct gpo_backup *b, char *why, size_t whylen)
{
	char *s = NULL;
	size_t n = 0;
	int rc = core_text(core, "SecurityDescriptor", &s);

	if (rc || !*s) {
		free(s);
		return rc;
	}
	b->sd = malloc(strlen(s) / 2 + 1);
	if (!b->sd) {
		free(s);
		return -ENOMEM;
	}
	for (const char *p = s; *p;) {
		unsigned v;
		int used = 0;

		while (*p == ' ' || *p == '\r' || *p == '\n' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (sscanf(p, "%2x%n", &v, &used) != 1 || used != 2 ||
		    (p[2] && p[2] != ' ' && p[2] != '\r' && p[2] != '\n' && p[2] != '\t')) {
			snprintf(why, whylen, "Backup.xml: SecurityDescriptor is not hex bytes");
			rc = -EINVAL;
			break;
		}
		b->sd[n++] = (unsigned char)v;
		p += 2;
	}
	b->sd_len = n;
	free(s);
	return rc;
}

/* The Group elements of SecurityGroups (n), each with a SID or a name;
 * others are skipped, as GPMC lists what it could not name too. */
static int groups(struct gpo_backup *b, xmlNodePtr n)
{
	for (n = n ? n->children : NULL; n; n = n->next) {
		struct gpo_backup_group g = { 0 }, *slot;
		xmlChar *src;
		bool named;
		int rc = 0;

		if (n->type != XML_ELEMENT_NODE || xmlStrcmp(n->name, BAD_CAST "Group"))
			continue;
		src = xmlGetNsProp(n, BAD_CAST "Source", BAD_CAST NS_BKP);
		g.from_dacl = src && !xmlStrcmp(src, BAD_CAST "FromDACL");
		xmlFree(src);
		g.sid = text_of(child(n, "Sid"), &rc);
		g.sam = text_of(child(n, "SamAccountName"), &rc);
		g.type = text_of(child(n, "Type"), &rc);
		g.netbios = text_of(child(n, "NetBIOSDomainName"), &rc);
		g.dns = text_of(child(n, "DnsDomainName"), &rc);
		g.upn = text_of(child(n, "UPN"), &rc);
		named = g.sid || g.sam;
		slot = rc || !named ? NULL
		       : gpo_array_push(&b->groups, &b->n_groups, &b->cap_groups, sizeof(*slot));
		if (slot) {
			*slot = g;
			continue;
		}
		free(g.sid);
		free(g.sam);
		free(g.type);
		free(g.netbios);
		free(g.dns);
		free(g.upn);
		if (rc || named)
			return -ENOMEM;
	}
	return 0;
}

/* Adds every FSObjectFile and FSObjectDir with a Location, below n. */
static int entries(struct gpo_backup *b, xmlNodePtr n, char *why, size_t whylen)
{
	static const char prefix[] = "DomainSysvol/GPO/";

	for (; n; n = n->next) {
		struct locations l = { 0 };
		struct gpo_backup_entry *e;
		xmlChar *loc;
		int rc = 0;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		loc = xmlGetNsProp(n, BAD_CAST "Location", BAD_CAST NS_BKP);
		if (loc)
			rc = add_location(&l, (char *)loc, why, whylen);
		if (!rc && loc && strncmp(l.v[0], prefix, sizeof(prefix) - 1)) {
			snprintf(why, whylen, "Location %.200s is outside DomainSysvol\\GPO",
				 (char *)loc);
			rc = -EINVAL;
		}
		if (!rc && loc) {
			e = gpo_array_push(&b->entries, &b->n_entries, &b->cap_entries,
					   sizeof(*e));
			if (!e) {
				rc = -ENOMEM;
			} else {
				e->path = strdup(l.v[0] + sizeof(prefix) - 1);
				e->dir = !xmlStrcmp(n->name, BAD_CAST "FSObjectDir");
				rc = e->path ? 0 : -ENOMEM;
			}
		}
		xmlFree(loc);
		gpo_backup_locations_free(l.v, l.n);
		if (!rc)
			rc = entries(b, n->children, why, whylen);
		if (rc)
			return rc;
	}
	return 0;
}

int gpo_backup_read(const char *data, size_t len, struct gpo_backup *b,
		    char *why, size_t whylen)
{
	xmlDocPtr doc;
	xmlNodePtr root, gpo, core;
	uint32_t options = 0;
	int rc = -EINVAL;

	memset(b, 0, sizeof(*b));
	doc = parse("Backup.xml", data, len, GPO_BACKUP_XML_MAX, why, whylen);
	if (!doc)
		goto out;
	root = xmlDocGetRootElement(doc);
	if (!root || xmlStrcmp(root->name, BAD_CAST "GroupPolicyBackupScheme") ||
	    !root->ns || xmlStrcmp(root->ns->href, BAD_CAST NS_BKP)) {
		snprintf(why, whylen, "Backup.xml is not a GroupPolicyBackupScheme");
		goto out;
	}
	gpo = child(root, "GroupPolicyObject");
	core = child(gpo, "GroupPolicyCoreSettings");
	if (!core) {
		snprintf(why, whylen, "Backup.xml has no GroupPolicyCoreSettings");
		goto out;
	}
	rc = core_text(core, "ID", &b->id);
	if (!rc)
		rc = core_text(core, "Domain", &b->domain);
	if (!rc)
		rc = core_text(core, "DisplayName", &b->display_name);
	if (!rc)
		rc = core_text(core, "MachineExtensionGuids", &b->machine_ext);
	if (!rc)
		rc = core_text(core, "UserExtensionGuids", &b->user_ext);
	if (!rc)
		rc = core_number(core, "Options", &options, why, whylen);
	if (!rc)
		rc = core_number(core, "UserVersionNumber", &b->user_version, why, whylen);
	if (!rc)
		rc = core_number(core, "MachineVersionNumber", &b->machine_version,
				 why, whylen);
	if (!rc)
		rc = core_sd(core, b, why, whylen);
	if (!rc && child(core, "WMIFilter")) {
		rc = core_text(core, "WMIFilter", &b->wmi_filter);
		if (!rc && !*b->wmi_filter) {
			free(b->wmi_filter);
			b->wmi_filter = NULL;
		}
	}
	b->options = options;
	if (!rc && !gpo_guid_valid(b->id)) {
		snprintf(why, whylen, "Backup.xml has no valid GPO ID");
		rc = -EINVAL;
	}
	if (!rc)
		rc = entries(b, gpo ? gpo->children : NULL, why, whylen);
	if (!rc)
		rc = groups(b, child(gpo, "SecurityGroups"));
out:
	xmlFreeDoc(doc);
	if (rc)
		gpo_backup_free(b);
	return rc;
}
