/* The portal's secrets: Argon2id password hashes (libsodium crypto_pwhash_str),
 * the password rules, and random tokens for sessions and forms. No function
 * here keeps or logs a password; callers wipe their buffers with
 * jx_auth_wipe. */
#ifndef PORTAL_AUTH_H
#define PORTAL_AUTH_H

#include "../core/account.h"
#include <stddef.h>

#define JX_PASSWORD_MIN 10  /* bytes */
#define JX_PASSWORD_MAX 128 /* bytes */

/* A token: 32 random bytes (256 bits) as URL-safe base64 without padding,
 * 43 characters; JX_TOKEN_BUF holds it with its NUL. */
#define JX_TOKEN_LEN 43
#define JX_TOKEN_BUF 44
#define JX_TOKEN_HASH_BYTES 32

/* Initialises libsodium; call once before anything else here (further
 * calls are harmless). Returns 0, or -1 when libsodium cannot start (no
 * random source): the program must not go on. */
int jx_auth_init(void);

enum jx_password_problem {
	JX_PASSWORD_OK,
	JX_PASSWORD_TOO_SHORT, /* under JX_PASSWORD_MIN bytes */
	JX_PASSWORD_TOO_LONG,  /* over JX_PASSWORD_MAX bytes */
	JX_PASSWORD_IS_NAME,   /* the account name, in any letter case */
	JX_PASSWORD_NUL	       /* holds a NUL byte */
};

/* Checks password (len bytes) for the account name against the rules. */
enum jx_password_problem jx_password_check(const char *name, const char *password, size_t len);

/* What is wrong, in English for the operator ("" for JX_PASSWORD_OK). */
const char *jx_password_problem_text(enum jx_password_problem p);

/* Hashes password (len bytes) with Argon2id, a fresh random salt and the
 * INTERACTIVE limits (2 passes, 64 MiB) into out, a "$argon2id$..." text.
 * Returns 0, or -1 (out of memory; out is then empty). */
int jx_password_hash(const char *password, size_t len, char out[JX_ACCOUNT_HASH_MAX]);

/* 1 when password matches hash, else 0 (also for a damaged hash). With hash
 * NULL (no such account) a built-in hash is checked, taking the same time,
 * and 0 is returned: a login does not tell which account names exist. */
int jx_password_verify(const char *hash, const char *password, size_t len);

/* 1 when hash was made with other limits than jx_password_hash uses now
 * (hash it again at the next successful login), 0 when current, -1 when it
 * is not an Argon2id hash. */
int jx_password_needs_rehash(const char *hash);

/* A fresh random token into out (JX_TOKEN_LEN characters and a NUL).
 * Returns 0 or -1. */
int jx_token_new(char out[JX_TOKEN_BUF]);

/* The BLAKE2b hash of token (what the server keeps instead of the token). */
void jx_token_hash(const char *token, unsigned char out[JX_TOKEN_HASH_BYTES]);

/* 1 when a and b are equal texts of JX_TOKEN_LEN characters, compared in
 * constant time; 0 otherwise (a NULL or other length is unequal). */
int jx_token_equal(const char *a, const char *b);

/* 1 when the len bytes at a and b are equal, compared in constant time. */
int jx_secret_equal(const void *a, const void *b, size_t len);

/* Overwrites len bytes at p with zeros in a way the compiler keeps. */
void jx_auth_wipe(void *p, size_t len);

#endif
