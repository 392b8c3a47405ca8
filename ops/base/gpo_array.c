#include "gpo_array.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int gpo_array_reserve(void *items_ptr, size_t *cap, size_t want, size_t size)
{
	void **items = items_ptr;
	size_t grown = *cap ? *cap : 8;
	void *p;

	if (want <= *cap)
		return 0;
	while (grown < want) {
		if (grown > SIZE_MAX / 2)
			return -ENOMEM;
		grown *= 2;
	}
	if (!size || grown > SIZE_MAX / size)
		return -ENOMEM;
	p = realloc(*items, grown * size);
	if (!p)
		return -ENOMEM;
	*items = p;
	*cap = grown;
	return 0;
}

void *gpo_array_push(void *items_ptr, size_t *n, size_t *cap, size_t size)
{
	char *slot;

	if (*n == SIZE_MAX || gpo_array_reserve(items_ptr, cap, *n + 1, size))
		return NULL;
	slot = *(char **)items_ptr + *n * size;
	memset(slot, 0, size);
	(*n)++;
	return slot;
}
