-- jianxi store, schema version 4: the reports read a year's versions in one
-- query (store_in_force). This index hands them over in the order that query
-- asks for: by period, district code (byte order), then the version in force
-- first (accepted, received last, then the highest version). jianxi applies
-- this itself.
CREATE INDEX submission_year_in_force
	ON submission (year, month, district_code COLLATE "C", (status = 'accepted') DESC,
		       received_at DESC, version DESC);
