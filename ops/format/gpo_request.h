/* Requests written to a domain's control files (import, restore, copy,
 * migtable): one request per write, one line, parsed here into its
 * positional arguments, options and flags. Pure: bytes in, arrays out.
 *
 * The grammar (what the manual page says of every control file):
 *
 *   request = *blank word *( 1*blank word ) *blank [ LF ]
 *   blank   = SP / TAB
 *   word    = 1*( plain / dquoted / squoted )      (no blank between parts)
 *   plain   = a character but blank  "  '  \
 *   dquoted = "  *( a character but "  \   /   \"   /   \\ )  "
 *   squoted = '  *( a character but ' )  '
 *   (a character: any Unicode scalar value but the control characters)
 *
 * - Words are separated by spaces or tabs. Quoting may start mid-word and
 *   parts join: corp.example/"Kiosk lockdown" is one word, and "" is an
 *   empty word. Inside double quotes a backslash escapes '"' or '\' and
 *   nothing else (any other escape is refused); inside single quotes
 *   every character stands for itself. A backslash outside quotes is
 *   refused (shells differ on what it means: quote the word instead).
 * - A word that starts with an unquoted key [a-z][a-z_-]* and an unquoted
 *   '=' is an option: key=value (the value may be quoted, and may be
 *   empty). An option may be given once.
 * - A word that is exactly one of the caller's flags (strict, dry-run),
 *   unquoted, is that flag; given once.
 * - Every other word is positional, in order. Quoting makes any word
 *   positional: "strict" and "acl=source" are names, not a flag or an
 *   option; an unquoted keyword a caller looks for (import's create)
 *   is told apart from a quoted name by gpo_request_word_is.
 * - The request is UTF-8, at most GPO_REQUEST_MAX bytes and
 *   GPO_REQUEST_MAX_WORDS words. One final LF (as echo writes) is allowed;
 *   any other control character (C0, DEL, C1; a CR of a Windows line end;
 *   a TAB inside quotes), a NUL byte or a second line is refused, as are
 *   invalid UTF-8 (overlong forms, surrogates, beyond U+10FFFF) and an
 *   empty request.
 *
 * Every refusal is -EINVAL with a one-line reason for the domain's log
 * that says what was wrong and where (the column, in characters from 1;
 * none for an empty or an overlong request), quoting at most 40
 * characters of the request. */
#ifndef GPO_REQUEST_H
#define GPO_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "gpo_err.h"

#define GPO_REQUEST_MAX 4096       /* bytes, the final LF included */
#define GPO_REQUEST_MAX_WORDS 32
#define GPO_REQUEST_NO_SLASH ((size_t)-1)

struct gpo_request_word {
	char *value;       /* unquoted, NUL-terminated (no NUL inside) */
	size_t col;        /* column of its first character, from 1 */
	size_t slash;      /* offset in value of the first '/' that was not
			    * quoted, or GPO_REQUEST_NO_SLASH */
	bool quoted;       /* some part of it was quoted */
};

struct gpo_request_opt {
	char *key;         /* [a-z][a-z_-]* */
	char *value;       /* unquoted; may be "" */
	size_t col;        /* column of the key */
};

struct gpo_request {
	struct gpo_request_word *pos;
	size_t n_pos, cap_pos;
	struct gpo_request_opt *opts;
	size_t n_opts, cap_opts;
	const char **flags;  /* pointers into the caller's flag list */
	size_t n_flags, cap_flags;
};

/* Parses one request of len bytes (not NUL-terminated; may hold NULs,
 * which are refused). flags is the NULL-terminated list of the flag words
 * this control file knows (NULL for none); r->flags points into it, so it
 * must outlive r (a static list). Returns 0 with *r filled (free with
 * gpo_request_free), -EINVAL with the reason in e (r is then empty), or
 * -ENOMEM. */
int gpo_request_parse(const char *buf, size_t len, const char *const *flags,
		      struct gpo_request *r, struct gpo_err *e);

/* Frees what r owns and leaves it empty (safe on an empty or zeroed r). */
void gpo_request_free(struct gpo_request *r);

/* True when flag was given. */
bool gpo_request_flag(const struct gpo_request *r, const char *flag);

/* The value of option key, or NULL when it was not given. */
const char *gpo_request_option(const struct gpo_request *r, const char *key);

/* True when w is exactly the unquoted word s (a keyword such as import's
 * create: "create" in quotes is a name). */
bool gpo_request_word_is(const struct gpo_request_word *w, const char *s);

/* Checks that r has between min and max positional arguments and only
 * options whose keys are in keys (NULL-terminated; NULL for none).
 * Returns 0, or -EINVAL with the reason in e (too few, too many: the
 * first extra one's column; an unknown option: its column and key). */
int gpo_request_check(const struct gpo_request *r, size_t min, size_t max,
		      const char *const *keys, struct gpo_err *e);

/* The value of option key as one of values (NULL-terminated), compared
 * exactly: *out points at the matching entry of values, or is dflt when
 * the option was not given. Returns 0, or -EINVAL with the reason in e
 * (naming the allowed values) when it is given with another value. */
int gpo_request_choice(const struct gpo_request *r, const char *key,
		       const char *const *values, const char *dflt,
		       const char **out, struct gpo_err *e);

/* What a source or target reference may be; a mask of these is the
 * allowed set. */
enum gpo_ref_kind {
	GPO_REF_GUID = 1,    /* {GUID}: a GPO or a backup ID */
	GPO_REF_NAME = 2,    /* a display name */
	GPO_REF_PATH = 4,    /* an absolute path: a backup folder */
};
#define GPO_REF_DOMAIN 8     /* in the mask: "domain/" may come first */

struct gpo_ref {
	enum gpo_ref_kind kind;
	char *domain;  /* DNS name as written (compare case-insensitively),
			* or NULL when not given */
	char *value;   /* the GUID upper case, the name, or the path */
};

/* Reads a positional word as a reference, taking only the kinds in allow:
 * - with GPO_REF_PATH, a word whose value starts with '/' is a path
 *   (quoted or not: "/srv/gpo backups/{ID}");
 * - with GPO_REF_DOMAIN, a word with an unquoted '/' is domain/rest, split
 *   at the first such '/' (so a name holding '/' is written
 *   corp.example/"a/b", or quoted whole without a domain); the domain must
 *   be a DNS name;
 * - the rest is a GUID when it is one, in braces (quoted or not), else a
 *   display name when allowed (non-empty; a name that looks like a GUID
 *   can only be given by its GUID).
 * Returns 0 with *out filled (free with gpo_ref_free), -EINVAL with the
 * reason (the word's column, what was expected) in e, or -ENOMEM. */
int gpo_request_ref(const struct gpo_request_word *w, unsigned allow,
		    struct gpo_ref *out, struct gpo_err *e);

/* Frees what ref owns and zeroes it. */
void gpo_ref_free(struct gpo_ref *ref);

#endif
