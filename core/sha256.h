/* SHA-256 (FIPS 180-4): the identity of a received file, so the same file
 * sent twice is recognised. */
#ifndef JX_SHA256_H
#define JX_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct jx_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t n;
};

void jx_sha256_init(struct jx_sha256 *c);
void jx_sha256_update(struct jx_sha256 *c, const void *data, size_t n);
/* Writes 64 lowercase hex digits and a NUL into hex. */
void jx_sha256_final(struct jx_sha256 *c, char hex[65]);

#endif
