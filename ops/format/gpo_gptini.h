/* GPT.INI, the file in a GPO's SYSVOL folder whose [General] Version=
 * clients compare with the directory's versionNumber (MS-GPOL 2.2.5). */
#ifndef GPO_GPTINI_H
#define GPO_GPTINI_H

#include <stddef.h>
#include <stdint.h>

#define GPO_GPTINI_MAX (64 * 1024)

/* Rewrites GPT.INI text (len bytes; may be empty) with [General]'s
 * Version= set to version, in decimal: the line is rewritten in place,
 * or added last in [General], or a [General] section is put first when
 * the file has none. Every other byte stays as it was; a line added ends
 * as the file's lines end (CRLF for an empty file, as Windows and
 * samba-tool write it). Returns 0 and a new NUL-terminated buffer (caller
 * frees; *out_len excludes the NUL), -EFBIG past GPO_GPTINI_MAX, -EINVAL
 * for a NUL byte, or -ENOMEM. */
int gpo_gptini_with_version(const char *text, size_t len, uint32_t version,
			    char **out, size_t *out_len);

#endif
