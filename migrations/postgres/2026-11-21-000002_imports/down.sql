DROP INDEX revisions_import;
DROP TABLE imports;
