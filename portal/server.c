/* The portal's HTTP adapter on libmicrohttpd: parses a request into a
 * struct portal_request (query, form fields, the posted file streamed to a
 * spool file under the size cap), calls portal_dispatch, and sends what it
 * answers with the security headers. */
#include "server.h"
#include "../core/text.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_TEXT_BYTES (1u << 20) /* form fields of one request, together */
#define MAX_CONNECTIONS 256
#define CONNECTION_TIMEOUT 120 /* seconds a connection may stay idle */

struct portal_server {
	struct portal portal;
	struct MHD_Daemon *daemon;
	char *cert, *key; /* PEM text for MHD */
	unsigned port;
};

/* One request under way. */
struct conn {
	struct portal_server *srv;
	struct MHD_PostProcessor *pp;
	struct portal_arg *args; /* form fields: names and values owned */
	size_t n_args, cap_args;
	size_t text_bytes;
	uint64_t body_bytes;
	int too_large;
	int answered;	  /* the 413 went out before the body */
	int bad_body;	  /* too many fields, a field too long */
	int spool_failed; /* the posted file could not be written: not kept */
	int fd;		  /* the posted file, or -1 */
	char *dir;	  /* its spool folder */
	char *path;	  /* the posted file's path */
	char *name;	  /* its name as the browser sent it */
	int file_done;
	char last_key[64];
};

/* ---- listen rules ----------------------------------------------------- */

int portal_addr_is_loopback(const char *addr)
{
	if (!strcmp(addr, "localhost"))
		return 1;
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		       (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return 0;
}

int portal_listen_parse(const char *listen, char *addr, size_t size, unsigned *port)
{
	const char *colon, *host = listen;
	size_t hlen;
	if (!listen || !*listen)
		return -1;
	if (listen[0] == '[') {
		const char *end = strchr(listen, ']');
		if (!end || end[1] != ':')
			return -1;
		host = listen + 1;
		hlen = (size_t)(end - host);
		colon = end + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || strchr(listen, ':') != colon)
			return -1;
		hlen = (size_t)(colon - listen);
	}
	const char *p = colon + 1;
	if (!hlen || hlen >= size || !*p || strlen(p) > 5 || strspn(p, "0123456789") != strlen(p))
		return -1;
	long v = strtol(p, NULL, 10);
	if (v > 65535)
		return -1;
	memcpy(addr, host, hlen);
	addr[hlen] = 0;
	*port = (unsigned)v;
	return 0;
}

static char *read_small_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap + 1);
	if (buf)
		n = fread(buf, 1, cap, f);
	int bad = !buf || ferror(f) || n == cap;
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 buf ? "unreadable or over 1 MiB" : "out of memory");
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

/* ---- request bodies --------------------------------------------------- */

static void conn_free(struct conn *c)
{
	if (!c)
		return;
	if (c->pp)
		MHD_destroy_post_processor(c->pp);
	for (size_t i = 0; i < c->n_args; i++) {
		free((char *)c->args[i].name);
		free((char *)c->args[i].value);
	}
	free(c->args);
	if (c->fd >= 0)
		close(c->fd);
	if (c->path)
		unlink(c->path);
	if (c->dir)
		rmdir(c->dir);
	free(c->path);
	free(c->dir);
	free(c->name);
	free(c);
}

/* Drops the posted file (the body went over the cap). */
static void conn_drop_file(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->path)
		unlink(c->path);
	free(c->path);
	c->path = NULL;
}

/* A file name from the browser as a plain name for the spool: the last
 * path part, without control characters or a leading dot, at most 200
 * bytes of whole characters; "upload" when nothing is left. */
static void spool_name(const char *given, char *out, size_t size)
{
	const char *base = given ? given : "";
	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	char tmp[256];
	jx_utf8_copy(tmp, size < sizeof tmp ? size : sizeof tmp, base);
	size_t k = 0;
	for (const unsigned char *p = (const unsigned char *)tmp; *p; p++)
		if (*p >= 0x20 && *p != 0x7f && !(k == 0 && (*p == '.' || *p == ' ' || *p == '-')))
			out[k++] = (char)*p;
	out[k] = 0;
	if (!k)
		snprintf(out, size, "upload");
}

static int conn_open_file(struct conn *c, const char *filename)
{
	struct portal *p = &c->srv->portal;
	if (!p->spool)
		return -1;
	char dir[4200], name[256];
	if (snprintf(dir, sizeof dir, "%s/up-XXXXXX", p->spool) >= (int)sizeof dir || !mkdtemp(dir))
		return -1;
	spool_name(filename, name, 210);
	c->dir = strdup(dir);
	size_t len = strlen(dir) + strlen(name) + 2;
	c->path = malloc(len);
	c->name = strdup(filename ? filename : "");
	if (!c->dir || !c->path || !c->name)
		return -1;
	snprintf(c->path, len, "%s/%s", dir, name);
	c->fd = open(c->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	return c->fd < 0 ? -1 : 0;
}

static enum MHD_Result post_field(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *filename, const char *content_type,
				  const char *transfer_encoding, const char *data, uint64_t off,
				  size_t size)
{
	struct conn *c = cls;
	if (c->too_large || c->bad_body)
		return MHD_YES;
	if (!strcmp(key, "file") && filename) {
		/* one file per request; a form sent without one has an empty
		 * file name */
		if (c->file_done || c->spool_failed || !*filename)
			return MHD_YES;
		if (c->fd < 0 && !c->path && conn_open_file(c, filename)) {
			c->spool_failed = 1;
			conn_drop_file(c);
			return MHD_YES;
		}
		for (size_t w = 0; w < size;) {
			ssize_t r = write(c->fd, data + w, size - w);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				c->spool_failed = 1;
				conn_drop_file(c);
				return MHD_YES;
			}
			w += (size_t)r;
		}
		return MHD_YES;
	}
	if (c->fd >= 0 && c->path) {
		/* the file field ended: later fields are text */
		c->file_done = 1;
	}
	c->text_bytes += size;
	if (c->text_bytes > MAX_TEXT_BYTES) {
		c->bad_body = 1;
		return MHD_YES;
	}
	if (off > 0 && c->n_args && !strcmp(c->last_key, key)) {
		struct portal_arg *a = &c->args[c->n_args - 1];
		size_t old = strlen(a->value);
		char *v = realloc((char *)a->value, old + size + 1);
		if (!v) {
			c->bad_body = 1;
			return MHD_YES;
		}
		memcpy(v + old, data, size);
		v[old + size] = 0;
		a->value = v;
		return MHD_YES;
	}
	if (c->n_args >= PORTAL_MAX_ARGS) {
		c->bad_body = 1;
		return MHD_YES;
	}
	if (c->n_args == c->cap_args) {
		size_t cap = c->cap_args ? c->cap_args * 2 : 16;
		struct portal_arg *na = realloc(c->args, cap * sizeof *na);
		if (!na) {
			c->bad_body = 1;
			return MHD_YES;
		}
		c->args = na;
		c->cap_args = cap;
	}
	char *k = strdup(key), *v = malloc(size + 1);
	if (!k || !v) {
		free(k);
		free(v);
		c->bad_body = 1;
		return MHD_YES;
	}
	memcpy(v, data, size);
	v[size] = 0;
	c->args[c->n_args].name = k;
	c->args[c->n_args].value = v;
	c->n_args++;
	snprintf(c->last_key, sizeof c->last_key, "%s", key);
	return MHD_YES;
}

/* ---- responses -------------------------------------------------------- */

static void add_headers(struct MHD_Response *r, const struct portal_response *res)
{
	for (size_t i = 0; portal_security_headers[i]; i += 2)
		MHD_add_response_header(r, portal_security_headers[i],
					portal_security_headers[i + 1]);
	if (!res->cacheable)
		MHD_add_response_header(r, "Cache-Control", "no-store");
	if (res->content_type)
		MHD_add_response_header(r, "Content-Type", res->content_type);
	if (res->location[0])
		MHD_add_response_header(r, "Location", res->location);
	if (res->disposition[0])
		MHD_add_response_header(r, "Content-Disposition", res->disposition);
	for (int i = 0; i < PORTAL_MAX_COOKIES; i++)
		if (res->cookies[i][0])
			MHD_add_response_header(r, "Set-Cookie", res->cookies[i]);
}

static enum MHD_Result send_response(struct MHD_Connection *connection, struct portal_response *res)
{
	struct MHD_Response *r = NULL;
	if (res->file) {
		int fd = open(res->file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		struct stat st;
		if (fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode)) {
			if (res->file_is_temp)
				unlink(res->file); /* the open fd keeps it until sent */
			r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
		} else {
			if (fd >= 0)
				close(fd);
			if (res->file_is_temp)
				unlink(res->file);
			res->status = 500;
			res->content_type = "text/plain; charset=utf-8";
			res->disposition[0] = 0;
		}
		if (res->file_dir)
			rmdir(res->file_dir);
	}
	if (!r) {
		const char *body = res->body ? res->body : "";
		size_t len = res->body ? res->len : 0;
		if (res->file && res->status == 500) {
			body = "服务器内部错误\n";
			len = strlen(body);
		}
		r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	}
	if (!r)
		return MHD_NO;
	add_headers(r, res);
	enum MHD_Result ret = MHD_queue_response(connection, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A 413 answered at once: the rest of the body is not read. */
static enum MHD_Result too_large(struct MHD_Connection *connection, struct conn *c)
{
	struct portal_request req = {
	    .method = "POST", .path = "/", .too_large = 1, .now = time(NULL)};
	struct portal_response res;
	portal_dispatch(&c->srv->portal, &req, &res);
	enum MHD_Result ret = send_response(connection, &res);
	portal_response_release(&res);
	return ret;
}

struct args_collect {
	struct portal_arg *args;
	size_t n, cap;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct args_collect *a = cls;
	if (a->n < a->cap) {
		a->args[a->n].name = key;
		a->args[a->n].value = value ? value : "";
		a->n++;
	}
	return MHD_YES;
}

/* The client's address; behind a proxy on this machine, the address the
 * proxy names in X-Real-IP. */
static void remote_addr(struct MHD_Connection *connection, char *out, size_t size)
{
	snprintf(out, size, "unknown");
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
				  (socklen_t)size);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
				  (socklen_t)size);
	}
	const char *real = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Real-IP");
	if (real && portal_addr_is_loopback(out) && strlen(real) < size && strlen(real) < 64 &&
	    strspn(real, "0123456789abcdefABCDEF.:") == strlen(real))
		snprintf(out, size, "%s", real);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct portal_server *srv = cls;
	struct conn *c = *con_cls;
	if (!c) {
		c = calloc(1, sizeof *c);
		if (!c)
			return MHD_NO;
		c->srv = srv;
		c->fd = -1;
		*con_cls = c;
		if (!strcmp(method, "POST")) {
			const char *cl = MHD_lookup_connection_value(
			    connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
			if (cl && strtoull(cl, NULL, 10) > srv->portal.max_upload) {
				c->too_large = c->answered = 1; /* before the body is read */
				return too_large(connection, c);
			}
			c->pp = MHD_create_post_processor(connection, 64 * 1024, post_field, c);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* past the cap the rest of the body is read and dropped (a
		 * response cannot be queued while a body is coming in); the
		 * 413 goes out at its end */
		if (!c->too_large) {
			c->body_bytes += *upload_data_size;
			if (c->body_bytes > srv->portal.max_upload) {
				c->too_large = 1;
				conn_drop_file(c);
			} else if (c->pp && !c->bad_body &&
				   MHD_post_process(c->pp, upload_data, *upload_data_size) !=
				       MHD_YES) {
				c->bad_body = 1;
			}
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (c->too_large)
		return c->answered ? MHD_YES : too_large(connection, c);
	if (c->fd >= 0) {
		if (close(c->fd))
			c->spool_failed = 1;
		c->fd = -1;
	}
	struct portal_arg args[PORTAL_MAX_ARGS];
	struct args_collect col = {args, 0, PORTAL_MAX_ARGS};
	MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, collect_arg, &col);
	for (size_t i = 0; i < c->n_args && col.n < col.cap; i++)
		args[col.n++] = c->args[i];
	char addr[INET6_ADDRSTRLEN + 8];
	remote_addr(connection, addr, sizeof addr);
	struct portal_request req = {
	    .method = method,
	    .path = url,
	    .args = args,
	    .n_args = col.n,
	    .cookie =
		MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE),
	    .remote_addr = addr,
	    .upload_path = c->bad_body || c->spool_failed ? NULL : c->path,
	    .upload_name = c->name,
	    .now = time(NULL),
	};
	struct portal_response res;
	if (c->bad_body && strcmp(method, "POST") == 0) {
		/* a body that could not be taken apart or kept is refused whole */
		req.n_args = 0;
		req.upload_path = NULL;
	}
	portal_dispatch(&srv->portal, &req, &res);
	if (!strcmp(method, "HEAD")) {
		free(res.body);
		res.body = NULL;
		res.len = 0;
	}
	enum MHD_Result ret = send_response(connection, &res);
	portal_response_release(&res);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	conn_free(*con_cls);
	*con_cls = NULL;
}

/* ---- start and stop --------------------------------------------------- */

int portal_server_start(const struct portal_options *o, struct portal_server **out, char *err,
			size_t errlen)
{
	*out = NULL;
	char addr[256];
	unsigned port;
	if (portal_listen_parse(o->listen, addr, sizeof addr, &port)) {
		snprintf(err, errlen, "--listen '%s' is not ADDR:PORT (e.g. 127.0.0.1:8080)",
			 o->listen ? o->listen : "");
		return PORTAL_EUSAGE;
	}
	if (!o->tls_cert != !o->tls_key) {
		snprintf(err, errlen, "--tls-cert and --tls-key go together");
		return PORTAL_EUSAGE;
	}
	int tls = o->tls_cert != NULL;
	if (!tls && !portal_addr_is_loopback(addr)) {
		snprintf(
		    err, errlen,
		    "plain HTTP is served on a loopback address only (127.0.0.1, ::1); to listen "
		    "on "
		    "%s give --tls-cert and --tls-key, or put a reverse proxy with HTTPS in front",
		    addr);
		return PORTAL_EUSAGE;
	}
	if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(err, errlen, "this libmicrohttpd was built without TLS");
		return PORTAL_EENV;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICSERV},
			*ai = NULL;
	char portbuf[8];
	snprintf(portbuf, sizeof portbuf, "%u", port);
	if (getaddrinfo(addr, portbuf, &hints, &ai) || !ai) {
		snprintf(err, errlen, "cannot resolve the address %s", addr);
		return PORTAL_EUSAGE;
	}
	struct portal_server *s = calloc(1, sizeof *s);
	if (!s) {
		freeaddrinfo(ai);
		snprintf(err, errlen, "out of memory");
		return PORTAL_EENV;
	}
	if (tls && (!(s->cert = read_small_file(o->tls_cert, err, errlen)) ||
		    !(s->key = read_small_file(o->tls_key, err, errlen)))) {
		freeaddrinfo(ai);
		free(s->cert);
		free(s);
		return PORTAL_EUSAGE;
	}
	int rc = portal_init(&s->portal, o, err, errlen);
	if (rc) {
		freeaddrinfo(ai);
		free(s->cert);
		free(s->key);
		free(s);
		return rc == -2 ? PORTAL_EUSAGE : PORTAL_EENV;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_POLL | MHD_USE_ITC;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (tls)
		flags |= MHD_USE_TLS;
	struct MHD_OptionItem opts[] = {
	    {MHD_OPTION_SOCK_ADDR, 0, ai->ai_addr},
	    {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL},
	    {MHD_OPTION_CONNECTION_LIMIT, MAX_CONNECTIONS, NULL},
	    {MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT, NULL},
	    {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->cert},
	    {tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, s->key},
	    {MHD_OPTION_END, 0, NULL},
	};
	s->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, s,
				     MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!s->daemon) {
		snprintf(err, errlen, "cannot listen on %s%s", o->listen,
			 tls ? " (or the certificate and key do not fit)"
			     : " (in use, or not an address of this machine?)");
		portal_release(&s->portal);
		free(s->cert);
		free(s->key);
		free(s);
		return PORTAL_EENV;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : port;
	*out = s;
	return PORTAL_OK;
}

unsigned portal_server_port(const struct portal_server *s)
{
	return s->port;
}

struct portal *portal_server_portal(struct portal_server *s)
{
	return &s->portal;
}

void portal_server_stop(struct portal_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->daemon);
	portal_release(&s->portal);
	if (s->key)
		jx_auth_wipe(s->key, strlen(s->key));
	free(s->cert);
	free(s->key);
	free(s);
}
