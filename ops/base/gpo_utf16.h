/* UTF-16LE, the encoding of GptTmpl.inf, gpreport.xml and GPMC's
 * migration tables, to and from UTF-8: the one converter (glibc iconv). */
#ifndef GPO_UTF16_H
#define GPO_UTF16_H

#include <stdbool.h>
#include <stddef.h>

/* Converts len bytes of UTF-16LE (a BOM, if any, is dropped) to UTF-8.
 * Returns 0 and a new NUL-terminated string in *out (caller frees; its
 * length in *out_len unless NULL), -EINVAL for an odd length, an invalid
 * sequence or an embedded NUL character, or -ENOMEM. */
int gpo_utf16_to_utf8(const char *data, size_t len, char **out, size_t *out_len);

/* Converts n bytes of UTF-8 to UTF-16LE, with the BOM first when bom is
 * set. Returns 0 and a new buffer in *out (caller frees; not terminated)
 * of *out_len bytes, -EINVAL for invalid UTF-8, or -ENOMEM. */
int gpo_utf8_to_utf16(const char *s, size_t n, bool bom, char **out,
		      size_t *out_len);

/* True when the n bytes at s are valid UTF-8 (what SYSVOL's UTF-16 names
 * can be made of); false too when out of memory. */
bool gpo_utf8_valid(const char *s, size_t n);

#endif
