#include "gpo_utf16.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

/* Converts with iconv into out (room for cap bytes), returning the bytes
 * written or -errno. */
static long convert(const char *to, const char *from, const char *in,
		    size_t n, char *out, size_t cap)
{
	iconv_t cd = iconv_open(to, from);
	char *ip = (char *)in;
	char *op = out;
	size_t il = n, ol = cap;
	long rc;

	if (cd == (iconv_t)-1)
		return -errno;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || il)
		rc = errno == E2BIG ? -ENOMEM : -EINVAL;
	else
		rc = (long)(op - out);
	iconv_close(cd);
	return rc;
}

int gpo_utf16_to_utf8(const char *data, size_t len, char **out, size_t *out_len)
{
	size_t cap;
	char *buf;
	long n;

	if (len % 2)
		return -EINVAL;
	if (len >= 2 && (unsigned char)data[0] == 0xff &&
	    (unsigned char)data[1] == 0xfe) {
		data += 2;
		len -= 2;
	}
	cap = len / 2 * 3 + 1; /* a UTF-16 unit is at most 3 UTF-8 bytes */
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	n = convert("UTF-8", "UTF-16LE", data, len, buf, cap - 1);
	if (n >= 0 && memchr(buf, '\0', (size_t)n))
		n = -EINVAL;
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	buf[n] = '\0';
	*out = buf;
	if (out_len)
		*out_len = (size_t)n;
	return 0;
}

int gpo_utf8_to_utf16(const char *s, size_t n, bool bom, char **out,
		      size_t *out_len)
{
	size_t head = bom ? 2 : 0;
	size_t cap = head + 2 * n + 2; /* a UTF-8 byte never needs more than 2 */
	char *buf = malloc(cap);
	long w;

	if (!buf)
		return -ENOMEM;
	if (bom) {
		buf[0] = (char)0xff;
		buf[1] = (char)0xfe;
	}
	w = convert("UTF-16LE", "UTF-8", s, n, buf + head, cap - head);
	if (w < 0) {
		free(buf);
		return (int)w;
	}
	*out = buf;
	*out_len = head + (size_t)w;
	return 0;
}

bool gpo_utf8_valid(const char *s, size_t n)
{
	char small[2048];
	char *buf = small;
	size_t cap = 2 * n + 2;
	bool ascii = true;
	long w;

	for (size_t i = 0; ascii && i < n; i++)
		ascii = !((unsigned char)s[i] & 0x80);
	if (ascii)
		return true; /* most names: no converter needed */
	if (cap > sizeof(small) && !(buf = malloc(cap)))
		return false;
	w = convert("UTF-16LE", "UTF-8", s, n, buf, cap);
	if (buf != small)
		free(buf);
	return w >= 0;
}
