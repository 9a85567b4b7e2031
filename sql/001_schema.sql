-- jianxi store, schema version 1: every version of every (district, period)
-- submission, with its figures, unit rows (each value with the cell it came
-- from) and findings. jianxi applies this itself, in one transaction under an
-- advisory lock, and records it in schema_version; do not run it by hand.

-- One row per loaded file per (district, period): accepted and rejected
-- versions alike, never updated or deleted. i1..i14 are the district's
-- figures (the 合计 row, or the sum of the unit rows); i14 is in yuan
-- (1 万元 = 10000). For each indicator, ok[n] is false when the value is not
-- valid (its cell had a T finding) and src_row[n]/src_col[n] name the sheet
-- cell it came from (0 when derived).
CREATE TABLE submission (
	id            bigserial   PRIMARY KEY,
	district_code text        NOT NULL,
	year          integer     NOT NULL CHECK (year BETWEEN 1 AND 9999),
	month         integer     NOT NULL CHECK (month BETWEEN 1 AND 12),
	version       integer     NOT NULL CHECK (version >= 1),
	status        text        NOT NULL CHECK (status IN ('accepted', 'rejected')),
	received_at   timestamptz NOT NULL,
	loaded_at     timestamptz NOT NULL DEFAULT now(),
	file          text        NOT NULL,
	sheet         text,       -- NULL for CSV files
	sha256        text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	errors        bigint      NOT NULL CHECK (errors >= 0),
	warnings      bigint      NOT NULL CHECK (warnings >= 0),
	dropped       bigint      NOT NULL DEFAULT 0 CHECK (dropped >= 0),
	i1 bigint NOT NULL, i2 bigint NOT NULL, i3 bigint NOT NULL,
	i4 bigint NOT NULL, i5 bigint NOT NULL, i6 bigint NOT NULL,
	i7 bigint NOT NULL, i8 bigint NOT NULL, i9 bigint NOT NULL,
	i10 bigint NOT NULL, i11 bigint NOT NULL, i12 bigint NOT NULL,
	i13 bigint NOT NULL, i14 bigint NOT NULL,
	ok            boolean[]   NOT NULL CHECK (cardinality(ok) = 14),
	src_row       bigint[]    NOT NULL CHECK (cardinality(src_row) = 14),
	src_col       bigint[]    NOT NULL CHECK (cardinality(src_col) = 14),
	UNIQUE (district_code, year, month, version),
	UNIQUE (district_code, year, month, sha256)
);
CREATE INDEX submission_period ON submission (year, month);
CREATE INDEX submission_sha256 ON submission (sha256);

-- The unit rows (项目) of a version in file order, ord 1, 2, ..., with
-- their values as in submission.
CREATE TABLE unit_row (
	submission_id bigint    NOT NULL REFERENCES submission (id),
	ord           integer   NOT NULL CHECK (ord >= 1),
	name          text      NOT NULL,
	is_total      boolean   NOT NULL,   -- the 合计 row
	row_no        bigint    NOT NULL,   -- sheet row, 1-based
	i1 bigint NOT NULL, i2 bigint NOT NULL, i3 bigint NOT NULL,
	i4 bigint NOT NULL, i5 bigint NOT NULL, i6 bigint NOT NULL,
	i7 bigint NOT NULL, i8 bigint NOT NULL, i9 bigint NOT NULL,
	i10 bigint NOT NULL, i11 bigint NOT NULL, i12 bigint NOT NULL,
	i13 bigint NOT NULL, i14 bigint NOT NULL,
	ok            boolean[] NOT NULL CHECK (cardinality(ok) = 14),
	src_row       bigint[]  NOT NULL CHECK (cardinality(src_row) = 14),
	src_col       bigint[]  NOT NULL CHECK (cardinality(src_col) = 14),
	PRIMARY KEY (submission_id, ord)
);

-- What the checks found, in the order found; columns as the findings CSV.
CREATE TABLE finding (
	submission_id bigint   NOT NULL REFERENCES submission (id),
	ord           integer  NOT NULL CHECK (ord >= 1),
	rule          text     NOT NULL,
	severity      text     NOT NULL CHECK (severity IN ('error', 'warning')),
	file          text,
	sheet         text,
	row_no        bigint   NOT NULL,   -- 0 = not applicable
	col_no        bigint   NOT NULL,
	district_code text,
	district_name text,
	period        text,
	indicator     smallint NOT NULL,   -- 0 = not applicable
	value         text,
	message       text     NOT NULL,
	PRIMARY KEY (submission_id, ord)
);

-- The version in force of each (district, period): the accepted version
-- received last, then the highest version. Its i1..i14 are what counts.
CREATE VIEW submission_in_force AS
SELECT DISTINCT ON (district_code, year, month) *
FROM submission
WHERE status = 'accepted'
ORDER BY district_code, year, month, received_at DESC, version DESC;
