#include "gpo_cse.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gpo_array.h"
#include "gpo_buf.h"
#include "gpo_model.h"

#define NULL_CSE "{00000000-0000-0000-0000-000000000000}"

enum side { MACHINE = 1, USER = 2, BOTH = 3 };

/* An extension gpofs recognises by its files: the pattern is below the
 * half's folder, matched without regard to case. The tools are those the
 * Group Policy editor writes for a new setting (MS-GPPREF 1.8 for
 * Preferences; the GPMC fixtures for the rest). */
struct cse_row {
	enum side side;
	const char *pattern;
	const char *cse;
	const char *machine_tool;
	const char *user_tool;
	bool preference;  /* its tool is listed under the null CSE too */
};

#define PREF(dir, file, cse, tool) \
	{ BOTH, "Preferences/" dir "/" file, cse, tool, tool, true }

static const struct cse_row cse_table[] = {
	{ BOTH, "registry.pol", "{35378EAC-683F-11D2-A89A-00C04FBBCFA2}",
	  "{D02B1F72-3407-48AE-BA88-E8213C6761F1}",
	  "{D02B1F73-3407-48AE-BA88-E8213C6761F1}", false },
	{ MACHINE, "Microsoft/Windows NT/SecEdit/GptTmpl.inf",
	  "{827D319E-6EAC-11D2-A4EA-00C04F79F83A}",
	  "{803E14A0-B4FB-11D0-A0D0-00A0C90F574B}", NULL, false },
	{ MACHINE, "Microsoft/Windows NT/Audit/audit.csv",
	  "{F3CCC681-B74C-4060-9F26-CD84525DCA2A}",
	  "{0F3F3735-573D-9804-99E4-AB2A69BA5FD4}", NULL, false },
	{ BOTH, "Scripts/scripts.ini", "{42B5FAAE-6536-11D2-AE5A-0000F87571E3}",
	  "{40B6664F-4972-11D1-A7CA-0000F87571E3}",
	  "{40B66650-4972-11D1-A7CA-0000F87571E3}", false },
	{ BOTH, "Scripts/psscripts.ini", "{42B5FAAE-6536-11D2-AE5A-0000F87571E3}",
	  "{40B6664F-4972-11D1-A7CA-0000F87571E3}",
	  "{40B66650-4972-11D1-A7CA-0000F87571E3}", false },
	{ USER, "Documents & Settings/fdeploy*.ini",
	  "{25537BA6-77A8-11D2-9B6C-0000F8080861}", NULL,
	  "{88E729D6-BDC1-11D1-BD2A-00C04FB9603F}", false },
	PREF("Applications", "Applications.xml", "{F9C77450-3A41-477E-9310-9ACD617BD9E3}",
	     "{0DA274B5-EB93-47A7-AAFB-65BA532D3FE6}"),
	PREF("DataSources", "DataSources.xml", "{728EE579-943C-4519-9EF7-AB56765798ED}",
	     "{1612B55C-243C-48DD-A449-FFC097B19776}"),
	PREF("Devices", "Devices.xml", "{1A6364EB-776B-4120-ADE1-B63A406A76B5}",
	     "{1B767E9A-7BE4-4D35-85C1-2E174A7BA951}"),
	PREF("Drives", "Drives.xml", "{5794DAFD-BE60-433F-88A2-1A31939AC01F}",
	     "{2EA1A81B-48E5-45E9-8BB7-A6E3AC170006}"),
	PREF("EnvironmentVariables", "EnvironmentVariables.xml",
	     "{0E28E245-9368-4853-AD84-6DA3BA35BB75}",
	     "{35141B6B-498A-4CC7-AD59-CEF93D89B2CE}"),
	PREF("Files", "Files.xml", "{7150F9BF-48AD-4DA4-A49C-29EF4A8369BA}",
	     "{3BAE7E51-E3F4-41D0-853D-9BB9FD47605F}"),
	PREF("FolderOptions", "FolderOptions.xml", "{A3F3E39B-5D83-4940-B954-28315B82F0A8}",
	     "{3BFAE46A-7F3A-467B-8CEA-6AA34DC71F53}"),
	PREF("Folders", "Folders.xml", "{6232C319-91AC-4931-9385-E70C2B099F0E}",
	     "{3EC4E9D3-714D-471F-88DC-4DD4471AAB47}"),
	PREF("IniFiles", "IniFiles.xml", "{74EE6C03-5363-4554-B161-627540339CAB}",
	     "{516FC620-5D34-4B08-8165-6A06B623EDEB}"),
	PREF("InternetSettings", "InternetSettings.xml",
	     "{E47248BA-94CC-49C4-BBB5-9EB7F05183D0}",
	     "{5C935941-A954-4F7C-B507-885941ECE5C4}"),
	PREF("Groups", "Groups.xml", "{17D89FEC-5C44-4972-B12D-241CAEF74509}",
	     "{79F92669-4224-476C-9C5C-6EFB4D87DF4A}"),
	PREF("NetworkOptions", "NetworkOptions.xml", "{3A0DBA37-F8B2-4356-83DE-3E90BD5C261F}",
	     "{949FB894-E883-42C6-88C1-29169720E8CA}"),
	PREF("NetworkShares", "NetworkShares.xml", "{6A4C88C6-C502-4F74-8F60-2CB23EDC24E2}",
	     "{BFCBBEB0-9DF4-4C0C-A728-434EA66A0373}"),
	PREF("PowerOptions", "PowerOptions.xml", "{E62688F0-25FD-4C90-BFF5-F508B9D2E31F}",
	     "{9AD2BAFE-63B4-4883-A08C-C3C6196BCAFD}"),
	PREF("Printers", "Printers.xml", "{BC75B1ED-5833-4858-9BB8-CBF0B166DF9D}",
	     "{A8C42CEA-CDB8-4388-97F4-5831F933DA84}"),
	PREF("RegionalOptions", "RegionalOptions.xml", "{E5094040-C46C-4115-B030-04FB2E545B00}",
	     "{B9CCA4DE-E2B9-4CBD-BF7D-11B6EBFBDDF7}"),
	PREF("Registry", "Registry.xml", "{B087BE9D-ED37-454F-AF9C-04291E351182}",
	     "{BEE07A6A-EC9F-4659-B8C9-0B1937907C83}"),
	PREF("ScheduledTasks", "ScheduledTasks.xml", "{AADCED64-746C-4633-A97C-D61349046527}",
	     "{CAB54552-DEEA-4691-817E-ED4A4D1AFC72}"),
	PREF("Services", "Services.xml", "{91FBB303-0CD5-4055-BF42-E512A681B325}",
	     "{CC5746A9-9B74-4BE5-AE2E-64379C86E0E4}"),
	PREF("Shortcuts", "Shortcuts.xml", "{C418DD9D-0D14-4EFB-8FBF-CFE535C8FAC7}",
	     "{CEFFA6E2-E3BD-421B-852C-6F6A79A59BC1}"),
	PREF("StartMenuTaskbar", "StartMenuTaskbar.xml",
	     "{E4F48E54-F38D-4884-BFB9-D4D2E5729C18}",
	     "{CF848D48-888D-4F45-B530-6A201E62A605}"),
};

#define N_ROWS (sizeof(cse_table) / sizeof(*cse_table))

void gpo_cse_list_free(struct gpo_cse_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->groups[i].tools);
	free(l->groups);
	l->groups = NULL;
	l->n = 0;
}

static struct gpo_cse_group *find_group(struct gpo_cse_list *l, const char *cse)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcasecmp(l->groups[i].cse, cse))
			return &l->groups[i];
	return NULL;
}

/* The group for cse, added empty when missing; NULL when out of memory. */
static struct gpo_cse_group *group(struct gpo_cse_list *l, const char *cse)
{
	struct gpo_cse_group *g = find_group(l, cse);

	if (g)
		return g;
	g = gpo_array_push(&l->groups, &l->n, &l->cap, sizeof(*g));
	if (g)
		memcpy(g->cse, cse, sizeof(g->cse));
	return g;
}

static bool has_tool(const struct gpo_cse_group *g, const char *tool)
{
	for (size_t i = 0; i < g->n_tools; i++)
		if (!strcasecmp(g->tools[i], tool))
			return true;
	return false;
}

static int add_tool(struct gpo_cse_group *g, const char *tool)
{
	char *slot;

	if (has_tool(g, tool))
		return 0;
	slot = gpo_array_push(&g->tools, &g->n_tools, &g->cap_tools,
			      sizeof(*g->tools));
	if (!slot)
		return -ENOMEM;
	memcpy(slot, tool, GPO_CSE_GUID_LEN + 1);
	return 0;
}

static void remove_group(struct gpo_cse_list *l, struct gpo_cse_group *g)
{
	size_t at = (size_t)(g - l->groups);

	free(g->tools);
	memmove(g, g + 1, (l->n - at - 1) * sizeof(*g));
	l->n--;
}

static void remove_tool(struct gpo_cse_group *g, const char *tool)
{
	for (size_t i = 0; i < g->n_tools; i++) {
		if (strcasecmp(g->tools[i], tool))
			continue;
		memmove(g->tools[i], g->tools[i + 1],
			(g->n_tools - i - 1) * sizeof(*g->tools));
		g->n_tools--;
		return;
	}
}

int gpo_cse_parse(const char *s, struct gpo_cse_list *out)
{
	struct gpo_cse_group *g = NULL;
	char guid[GPO_CSE_GUID_LEN + 1];
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!s)
		return 0;
	while (*s == ' ')
		s++;
	while (*s && !rc) {
		if (*s != '[') {
			rc = -EINVAL;
			break;
		}
		s++;
		g = NULL;
		while (*s == '{') {
			if (strlen(s) < GPO_CSE_GUID_LEN) {
				rc = -EINVAL;
				break;
			}
			memcpy(guid, s, GPO_CSE_GUID_LEN);
			guid[GPO_CSE_GUID_LEN] = '\0';
			if (!gpo_guid_valid(guid)) {
				rc = -EINVAL;
				break;
			}
			s += GPO_CSE_GUID_LEN;
			if (!g) {
				/* the same CSE in two groups: one group */
				g = group(out, guid);
				rc = g ? 0 : -ENOMEM;
			} else {
				rc = add_tool(g, guid);
			}
			if (rc)
				break;
		}
		if (!rc && (!g || *s != ']'))
			rc = -EINVAL;
		if (!rc)
			s++;
		while (!rc && *s == ' ')
			s++;
	}
	if (rc)
		gpo_cse_list_free(out);
	return rc;
}

static int cmp_guid(const void *a, const void *b)
{
	return strcasecmp(a, b);
}

static int cmp_group(const void *a, const void *b)
{
	return strcasecmp(((const struct gpo_cse_group *)a)->cse,
			  ((const struct gpo_cse_group *)b)->cse);
}

int gpo_cse_format(const struct gpo_cse_list *l, char **out)
{
	struct gpo_buf b = GPO_BUF_INIT;
	int rc = 0;

	/* the caller's list is sorted in place: its order carries nothing
	 * (an empty one may have no array, which qsort must not be given) */
	if (l->n > 1)
		qsort(l->groups, l->n, sizeof(*l->groups), cmp_group);
	for (size_t i = 0; !rc && i < l->n; i++) {
		const struct gpo_cse_group *g = &l->groups[i];

		if (g->n_tools > 1)
			qsort(g->tools, g->n_tools, sizeof(*g->tools), cmp_guid);
		rc = gpo_buf_printf(&b, "[%s", g->cse);
		for (size_t t = 0; !rc && t < g->n_tools; t++)
			rc = gpo_buf_add(&b, g->tools[t], GPO_CSE_GUID_LEN);
		if (!rc)
			rc = gpo_buf_add(&b, "]", 1);
	}
	if (!rc)
		rc = gpo_buf_add(&b, "", 0);
	if (rc) {
		gpo_buf_free(&b);
		return rc;
	}
	*out = gpo_buf_steal(&b, NULL);
	if (!*out)
		*out = strdup("");
	return *out ? 0 : -ENOMEM;
}

/* True when one of entries is row's file in the given half. */
static bool row_present(const struct cse_row *row, bool user,
			const struct gpo_sysvol_entry *entries, size_t n)
{
	const char *half = user ? "User/" : "Machine/";
	size_t hl = strlen(half);

	for (size_t i = 0; i < n; i++) {
		const char *p = entries[i].path;

		if (entries[i].dir || strncasecmp(p, half, hl))
			continue;
		if (!fnmatch(row->pattern, p + hl, FNM_CASEFOLD | FNM_PATHNAME))
			return true;
	}
	return false;
}

/* True when any row of cse is present in this half. */
static bool cse_present(const char *cse, bool user,
			const struct gpo_sysvol_entry *entries, size_t n,
			bool *known)
{
	enum side side = user ? USER : MACHINE;

	*known = false;
	for (size_t r = 0; r < N_ROWS; r++) {
		if (!(cse_table[r].side & side) || strcasecmp(cse_table[r].cse, cse))
			continue;
		*known = true;
		if (row_present(&cse_table[r], user, entries, n))
			return true;
	}
	return false;
}

int gpo_cse_derive(const char *current, bool user,
		   const struct gpo_sysvol_entry *entries, size_t n_entries,
		   char **out)
{
	enum side side = user ? USER : MACHINE;
	struct gpo_cse_list l;
	struct gpo_cse_group *null_group;
	int rc;

	rc = gpo_cse_parse(current, &l);
	if (rc)
		return rc;
	/* extensions whose files are gone, and their null-CSE tools */
	for (size_t i = 0; i < l.n;) {
		bool known;

		if (!strcasecmp(l.groups[i].cse, NULL_CSE) ||
		    cse_present(l.groups[i].cse, user, entries, n_entries, &known) ||
		    !known) {
			i++;
			continue;
		}
		null_group = find_group(&l, NULL_CSE);
		for (size_t r = 0; null_group && r < N_ROWS; r++)
			if (cse_table[r].preference &&
			    !strcasecmp(cse_table[r].cse, l.groups[i].cse))
				remove_tool(null_group, cse_table[r].machine_tool);
		remove_group(&l, &l.groups[i]);
	}
	/* extensions whose files appeared */
	for (size_t r = 0; !rc && r < N_ROWS; r++) {
		const struct cse_row *row = &cse_table[r];
		const char *tool = user ? row->user_tool : row->machine_tool;
		struct gpo_cse_group *g;

		if (!(row->side & side) || find_group(&l, row->cse) ||
		    !row_present(row, user, entries, n_entries))
			continue;
		g = group(&l, row->cse);
		rc = g ? add_tool(g, tool) : -ENOMEM;
		if (!rc && row->preference) {
			g = group(&l, NULL_CSE);
			rc = g ? add_tool(g, tool) : -ENOMEM;
		}
	}
	null_group = find_group(&l, NULL_CSE);
	if (null_group && !null_group->n_tools)
		remove_group(&l, null_group);
	if (!rc)
		rc = gpo_cse_format(&l, out);
	gpo_cse_list_free(&l);
	return rc;
}

char *gpo_cse_canonical(const char *s)
{
	struct gpo_cse_list l;
	char *out = NULL;

	if (gpo_cse_parse(s, &l))
		return strdup(s ? s : "");
	if (gpo_cse_format(&l, &out))
		out = NULL;
	gpo_cse_list_free(&l);
	return out;
}
