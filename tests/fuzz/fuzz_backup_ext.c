/* libFuzzer harness: Backup.xml's extension entries, built from what the
 * directory and SYSVOL say of a GPO: its extension lists
 * (gPCMachineExtensionNames, gPCUserExtensionNames) and the names of its
 * files and folders. The input is lines: the machine list, the user
 * list, then one path per line ('/'-separated, a trailing '/' for a
 * folder). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>

#include "gpo_backup_ext.h"

#define MAX_ENTRIES 512

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	xmlInitParser();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpo_sysvol_entry entries[MAX_ENTRIES];
	struct gpo_backup_ext_in in = {
		.gpo_guid = "{0A1DD5AF-50DA-4D4D-866B-6C664765A155}",
		.dc = "dc1.corp.test",
		.domain = "corp.test",
		.entries = entries,
	};
	char *s = malloc(size + 1);
	char *line, *save = NULL;
	char *out = NULL;
	size_t len = 0;
	int lineno = 0;
	int rc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), lineno++) {
		size_t n = strlen(line);

		if (lineno == 0) {
			in.machine_ext = line;
		} else if (lineno == 1) {
			in.user_ext = line;
		} else if (in.n_entries < MAX_ENTRIES) {
			bool dir = n && line[n - 1] == '/';

			if (dir)
				line[n - 1] = '\0';
			entries[in.n_entries].path = line;
			entries[in.n_entries++].dir = dir;
		}
	}
	rc = gpo_backup_ext_xml(&in, &out, &len);
	if (rc == 0) {
		if (!out || strlen(out) != len)
			abort();
		free(out);
	} else if (rc != -EINVAL && rc != -ENOMEM) {
		abort();
	}
	free(s);
	return 0;
}
