-- jianxi store, schema version 2: a delivery is a file received at a time.
-- The same file sent again later is a new delivery, checked again and, when
-- accepted and received last, in force (A, then B, then A again leaves A in
-- force); the same delivery loaded twice (a night run again, a run resumed
-- after a crash) is still stored once. jianxi applies this itself.
ALTER TABLE submission DROP CONSTRAINT submission_district_code_year_month_sha256_key;
CREATE UNIQUE INDEX submission_delivery
	ON submission (district_code, year, month, sha256, received_at);
