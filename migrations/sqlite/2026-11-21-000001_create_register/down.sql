DROP TABLE counters;
DROP TABLE revisions;
DROP TABLE entries;
