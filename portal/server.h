/* `jianxi serve`'s HTTP side on libmicrohttpd: the listen rules (plain HTTP
 * on a loopback address only, TLS elsewhere), request bodies streamed to a
 * spool file under a size cap, and every request handed to portal_dispatch
 * as a plain struct. One thread per connection. */
#ifndef PORTAL_SERVER_H
#define PORTAL_SERVER_H

#include "routes.h"
#include <signal.h>
#include <stdint.h>

struct portal_server;

enum portal_start_error {
	PORTAL_OK = 0,
	PORTAL_EUSAGE = -1, /* the options or the config are wrong (exit 2) */
	PORTAL_EENV = -2    /* the store, a file or the socket failed (exit 3) */
};

/* 1 when text ("127.0.0.1", "::1", "localhost") is a loopback address. */
int portal_addr_is_loopback(const char *addr);

/* Splits "ADDR:PORT" / "[V6]:PORT" into addr (size bytes) and port.
 * Returns 0 or -1. */
int portal_listen_parse(const char *listen, char *addr, size_t size, unsigned *port);

/* Starts serving o: checks the options (TLS off loopback), sets up the
 * portal, listens. Returns PORTAL_OK and *out (stop it with
 * portal_server_stop), or an error with the reason in err. */
int portal_server_start(const struct portal_options *o, struct portal_server **out, char *err,
			size_t errlen);

/* The port listened on (what port 0 became). */
unsigned portal_server_port(const struct portal_server *s);

/* The portal behind the server (for tests). */
struct portal *portal_server_portal(struct portal_server *s);

/* Stops listening, waits for the requests under way, frees everything. */
void portal_server_stop(struct portal_server *s);

#endif
