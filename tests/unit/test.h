/* A small test harness in the manner of libuv's: each test is a function
 * returning 0; ASSERT* print where they failed and return 1. */
#ifndef GPO_TEST_H
#define GPO_TEST_H

#include <stdio.h>
#include <string.h>

#define ASSERT(expr)                                                        \
	do {                                                                \
		if (!(expr)) {                                              \
			fprintf(stderr, "%s:%d: assertion failed: %s\n",    \
				__FILE__, __LINE__, #expr);                 \
			return 1;                                           \
		}                                                           \
	} while (0)

#define ASSERT_EQ(a, b)                                                     \
	do {                                                                \
		long long a_ = (long long)(a), b_ = (long long)(b);         \
		if (a_ != b_) {                                             \
			fprintf(stderr, "%s:%d: %s == %s: %lld != %lld\n",  \
				__FILE__, __LINE__, #a, #b, a_, b_);        \
			return 1;                                           \
		}                                                           \
	} while (0)

#define ASSERT_STR(a, b)                                                    \
	do {                                                                \
		const char *a_ = (a), *b_ = (b);                            \
		if (!a_ || !b_ || strcmp(a_, b_)) {                         \
			fprintf(stderr, "%s:%d: %s == %s: \"%s\" != \"%s\"\n", \
				__FILE__, __LINE__, #a, #b, a_ ? a_ : "(null)", \
				b_ ? b_ : "(null)");                        \
			return 1;                                           \
		}                                                           \
	} while (0)

struct test_case {
	const char *name;
	int (*fn)(void);
};

/* Runs the cases named on the command line (all when none), with libxml2
 * set up around them, and prints "unit: N passed, N failed". Returns the
 * process exit code (77 when no case ran). */
int test_run(const struct test_case *cases, int argc, char **argv);

#endif
