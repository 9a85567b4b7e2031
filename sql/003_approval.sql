-- jianxi store, schema version 3: the city's sign-off of a month. Every
-- approval and reopening is one event, never updated or deleted; an
-- approval keeps what it signed off, one line per configured district.

-- The month's history in order (seq 1, 2, ...). approval numbers the
-- approvals of the month; a reopening carries the number it undid. The
-- month is locked when its last event is 'approved'.
CREATE TABLE approval_event (
	id            bigserial   PRIMARY KEY,
	year          integer     NOT NULL CHECK (year BETWEEN 1 AND 9999),
	month         integer     NOT NULL CHECK (month BETWEEN 1 AND 12),
	seq           integer     NOT NULL CHECK (seq >= 1),
	kind          text        NOT NULL CHECK (kind IN ('approved', 'reopened')),
	approval      integer     NOT NULL CHECK (approval >= 1),
	at            timestamptz NOT NULL,
	by_user       text        NOT NULL,
	note          text        NOT NULL DEFAULT '',   -- a reopening's reason
	UNIQUE (year, month, seq)
);

-- What an approval signed off: each district's state, the version in force
-- and its figures (i14 in yuan; all 0 unless accepted).
CREATE TABLE approval_line (
	event_id      bigint  NOT NULL REFERENCES approval_event (id),
	ord           integer NOT NULL CHECK (ord >= 1),
	district_code text    NOT NULL,
	state         text    NOT NULL CHECK (state IN ('accepted', 'missing', 'rejected')),
	left_out      boolean NOT NULL,   -- named in --allow-missing
	version       integer NOT NULL CHECK (version >= 0),
	i1 bigint NOT NULL, i2 bigint NOT NULL, i3 bigint NOT NULL,
	i4 bigint NOT NULL, i5 bigint NOT NULL, i6 bigint NOT NULL,
	i7 bigint NOT NULL, i8 bigint NOT NULL, i9 bigint NOT NULL,
	i10 bigint NOT NULL, i11 bigint NOT NULL, i12 bigint NOT NULL,
	i13 bigint NOT NULL, i14 bigint NOT NULL,
	PRIMARY KEY (event_id, ord)
);
