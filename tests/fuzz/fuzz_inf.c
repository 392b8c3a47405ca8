/* libFuzzer harness: the INI files of a GPO's SYSVOL folder as a backup
 * reads them: GptTmpl.inf (UTF-16LE or UTF-8) decoded, its principals
 * ([Privilege Rights], [Group Membership], the SIDs in the SDDL of
 * [Service General Setting], [Registry Keys], [File Security]), and the
 * UNC paths of scripts.ini and fdeploy.ini. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_inf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpo_inf_principal *p = NULL;
	size_t n = 0;
	char *text = NULL;

	if (gpo_inf_text((const char *)data, size, &text))
		return 0;
	if (gpo_inf_principals(text, &p, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (!p[i].name || !p[i].name[0] || strlen(p[i].name) > strlen(text) + 1)
				abort();
		gpo_inf_principals_free(p, n);
	}
	p = NULL;
	n = 0;
	if (gpo_ini_unc_paths(text, &p, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (strncmp(p[i].name, "\\\\", 2))
				abort();
		gpo_inf_principals_free(p, n);
	}
	free(text);
	return 0;
}
