#include "test.h"

#include <stdbool.h>
#include <stdlib.h>
#include <libxml/parser.h>

int test_run(const struct test_case *cases, int argc, char **argv)
{
	int passed = 0;
	int failed = 0;

	/* ops/ uses libxml2 throughout; set it up once, as the daemon does */
	xmlInitParser();

	for (const struct test_case *t = cases; t->name; t++) {
		bool wanted = argc < 2;

		for (int i = 1; i < argc; i++)
			wanted |= !strcmp(argv[i], t->name);
		if (!wanted)
			continue;
		if (t->fn()) {
			printf("not ok - %s\n", t->name);
			failed++;
		} else {
			printf("ok - %s\n", t->name);
			passed++;
		}
	}
	xmlCleanupParser();
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : (passed ? 0 : 77);
}
