/* Password hashing and tokens for the portal, on libsodium. */
#include "auth.h"
#include <sodium.h>
#include <string.h>

/* Argon2id of a password no one knows, with the limits below: what an
 * unknown account name is checked against, so that it costs as long. */
static const char DUMMY_HASH[JX_ACCOUNT_HASH_MAX] =
    "$argon2id$v=19$m=65536,t=2,p=1$fFTBC8Q+jU0zakRk7ZhEIw$"
    "U6asnhazUomxX+m3wK+seo65UuV9m6nY2NHMo43cuG0";

/* INTERACTIVE (64 MiB, 2 passes, ~0.1 s) rather than MODERATE (256 MiB):
 * the portal hashes on every login, several at once on a small server, and
 * the rate limiter already bounds online guessing; 64 MiB per guess still
 * makes an offline attack on a stolen store costly. */
#define OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

int jx_auth_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

enum jx_password_problem jx_password_check(const char *name, const char *password, size_t len)
{
	if (len < JX_PASSWORD_MIN)
		return JX_PASSWORD_TOO_SHORT;
	if (len > JX_PASSWORD_MAX)
		return JX_PASSWORD_TOO_LONG;
	if (memchr(password, 0, len))
		return JX_PASSWORD_NUL;
	if (name && strlen(name) == len) {
		size_t i = 0;
		for (; i < len; i++) {
			unsigned char a = (unsigned char)name[i], b = (unsigned char)password[i];
			if (a >= 'A' && a <= 'Z')
				a = (unsigned char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (unsigned char)(b - 'A' + 'a');
			if (a != b)
				break;
		}
		if (i == len)
			return JX_PASSWORD_IS_NAME;
	}
	return JX_PASSWORD_OK;
}

const char *jx_password_problem_text(enum jx_password_problem p)
{
	switch (p) {
	case JX_PASSWORD_OK:
		return "";
	case JX_PASSWORD_TOO_SHORT:
		return "the password is too short (at least 10 bytes)";
	case JX_PASSWORD_TOO_LONG:
		return "the password is too long (at most 128 bytes)";
	case JX_PASSWORD_IS_NAME:
		return "the password may not be the account name";
	case JX_PASSWORD_NUL:
		return "the password holds a NUL byte";
	}
	return "the password is not allowed";
}

int jx_password_hash(const char *password, size_t len, char out[JX_ACCOUNT_HASH_MAX])
{
	if (crypto_pwhash_str(out, password, len, OPS, MEM) != 0) {
		out[0] = 0;
		return -1;
	}
	return 0;
}

int jx_password_verify(const char *hash, const char *password, size_t len)
{
	if (!hash) {
		(void)!crypto_pwhash_str_verify(DUMMY_HASH, password, len);
		return 0;
	}
	if (strnlen(hash, JX_ACCOUNT_HASH_MAX) == JX_ACCOUNT_HASH_MAX ||
	    strncmp(hash, "$argon2id$", 10))
		return 0;
	/* libsodium takes a crypto_pwhash_STRBYTES array. */
	char buf[JX_ACCOUNT_HASH_MAX] = {0};
	memcpy(buf, hash, strlen(hash));
	return crypto_pwhash_str_verify(buf, password, len) == 0;
}

int jx_password_needs_rehash(const char *hash)
{
	if (!hash || strnlen(hash, JX_ACCOUNT_HASH_MAX) == JX_ACCOUNT_HASH_MAX ||
	    strncmp(hash, "$argon2id$", 10))
		return -1;
	char buf[JX_ACCOUNT_HASH_MAX] = {0};
	memcpy(buf, hash, strlen(hash));
	int rc = crypto_pwhash_str_needs_rehash(buf, OPS, MEM);
	return rc < 0 ? -1 : rc;
}

int jx_token_new(char out[JX_TOKEN_BUF])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	const char *t = sodium_bin2base64(out, JX_TOKEN_BUF, raw, sizeof raw,
					  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	return t && strlen(out) == JX_TOKEN_LEN ? 0 : -1;
}

void jx_token_hash(const char *token, unsigned char out[JX_TOKEN_HASH_BYTES])
{
	crypto_generichash(out, JX_TOKEN_HASH_BYTES, (const unsigned char *)token, strlen(token),
			   NULL, 0);
}

int jx_token_equal(const char *a, const char *b)
{
	if (!a || !b || strnlen(a, JX_TOKEN_BUF) != JX_TOKEN_LEN ||
	    strnlen(b, JX_TOKEN_BUF) != JX_TOKEN_LEN)
		return 0;
	return sodium_memcmp(a, b, JX_TOKEN_LEN) == 0;
}

int jx_secret_equal(const void *a, const void *b, size_t len)
{
	return len == 0 || sodium_memcmp(a, b, len) == 0;
}

void jx_auth_wipe(void *p, size_t len)
{
	if (p && len)
		sodium_memzero(p, len);
}
