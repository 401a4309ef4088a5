// Command wf-bench drives workload W1 (start → one service task → end)
// against a running wf-engine over its REST API: it creates instances at a
// target or the maximum rate while workers long-poll and complete the jobs,
// for a bounded time, and prints the throughput, create→completed latency
// percentiles and errors as JSON. It must never send traffic anywhere but a
// loopback address, and it always stops by itself.
package main
