/* Display names as file names, for by-name/.
 *
 * A display name may hold any character; a file name may not hold '/' or
 * NUL and should not hold control characters. The escaping is
 * percent-encoding of exactly: '%', '/', bytes below 0x20 and 0x7f, and a
 * leading '.' of the names "." and "..". Everything else, including
 * non-ASCII UTF-8, stays as it is. When several GPOs share a display name
 * each of them is listed as "<name> ({GUID})", so all stay reachable and
 * none silently wins. */
#ifndef GPO_NAME_H
#define GPO_NAME_H

#include <stddef.h>

/* Returns the escaped name (caller frees), or NULL when out of memory. */
char *gpo_name_escape(const char *display_name);

/* Reverses gpo_name_escape. Returns the display name (caller frees), or
 * NULL for a malformed escape or when out of memory. */
char *gpo_name_unescape(const char *file_name);

struct gpo_name_entry {
	char *name;        /* the file name in by-name/ */
	size_t index;      /* which GPO it names */
};

/* Builds the by-name table for n GPOs with the given display names and
 * GUIDs: escaped, disambiguated, sorted by name. Returns 0 and a new
 * array of n entries (free with gpo_names_free) or -ENOMEM. */
int gpo_names_build(const char *const *display_names,
		    const char *const *guids, size_t n,
		    struct gpo_name_entry **out);

/* Finds a file name in a table built by gpo_names_build. Returns the
 * entry or NULL. */
const struct gpo_name_entry *gpo_names_find(const struct gpo_name_entry *t,
					    size_t n, const char *name);

/* Frees a table of n entries. */
void gpo_names_free(struct gpo_name_entry *t, size_t n);

#endif
