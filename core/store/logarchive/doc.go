// Package logarchive writes the command log segments that log compaction
// removes into files and reads them back: ReadArchived for ReadLog, the
// history view, audit searches and replaycheck, and Verify for the audit
// hash chain. It never writes to a store, and it never trusts a file: a
// damaged or truncated file is an error, never a panic or an allocation
// larger than the file.
//
// Format: one file per compaction batch, named
// log-<first position>-<last position>.wfa (20 digits each), written to a
// temporary file, fsynced, renamed into place and the directory fsynced,
// mode 0600. The file is the magic "WFLOGAR1", the number of segments
// (uvarint), then per segment its first and last positions, its record
// count, its chain hash and its stored data (each a uvarint, the byte
// strings length-prefixed), then the CRC-32C (Castagnoli, little endian)
// of everything before it. The data are the segments' own bytes as the
// store kept them, already S2-compressed (tables.EncodeSegment), so the
// archive is not compressed again.
//
// Torn writes: a crash while a file is written leaves at most a temporary
// file (".log-*.tmp"), which readers ignore; compaction deletes the
// segments from the store only after the file is durable, so the next run
// archives them again. A file cut short under its final name (a file
// system that lost data it had acknowledged, a copy cut short) fails its
// checksum: reading it is an error naming the file, unless a later file
// holds all of its positions (the same range written again), which is
// read instead.
package logarchive
