/* The portal's audit log: one line per login, upload and download, appended
 * to a file only its owner may read. A line never holds a password, a token
 * or a cookie: callers pass only names, codes, periods, hashes and verdicts,
 * and every value from outside is written visibly (no line breaks). */
#ifndef PORTAL_AUDIT_H
#define PORTAL_AUDIT_H

#include <pthread.h>
#include <stdint.h>

struct jx_audit {
	int fd; /* -1: no audit log */
	pthread_mutex_t lock;
	char tz[64]; /* the times are written in this zone */
};

/* Opens (creating, mode 0600) path for appending; path NULL keeps no log.
 * Returns 0, or -1 with the reason in err. */
int jx_audit_open(struct jx_audit *a, const char *path, const char *tz, char *err, size_t errlen);
void jx_audit_close(struct jx_audit *a);

/* Appends one line "TIME EVENT key=value ..." for event at now: the pairs
 * are given as alternating key and value strings ending with NULL; a value
 * NULL is written as "-". Values are written visibly (jx_text_visible) and
 * quoted when they hold a space, so one event is always one line. Returns 0
 * or -1 (the write failed). Thread-safe. */
int jx_audit_write(struct jx_audit *a, int64_t now, const char *event, ...)
    __attribute__((sentinel));

#endif
