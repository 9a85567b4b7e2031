/* Portal sessions, CSRF tokens, the session cookie and login throttling. */
#include "session.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jx_sessions_init(struct jx_sessions *ss, int64_t idle, int64_t absolute, size_t max)
{
	memset(ss, 0, sizeof *ss);
	ss->idle = idle;
	ss->absolute = absolute;
	ss->max = max;
}

void jx_sessions_release(struct jx_sessions *ss)
{
	if (ss->s)
		sodium_memzero(ss->s, ss->cap * sizeof *ss->s);
	free(ss->s);
	memset(ss, 0, sizeof *ss);
}

static int expired(const struct jx_sessions *ss, const struct jx_session *s, int64_t now)
{
	return now - s->last_seen >= ss->idle || now - s->created_at >= ss->absolute ||
	       now < s->created_at;
}

/* Removes session i (order does not matter). */
static void drop(struct jx_sessions *ss, size_t i)
{
	ss->s[i] = ss->s[ss->n - 1];
	sodium_memzero(&ss->s[ss->n - 1], sizeof ss->s[0]);
	ss->n--;
}

void jx_sessions_expire(struct jx_sessions *ss, int64_t now)
{
	for (size_t i = ss->n; i-- > 0;)
		if (expired(ss, &ss->s[i], now))
			drop(ss, i);
}

int jx_session_start(struct jx_sessions *ss, const char *user, int64_t now,
		     char token[JX_TOKEN_BUF], const struct jx_session **out)
{
	if (out)
		*out = NULL;
	token[0] = 0;
	if (!jx_account_name_ok(user))
		return -1;
	jx_sessions_expire(ss, now);
	if (ss->n >= ss->max)
		return -1;
	if (ss->n == ss->cap) {
		size_t cap = ss->cap ? ss->cap * 2 : 16;
		if (cap > ss->max)
			cap = ss->max;
		struct jx_session *ns = malloc(cap * sizeof *ns);
		if (!ns)
			return -1;
		if (ss->n)
			memcpy(ns, ss->s, ss->n * sizeof *ns);
		if (ss->s)
			sodium_memzero(ss->s, ss->cap * sizeof *ss->s);
		free(ss->s);
		ss->s = ns;
		ss->cap = cap;
	}
	struct jx_session *s = &ss->s[ss->n];
	memset(s, 0, sizeof *s);
	if (jx_token_new(token) || jx_token_new(s->csrf)) {
		sodium_memzero(token, JX_TOKEN_BUF);
		sodium_memzero(s, sizeof *s);
		return -1;
	}
	jx_token_hash(token, s->token_hash);
	snprintf(s->user, sizeof s->user, "%s", user);
	s->created_at = s->last_seen = now;
	ss->n++;
	if (out)
		*out = s;
	return 0;
}

/* Index of the session of token, or -1. */
static long find(const struct jx_sessions *ss, const char *token)
{
	if (!token || strnlen(token, JX_TOKEN_BUF) != JX_TOKEN_LEN)
		return -1;
	unsigned char h[JX_TOKEN_HASH_BYTES];
	jx_token_hash(token, h);
	long hit = -1;
	for (size_t i = 0; i < ss->n; i++)
		if (sodium_memcmp(h, ss->s[i].token_hash, sizeof h) == 0)
			hit = (long)i;
	return hit;
}

const struct jx_session *jx_session_find(struct jx_sessions *ss, const char *token, int64_t now)
{
	long i = find(ss, token);
	if (i < 0)
		return NULL;
	if (expired(ss, &ss->s[i], now)) {
		drop(ss, (size_t)i);
		return NULL;
	}
	ss->s[i].last_seen = now;
	return &ss->s[i];
}

int jx_session_end(struct jx_sessions *ss, const char *token)
{
	long i = find(ss, token);
	if (i < 0)
		return 0;
	drop(ss, (size_t)i);
	return 1;
}

size_t jx_sessions_end_user(struct jx_sessions *ss, const char *user)
{
	size_t ended = 0;
	for (size_t i = ss->n; i-- > 0;)
		if (!strcmp(ss->s[i].user, user)) {
			drop(ss, i);
			ended++;
		}
	return ended;
}

int jx_session_csrf_ok(const struct jx_session *s, const char *given)
{
	return s && jx_token_equal(s->csrf, given);
}

/* 1 when t is JX_TOKEN_LEN characters of URL-safe base64. */
static int token_shaped(const char *t, size_t n)
{
	if (n != JX_TOKEN_LEN)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

int jx_session_cookie(char *buf, size_t size, const char *token)
{
	if (token && !token_shaped(token, strnlen(token, JX_TOKEN_BUF)))
		return -1;
	int n = token ? snprintf(buf, size,
				 JX_SESSION_COOKIE "=%s; Path=/; HttpOnly; Secure; SameSite=Strict",
				 token)
		      : snprintf(buf, size,
				 JX_SESSION_COOKIE
				 "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
	if (n < 0 || (size_t)n >= size) {
		if (size)
			buf[0] = 0;
		return -1;
	}
	return 0;
}

int jx_session_cookie_token(const char *header, char token[JX_TOKEN_BUF])
{
	token[0] = 0;
	static const char name[] = JX_SESSION_COOKIE "=";
	const char *p = header;
	while (p && *p) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		size_t len = strcspn(p, ";");
		if (!strncmp(p, name, sizeof name - 1)) {
			const char *v = p + sizeof name - 1;
			size_t n = len - (sizeof name - 1);
			while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			if (!token_shaped(v, n))
				return -1;
			memcpy(token, v, n);
			token[n] = 0;
			return 0;
		}
		p += len;
	}
	return -1;
}

/* ---- login throttling -------------------------------------------------- */

void jx_ratelimit_init(struct jx_ratelimit *rl, int max_failures, int64_t window, size_t max_keys)
{
	memset(rl, 0, sizeof *rl);
	rl->max_failures = max_failures;
	rl->window = window;
	rl->max = max_keys ? max_keys : 1;
}

void jx_ratelimit_release(struct jx_ratelimit *rl)
{
	free(rl->e);
	memset(rl, 0, sizeof *rl);
}

static void make_key(char key[JX_RATELIMIT_KEY_MAX], const char *kind, const char *what)
{
	snprintf(key, JX_RATELIMIT_KEY_MAX, "%s:%s", kind, what ? what : "");
}

static struct jx_ratelimit_entry *entry(struct jx_ratelimit *rl, const char *key)
{
	for (size_t i = 0; i < rl->n; i++)
		if (!strcmp(rl->e[i].key, key))
			return &rl->e[i];
	return NULL;
}

/* Seconds key must still wait at now; 0 when it may try. */
static int64_t key_wait(struct jx_ratelimit *rl, const char *key, int64_t now)
{
	struct jx_ratelimit_entry *e = entry(rl, key);
	if (!e || e->failures < rl->max_failures)
		return 0;
	int64_t end = e->window_start + rl->window;
	return now < end ? end - now : 0;
}

int64_t jx_login_wait(struct jx_ratelimit *rl, const char *user, const char *addr, int64_t now)
{
	char ku[JX_RATELIMIT_KEY_MAX], ka[JX_RATELIMIT_KEY_MAX];
	make_key(ku, "user", user);
	make_key(ka, "addr", addr);
	int64_t a = key_wait(rl, ku, now), b = key_wait(rl, ka, now);
	return a > b ? a : b;
}

static int key_failed(struct jx_ratelimit *rl, const char *key, int64_t now)
{
	struct jx_ratelimit_entry *e = entry(rl, key);
	if (!e) {
		/* Reuse an entry whose window has passed, else grow, else the
		 * oldest one. */
		for (size_t i = 0; !e && i < rl->n; i++)
			if (now - rl->e[i].window_start >= rl->window)
				e = &rl->e[i];
		if (!e && rl->n < rl->max) {
			if (rl->n == rl->cap) {
				size_t cap = rl->cap ? rl->cap * 2 : 16;
				if (cap > rl->max)
					cap = rl->max;
				struct jx_ratelimit_entry *ne = realloc(rl->e, cap * sizeof *ne);
				if (!ne)
					return -1;
				rl->e = ne;
				rl->cap = cap;
			}
			e = &rl->e[rl->n++];
		}
		if (!e) {
			e = &rl->e[0];
			for (size_t i = 1; i < rl->n; i++)
				if (rl->e[i].window_start < e->window_start)
					e = &rl->e[i];
		}
		snprintf(e->key, sizeof e->key, "%s", key);
		e->window_start = now;
		e->failures = 0;
	} else if (now - e->window_start >= rl->window || now < e->window_start) {
		e->window_start = now;
		e->failures = 0;
	}
	if (e->failures < rl->max_failures)
		e->failures++;
	return 0;
}

int jx_login_failed(struct jx_ratelimit *rl, const char *user, const char *addr, int64_t now)
{
	char ku[JX_RATELIMIT_KEY_MAX], ka[JX_RATELIMIT_KEY_MAX];
	make_key(ku, "user", user);
	make_key(ka, "addr", addr);
	return key_failed(rl, ku, now) || key_failed(rl, ka, now) ? -1 : 0;
}

void jx_login_succeeded(struct jx_ratelimit *rl, const char *user)
{
	char ku[JX_RATELIMIT_KEY_MAX];
	make_key(ku, "user", user);
	struct jx_ratelimit_entry *e = entry(rl, ku);
	if (e)
		e->failures = 0;
}
