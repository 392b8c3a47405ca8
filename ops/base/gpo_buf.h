/* A growable byte buffer: the one way ops/ assembles generated files. */
#ifndef GPO_BUF_H
#define GPO_BUF_H

#include <stddef.h>
#include <stdarg.h>

struct gpo_buf {
	char *data;   /* NUL-terminated for convenience; may hold NULs */
	size_t len;
	size_t cap;
};

#define GPO_BUF_INIT { NULL, 0, 0 }

/* Appends n bytes. Returns 0 or -ENOMEM (the buffer is unchanged then). */
int gpo_buf_add(struct gpo_buf *b, const void *p, size_t n);

/* Appends a formatted string. Returns 0 or -ENOMEM. */
int gpo_buf_printf(struct gpo_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Hands the bytes to the caller (who frees them) and empties the buffer.
 * Returns NULL for an empty buffer. */
char *gpo_buf_steal(struct gpo_buf *b, size_t *len);

/* Frees the bytes; the buffer may be reused. */
void gpo_buf_free(struct gpo_buf *b);

#endif
