#include "gpo_migrate_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gpo_sd.h"
#include "gpo_utf16.h"

enum kind { K_NONE, K_SECEDIT, K_SCRIPTS, K_FDEPLOY, K_FDEPLOY1, K_XML };

static bool ieq(const char *a, size_t n, const char *b)
{
	return strlen(b) == n && !strncasecmp(a, b, n);
}

static enum kind kind_of(const char *relpath)
{
	const char *base = relpath, *p;
	size_t n;
	bool prefs = false;

	/* each folder on the way: Preferences anywhere above makes XML a
	 * Preferences file */
	for (p = relpath; *p; p++) {
		if (*p != '/' && *p != '\\')
			continue;
		if (ieq(base, (size_t)(p - base), "Preferences"))
			prefs = true;
		base = p + 1;
	}
	n = strlen(base);
	if (ieq(base, n, "GptTmpl.inf"))
		return K_SECEDIT;
	if (ieq(base, n, "scripts.ini") || ieq(base, n, "psscripts.ini"))
		return K_SCRIPTS;
	if (ieq(base, n, "fdeploy.ini"))
		return K_FDEPLOY;
	if (ieq(base, n, "fdeploy1.ini"))
		return K_FDEPLOY1;
	if (prefs && n > 4 && !strcasecmp(base + n - 4, ".xml"))
		return K_XML;
	return K_NONE;
}

bool gpo_migrate_handles(const char *relpath)
{
	return relpath && kind_of(relpath) != K_NONE;
}

bool gpo_sid_is_builtin(const char *sid)
{
	struct gpo_sid s;

	if (!sid || gpo_sid_from_string(sid, &s))
		return false;
	return !gpo_sid_is_domain_principal(&s);
}

bool gpo_mig_is_unc(const char *p, size_t len)
{
	return len > 2 && p[0] == '\\' && p[1] == '\\' && p[2] != '\\' &&
	       !(len > 3 && (p[2] == '?' || p[2] == '.') && p[3] == '\\');
}

void gpo_mig_out_free(struct gpo_map_principal_out *out)
{
	free(out->sid);
	free(out->name);
	out->sid = out->name = NULL;
}

/* Whether s holds nothing a settings file cannot carry in a value: no
 * control characters (a line ending would cut the line in two). */
static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int gpo_mig_principal(struct gpo_mig *g, unsigned line, const char *what,
		      bool can_drop, const char *sid_in, size_t sid_len,
		      const char *name_in, size_t name_len,
		      enum gpo_map_verdict *v, struct gpo_map_principal_out *out)
{
	struct gpo_map_where w = { g->relpath, line, what, can_drop };
	char sid[GPO_SID_STR_MAX], raw[GPO_SID_STR_MAX];
	char *name = NULL;
	struct gpo_sid s;
	int rc = 0;

	*v = GPO_MAP_KEEP;
	memset(out, 0, sizeof(*out));
	if (sid_in) {
		/* the mapper sees one spelling of each SID, whatever case
		 * or radix the file used */
		if (sid_len >= sizeof(raw))
			goto bad_sid;
		memcpy(raw, sid_in, sid_len);
		raw[sid_len] = '\0';
		if (gpo_sid_from_string(raw, &s) ||
		    gpo_sid_to_string(&s, sid, sizeof(sid)))
			goto bad_sid;
	}
	if (name_in) {
		name = strndup(name_in, name_len);
		if (!name)
			return -ENOMEM;
	}
	rc = g->m->principal(g->m->ctx, &w, sid_in ? sid : NULL, name, v, out);
	if (rc) {
		gpo_err_set(g->err, rc, "%s line %u: the mapper failed on %s",
			    g->relpath, line, sid_in ? sid : name);
		goto out;
	}
	if (*v == GPO_MAP_DROP && !can_drop)
		*v = GPO_MAP_KEEP;
	if (*v != GPO_MAP_REPLACE) {
		if (*v != GPO_MAP_KEEP && *v != GPO_MAP_DROP)
			rc = gpo_err_set(g->err, -EINVAL, "%s line %u: no such verdict %d",
					 g->relpath, line, (int)*v);
		gpo_mig_out_free(out);
		goto out;
	}
	if (!out->sid && !out->name) {
		rc = gpo_err_set(g->err, -EINVAL,
				 "%s line %u: %s replaced by nothing",
				 g->relpath, line, sid_in ? sid : name);
	} else if (out->sid && gpo_sid_from_string(out->sid, &s)) {
		rc = gpo_err_set(g->err, -EINVAL, "%s line %u: \"%s\" is not a SID",
				 g->relpath, line, out->sid);
	} else if (out->name && (!out->name[0] || !printable(out->name))) {
		rc = gpo_err_set(g->err, -EINVAL,
				 "%s line %u: empty or unprintable name for %s",
				 g->relpath, line, sid_in ? sid : name);
	}
out:
	if (rc)
		gpo_mig_out_free(out);
	free(name);
	return rc;
bad_sid:
	return gpo_err_set(g->err, -EINVAL, "%s line %u: %s: \"%.*s\" is not a SID",
			   g->relpath, line, what, (int)(sid_len > 64 ? 64 : sid_len),
			   sid_in);
}

int gpo_mig_path(struct gpo_mig *g, unsigned line, const char *what,
		 const char *path, size_t len, char **out)
{
	struct gpo_map_where w = { g->relpath, line, what, false };
	enum gpo_map_verdict v = GPO_MAP_KEEP;
	char *p = NULL, *n = NULL;
	int rc = 0;

	*out = NULL;
	if (!g->m->path)
		return 0;
	p = strndup(path, len);
	if (!p)
		return -ENOMEM;
	rc = g->m->path(g->m->ctx, &w, p, &v, &n);
	if (rc) {
		gpo_err_set(g->err, rc, "%s line %u: the mapper failed on %s",
			    g->relpath, line, p);
		goto out;
	}
	if (v == GPO_MAP_KEEP)
		goto out;
	if (v != GPO_MAP_REPLACE)
		rc = gpo_err_set(g->err, -EINVAL, "%s line %u: %s cannot be dropped",
				 g->relpath, line, p);
	else if (!n || !n[0] || !printable(n) || strchr(n, '"'))
		/* Windows allows no '"' in a path, and a quoted path in
		 * command-line parameters would end there */
		rc = gpo_err_set(g->err, -EINVAL,
				 "%s line %u: empty, unprintable or quoted path for %s",
				 g->relpath, line, p);
	if (!rc) {
		*out = n;
		n = NULL;
	}
out:
	free(n);
	free(p);
	return rc;
}

/* The file's encoding, as it has to be written back. */
enum enc { ENC_UTF8, ENC_UTF8_BOM, ENC_UTF16, ENC_UTF16_BOM };

static enum enc detect(const unsigned char *d, size_t len)
{
	if (len >= 2 && d[0] == 0xff && d[1] == 0xfe)
		return ENC_UTF16_BOM;
	if (len >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf)
		return ENC_UTF8_BOM;
	/* Windows writes some without the BOM: ASCII text then has every
	 * second byte zero */
	if (len >= 2 && d[0] && !d[1])
		return ENC_UTF16;
	return ENC_UTF8;
}

int gpo_migrate_file(const char *relpath, const void *data, size_t len,
		     const struct gpo_mapper *m, char **out, size_t *out_len,
		     struct gpo_err *err)
{
	struct gpo_mig g = { m, relpath, err };
	struct gpo_buf b = GPO_BUF_INIT;
	enum kind k = relpath ? kind_of(relpath) : K_NONE;
	enum enc e;
	char *text = NULL, *conv = NULL;
	const char *t;
	size_t tlen = 0, clen = 0;
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	if (k == K_NONE)
		return 0;
	if (!m || !m->principal)
		return gpo_err_set(err, -EINVAL, "%s: no mapper", relpath);
	if (len > GPO_MIGRATE_MAX)
		return gpo_err_set(err, -EFBIG, "%s: larger than %d bytes", relpath,
				   GPO_MIGRATE_MAX);
	e = detect(data, len);
	if (e == ENC_UTF16 || e == ENC_UTF16_BOM) {
		rc = gpo_utf16_to_utf8(data, len, &text, &tlen);
		if (rc) {
			gpo_err_set(err, rc, "%s: not UTF-16LE text", relpath);
			goto out;
		}
		t = text;
	} else {
		t = data;
		tlen = len;
		if (e == ENC_UTF8_BOM) {
			t += 3;
			tlen -= 3;
		}
		if (memchr(t, '\0', tlen)) {
			rc = gpo_err_set(err, -EINVAL, "%s: a NUL byte in text", relpath);
			goto out;
		}
	}
	switch (k) {
	case K_SECEDIT:
		rc = gpo_mig_ini(&g, GPO_MIG_SECEDIT, t, tlen, &b);
		break;
	case K_SCRIPTS:
		rc = gpo_mig_ini(&g, GPO_MIG_SCRIPTS, t, tlen, &b);
		break;
	case K_FDEPLOY:
		rc = gpo_mig_ini(&g, GPO_MIG_FDEPLOY, t, tlen, &b);
		break;
	case K_FDEPLOY1:
		rc = gpo_mig_ini(&g, GPO_MIG_FDEPLOY1, t, tlen, &b);
		break;
	default:
		rc = gpo_mig_xml(&g, t, tlen, &b);
		break;
	}
	if (rc)
		goto out;
	if (b.len == tlen && (!tlen || !memcmp(b.data, t, tlen)))
		goto out;
	if (e == ENC_UTF16 || e == ENC_UTF16_BOM) {
		rc = gpo_utf8_to_utf16(b.data ? b.data : "", b.len,
				       e == ENC_UTF16_BOM, &conv, &clen);
		if (rc) {
			gpo_err_set(err, rc, "%s: the mapped text is not UTF-8", relpath);
			goto out;
		}
		*out = conv;
		*out_len = clen;
		conv = NULL;
	} else {
		size_t bom = e == ENC_UTF8_BOM ? 3 : 0;

		*out = malloc(b.len + bom + 1);
		if (!*out) {
			rc = -ENOMEM;
			goto out;
		}
		memcpy(*out, data, bom);
		memcpy(*out + bom, b.data ? b.data : "", b.len);
		(*out)[b.len + bom] = '\0';
		*out_len = b.len + bom;
	}
out:
	gpo_buf_free(&b);
	free(text);
	free(conv);
	return rc;
}
