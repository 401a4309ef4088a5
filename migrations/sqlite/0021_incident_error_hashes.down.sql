DROP TABLE IF EXISTS incident_error_hashes;
