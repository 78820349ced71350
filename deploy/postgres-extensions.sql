-- Run once by the postgres image on a new data directory, in the reservations database.
-- The migrations create them too (IF NOT EXISTS); doing it here as the superuser means
-- the application role would not need to be one.
-- btree_gist: the exclusion constraint that refuses overlapping table allocations.
CREATE EXTENSION IF NOT EXISTS btree_gist;
-- pg_trgm: trigram indexes behind guest search.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
