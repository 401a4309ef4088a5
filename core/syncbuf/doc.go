// Package syncbuf is a byte buffer that several goroutines may write and
// read at once: the output of a child process, or a logger's, collected by a
// test while the code under test still writes to it. It is for tests and
// tools; it must never sit on a request or commit path (every call takes a
// lock) and never grow without bound in a long-running process.
package syncbuf
