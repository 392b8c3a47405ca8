/* An error and its one-line reason, carried together from where it
 * happened to where it is reported: the caller gets the errno, with its
 * meaning kept (an EACCES from the DC stays EACCES up to the user), and
 * the domain's log gets the reason. */
#ifndef GPO_ERR_H
#define GPO_ERR_H

struct gpo_err {
	int code;            /* 0 or -errno */
	char reason[256];    /* one line; "" when none was given */
};

/* Records code, and the reason fmt makes, in e unless e holds an error
 * already (the first one stands: later ones are its consequences).
 * Returns code, so that "return gpo_err_set(e, rc, ...)" reads as it
 * does. e may be NULL; code 0 records nothing. */
int gpo_err_set(struct gpo_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The reason, or strerror of the code when none was given ("no reason
 * kept" for e NULL: a caller that wanted none). */
const char *gpo_err_reason(const struct gpo_err *e);

#endif
