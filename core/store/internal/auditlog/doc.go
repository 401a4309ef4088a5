// Package auditlog answers audit searches (store.AuditQuerier) by scanning a
// store's log: the commands sent from outside with a principal, what each
// created and whether it was rejected. Every store shares it. It only reads
// records; it must never write, and never interpret a principal beyond
// matching the query's filters.
package auditlog
