// Command wf-bench drives a running wf-engine over its REST API with one of
// the workloads W1–W6 (-workload): W1 one service task, W2 ten in
// sequence, W3 a parallel fork of five with a join, W4 message
// correlation, W5 timers due within one minute, W6 user tasks searched,
// assigned and completed. It creates instances at a target or the
// maximum rate while workers complete the jobs and tasks, for a bounded
// time, and prints the throughput, latency percentiles and errors as JSON.
// `wf-bench soak` runs W1 and W6 together at a fixed rate for up to a few
// hours and writes a JSON line per interval with the engine's memory,
// goroutines and database size. `wf-bench seed` fills a store with
// completed and running W1 instances, `wf-bench searches` times the
// documented searches on it, and `wf-bench sizes` seeds a fresh store and
// reports its bytes per completed instance, table by table, before and
// after log compaction. It must never send traffic anywhere but a
// loopback address, and it always stops by itself.
package main
