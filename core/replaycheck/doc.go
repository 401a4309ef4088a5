// Package replaycheck rebuilds a partition's state from its log and diffs it
// with the stored state. It never writes.
//
// A store whose log and rows disagree would restart into a different state
// than the one its log describes: the crash test, the store contract suite
// and an operator's consistency check (later: `wf-engine check`) use Check
// to prove that they agree byte for byte. After log compaction removed the
// log's beginning, Check replays the archived records when the store reads
// an archive, and otherwise starts from the store's newest checkpoint
// (FromCheckpoint).
package replaycheck
