#include "gpo_backup_ext.h"
#include "gpo_array.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/entities.h>
#include <libxml/xmlwriter.h>

#include "gpo_buf.h"
#include "gpo_xmlw.h"

/*
 * How GPMC writes this part of Backup.xml, as real backups show it.
 *
 * GPMC fills in a template document and deletes what does not apply, and
 * the whitespace of the deleted parts stays behind. That is the whole
 * secret of its odd layout:
 *
 *  - The template holds TEMPLATE_SLOTS extension elements, each preceded
 *    by "\r\n        " (the first by " \r\n        ") and the last followed
 *    by "\r\n    ". An extension the GPO does not use is deleted, leaving
 *    its whitespace as a blank line of eight spaces. Ten slots fit every
 *    backup seen: Registry alone leaves nine blank lines, Registry with
 *    Security four and four, with Scripts two and six, with Folder
 *    Redirection one and seven.
 *  - Inside an extension, each template object is preceded by "\r\n" and
 *    its own indent, and the close tag by "\r\n        ". A file that is
 *    not in SYSVOL is deleted and leaves its indent behind.
 *  - Anything GPMC adds itself has no whitespace at all: the matches
 *    nested inside a wildcard object, and the Unknown Extension element
 *    {F15C46CD-...} appended after the last slot, which lists every file
 *    and directory no template object claimed, depth first, each
 *    directory's entries in NTFS order (names compared upper-cased).
 *
 * Paths in template objects are spelled as the template spells them
 * ("microsoft\windows nt\SecEdit", "PSscripts.ini"), whatever SYSVOL's
 * spelling; entries GPMC adds are spelled as SYSVOL spells them.
 */

#define TEMPLATE_SLOTS 10
#define CRLF "\r\n"
#define IND "            "    /* the template's usual object indent */
#define IND_TAB "\t    "      /* the PSscripts.ini lines have a tab */
#define GUID_LEN 38

#define UNKNOWN_EXT_ID "{F15C46CD-82A0-4C2D-A210-5D0D3182A418}"
#define UNKNOWN_EXT_NAME "Unknown Extension"

/* Which folder of the GPO a template object is in. */
enum ext_side { SIDE_GPO, SIDE_MACHINE, SIDE_USER };

/* What a template object names. */
enum ext_kind {
	EXT_FILE,       /* one file, listed with its Location when present */
	EXT_FILES_IN,   /* FSObjectFile "dir\pattern", listed even when
			 * nothing matches: nests each file directly in
			 * dir, in reverse NTFS order */
	EXT_DIR_ITSELF, /* FSObjectDir "dir\*", listed even when nothing
			 * matches: nests dir itself when present */
};
/* Derived, as no backup showed any: a subdirectory of a wildcard's
 * directory, and all below it, is no match and goes to the Unknown
 * Extension. */

struct ext_obj {
	const char *indent;    /* the template's whitespace before it */
	enum ext_side side;
	enum ext_kind kind;
	const char *path;      /* below the side's folder, as GPMC spells it */
	const char *pattern;   /* wildcards: "*" or "*.*" */
	const char *reeval;    /* bkp:ReEvaluateFunction, or NULL */
};

#define EXT_MAX_OBJS 12

struct ext_row {
	int slot;          /* 1..TEMPLATE_SLOTS: its place in GPMC's template;
			    * 0: not in the template, its files go to the
			    * Unknown Extension */
	bool always;       /* written whether or not the GPO lists it */
	const char *id;    /* bkp:ID, spelled as GPMC spells it */
	const char *name;  /* bkp:DescName (slot 0: what it is) */
	struct ext_obj objs[EXT_MAX_OBJS + 1]; /* ends at path == NULL */
};

/*
 * GPMC's backup template, and the extensions it does not know. "Observed"
 * means seen in real GPMC backups: the 14 in shared/fixtures, and native
 * Backup-GPO output (Windows Server, 2026) published in hraedon/gpo-studio
 * under docs/plan-033: scripts-metadata/rebackup, wp4-evidence/fdeploy and
 * tests/fixtures/native-gpp-gpmc. An extension is written when the GPO's
 * machine or user extension list names it as a client-side extension
 * (the first GUID of a [...] group); Registry is written always.
 *
 * Slots 2, 5 and 7 to 10 hold extensions no available backup shows (by
 * the template's age, likely among Software Installation, Internet
 * Explorer Maintenance and Remote Installation Services). They are left
 * out: their blank lines are still written, and their files, if any, are
 * listed in the Unknown Extension, which GPMC restores all the same.
 */
static const struct ext_row ext_table[] = {
	/* Observed in every backup, listed or not. */
	{ 1, true, "{35378EAC-683F-11D2-A89A-00C04FBBCFA2}", "Registry", {
		{ IND, SIDE_MACHINE, EXT_FILE, "registry.pol", NULL, NULL },
		{ IND, SIDE_USER, EXT_FILE, "registry.pol", NULL, NULL },
		{ IND, SIDE_GPO, EXT_FILES_IN, "Adm", "*.*", NULL },
	} },
	/* Observed (fdeploy rebackups). The two matches were nested
	 * fdeploy1.ini before fdeploy.ini, the reverse of NTFS order, so
	 * matches are nested in reverse order everywhere. */
	{ 3, false, "{25537BA6-77A8-11D2-9B6C-0000F8080861}",
	  "Folder Redirection", {
		{ IND, SIDE_USER, EXT_FILES_IN, "Documents & Settings", "*",
		  "FRValidateSettings" },
	} },
	/* Observed with machine scripts only; the user scripts.ini object
	 * was deleted each time, so its ReEvaluateFunction is derived from
	 * the machine one. */
	{ 4, false, "{42B5FAAE-6536-11d2-AE5A-0000F87571E3}", "Scripts", {
		{ IND, SIDE_MACHINE, EXT_FILE, "Scripts\\scripts.ini", NULL,
		  "ScriptsValidatePaths" },
		{ IND_TAB, SIDE_MACHINE, EXT_FILE, "Scripts\\PSscripts.ini",
		  NULL, NULL },
		{ IND, SIDE_MACHINE, EXT_DIR_ITSELF, "Scripts\\Startup", "*",
		  NULL },
		{ IND, SIDE_MACHINE, EXT_FILES_IN, "Scripts\\Startup", "*",
		  NULL },
		{ IND, SIDE_MACHINE, EXT_DIR_ITSELF, "Scripts\\Shutdown", "*",
		  NULL },
		{ IND, SIDE_MACHINE, EXT_FILES_IN, "Scripts\\Shutdown", "*",
		  NULL },
		{ IND, SIDE_USER, EXT_FILE, "Scripts\\scripts.ini", NULL,
		  "ScriptsValidatePaths" },
		{ IND_TAB, SIDE_USER, EXT_FILE, "Scripts\\PSscripts.ini",
		  NULL, NULL },
		{ IND, SIDE_USER, EXT_DIR_ITSELF, "Scripts\\Logon", "*", NULL },
		{ IND, SIDE_USER, EXT_FILES_IN, "Scripts\\Logon", "*", NULL },
		{ IND, SIDE_USER, EXT_DIR_ITSELF, "Scripts\\Logoff", "*",
		  NULL },
		{ IND, SIDE_USER, EXT_FILES_IN, "Scripts\\Logoff", "*", NULL },
	} },
	/* Observed. */
	{ 6, false, "{827D319E-6EAC-11D2-A4EA-00C04F79F83A}", "Security", {
		{ IND, SIDE_MACHINE, EXT_FILE,
		  "microsoft\\windows nt\\SecEdit\\GptTmpl.inf", NULL,
		  "SecurityValidateSettings" },
	} },
	/* Observed not in the template: listed by the GPO, yet no element
	 * of their own; their files (audit.csv, Preferences\...\*.xml) are
	 * in the Unknown Extension. */
	{ 0, false, "{B1BE8D72-6EAC-11D2-A4EA-00C04F79F83A}",
	  "EFS recovery", { { NULL, 0, 0, NULL, NULL, NULL } } },
	{ 0, false, "{F3CCC681-B74C-4060-9F26-CD84525DCA2A}",
	  "Audit Policy Configuration (audit.csv)",
	  { { NULL, 0, 0, NULL, NULL, NULL } } },
	{ 0, false, "{5794DAFD-BE60-433F-88A2-1A31939AC01F}",
	  "Preferences: Drive Maps", { { NULL, 0, 0, NULL, NULL, NULL } } },
	{ 0, false, "{17D89FEC-5C44-4972-B12D-241CAEF74509}",
	  "Preferences: Local Users and Groups",
	  { { NULL, 0, 0, NULL, NULL, NULL } } },
	{ 0, false, "{AADCED64-746C-4633-A97C-D61349046527}",
	  "Preferences: Scheduled Tasks",
	  { { NULL, 0, 0, NULL, NULL, NULL } } },
	{ 0, false, "{B087BE9D-ED37-454F-AF9C-04291E351182}",
	  "Preferences: Registry", { { NULL, 0, 0, NULL, NULL, NULL } } },
	{ 0, false, "{91FBB303-0CD5-4055-BF42-E512A681B325}",
	  "Preferences: Services", { { NULL, 0, 0, NULL, NULL, NULL } } },
	{ 0, false, "{7150F9BF-48AD-4DA4-A49C-29EF4A8369BA}",
	  "Preferences: Files", { { NULL, 0, 0, NULL, NULL, NULL } } },
	{ 0, false, "{6232C319-91AC-4931-9385-E70C2B099F0E}",
	  "Preferences: Folders", { { NULL, 0, 0, NULL, NULL, NULL } } },
	{ 0, false, "{74EE6C03-5363-4554-B161-627540339CAB}",
	  "Preferences: Ini Files", { { NULL, 0, 0, NULL, NULL, NULL } } },
	{ 0, false, "{0E28E245-9368-4853-AD84-6DA3BA35BB75}",
	  "Preferences: Environment", { { NULL, 0, 0, NULL, NULL, NULL } } },
	{ 0, false, "{E62688F0-25FD-4C90-BFF5-F508B9D2E31F}",
	  "Preferences: Power Options",
	  { { NULL, 0, 0, NULL, NULL, NULL } } },
	{ 0, false, "{BC75B1ED-5833-4858-9BB8-CBF0B166DF9D}",
	  "Preferences: Printers", { { NULL, 0, 0, NULL, NULL, NULL } } },
	{ 0, false, "{C418DD9D-0D14-4EFB-8FBF-CFE535C8FAC7}",
	  "Preferences: Shortcuts", { { NULL, 0, 0, NULL, NULL, NULL } } },
};

#define N_ROWS (sizeof(ext_table) / sizeof(ext_table[0]))

static const char *const side_var[] = {
	[SIDE_GPO] = "%GPO_FSPATH%",
	[SIDE_MACHINE] = "%GPO_MACH_FSPATH%",
	[SIDE_USER] = "%GPO_USER_FSPATH%",
};

static const char *const side_dir[] = {
	[SIDE_GPO] = "",
	[SIDE_MACHINE] = "Machine/",
	[SIDE_USER] = "User/",
};

/* --- the SYSVOL tree ---------------------------------------------------- */

struct node {
	char *path;      /* '/'-separated */
	bool dir;
	bool given;      /* named by the caller, not only implied */
	bool claimed;    /* listed by a template object */
};

struct tree {
	struct node *n;
	size_t len;
	size_t cap;
};

/* NTFS orders names by their upper-cased UTF-16 code units; for ASCII
 * that is upper-casing the bytes. Other bytes compare as they are, which
 * is code point order for UTF-8. */
static int up(unsigned char c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

static bool ends_component(char c)
{
	return c == '/' || c == '\\' || c == '\0';
}

/* Compares two paths component by component, so that sorting gives a
 * depth-first walk: a directory comes right before its entries, and the
 * entries of a directory are in NTFS order. '/' and '\' both separate. */
static int path_cmp(const char *a, const char *b)
{
	for (;;) {
		bool ea = ends_component(*a);
		bool eb = ends_component(*b);

		if (ea || eb) {
			if (!ea)
				return 1;
			if (!eb)
				return -1;
			if (!*a || !*b)
				return (*a != '\0') - (*b != '\0');
		} else if (up((unsigned char)*a) != up((unsigned char)*b)) {
			return up((unsigned char)*a) - up((unsigned char)*b);
		}
		a++;
		b++;
	}
}

static int node_cmp(const void *pa, const void *pb)
{
	const struct node *a = pa;
	const struct node *b = pb;
	int c = path_cmp(a->path, b->path);

	if (c)
		return c;
	c = strcmp(a->path, b->path);
	if (c)
		return c;
	return (int)b->given - (int)a->given;   /* the caller's first */
}

static int tree_add(struct tree *t, const char *path, size_t len, bool dir,
		    bool given)
{
	struct node *n = gpo_array_push(&t->n, &t->len, &t->cap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	n->path = strndup(path, len);
	if (!n->path) {
		t->len--;
		return -ENOMEM;
	}
	n->dir = dir;
	n->given = given;
	return 0;
}

static void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->len; i++)
		free(t->n[i].path);
	free(t->n);
	t->n = NULL;
	t->len = t->cap = 0;
}

/* A relative path SYSVOL could hold and a backup could name. */
static bool path_valid(const char *p)
{
	const char *comp = p;

	if (!*p)
		return false;
	for (;; p++) {
		if (*p == '/' || !*p) {
			size_t n = (size_t)(p - comp);

			if (n == 0 || (n == 1 && comp[0] == '.') ||
			    (n == 2 && comp[0] == '.' && comp[1] == '.'))
				return false;
			if (!*p)
				return true;
			comp = p + 1;
		} else if (*p == '\\' || (unsigned char)*p < 0x20 ||
			   *p == 0x7f) {
			return false;
		}
	}
}

/* Builds the sorted tree of what SYSVOL holds, with the directories the
 * paths imply, and refuses what no Windows folder could hold. */
static int tree_build(struct tree *t, const struct gpo_sysvol_entry *e,
		      size_t n)
{
	size_t j = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		const char *p = e[i].path;

		if (!p || !path_valid(p))
			return -EINVAL;
		rc = tree_add(t, p, strlen(p), e[i].dir, true);
		if (rc)
			return rc;
		for (const char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
			rc = tree_add(t, p, (size_t)(s - p), true, false);
			if (rc)
				return rc;
		}
	}
	if (t->len)
		qsort(t->n, t->len, sizeof(*t->n), node_cmp);
	for (size_t i = 0; i < t->len; i++) {
		struct node *prev = j ? &t->n[j - 1] : NULL;

		if (prev && !path_cmp(prev->path, t->n[i].path)) {
			/* Same name: only a directory that a deeper path also
			 * implies, spelled the same way, is not an error. */
			if (strcmp(prev->path, t->n[i].path) ||
			    (prev->given && t->n[i].given) ||
			    (prev->given && !prev->dir))
				return -EINVAL;
			free(t->n[i].path);
			t->n[i].path = NULL;
			continue;
		}
		t->n[j] = t->n[i];
		if (i != j)
			t->n[i].path = NULL;   /* moved, owned once */
		j++;
	}
	t->len = j;
	return 0;
}

/* The index of the node at path ('/' or '\' separated, any ASCII case),
 * or -1. */
static long tree_find(const struct tree *t, const char *path)
{
	size_t lo = 0;
	size_t hi = t->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = path_cmp(t->n[mid].path, path);

		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* --- extension lists ---------------------------------------------------- */

static bool guid_valid(const char *s)
{
	for (int i = 0; i < GUID_LEN; i++) {
		char c = s[i];

		if (i == 0 ? c != '{' : i == GUID_LEN - 1 ? c != '}' :
		    (i == 9 || i == 14 || i == 19 || i == 24) ? c != '-' :
		    !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

/* Scans a gPC*ExtensionNames value, "[{CSE}{tool}...][...]", and tells
 * whether id is the client-side extension of one of its groups. Blanks
 * between groups are allowed: GPMC's own backups hold " " for none. */
static int ext_list_has(const char *s, const char *id, bool *has)
{
	*has = false;
	if (!s)
		return 0;
	for (;;) {
		bool first = true;

		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (!*s)
			return 0;
		if (*s++ != '[')
			return -EINVAL;
		while (*s == '{') {
			if (strnlen(s, GUID_LEN) < GUID_LEN || !guid_valid(s))
				return -EINVAL;
			if (first && id && !strncasecmp(s, id, GUID_LEN))
				*has = true;
			first = false;
			s += GUID_LEN;
		}
		if (first || *s++ != ']')
			return -EINVAL;
	}
}

/* --- writing ------------------------------------------------------------ */

struct out {
	struct gpo_xmlw x;
	const char *base;       /* \\dc\sysvol\domain\Policies\{guid} */
	struct gpo_buf path;    /* scratch for the attribute values */
	struct gpo_buf source;
	struct gpo_buf location;
};


static void buf_reset(struct gpo_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* Makes b a Windows path: SYSVOL names never hold '\', so every '/' is a
 * separator. */
static const char *backslashes(struct out *o, struct gpo_buf *b)
{
	if (!b->data) {
		gpo_xmlw_fail(&o->x, -ENOMEM);
		return "";
	}
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] == '/')
			b->data[i] = '\\';
	return b->data;
}

/* Starts one FSObjectFile or FSObjectDir: bkp:Path is var\rel,
 * bkp:SourceExpandedPath the same under the DC's SYSVOL share (full is
 * the path below the GPO folder), and bkp:Location, when the object is in
 * the backup, the same under DomainSysvol\GPO. The caller ends it. */
static void object(struct out *o, const char *elem, const char *var,
		   const char *rel, const char *full, const char *reeval,
		   bool located)
{
	buf_reset(&o->path);
	buf_reset(&o->source);
	buf_reset(&o->location);
	if (gpo_buf_printf(&o->path, "%s\\%s", var, rel) ||
	    gpo_buf_printf(&o->source, "%s\\%s", o->base, full) ||
	    gpo_buf_printf(&o->location, "DomainSysvol\\GPO\\%s", full))
		gpo_xmlw_fail(&o->x, -ENOMEM);
	gpo_xmlw_start(&o->x, elem);
	gpo_xmlw_attr(&o->x, "bkp:Path", backslashes(o, &o->path));
	gpo_xmlw_attr(&o->x, "bkp:SourceExpandedPath", backslashes(o, &o->source));
	if (reeval)
		gpo_xmlw_attr(&o->x, "bkp:ReEvaluateFunction", reeval);
	if (located)
		gpo_xmlw_attr(&o->x, "bkp:Location", backslashes(o, &o->location));
}

static char *join(const char *a, const char *b, const char *c)
{
	struct gpo_buf s = GPO_BUF_INIT;

	if (gpo_buf_printf(&s, "%s%s%s", a, b, c)) {
		gpo_buf_free(&s);
		return NULL;
	}
	return gpo_buf_steal(&s, NULL);
}

/* Nests what a wildcard object matches: the files directly in dir (in
 * reverse NTFS order, as GPMC was seen to), or dir itself. */
static void matches(struct out *o, struct tree *t, const struct ext_obj *ob,
		    const char *dir_rel, const char *dir_full)
{
	long d = tree_find(t, dir_full);
	size_t dlen;
	size_t end_of_dir;

	if (d < 0 || !t->n[d].dir)
		return;
	if (ob->kind == EXT_DIR_ITSELF) {
		object(o, "FSObjectDir", side_var[ob->side], dir_rel,
		       dir_full, NULL, true);
		gpo_xmlw_end(&o->x);
		t->n[d].claimed = true;
		return;
	}
	/* The directory's subtree follows it in the sorted tree, and every
	 * node in it spells the directory the same way. */
	dlen = strlen(t->n[d].path);
	end_of_dir = (size_t)d + 1;
	while (end_of_dir < t->len &&
	       !strncmp(t->n[end_of_dir].path, t->n[d].path, dlen) &&
	       t->n[end_of_dir].path[dlen] == '/')
		end_of_dir++;
	for (size_t i = end_of_dir; i > (size_t)d + 1; i--) {
		struct node *n = &t->n[i - 1];
		const char *name = n->path + dlen + 1;
		char *rel;
		char *full;

		if (n->dir || strchr(name, '/'))
			continue;
		rel = join(dir_rel, "/", name);
		full = join(dir_full, "/", name);
		if (!rel || !full) {
			gpo_xmlw_fail(&o->x, -ENOMEM);
		} else {
			object(o, "FSObjectFile", side_var[ob->side], rel,
			       full, NULL, true);
			gpo_xmlw_end(&o->x);
			n->claimed = true;
		}
		free(rel);
		free(full);
	}
}

static void template_object(struct out *o, struct tree *t,
			    const struct ext_obj *ob)
{
	char *full = join(side_dir[ob->side], ob->path, "");
	char *rel = NULL;
	char *full_pat = NULL;
	long i;

	gpo_xmlw_raw(&o->x, CRLF);
	gpo_xmlw_raw(&o->x, ob->indent);
	if (!full) {
		gpo_xmlw_fail(&o->x, -ENOMEM);
		return;
	}
	if (ob->kind == EXT_FILE) {
		i = tree_find(t, full);
		if (i >= 0 && !t->n[i].dir) {
			object(o, "FSObjectFile", side_var[ob->side], ob->path,
			       full, ob->reeval, true);
			gpo_xmlw_end(&o->x);
			t->n[i].claimed = true;
		}
		goto out;
	}
	rel = join(ob->path, "\\", ob->pattern);
	full_pat = join(full, "\\", ob->pattern);
	if (!rel || !full_pat) {
		gpo_xmlw_fail(&o->x, -ENOMEM);
		goto out;
	}
	object(o, ob->kind == EXT_DIR_ITSELF ? "FSObjectDir" : "FSObjectFile",
	       side_var[ob->side], rel, full_pat, ob->reeval, false);
	matches(o, t, ob, ob->path, full);
	gpo_xmlw_end(&o->x);
out:
	free(full);
	free(rel);
	free(full_pat);
}

static void extension(struct out *o, struct tree *t, const struct ext_row *r)
{
	gpo_xmlw_start(&o->x, "GroupPolicyExtension");
	gpo_xmlw_attr(&o->x, "bkp:ID", r->id);
	gpo_xmlw_attr(&o->x, "bkp:DescName", r->name);
	for (const struct ext_obj *ob = r->objs; ob->path; ob++)
		template_object(o, t, ob);
	gpo_xmlw_raw(&o->x, CRLF "        ");
	gpo_xmlw_end(&o->x);
}

static bool is_named(const char *path, const char *name)
{
	return !strcasecmp(path, name);
}

/* Everything no template object claimed, except what GPMC never lists:
 * GPT.INI (its version is in Backup.xml) and the Machine and User
 * folders themselves (their contents are listed). */
static void unknown_extension(struct out *o, struct tree *t)
{
	gpo_xmlw_start(&o->x, "GroupPolicyExtension");
	gpo_xmlw_attr(&o->x, "bkp:ID", UNKNOWN_EXT_ID);
	gpo_xmlw_attr(&o->x, "bkp:DescName", UNKNOWN_EXT_NAME);
	for (size_t i = 0; i < t->len; i++) {
		const struct node *n = &t->n[i];
		const char *slash = strchr(n->path, '/');
		enum ext_side side = SIDE_GPO;
		const char *rel = n->path;

		if (n->claimed)
			continue;
		if (!slash && (n->dir ? is_named(n->path, "Machine") ||
					is_named(n->path, "User") :
					is_named(n->path, "GPT.INI")))
			continue;
		if (slash && (size_t)(slash - n->path) == 7 &&
		    !strncasecmp(n->path, "Machine", 7)) {
			side = SIDE_MACHINE;
			rel = slash + 1;
		} else if (slash && (size_t)(slash - n->path) == 4 &&
			   !strncasecmp(n->path, "User", 4)) {
			side = SIDE_USER;
			rel = slash + 1;
		}
		object(o, n->dir ? "FSObjectDir" : "FSObjectFile",
		       side_var[side], rel, n->path, NULL, true);
		gpo_xmlw_end(&o->x);
	}
	gpo_xmlw_end(&o->x);
}

static bool name_valid(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '\\' ||
		    *s == '/')
			return false;
	return true;
}

int gpo_backup_ext_xml(const struct gpo_backup_ext_in *in, char **data,
		       size_t *len)
{
	struct tree t = { NULL, 0, 0 };
	struct out o = { { NULL, NULL, 0 }, NULL, GPO_BUF_INIT, GPO_BUF_INIT,
			 GPO_BUF_INIT };
	struct gpo_buf base = GPO_BUF_INIT;
	bool listed[N_ROWS];
	int rc;

	if (!in || !data || !len || !name_valid(in->gpo_guid) ||
	    strlen(in->gpo_guid) != GUID_LEN || !guid_valid(in->gpo_guid) ||
	    !name_valid(in->dc) || !name_valid(in->domain) ||
	    (in->n_entries && !in->entries))
		return -EINVAL;
	for (size_t r = 0; r < N_ROWS; r++) {
		bool m = false;
		bool u = false;

		rc = ext_list_has(in->machine_ext, ext_table[r].id, &m);
		if (!rc)
			rc = ext_list_has(in->user_ext, ext_table[r].id, &u);
		if (rc)
			return rc;
		listed[r] = ext_table[r].always || m || u;
	}
	rc = tree_build(&t, in->entries, in->n_entries);
	if (rc)
		goto out;
	rc = gpo_buf_printf(&base, "\\\\%s\\sysvol\\%s\\Policies\\%s", in->dc,
			    in->domain, in->gpo_guid);
	if (rc)
		goto out;
	o.base = base.data;
	rc = gpo_xmlw_open(&o.x);
	if (rc)
		goto out;

	gpo_xmlw_raw(&o.x, " " CRLF "        ");
	for (int slot = 1; slot <= TEMPLATE_SLOTS; slot++) {
		for (size_t r = 0; r < N_ROWS; r++)
			if (ext_table[r].slot == slot && listed[r])
				extension(&o, &t, &ext_table[r]);
		gpo_xmlw_raw(&o.x, slot < TEMPLATE_SLOTS ? CRLF "        " : CRLF "    ");
	}
	unknown_extension(&o, &t);
	/* a fragment, not a document: no end, no newline taken off */
	rc = gpo_xmlw_close(&o.x, false, data, len);
out:
	gpo_xmlw_abort(&o.x);
	gpo_buf_free(&o.path);
	gpo_buf_free(&o.source);
	gpo_buf_free(&o.location);
	gpo_buf_free(&base);
	tree_free(&t);
	return rc;
}
