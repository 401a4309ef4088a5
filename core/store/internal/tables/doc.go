// Package tables describes the log and state tables of the durable stores
// and converts records and state rows to and from their columns, so that
// sqlitestore and pgstore write and read exactly the same thing. It builds
// values and SQL text only; it never talks to a database.
package tables
