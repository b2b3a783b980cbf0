-- Per-account rates shared by every instance on one PostgreSQL: bucket4j's token buckets, one row
-- each (an account's queue and exit turns), read and written under SELECT ... FOR UPDATE.
-- id: the throttle key and the limit ("account:<name>|5/1000ms"; an endpoint's key carries only a
-- hash of its token; keys longer than the column are stored as their SHA-256). state: bucket4j's
-- serialised bucket, client clock. Unused on H2 (one instance: the buckets stay in memory).
CREATE TABLE rate_buckets (
    id     VARCHAR(255) NOT NULL PRIMARY KEY,
    state  BYTEA
);
