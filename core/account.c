/* Portal accounts: names, roles and who may access which district. */
#include "account.h"
#include <string.h>

const char *jx_role_name(enum jx_role role)
{
	return role == JX_ROLE_CITY ? "city" : "district";
}

int jx_role_parse(const char *text, enum jx_role *role)
{
	if (text && !strcmp(text, "city"))
		*role = JX_ROLE_CITY;
	else if (text && !strcmp(text, "district"))
		*role = JX_ROLE_DISTRICT;
	else
		return -1;
	return 0;
}

int jx_account_name_ok(const char *name)
{
	if (!name)
		return 0;
	size_t n = strnlen(name, JX_ACCOUNT_NAME_MAX);
	if (n == 0 || n == JX_ACCOUNT_NAME_MAX || name[0] == '-' || name[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '@';
		if (!ok)
			return 0;
	}
	return 1;
}

/* A code as the store keeps it: no control characters, not empty. */
static int code_ok(const char *code)
{
	size_t n = strnlen(code, JX_CODE_MAX);
	if (n == 0 || n == JX_CODE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)code[i] < 0x20 || code[i] == 0x7f)
			return 0;
	return 1;
}

int jx_account_ok(const struct jx_account *a)
{
	if (!a || !jx_account_name_ok(a->name))
		return 0;
	if (a->role == JX_ROLE_CITY ? a->district_code[0] != 0
				    : a->role != JX_ROLE_DISTRICT || !code_ok(a->district_code))
		return 0;
	size_t n = strnlen(a->hash, JX_ACCOUNT_HASH_MAX);
	if (n == JX_ACCOUNT_HASH_MAX || strncmp(a->hash, "$argon2id$", 10))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)a->hash[i] <= 0x20 || (unsigned char)a->hash[i] >= 0x7f)
			return 0;
	return a->disabled == 0 || a->disabled == 1;
}

int jx_account_may_access(const struct jx_account *a, const char *district_code)
{
	if (!a || a->disabled || !district_code || !district_code[0])
		return 0;
	if (a->role == JX_ROLE_CITY)
		return 1;
	return a->role == JX_ROLE_DISTRICT && a->district_code[0] &&
	       strncmp(a->district_code, district_code, JX_CODE_MAX) == 0;
}
