#include "test.h"

#include <stdbool.h>
#include <stdlib.h>

int test_run(const struct test_case *cases, int argc, char **argv)
{
	int passed = 0;
	int failed = 0;

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
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : (passed ? 0 : 77);
}
