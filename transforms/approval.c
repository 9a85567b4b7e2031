/* Rule A1: files that arrive for an approved month. */
#include "approval.h"
#include "../core/period.h"
#include <stdio.h>
#include <string.h>

void approval_time_text(int64_t t, const char *tz, char *buf, size_t size)
{
	char iso[40];
	jx_time_format(t, tz, iso, sizeof iso);
	/* "2023-10-10T15:04:05+08:00" -> "2023-10-10 15:04" */
	snprintf(buf, size, "%.10s %.5s", iso, iso + 11);
}

void approval_check(struct jx_submission *s, const struct jx_config *cfg,
		    const struct approval_lock *lock)
{
	char when[40];
	approval_time_text(lock->at, cfg->timezone, when, sizeof when);
	struct jx_loc loc = jx_submission_loc(s);
	jx_findings_add(&s->findings, JX_A1, &loc, 0, NULL,
			"%d年%d月的数据已由%s于%s审核确认并锁定（第%d次审核，审核人：%s）。"
			"本文件已留存备查，但不计入汇总。如需更正本月数据，请联系%s的统计人员"
			"重新开放该月后再次报送",
			s->year, s->month, cfg->city, when, lock->number,
			lock->by && *lock->by ? lock->by : "未记录", cfg->city);
}
