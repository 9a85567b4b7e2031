/* The portal's audit log: appended one whole line at a time. */
#include "audit.h"
#include "../core/period.h"
#include "../core/text.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int jx_audit_open(struct jx_audit *a, const char *path, const char *tz, char *err, size_t errlen)
{
	memset(a, 0, sizeof *a);
	a->fd = -1;
	snprintf(a->tz, sizeof a->tz, "%s", tz && *tz ? tz : "UTC");
	pthread_mutex_init(&a->lock, NULL);
	if (!path)
		return 0;
	a->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (a->fd < 0) {
		snprintf(err, errlen, "cannot open the audit log %s: %s", path, strerror(errno));
		pthread_mutex_destroy(&a->lock);
		return -1;
	}
	return 0;
}

void jx_audit_close(struct jx_audit *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	pthread_mutex_destroy(&a->lock);
}

/* Appends value to line (at *n of size bytes), visibly, quoted when it
 * holds a space, a quote or a backslash, or is empty. */
static void put_value(char *line, size_t size, size_t *n, const char *value)
{
	char vis[1024];
	if (!value)
		value = "-";
	jx_text_visible(vis, sizeof vis, value);
	int quote = !*vis || strpbrk(vis, " \"\\=") != NULL;
	if (*n >= size)
		return;
	if (!quote) {
		*n += (size_t)snprintf(line + *n, size - *n, "%s", vis);
		return;
	}
	char q[2100];
	size_t k = 0;
	q[k++] = '"';
	for (const char *p = vis; *p && k < sizeof q - 3; p++) {
		if (*p == '"' || *p == '\\')
			q[k++] = '\\';
		q[k++] = *p;
	}
	q[k++] = '"';
	q[k] = 0;
	*n += (size_t)snprintf(line + *n, size - *n, "%s", q);
}

int jx_audit_write(struct jx_audit *a, int64_t now, const char *event, ...)
{
	if (a->fd < 0)
		return 0;
	char line[8192], when[40];
	jx_time_format(now, a->tz, when, sizeof when);
	size_t n = (size_t)snprintf(line, sizeof line, "%s %s", when, event);
	va_list ap;
	va_start(ap, event);
	for (const char *key; (key = va_arg(ap, const char *));) {
		const char *value = va_arg(ap, const char *);
		if (n < sizeof line)
			n += (size_t)snprintf(line + n, sizeof line - n, " %s=", key);
		put_value(line, sizeof line, &n, value);
	}
	va_end(ap);
	if (n > sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	pthread_mutex_lock(&a->lock);
	ssize_t w = write(a->fd, line, n);
	pthread_mutex_unlock(&a->lock);
	return w == (ssize_t)n ? 0 : -1;
}
