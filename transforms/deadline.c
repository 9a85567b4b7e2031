/* Deadlines with weekends, holidays and 调休 workdays. */
#include "../core/period.h"
#include "deadline.h"

int deadline_is_workday(const struct jx_config *cfg, int32_t day)
{
	int kind = jx_config_day_kind(cfg, day);
	if (kind == JX_DAY_HOLIDAY)
		return 0;
	if (kind == JX_DAY_WORKDAY)
		return 1;
	return jx_weekday(day) < 5;
}

int32_t deadline_day(const struct jx_config *cfg, int year, int month)
{
	int y = month == 12 ? year + 1 : year, m = month == 12 ? 1 : month + 1;
	int32_t day = jx_days_from_civil(y, m, cfg->deadline_day);
	/* a year has no run of 60 days off; the bound only guards a broken
	 * calendar */
	for (int i = 0; i < 60 && !deadline_is_workday(cfg, day); i++)
		day++;
	return day;
}

int64_t deadline_end(const struct jx_config *cfg, int year, int month)
{
	return jx_time_local_midnight(deadline_day(cfg, year, month) + 1, cfg->timezone);
}
