// Package engine is the kernel's processing loop. A Processor turns one
// command into the events it causes, applying each event to the state as it
// is written; an Engine owns a partition: it takes commands in batches from
// one goroutine, commits each batch to the store in one transaction, and only
// then answers callers, wakes job long-polls and re-arms timers. Nothing in
// command processing reads the wall clock, does I/O or iterates maps unsorted.
package engine
