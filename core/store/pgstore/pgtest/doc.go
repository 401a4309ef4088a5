// Package pgtest gives a test its own PostgreSQL schema in the database
// named by WF_TEST_POSTGRES_URL, so that test binaries can share one
// database. It is test support: production code must never import it.
package pgtest
