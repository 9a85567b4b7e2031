/* The reporting deadline of a period: day deadline_day of the following
 * month, moved to the next working day when it is not one (遇节假日顺延).
 * Working days are Monday-Friday less calendar holidays plus calendar
 * workdays (调休上班日). */
#ifndef TRANSFORMS_DEADLINE_H
#define TRANSFORMS_DEADLINE_H

#include <stdint.h>
#include "../core/config.h"

/* 1 when day (days since 1970-01-01) is a working day. */
int deadline_is_workday(const struct jx_config *cfg, int32_t day);

/* The deadline day of period year-month, as days since 1970-01-01. */
int32_t deadline_day(const struct jx_config *cfg, int year, int month);

/* Unix seconds of the end of the deadline day in the city's time zone: a
 * file received before this is on time. */
int64_t deadline_end(const struct jx_config *cfg, int year, int month);

#endif
