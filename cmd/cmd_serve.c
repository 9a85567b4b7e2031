/* jianxi serve: the portal (portal/server.h) in the foreground until
 * SIGINT or SIGTERM. Parses the options, starts, waits, says what
 * happened. */
#include "../portal/server.h"
#include "commands.h"
#include "common.h"
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "jianxi serve"

static const char usage_text[] =
    "usage: jianxi serve --listen ADDR:PORT [--config DIR] [--store URL] [--inbox DIR]\n"
    "                    [--tls-cert FILE --tls-key FILE] [--audit FILE]\n"
    "                    [--max-upload BYTES]\n"
    "\n"
    "The districts' portal: sign in, download the form, upload it and see at\n"
    "once what to fix; the city's board and reports. Runs until SIGINT or\n"
    "SIGTERM. Uploads are stored as `nightly` stores inbox files (and wait for\n"
    "a nightly run that holds the store); their originals are kept in\n"
    "INBOX/processed/ and INBOX/rejected/.\n"
    "Plain HTTP is served on a loopback address only (for a reverse proxy in\n"
    "front); any other address needs --tls-cert and --tls-key (PEM).\n"
    "\n"
    "  --listen ADDR:PORT  where to listen, e.g. 127.0.0.1:8080 or [::1]:8080\n"
    "  --config DIR        config folder (default $JIANXI_CONFIG or ./config)\n"
    "  --store URL         dir:PATH or a PostgreSQL connection string\n"
    "  --inbox DIR         the inbox nightly reads (needed for uploads)\n"
    "  --tls-cert FILE     certificate chain (PEM) for HTTPS\n"
    "  --tls-key FILE      its private key (PEM)\n"
    "  --audit FILE        append logins, uploads and downloads to FILE (0600)\n"
    "  --max-upload BYTES  largest request body (default 20971520)\n"
    "  -h, --help          this text\n"
    "\n"
    "Accounts: `jianxi user add`. Exit: 0 stopped by a signal, 2 usage or\n"
    "config error, 3 the store, a file or the address failed.\n";

int cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"config", required_argument, NULL, 'c'},
	    {"store", required_argument, NULL, 's'},
	    {"inbox", required_argument, NULL, 'i'},
	    {"tls-cert", required_argument, NULL, 'C'},
	    {"tls-key", required_argument, NULL, 'K'},
	    {"audit", required_argument, NULL, 'a'},
	    {"max-upload", required_argument, NULL, 'm'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct portal_options o = {0};
	const char *config = NULL, *store = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			o.listen = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 's':
			store = optarg;
			break;
		case 'i':
			o.inbox = optarg;
			break;
		case 'C':
			o.tls_cert = optarg;
			break;
		case 'K':
			o.tls_key = optarg;
			break;
		case 'a':
			o.audit = optarg;
			break;
		case 'm': {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (*end || !*optarg || optarg[0] == '-' || v < 1024 || v > (1ull << 32)) {
				fprintf(stderr,
					PROG ": --max-upload '%s' is not a size in bytes "
					     "(1024..4294967296)\n",
					optarg);
				return JX_EXIT_USAGE;
			}
			o.max_upload = v;
			break;
		}
		case 'h':
			fputs(usage_text, stdout);
			return JX_EXIT_OK;
		default:
			fprintf(stderr, PROG ": unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			fputs(usage_text, stderr);
			return JX_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		return JX_EXIT_USAGE;
	}
	if (!o.listen) {
		fputs(PROG ": --listen is required\n", stderr);
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	o.config_dir = cmd_config_dir(config);
	o.store_url = cmd_store_url(store);
	/* the signals are waited for, not handled: blocked in every thread,
	 * which inherit this mask */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	char err[1024];
	int sig = 0;
	struct portal_server *srv;
	int rc = portal_server_start(&o, &srv, err, sizeof err);
	if (rc) {
		fprintf(stderr, PROG ": %s\n", err);
		return rc == PORTAL_EUSAGE ? JX_EXIT_USAGE : JX_EXIT_ENV;
	}
	printf("jianxi serve: listening on %s (port %u)%s\n", o.listen, portal_server_port(srv),
	       o.tls_cert ? ", HTTPS" : ", plain HTTP on loopback");
	fflush(stdout);
	while (sigwait(&stop, &sig))
		;
	portal_server_stop(srv);
	printf("jianxi serve: stopped (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	return fflush(stdout) ? JX_EXIT_ENV : JX_EXIT_OK;
}
