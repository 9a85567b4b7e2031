/* Portal sessions and login throttling, held in the server's memory (a
 * restart signs everyone out). A session is known by the hash of its token
 * only: the table never holds the token the browser has. Every function
 * takes the time (Unix seconds) from the caller, so tests control the
 * clock. Not thread-safe: the server serialises calls. */
#ifndef PORTAL_SESSION_H
#define PORTAL_SESSION_H

#include "auth.h"
#include <stddef.h>
#include <stdint.h>

#define JX_SESSION_IDLE_DEFAULT (30 * 60)	   /* 30 minutes without a request */
#define JX_SESSION_ABSOLUTE_DEFAULT (12 * 60 * 60) /* 12 hours after sign-in */
#define JX_SESSION_COOKIE "jx_session"

struct jx_session {
	unsigned char token_hash[JX_TOKEN_HASH_BYTES];
	char user[JX_ACCOUNT_NAME_MAX];
	char csrf[JX_TOKEN_BUF]; /* put in every form; checked on every POST */
	int64_t created_at, last_seen;
};

struct jx_sessions {
	struct jx_session *s;
	size_t n, cap, max;
	int64_t idle, absolute; /* seconds */
};

/* Sets up an empty table of at most max sessions that end after idle
 * seconds without a request or absolute seconds after sign-in. */
void jx_sessions_init(struct jx_sessions *ss, int64_t idle, int64_t absolute, size_t max);
/* Frees the table, wiping it. */
void jx_sessions_release(struct jx_sessions *ss);

/* Starts a session for user at now. token gets the cookie value (give it
 * to the browser, then wipe it); *out (may be NULL) points at the session
 * until the next call that changes the table. Expired sessions are dropped
 * first. Returns 0, or -1 when the table is full or memory or randomness
 * fail. */
int jx_session_start(struct jx_sessions *ss, const char *user, int64_t now,
		     char token[JX_TOKEN_BUF], const struct jx_session **out);

/* The live session of token at now, its idle clock restarted; NULL when
 * the token is unknown, malformed or its session expired (then it is
 * dropped). The pointer is valid until the next call that changes the
 * table. */
const struct jx_session *jx_session_find(struct jx_sessions *ss, const char *token, int64_t now);

/* Ends the session of token (sign-out). Returns 1 ended, 0 none. */
int jx_session_end(struct jx_sessions *ss, const char *token);

/* Ends every session of user (password changed, account disabled).
 * Returns how many ended. */
size_t jx_sessions_end_user(struct jx_sessions *ss, const char *user);

/* Drops every session expired at now. */
void jx_sessions_expire(struct jx_sessions *ss, int64_t now);

/* 1 when given (a form's csrf field) is the session's CSRF token,
 * compared in constant time; else 0. */
int jx_session_csrf_ok(const struct jx_session *s, const char *given);

/* The Set-Cookie value for token:
 *   jx_session=TOKEN; Path=/; HttpOnly; Secure; SameSite=Strict
 * or, with token NULL, the one that clears it (Max-Age=0). Returns 0, or
 * -1 when buf (size bytes) is too small or token is not a token. */
int jx_session_cookie(char *buf, size_t size, const char *token);

/* The jx_session token in a Cookie request header ("a=1; jx_session=..."),
 * copied into token. Returns 0, or -1 when there is none or it is not
 * token-shaped. */
int jx_session_cookie_token(const char *cookie_header, char token[JX_TOKEN_BUF]);

/* ---- login throttling -------------------------------------------------- */

/* Failed logins per key in fixed windows: after max_failures failures
 * within window seconds of a key's first failure, the key is refused until
 * that window ends. Keys are "user:NAME" and "addr:ADDRESS" (see
 * jx_login_*). */
#define JX_LOGIN_FAILURES_DEFAULT 5
#define JX_LOGIN_WINDOW_DEFAULT (15 * 60)
#define JX_RATELIMIT_KEY_MAX 96

struct jx_ratelimit_entry {
	char key[JX_RATELIMIT_KEY_MAX];
	int64_t window_start;
	int failures;
};

struct jx_ratelimit {
	struct jx_ratelimit_entry *e;
	size_t n, cap, max;
	int max_failures;
	int64_t window;
};

void jx_ratelimit_init(struct jx_ratelimit *rl, int max_failures, int64_t window, size_t max_keys);
void jx_ratelimit_release(struct jx_ratelimit *rl);

/* 0 when a login for user from addr may be tried at now; else the seconds
 * until it may (the user or the address is over its limit). Check this
 * before verifying the password, and refuse without verifying. */
int64_t jx_login_wait(struct jx_ratelimit *rl, const char *user, const char *addr, int64_t now);

/* Records a failed login for user and for addr. Returns 0 or -1 (out of
 * memory: the caller refuses the login). When the table is full the entry
 * whose window started first is reused. */
int jx_login_failed(struct jx_ratelimit *rl, const char *user, const char *addr, int64_t now);

/* A successful login forgets user's failures; the address keeps its count
 * (one good account does not unlock guessing at others). */
void jx_login_succeeded(struct jx_ratelimit *rl, const char *user);

#endif
