/* A portal account: who may sign in to `jianxi serve` and which district's
 * data they may see. Pure data and rules; the password hashing and sessions
 * are in portal/, the storage in etl/store.h. */
#ifndef CORE_ACCOUNT_H
#define CORE_ACCOUNT_H

#include "config.h" /* JX_CODE_MAX */
#include <stdint.h>

#define JX_ACCOUNT_NAME_MAX 64	/* bytes with the NUL */
#define JX_ACCOUNT_HASH_MAX 128 /* crypto_pwhash_STRBYTES, with the NUL */

enum jx_role { JX_ROLE_DISTRICT, JX_ROLE_CITY };

struct jx_account {
	char name[JX_ACCOUNT_NAME_MAX];
	enum jx_role role;
	char district_code[JX_CODE_MAX]; /* the district's code; "" for the city */
	char hash[JX_ACCOUNT_HASH_MAX];	 /* "$argon2id$..." (crypto_pwhash_str) */
	int64_t created_at, changed_at;	 /* Unix seconds */
	int disabled;			 /* 1: may not sign in */
};

/* "district" / "city", and back (returns 0 or -1). */
const char *jx_role_name(enum jx_role role);
int jx_role_parse(const char *text, enum jx_role *role);

/* 1 when name is a valid account name: 1 to 63 bytes of ASCII letters,
 * digits and . _ - @, not starting with - or . (safe in a log line, a
 * cookie-free URL path and a CSV field without quoting). */
int jx_account_name_ok(const char *name);

/* 1 when the account is whole and consistent: a valid name, a district
 * account with a code and a city account without one, an Argon2id hash. */
int jx_account_ok(const struct jx_account *a);

/* 1 when a may see and change district_code's data: a district account its
 * own district only, a city account every district. A disabled account, a
 * NULL account or an empty code may access nothing. */
int jx_account_may_access(const struct jx_account *a, const char *district_code);

#endif
