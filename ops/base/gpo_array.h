/* Growable arrays: the one way ops/ appends to an array of structs. */
#ifndef GPO_ARRAY_H
#define GPO_ARRAY_H

#include <stddef.h>

/* Makes room for one more element of size bytes at the end of the array
 * whose pointer is at items_ptr (a T ** passed as void *), holding *n
 * elements in a capacity of *cap (grown by doubling). The new element is
 * zeroed and counted in *n. Returns a pointer to it, or NULL when out of
 * memory or when the array's size in bytes would overflow; the array is
 * then unchanged. */
void *gpo_array_push(void *items_ptr, size_t *n, size_t *cap, size_t size);

/* Makes the capacity at least want elements (for a caller that fills
 * several at once). Returns 0, or -ENOMEM (out of memory or overflow;
 * the array is then unchanged). */
int gpo_array_reserve(void *items_ptr, size_t *cap, size_t want, size_t size);

#endif
