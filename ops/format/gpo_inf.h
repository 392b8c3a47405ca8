/* The security template GptTmpl.inf: just what a backup needs from it,
 * the principals it names (MS-GPSB 2.2). */
#ifndef GPO_INF_H
#define GPO_INF_H

#include <stddef.h>

#define GPO_INF_MAX (4 * 1024 * 1024)

struct gpo_inf_principal {
	char *name;    /* "*S-1-5-21-...-512" (a SID) or an account name */
};

/* Converts a template's bytes to UTF-8: UTF-16LE with a BOM (as Windows
 * writes it), or UTF-8/ASCII. Returns 0 and a new NUL-terminated string
 * (caller frees), -EFBIG past GPO_INF_MAX, -EINVAL for undecodable text. */
int gpo_inf_text(const char *data, size_t len, char **text);

/* The principals named in [Privilege Rights] (values), [Group
 * Membership] (the group of each key, then its members and groups) and
 * the SDDL of [Service General Setting], [Registry Keys] and [File
 * Security] (domain SIDs), each once, in order of first appearance. Returns 0 and a new array (free
 * with gpo_inf_principals_free), or -EINVAL for a line that is not
 * "key = value", a section or a comment, or -ENOMEM. */
int gpo_inf_principals(const char *text, struct gpo_inf_principal **out,
		       size_t *n);

/* The UNC paths an INI file of the settings names (scripts.ini,
 * psscripts.ini, fdeploy.ini, fdeploy1.ini): every value that starts
 * with "\\\\", each once, in order. Returns 0 and a new array (free with
 * gpo_inf_principals_free; the names are the paths) or -ENOMEM. */
int gpo_ini_unc_paths(const char *text, struct gpo_inf_principal **out,
		      size_t *n);

/* Frees an array from gpo_inf_principals. */
void gpo_inf_principals_free(struct gpo_inf_principal *p, size_t n);

#endif
