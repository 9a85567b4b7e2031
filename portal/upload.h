/* A file a district sent through the portal (an upload, or the online form
 * written as a file), stored exactly as `nightly` stores an inbox file: the
 * same loader (rules, history, deadline), received at the moment the
 * request ended, under the store's single-writer lock, and the original
 * kept in INBOX/processed/ or INBOX/rejected/ under nightly's naming. */
#ifndef PORTAL_UPLOAD_H
#define PORTAL_UPLOAD_H

#include "../core/config.h"
#include "../core/finding.h"
#include <stddef.h>
#include <stdint.h>

struct portal;

enum upload_result {
	UPLOAD_STORED,	       /* stored (accepted or rejected): see the version */
	UPLOAD_NOT_STORED,     /* no district and period could be read: findings only */
	UPLOAD_OTHER_DISTRICT, /* the file holds another district's data: nothing stored */
	UPLOAD_BUSY,	       /* another run holds the store: nothing stored, try again */
	UPLOAD_FAILED	       /* the store or the disk failed: nothing stored */
};

struct upload_outcome {
	enum upload_result result;
	int accepted;	    /* 1: the first stored submission was accepted */
	int year, month;    /* of the first stored submission */
	int version;	    /* its version number */
	size_t submissions; /* stored from the file */
	char sha256[65];
	struct jx_findings findings; /* UPLOAD_NOT_STORED: what was found; owned */
	char kept[4700];	     /* where the original was kept, or "" */
	char error[512];	     /* UPLOAD_FAILED / UPLOAD_OTHER_DISTRICT: why, in English */
};

/* Stores the file at path (a spool file whose name is the one the
 * district gave it) for district received at received_at. The file is
 * moved into the inbox's processed/ or rejected/ folder, or removed when
 * nothing was stored. Returns the result also set in out (release with
 * upload_outcome_release). */
enum upload_result upload_store(struct portal *p, const char *path, int district,
				int64_t received_at, struct upload_outcome *out);

void upload_outcome_release(struct upload_outcome *out);

#endif
