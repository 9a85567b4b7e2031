-- jianxi store, schema version 6: the portal's accounts (#16). A password
-- is kept only as its Argon2id hash (libsodium crypto_pwhash_str); a district
-- account sees its own district, a city account every district. Independent
-- of the other tables. jianxi applies this itself.
CREATE TABLE portal_user (
	name          text        PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9_@][A-Za-z0-9._@-]{0,62}$'),
	role          text        NOT NULL CHECK (role IN ('district', 'city')),
	district_code text,       -- NULL for the city
	password_hash text        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
	created_at    timestamptz NOT NULL,
	changed_at    timestamptz NOT NULL,
	disabled      boolean     NOT NULL DEFAULT false,
	CHECK ((role = 'city') = (district_code IS NULL))
);
