/* Elapsed time, the one way: CLOCK_MONOTONIC, in milliseconds. */
#ifndef GPO_TIME_H
#define GPO_TIME_H

#include <time.h>

/* Milliseconds from a to b (negative when b is earlier). */
static inline long long gpo_ms_between(const struct timespec *a,
				       const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000LL +
	       (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* Milliseconds since t, a CLOCK_MONOTONIC time. */
static inline long long gpo_ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return gpo_ms_between(t, &now);
}

#endif
