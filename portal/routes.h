/* The portal's routes: one table of every path the server answers (method,
 * path, who may call it, handler), and the dispatcher in front of every
 * handler. The dispatcher does what no handler may forget: the session from
 * the cookie (idle sessions expire), the access check, the CSRF token of
 * every POST, and the district check of every route that takes a district.
 * Requests and responses are plain structs, so the tests call
 * portal_dispatch without sockets; portal/server.c adapts them to HTTP. */
#ifndef PORTAL_ROUTES_H
#define PORTAL_ROUTES_H

#include "../core/account.h"
#include "../core/config.h"
#include "audit.h"
#include "auth.h"
#include "session.h"
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct store;

#define PORTAL_MAX_UPLOAD_DEFAULT (20u << 20) /* bytes of a request body */
#define PORTAL_LOCK_WAIT_DEFAULT 20	      /* seconds an upload waits for the store */

/* What the server is started with (see `jianxi serve --help`). */
struct portal_options {
	const char *listen;	/* ADDR:PORT; port 0 picks a free one */
	const char *config_dir; /* loaded once at start */
	const char *store_url;	/* opened per request */
	const char *inbox;	/* originals kept in INBOX/processed|rejected; NULL: no uploads */
	const char *tls_cert, *tls_key; /* PEM files; both or neither */
	const char *audit;		/* audit log file, or NULL */
	uint64_t max_upload;		/* 0: PORTAL_MAX_UPLOAD_DEFAULT */
	int lock_wait;			/* 0: PORTAL_LOCK_WAIT_DEFAULT */
	int threads;			/* 0: one thread per connection */
};

/* Most store handles kept open for the next requests. */
#define PORTAL_POOL_MAX 8

/* The server's state, shared by every request. The sessions and the login
 * throttle are not thread-safe: they are used under lock only. */
struct portal {
	struct jx_config cfg;
	char *store_url, *inbox;
	char *spool; /* INBOX/.upload: where request bodies are written */
	uint64_t max_upload;
	int lock_wait;
	pthread_mutex_t lock; /* sessions and limits */
	struct jx_sessions sessions;
	struct jx_ratelimit limits;
	pthread_mutex_t upload_lock; /* one upload of this server at a time */
	struct jx_audit audit;
	/* store handles kept open between requests (PostgreSQL connections;
	 * portal_store_open) */
	pthread_mutex_t pool_lock;
	struct store *pool[PORTAL_POOL_MAX];
	size_t n_pool;
};

/* Loads the config, checks the store opens, makes the spool folder and
 * opens the audit log. Returns 0, -2 when the config or the inbox is
 * wrong (the operator's options), or -1 when the store, memory or a file
 * failed; with the reason in err (English, for the operator) and p
 * released. */
int portal_init(struct portal *p, const struct portal_options *o, char *err, size_t errlen);
void portal_release(struct portal *p);

/* A store handle for one request: one kept from an earlier request when
 * there is one, else newly opened. 0, or -1 with err. Give it back with
 * portal_store_close, which keeps it for the next request only when
 * store_reusable says it is as good as new (no transaction open, the
 * connection alive), else closes it. */
int portal_store_open(struct portal *p, struct store **st, char *err, size_t errlen);
void portal_store_close(struct portal *p, struct store *st);

/* ---- requests and responses ------------------------------------------- */

struct portal_arg {
	const char *name, *value;
};

/* the online form of a district with 200 unit rows has some 3,000 fields */
#define PORTAL_MAX_ARGS 4096

/* One request, every field borrowed from the caller. */
struct portal_request {
	const char *method;	       /* "GET", "HEAD", "POST" */
	const char *path;	       /* without the query */
	const struct portal_arg *args; /* query and form fields, in order */
	size_t n_args;
	const char *cookie;	 /* the Cookie header, or NULL */
	const char *remote_addr; /* for the login throttle and the audit log */
	const char *upload_path; /* the posted file ("file" field) on disk, or NULL */
	const char *upload_name; /* its name as the browser sent it */
	int too_large;		 /* the body went over the cap: nothing of it kept */
	int64_t now;		 /* Unix seconds by the server's clock */
};

#define PORTAL_MAX_COOKIES 2

/* One response; release with portal_response_release. */
struct portal_response {
	int status;
	const char *content_type; /* static text */
	char *body;		  /* owned, or NULL */
	size_t len;
	char *file;	     /* send this file instead of body (owned path), or NULL */
	int file_is_temp;    /* remove file (and its folder when named here) after */
	char *file_dir;	     /* a temporary folder to remove after, or NULL */
	char location[1024]; /* Location of a redirect, or "" */
	char cookies[PORTAL_MAX_COOKIES][256]; /* Set-Cookie values, "" unused */
	char disposition[640];		       /* Content-Disposition of a download, or "" */
	int cacheable;			       /* static files: no Cache-Control: no-store */
};

void portal_response_release(struct portal_response *r);

/* The response headers every answer carries (CSP and the like), as
 * name/value pairs ending with NULL. */
extern const char *const portal_security_headers[];

/* ---- the route table -------------------------------------------------- */

enum portal_access {
	PORTAL_ANYONE,	  /* no session needed */
	PORTAL_LOGGED_IN, /* any account */
	PORTAL_DISTRICT,  /* a district account */
	PORTAL_CITY	  /* the city account */
};

/* What the dispatcher has found out before it calls a handler. */
struct portal_call {
	struct portal *p;
	const struct portal_request *req;
	int logged_in;
	struct jx_account account; /* the signed-in account (hash wiped) */
	char token[JX_TOKEN_BUF];  /* the session token of the request, or "" */
	char csrf[JX_TOKEN_BUF];   /* the session's CSRF token, for forms */
	int district;		   /* the district the request is about, or -1 */
	int year, month;	   /* ?period= (or the current period), 0 when none */
};

typedef void (*portal_handler)(struct portal_call *c, struct portal_response *res);

/* Route flags: what the dispatcher checks before the handler. */
enum {
	/* takes ?district=CODE: it must be one the account may access
	 * (403 otherwise); a district account defaults to its own */
	PORTAL_TAKES_DISTRICT = 1u << 0,
	PORTAL_TAKES_PERIOD = 1u << 1, /* ?period=YYYY-MM, default the current period */
	PORTAL_PREFIX = 1u << 2	       /* path is a prefix (/static/) */
};

struct portal_route {
	const char *method;
	const char *path;
	enum portal_access access;
	unsigned flags;
	portal_handler handler;
	const char *what;
};

extern const struct portal_route portal_routes[];
extern const size_t portal_n_routes;

/* Answers req into res (zeroed first). Never fails: a problem is an error
 * page with its status. */
void portal_dispatch(struct portal *p, const struct portal_request *req,
		     struct portal_response *res);

/* The value of the request's field name (the first), or NULL. */
const char *portal_arg(const struct portal_request *req, const char *name);

/* The period districts are reporting at now: the month before today in the
 * city's time zone. */
void portal_current_period(const struct jx_config *cfg, int64_t now, int *year, int *month);

#endif
