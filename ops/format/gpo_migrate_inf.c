/* The INI-shaped settings files: GptTmpl.inf (MS-GPSB 2.2), scripts.ini
 * and psscripts.ini (MS-GPSCR 2.2), fdeploy.ini and fdeploy1.ini
 * (MS-GPFR 2.2.1, 2.2.2). Each line is copied as it is unless the mapper
 * changes something in it; a changed line keeps its spacing, quoting and
 * ending, and only the principal or path itself is rewritten. */
#include "gpo_migrate_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum sec {
	S_OTHER,      /* copied (scripts, fdeploy: UNC values mapped) */
	S_PRIV,       /* GptTmpl [Privilege Rights] */
	S_MEMBER,     /* GptTmpl [Group Membership] */
	S_SDDL,       /* GptTmpl [Service General Setting] [Registry Keys]
			 [File Security] */
	S_FOLDER,     /* fdeploy.ini per-folder: SID=path */
	S_FR_LIST,    /* fdeploy1.ini [Folder_Redirection]: GUID=SID;SID; */
	S_DROPPED,    /* fdeploy1.ini per-GUID section of a dropped SID */
};

struct ini {
	struct gpo_mig *g;
	enum gpo_mig_ini_kind kind;
	struct gpo_buf *b;
	unsigned line;
	enum sec sec;
	char sname[64];           /* the section, for "what" */
};

static int add(struct ini *in, const char *p, size_t n)
{
	return gpo_buf_add(in->b, p, n);
}

static int adds(struct ini *in, const char *s)
{
	return gpo_buf_add(in->b, s, strlen(s));
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static void trim(const char **b, const char **e)
{
	while (*b < *e && blank(**b))
		(*b)++;
	while (*e > *b && blank((*e)[-1]))
		(*e)--;
}

static bool is_sid_text(const char *p, const char *e)
{
	return e - p > 2 && (*p == 'S' || *p == 's') && p[1] == '-';
}

static int bad(struct ini *in, const char *what)
{
	return gpo_err_set(in->g->err, -EINVAL, "%s line %u: %s", in->g->relpath,
			   in->line, what);
}

/* ---- lists of principals ---- */

enum list_mode {
	L_SECEDIT,    /* "*SID" or a bare name, comma separated */
	L_SIDS,       /* bare SIDs, semicolon separated (fdeploy1) */
};

/* Writes the list [vb, ve) mapped. A dropped item goes with the
 * separator before it (the one after it when it was first), so the
 * list keeps its own spacing. *emptied tells that items were dropped
 * and none is left. */
static int map_list(struct ini *in, const char *vb, const char *ve,
		    enum list_mode mode, const char *what, bool *emptied)
{
	size_t kept = 0, dropped = 0;
	char sep = mode == L_SECEDIT ? ',' : ';';
	const char *p = vb, *prev_end = NULL, *lead_end = NULL;
	size_t start = in->b->len;
	bool first = true;
	int rc = 0;

	while (!rc) {
		const char *ie = memchr(p, sep, (size_t)(ve - p));
		const char *tb = p, *te = ie ? ie : ve;
		enum gpo_map_verdict v = GPO_MAP_KEEP;
		struct gpo_map_principal_out o = { 0 };
		bool by_sid, quoted;

		trim(&tb, &te);
		if (!lead_end)
			lead_end = tb;
		by_sid = mode == L_SIDS || (tb < te && *tb == '*');
		/* a name may be quoted ("NT SERVICE\ALL SERVICES") */
		quoted = !by_sid && te - tb >= 2 && *tb == '"' && te[-1] == '"';
		/* "" names nobody */
		if (tb < te && te - tb > 2 * quoted) {
			size_t skip = mode == L_SECEDIT && by_sid;

			if (mode == L_SIDS && !is_sid_text(tb, te))
				return bad(in, "not a SID in a SID list");
			rc = gpo_mig_principal(in->g, in->line, what, true,
					       by_sid ? tb + skip : NULL,
					       (size_t)(te - tb) - skip,
					       by_sid ? NULL : tb + quoted,
					       (size_t)(te - tb) - 2 * quoted, &v, &o);
		}
		if (!rc && v != GPO_MAP_DROP) {
			/* the blanks before the first item, or the
			 * separator (with its blanks) before a later one */
			rc = first ? add(in, vb, (size_t)(lead_end - vb))
				   : add(in, prev_end, (size_t)(tb - prev_end));
			if (!rc && v == GPO_MAP_REPLACE) {
				const char *nv = o.sid ? o.sid : o.name;

				if (mode == L_SIDS && !o.sid)
					rc = bad(in, "the mapper gave a name where only a SID can go");
				else if (strchr(nv, sep) || strchr(nv, '"') ||
					 (mode == L_SIDS && strchr(nv, ']')))
					rc = bad(in, "a mapped name holds a list separator or quote");
				else if (mode == L_SECEDIT && o.sid)
					rc = add(in, "*", 1);
				else if (quoted)
					rc = add(in, "\"", 1);
				if (!rc)
					rc = adds(in, nv);
				if (!rc && quoted && !o.sid)
					rc = add(in, "\"", 1);
			} else if (!rc) {
				rc = add(in, tb, (size_t)(te - tb));
			}
			kept += tb < te;
			first = false;
		} else if (!rc) {
			dropped++;
		}
		gpo_mig_out_free(&o);
		prev_end = te;
		if (!ie)
			break;
		p = ie + 1;
	}
	*emptied = dropped && !kept;
	if (rc)
		return rc;
	if (!*emptied)
		return add(in, prev_end, (size_t)(ve - prev_end));
	/* nothing named any more: "SeXxx =" with no blanks after it */
	in->b->len = start;
	return 0;
}

/* ---- SDDL ---- */

/* The end of a SID at p (before e): "S-" a number, then "-number"s. */
static const char *sid_end(const char *p, const char *e)
{
	if (e - p < 3 || p[0] != 'S' || p[1] != '-')
		return p;
	p += 2;
	while (p < e) {
		const char *q = p;

		if (e - q > 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X') &&
		    isxdigit((unsigned char)q[2])) {
			q += 2;
			while (q < e && isxdigit((unsigned char)*q))
				q++;
		} else {
			while (q < e && isdigit((unsigned char)*q))
				q++;
		}
		if (q == p)
			return p - 1;
		p = q;
		if (p + 1 < e && *p == '-' && isdigit((unsigned char)p[1]))
			p++;
		else
			break;
	}
	return p;
}

static bool is_alias(const char *p, const char *e)
{
	return e - p == 2 && isupper((unsigned char)p[0]) &&
	       isupper((unsigned char)p[1]);
}

/* One ACE "(type;flags;rights;guid;guid;trustee[;more])" at [p, e) with
 * its parentheses: written mapped, or not at all when its trustee is
 * dropped. Aliases (BA, SY...) are not offered: they name the same
 * principal in every domain. */
static int map_ace(struct ini *in, const char *p, const char *e)
{
	const char *f[7] = { 0 };
	enum gpo_map_verdict v = GPO_MAP_KEEP;
	struct gpo_map_principal_out o = { 0 };
	const char *q = p + 1, *tb, *te;
	int n = 0, depth = 0, rc = 0;
	bool quoted = false;

	/* the start of each field; conditions nest parentheses and quote */
	f[n++] = q;
	for (; q < e - 1; q++) {
		if (quoted) {
			quoted = *q != '"';
		} else if (*q == '"') {
			quoted = true;
		} else if (*q == '(') {
			depth++;
		} else if (*q == ')') {
			depth--;
		} else if (*q == ';' && !depth && n < 7) {
			f[n++] = q + 1;
		}
	}
	if (n < 6)
		return bad(in, "an SDDL ACE with fewer than six fields");
	tb = f[5];
	te = n > 6 ? f[6] - 1 : e - 1;
	if (is_alias(tb, te))
		return add(in, p, (size_t)(e - p));
	if (sid_end(tb, te) != te)
		return bad(in, "an SDDL ACE's trustee is neither a SID nor an alias");
	rc = gpo_mig_principal(in->g, in->line, "SDDL ACE", true, tb,
			       (size_t)(te - tb), NULL, 0, &v, &o);
	if (rc)
		return rc;
	if (v == GPO_MAP_KEEP) {
		rc = add(in, p, (size_t)(e - p));
	} else if (v == GPO_MAP_REPLACE) {
		if (!o.sid)
			rc = bad(in, "the mapper gave a name where only a SID can go");
		if (!rc)
			rc = add(in, p, (size_t)(tb - p));
		if (!rc)
			rc = adds(in, o.sid);
		if (!rc)
			rc = add(in, te, (size_t)(e - te));
	}
	gpo_mig_out_free(&o);
	return rc;
}

/* The SDDL string [p, e): O: and G: SIDs (offered, never dropped: a
 * descriptor keeps its owner) and the ACEs of D: and S:. */
static int map_sddl(struct ini *in, const char *p, const char *e)
{
	int rc = 0;

	while (!rc && p < e) {
		char tag;

		if (blank(*p)) {
			rc = add(in, p++, 1);
			continue;
		}
		if (e - p < 2 || p[1] != ':' || !strchr("OGDS", *p))
			return bad(in, "SDDL: expected O:, G:, D: or S:");
		tag = *p;
		rc = add(in, p, 2);
		p += 2;
		if (rc)
			break;
		if (tag == 'O' || tag == 'G') {
			const char *se = sid_end(p, e);
			enum gpo_map_verdict v;
			struct gpo_map_principal_out o = { 0 };

			if (se == p) {
				if (!is_alias(p, e - p >= 2 ? p + 2 : e))
					return bad(in, "SDDL: owner or group is neither a SID nor an alias");
				rc = add(in, p, 2);
				p += 2;
				continue;
			}
			rc = gpo_mig_principal(in->g, in->line,
					       tag == 'O' ? "SDDL owner" : "SDDL group",
					       false, p, (size_t)(se - p), NULL, 0, &v, &o);
			if (!rc && v == GPO_MAP_REPLACE && !o.sid)
				rc = bad(in, "the mapper gave a name where only a SID can go");
			if (!rc)
				rc = v == GPO_MAP_REPLACE ? adds(in, o.sid)
							  : add(in, p, (size_t)(se - p));
			gpo_mig_out_free(&o);
			p = se;
			continue;
		}
		/* ACL flags (P, AI, AR, NO_ACCESS_CONTROL...), then ACEs */
		while (!rc && p < e && (isupper((unsigned char)*p) || *p == '_') &&
		       !(e - p >= 2 && p[1] == ':' && strchr("OGDS", *p)))
			rc = add(in, p++, 1);
		while (!rc && p < e && (*p == '(' || blank(*p))) {
			const char *q = p + 1;
			int depth = 1;
			bool quoted = false;

			if (blank(*p)) {
				rc = add(in, p++, 1);
				continue;
			}
			for (; q < e && depth; q++) {
				if (quoted)
					quoted = *q != '"';
				else if (*q == '"')
					quoted = true;
				else if (*q == '(')
					depth++;
				else if (*q == ')')
					depth--;
			}
			if (depth)
				return bad(in, "SDDL: an ACE without its ')'");
			rc = map_ace(in, p, q);
			p = q;
		}
	}
	return rc;
}

/* "name",mode,"SDDL": the SDDL is the last field, quoted. */
static int map_sddl_line(struct ini *in, const char *lb, const char *tb,
			 const char *te, const char *le)
{
	const char *p = tb, *sb;
	int rc;

	if (*p == '"') {
		p = memchr(p + 1, '"', (size_t)(te - p - 1));
		if (!p)
			return bad(in, "a name without its closing quote");
		p++;
	}
	p = memchr(p, ',', (size_t)(te - p));
	if (!p || !(p = memchr(p + 1, ',', (size_t)(te - p - 1))))
		return bad(in, "not a \"name\",mode,\"SDDL\" line");
	sb = p + 1;
	while (sb < te && blank(*sb))
		sb++;
	if (te - sb < 2 || *sb != '"' || te[-1] != '"')
		return bad(in, "the SDDL is not quoted");
	rc = add(in, lb, (size_t)(sb + 1 - lb));
	if (!rc)
		rc = map_sddl(in, sb + 1, te - 1);
	if (!rc)
		rc = add(in, te - 1, (size_t)(le - (te - 1)));
	return rc;
}

/* ---- values holding UNC paths ---- */

/* Writes [p, e) with the UNC path at [pb, pe) inside it mapped. */
static int map_path_in(struct ini *in, const char *p, const char *pb,
		       const char *pe, const char *e, const char *what)
{
	char *np = NULL;
	int rc = gpo_mig_path(in->g, in->line, what, pb, (size_t)(pe - pb), &np);

	if (!rc)
		rc = add(in, p, (size_t)(pb - p));
	if (!rc)
		rc = np ? adds(in, np) : add(in, pb, (size_t)(pe - pb));
	if (!rc)
		rc = add(in, pe, (size_t)(e - pe));
	free(np);
	return rc;
}

/* Command-line parameters [vb, ve): each UNC path in them, one that
 * starts a word or follows a quote (then it runs to the closing quote,
 * blanks and all). */
static int map_params(struct ini *in, const char *vb, const char *ve)
{
	const char *p = vb, *done = vb;
	int rc = 0;

	while (!rc && p < ve) {
		bool after_quote = p > vb && p[-1] == '"';
		const char *q = p;

		if ((p == vb || after_quote || isspace((unsigned char)p[-1]) ||
		     p[-1] == '=' || p[-1] == ',') &&
		    gpo_mig_is_unc(p, (size_t)(ve - p))) {
			while (q < ve && *q != '"' && (after_quote || !isspace((unsigned char)*q)))
				q++;
			rc = map_path_in(in, done, p, q, q, "UNC path in parameters");
			done = p = q;
			continue;
		}
		p++;
	}
	return rc ? rc : add(in, done, (size_t)(ve - done));
}

/* key=value where the value may be a UNC path (and, in scripts,
 * parameters that may hold some). */
static int map_value_line(struct ini *in, const char *lb, const char *eq,
			  const char *ce, const char *le)
{
	const char *kb = lb, *ke = eq, *vb = eq + 1, *ve = ce;
	int rc;

	trim(&kb, &ke);
	trim(&vb, &ve);
	if (in->kind == GPO_MIG_SCRIPTS && ke - kb >= 10 &&
	    !strncasecmp(ke - 10, "Parameters", 10)) {
		rc = add(in, lb, (size_t)(vb - lb));
		if (!rc)
			rc = map_params(in, vb, ve);
		return rc ? rc : add(in, ve, (size_t)(le - ve));
	}
	if (!gpo_mig_is_unc(vb, (size_t)(ve - vb)))
		return add(in, lb, (size_t)(le - lb));
	return map_path_in(in, lb, vb, ve, le, "UNC path");
}

/* ---- lines ---- */

static int section(struct ini *in, const char *tb, const char *te,
		   const char *lb, const char *le)
{
	const char *ne = memchr(tb, ']', (size_t)(te - tb));
	const char *nb = tb + 1, *us;
	size_t n;

	if (!ne)
		return bad(in, "a section header without ']'");
	n = (size_t)(ne - nb);
	snprintf(in->sname, sizeof(in->sname), "%.*s", (int)(n > 60 ? 60 : n), nb);
	in->sec = S_OTHER;
#define IS(s) (n == strlen(s) && !strncasecmp(nb, s, n))
	switch (in->kind) {
	case GPO_MIG_SECEDIT:
		if (IS("Privilege Rights"))
			in->sec = S_PRIV;
		else if (IS("Group Membership"))
			in->sec = S_MEMBER;
		else if (IS("Service General Setting") || IS("Registry Keys") ||
			 IS("File Security"))
			in->sec = S_SDDL;
		break;
	case GPO_MIG_FDEPLOY:
		if (!IS("FolderStatus") && !IS("Folder Status"))
			in->sec = S_FOLDER;
		break;
	case GPO_MIG_FDEPLOY1:
		if (IS("Folder_Redirection") || IS("Folder Redirection")) {
			in->sec = S_FR_LIST;
			break;
		}
		/* "[{folder GUID}_SID]": the redirection of one group */
		us = n ? memrchr(nb, '_', n) : NULL;
		if (us && is_sid_text(us + 1, ne)) {
			enum gpo_map_verdict v;
			struct gpo_map_principal_out o = { 0 };
			int rc = gpo_mig_principal(in->g, in->line,
						   "folder redirection section", true,
						   us + 1, (size_t)(ne - us - 1),
						   NULL, 0, &v, &o);

			if (!rc && v == GPO_MAP_REPLACE && !o.sid)
				rc = bad(in, "the mapper gave a name where only a SID can go");
			if (!rc && v == GPO_MAP_DROP)
				in->sec = S_DROPPED;
			if (!rc && v == GPO_MAP_REPLACE) {
				rc = add(in, lb, (size_t)(us + 1 - lb));
				if (!rc)
					rc = adds(in, o.sid);
				if (!rc)
					rc = add(in, ne, (size_t)(le - ne));
			}
			gpo_mig_out_free(&o);
			if (rc || v != GPO_MAP_KEEP)
				return rc;
		}
		break;
	default:
		break;
	}
#undef IS
	return add(in, lb, (size_t)(le - lb));
}

static int entry(struct ini *in, const char *lb, const char *tb,
		 const char *te, const char *ce, const char *le)
{
	const char *eq = memchr(tb, '=', (size_t)(te - tb));
	const char *kb = tb, *ke, *vb, *ve = ce;
	char what[128];
	size_t start = in->b->len;
	bool emptied;
	int rc = 0;

	if (in->sec == S_SDDL)
		return map_sddl_line(in, lb, tb, te, le);
	if (!eq) {
		if (in->sec == S_PRIV || in->sec == S_MEMBER || in->sec == S_FR_LIST)
			return bad(in, "not a key = value line");
		return add(in, lb, (size_t)(le - lb));
	}
	ke = eq;
	trim(&kb, &ke);
	vb = eq + 1;
	snprintf(what, sizeof(what), "[%s] %.*s", in->sname,
		 (int)(ke - kb > 80 ? 80 : ke - kb), kb);
	switch (in->sec) {
	case S_PRIV:
		rc = add(in, lb, (size_t)(vb - lb));
		if (!rc)
			rc = map_list(in, vb, ve, L_SECEDIT, what, &emptied);
		break;
	case S_MEMBER: {
		/* "<group>__Memberof" / "<group>__Members" */
		const char *sfx = NULL, *gb = kb;
		enum gpo_map_verdict v;
		struct gpo_map_principal_out o = { 0 };
		bool star;

		if (ke - kb > 10 && !strncasecmp(ke - 10, "__Memberof", 10))
			sfx = ke - 10;
		else if (ke - kb > 9 && !strncasecmp(ke - 9, "__Members", 9))
			sfx = ke - 9;
		if (!sfx)
			return bad(in, "a [Group Membership] key without __Memberof or __Members");
		star = *gb == '*';
		rc = gpo_mig_principal(in->g, in->line, what, true,
				       star ? gb + 1 : NULL, (size_t)(sfx - gb - 1),
				       star ? NULL : gb, (size_t)(sfx - gb), &v, &o);
		if (rc)
			break;
		if (v == GPO_MAP_DROP) {
			gpo_mig_out_free(&o);
			return 0;
		}
		rc = add(in, lb, (size_t)(gb - lb));
		if (!rc && v == GPO_MAP_REPLACE) {
			const char *nv = o.sid ? o.sid : o.name;

			if (strstr(nv, "__") || strchr(nv, '='))
				rc = bad(in, "a mapped group name holds \"__\" or '='");
			if (!rc && o.sid)
				rc = add(in, "*", 1);
			if (!rc)
				rc = adds(in, nv);
		} else if (!rc) {
			rc = add(in, gb, (size_t)(sfx - gb));
		}
		gpo_mig_out_free(&o);
		if (!rc)
			rc = add(in, sfx, (size_t)(vb - sfx));
		if (!rc)
			rc = map_list(in, vb, ve, L_SECEDIT, what, &emptied);
		break;
	}
	case S_FR_LIST:
		rc = add(in, lb, (size_t)(vb - lb));
		if (!rc)
			rc = map_list(in, vb, ve, L_SIDS, what, &emptied);
		if (!rc && emptied) {
			/* a folder no group is redirected for any more: its
			 * line goes, as its per-group sections went */
			in->b->len = start;
			return 0;
		}
		break;
	case S_FOLDER:
		if (is_sid_text(kb, ke)) {
			enum gpo_map_verdict v;
			struct gpo_map_principal_out o = { 0 };

			rc = gpo_mig_principal(in->g, in->line, what, true, kb,
					       (size_t)(ke - kb), NULL, 0, &v, &o);
			if (!rc && v == GPO_MAP_REPLACE && !o.sid)
				rc = bad(in, "the mapper gave a name where only a SID can go");
			if (rc || v == GPO_MAP_DROP) {
				gpo_mig_out_free(&o);
				return rc;
			}
			if (v == GPO_MAP_REPLACE) {
				rc = add(in, lb, (size_t)(kb - lb));
				if (!rc)
					rc = adds(in, o.sid);
				gpo_mig_out_free(&o);
				if (!rc)
					rc = map_value_line(in, ke, eq, ce, le);
				return rc;
			}
		}
		return map_value_line(in, lb, eq, ce, le);
	default:
		if (in->kind == GPO_MIG_SECEDIT)
			return add(in, lb, (size_t)(le - lb));
		return map_value_line(in, lb, eq, ce, le);
	}
	if (!rc)
		rc = add(in, ce, (size_t)(le - ce));
	return rc;
}

int gpo_mig_ini(struct gpo_mig *g, enum gpo_mig_ini_kind kind,
		const char *text, size_t len, struct gpo_buf *b)
{
	struct ini in = { g, kind, b, 0, S_OTHER, "" };
	const char *p = text, *end = text + len;
	int rc = 0;

	while (!rc && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl + 1 : end;
		const char *ce = nl ? nl : end;
		const char *tb, *te;

		if (ce > p && ce[-1] == '\r')
			ce--;
		tb = p;
		te = ce;
		trim(&tb, &te);
		in.line++;
		if (tb < te && *tb == '[')
			rc = section(&in, tb, te, p, le);
		else if (in.sec == S_DROPPED)
			rc = 0;
		else if (tb == te || *tb == ';')
			rc = add(&in, p, (size_t)(le - p));
		else
			rc = entry(&in, p, tb, te, ce, le);
		p = le;
	}
	if (!rc)
		rc = gpo_buf_add(b, "", 0);
	return rc;
}
