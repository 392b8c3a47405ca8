/* libFuzzer harness: Backup.xml as a whole-backup import reads it
 * (gpo_commit: the settings and extension lists it names, the files and
 * folders it holds). Every entry must be a plain relative path below
 * DomainSysvol/GPO/, since the commit writes exactly those into SYSVOL. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>

#include "gpo_backup_read.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	xmlInitParser();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpo_backup b;
	char why[256];
	int rc;

	memset(&b, 0, sizeof(b));
	why[0] = '\0';
	rc = gpo_backup_read((const char *)data, size, &b, why, sizeof(why));
	if (rc) {
		if ((rc != -EINVAL && rc != -ENOMEM) || (rc == -EINVAL && !why[0]))
			abort();
		return 0;
	}
	if (!b.machine_ext || !b.user_ext)
		abort();
	for (size_t i = 0; i < b.n_entries; i++) {
		const char *p = b.entries[i].path;
		size_t n = strlen(p);

		if (!n || *p == '/' || strchr(p, '\\') || strstr(p, "//") ||
		    !strcmp(p, "..") || !strncmp(p, "../", 3) || strstr(p, "/../") ||
		    (n >= 3 && !strcmp(p + n - 3, "/..")) || !strcmp(p, ".") ||
		    !strncmp(p, "./", 2) || strstr(p, "/./") || p[n - 1] == '/')
			abort();
	}
	gpo_backup_free(&b);
	return 0;
}
