/* gpreport.xml for a captured GPO: gathers what the report shows from the
 * view and the directory, and hands it to gpo_report_xml. */
#include "gpo_domain_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gpo_links.h"
#include "gpo_report_xml.h"

/* The report names of the client-side extensions in an extension-names
 * value: the first GUID of each [...] group is the extension. */
static size_t report_extensions(const char *names, const char **out, size_t max)
{
	size_t n = 0;

	for (const char *p = names ? strchr(names, '[') : NULL; p && n < max;
	     p = strchr(p + 1, '[')) {
		char guid[GPO_GUID_LEN + 1];
		const char *name;

		if (strlen(p + 1) < GPO_GUID_LEN)
			break;
		memcpy(guid, p + 1, GPO_GUID_LEN);
		guid[GPO_GUID_LEN] = '\0';
		name = gpo_report_ext_for_cse(guid);
		if (name)
			out[n++] = name;
	}
	return n;
}

/* The last part of a DN's first RDN: "Servers" of OU=Servers,DC=... For
 * the domain itself, its DNS name. */
static char *som_name(const char *dn, const char *domain)
{
	const char *eq = strchr(dn, '=');
	size_t len;

	if (!strncasecmp(dn, "DC=", 3))
		return strdup(domain);
	if (!eq)
		return strdup(dn);
	len = strcspn(eq + 1, ",");
	return strndup(eq + 1, len);
}

int gpo_domain_report(struct gpo_domain *d, const struct gpo_view *v,
		      char **data, size_t *len)
{
	const struct gpo *g = &v->gpo;
	struct gpo_report_input in = { 0 };
	struct gpo_report_link *links = NULL;
	struct gpo_links ls = { 0 };
	const char *mext[32], *uext[32];
	struct gpo_sddl_scope scope = { d->have_sid ? &d->sid : NULL, NULL, NULL };
	struct gpo_sd sd;
	char *sddl = NULL;
	size_t n_links = 0;
	int rc;

	if (g->sd && !gpo_sd_parse(g->sd, g->sd_len, &sd)) {
		gpo_sd_to_sddl(&sd, &scope, &sddl);
		gpo_sd_free(&sd);
	}
	rc = gpo_domain_links(d, g->guid, &ls);
	if (rc)
		goto out;
	links = calloc(ls.n ? ls.n : 1, sizeof(*links));
	if (!links) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < ls.n; i++) {
		const struct gpo_link *l = &ls.items[i];
		struct gpo_report_link *r = &links[n_links];

		r->som_name = som_name(l->som_dn, d->conf->domain);
		r->som_path = gpo_som_path(l->som_dn);
		r->enabled = !(l->options & GPO_LINK_DISABLED);
		r->no_override = l->options & GPO_LINK_ENFORCED;
		n_links++;
		if (!r->som_name || !r->som_path) {
			rc = -ENOMEM;
			goto out;
		}
	}
	in.guid = g->guid;
	in.domain = d->conf->domain;
	in.display_name = g->display_name;
	in.created = g->created;
	in.modified = v->changed;
	/* GPMC writes when it read the GPO; the last change keeps the file
	 * byte-stable while the GPO is. */
	in.read_time.tv_sec = v->changed;
	in.sddl = sddl;
	in.filter_data_available = true;
	in.wmi_filter_name = g->wmi_filter ? g->wmi_filter_name : NULL;
	in.flags = g->flags;
	in.version = g->version;
	in.sysvol_version = v->sysvol_version;
	in.computer_ext = mext;
	in.n_computer_ext = report_extensions(g->machine_ext, mext, 32);
	in.user_ext = uext;
	in.n_user_ext = report_extensions(g->user_ext, uext, 32);
	in.links = links;
	in.n_links = n_links;
	rc = gpo_report_xml(&in, data, len);
out:
	for (size_t i = 0; i < n_links; i++) {
		free((char *)links[i].som_name);
		free((char *)links[i].som_path);
	}
	free(links);
	gpo_links_clear(&ls);
	free(sddl);
	return rc;
}
