/* Storing a district's file from the portal as nightly stores an inbox
 * file, and keeping the original beside nightly's. */
#include "upload.h"
#include "../core/submission.h"
#include "../etl/ingest.h"
#include "../etl/store.h"
#include "../pipeline/inbox.h"
#include "../pipeline/loader.h"
#include "routes.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void upload_outcome_release(struct upload_outcome *out)
{
	jx_findings_release(&out->findings);
}

/* Moves path into INBOX/sub/ under its own name, as nightly keeps an
 * inbox file (pipeline/inbox.h: never over a file there). kept gets the
 * path it got. Returns 0 or -1. */
static int keep_original(struct portal *p, const char *path, const char *sub, char *kept,
			 size_t size)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char from[4400], name[NAME_MAX + 32];
	snprintf(from, sizeof from, "%.*s", base > path ? (int)(base - path) : 1,
		 base > path ? path : ".");
	int from_fd = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int inbox_fd = open(p->inbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = -1;
	if (from_fd >= 0 && inbox_fd >= 0) {
		char note[192] = "";
		inbox_clear_way(inbox_fd, sub, note);
		rc = inbox_keep(from_fd, base, inbox_fd, sub, base, name, sizeof name);
	}
	if (!rc)
		snprintf(kept, size, "%s/%s/%s", p->inbox, sub, name);
	if (from_fd >= 0)
		close(from_fd);
	if (inbox_fd >= 0)
		close(inbox_fd);
	return rc;
}

/* What the file holds, read before anything is stored. */
struct precheck {
	int own, other;
	size_t storable;
	int have_findings;
	struct jx_findings *findings;
};

static int precheck_submission(void *ctx, struct jx_submission *s)
{
	struct precheck *pc = ctx;
	if (s->district >= 0 && s->district != pc->own)
		pc->other = 1;
	if (s->district >= 0 && s->year > 0) {
		pc->storable++;
	} else if (!pc->have_findings) {
		pc->have_findings = 1;
		for (size_t i = 0; i < s->findings.n; i++)
			jx_findings_copy(pc->findings, &s->findings.items[i]);
		pc->findings->errors = s->findings.errors;
		pc->findings->warnings = s->findings.warnings;
	}
	return 0;
}

struct first_stored {
	struct upload_outcome *out;
	int district;
};

static void on_submission(void *ctx, const struct jx_submission *s, int stored)
{
	struct first_stored *fs = ctx;
	if (!stored || s->district != fs->district)
		return;
	if (fs->out->submissions++ == 0) {
		fs->out->year = s->year;
		fs->out->month = s->month;
		fs->out->accepted = jx_submission_status(s) == JX_ACCEPTED;
		memcpy(fs->out->sha256, s->sha256, sizeof fs->out->sha256);
	}
}

struct version_find {
	const char *code, *sha256;
	int64_t received_at;
	int version;
};

static int version_match(void *ctx, const struct store_version *v)
{
	struct version_find *vf = ctx;
	if (!strcmp(v->district_code, vf->code) && !strcmp(v->sha256, vf->sha256) &&
	    v->received_at == vf->received_at && v->version > vf->version)
		vf->version = v->version;
	return 0;
}

static enum upload_result done(struct upload_outcome *out, enum upload_result r)
{
	out->result = r;
	return r;
}

enum upload_result upload_store(struct portal *p, const char *path, int district,
				int64_t received_at, struct upload_outcome *out)
{
	memset(out, 0, sizeof *out);
	jx_findings_init(&out->findings);
	if (!p->inbox) {
		snprintf(out->error, sizeof out->error,
			 "no inbox: the server was started without --inbox");
		return done(out, UPLOAD_FAILED);
	}
	/* the district check comes before anything is stored: a district
	 * sends its own figures only, whatever its file says */
	struct precheck pc = {.own = district, .findings = &out->findings};
	/* read and checked by the form's own rules here, many uploads at
	 * once; only what needs the store waits for the lock (#16) */
	struct loader_read lr;
	int rc = loader_read(&lr, &p->cfg, path, received_at, precheck_submission, &pc);
	if (rc) {
		snprintf(out->error, sizeof out->error, "%s",
			 lr.error[0] ? lr.error : "out of memory reading the file");
		loader_read_release(&lr);
		return done(out, UPLOAD_FAILED);
	}
	if (pc.other) {
		loader_read_release(&lr);
		snprintf(out->error, sizeof out->error,
			 "the file holds another district's figures");
		return done(out, UPLOAD_OTHER_DISTRICT);
	}
	/* one upload of this server at a time, then the store's lock, which
	 * nightly and load take too; both waits are bounded */
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += p->lock_wait;
	if (pthread_mutex_timedlock(&p->upload_lock, &until)) {
		loader_read_release(&lr);
		return done(out, UPLOAD_BUSY);
	}
	struct store *st = NULL;
	enum upload_result result = UPLOAD_FAILED;
	if (store_open(p->store_url, &st, out->error, sizeof out->error))
		goto unlock;
	rc = store_lock(st, p->lock_wait);
	if (rc) {
		if (rc == 1)
			result = UPLOAD_BUSY;
		else
			snprintf(out->error, sizeof out->error, "%s", store_error(st));
		goto close;
	}
	struct first_stored fs = {out, district};
	struct loader ld = {.cfg = &p->cfg, .st = st, .on_submission = on_submission, .ctx = &fs};
	rc = loader_store(&ld, &lr);
	if (rc) {
		snprintf(out->error, sizeof out->error, "%s", ld.error);
		goto close;
	}
	if (out->submissions) {
		struct version_find vf = {p->cfg.districts[district].code, out->sha256, received_at,
					  0};
		if (store_list_versions(st, out->year, out->month, version_match, &vf) < 0) {
			snprintf(out->error, sizeof out->error, "%s", store_error(st));
			goto close;
		}
		out->version = vf.version;
	}
	/* kept as nightly keeps an inbox file: every file handled is kept */
	if (keep_original(p, path, ld.file_rejected ? "rejected" : "processed", out->kept,
			  sizeof out->kept))
		out->kept[0] = 0;
	result = out->submissions ? UPLOAD_STORED : UPLOAD_NOT_STORED;
close:
	store_close(st);
unlock:
	pthread_mutex_unlock(&p->upload_lock);
	loader_read_release(&lr);
	return done(out, result);
}
