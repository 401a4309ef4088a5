package sim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// opKind is what one step of a run does.
type opKind uint8

// Operations; their names appear in scenario files.
const (
	opStep         opKind = iota + 1 // the engine runs a batch
	opFlush                          // the engine commits a pipelined batch
	opClock                          // the clock jumps forward by a ms
	opCrash                          // the node crashes and restarts from the store
	opFault                          // the store's next commit gets fault a
	opPipeline                       // the engine pipelines (a odd) or not
	opCreate                         // create an instance of process a
	opActivate                       // activate jobs of type a
	opComplete                       // complete job a
	opFail                           // fail job a with b retries
	opThrow                          // throw an error on job a
	opRetries                        // update the retries of job a
	opResolve                        // resolve incident a
	opCompleteTask                   // complete user task a
	opPublish                        // publish a message to subscription a
	opCorrelate                      // correlate a message to subscription a
	opCancel                         // cancel instance a
	opSetVars                        // set variables on instance a
	opInvalid                        // an invalid command of kind a
	opRetry                          // retry unanswered idempotent request a
	opEncode                         // the store keeps its log encoded (a odd) or the engine's records
	opSignal                         // broadcast a signal some subscription waits for
	opBatch                          // the node restarts with batches of up to a%64+1 commands
	opLongPoll                       // a worker long-polls for jobs of a type picked by a (clients_test.go)
	opAwait                          // create an instance of process a and await its end (awaitCompletion)
	opRead                           // read the state between two batches (engine.Read) and search the store
	opNodes                          // the run has a%2+2 nodes (lease_test.go)
	opLease                          // the holder gets lease fault a (lease_test.go)
	opMerge                          // the engine runs a batch into the one waiting for the committer
	opCount
)

var opNames = [...]string{"", "step", "flush", "clock", "crash", "fault", "pipeline", "create", "activate", "complete",
	"fail", "throw", "retries", "resolve", "complete-task", "publish", "correlate", "cancel", "set-vars", "invalid", "retry", "encode", "signal", "batch",
	"long-poll", "create-await", "read", "nodes", "lease", "merge"}

// netMode is what the simulated network does with a client's request.
type netMode uint8

// Network behaviours; their names appear in scenario files.
const (
	netOK         netMode = 0
	netDelay      netMode = 1 // delivered b%3+1 steps later
	netDrop       netMode = 2 // never delivered
	netDup        netMode = 3 // delivered twice
	netDropAnswer netMode = 4 // delivered, its answer lost
	netCount              = 5
)

var netNames = [...]string{"ok", "delay", "drop", "dup", "drop-answer"}

// op is one step of a run. Its picks (a, b) choose targets among what the
// engine's state holds when the step runs, so that removing steps (the
// shrinker) leaves the rest meaningful.
type op struct {
	kind opKind
	a, b uint32
	net  netMode
	idem bool // sent with an Idempotency-Key
	// model names the file a create that deploys deploys, instead of
	// picking it among models() by b: scenario files name it, so that a
	// new fixture or the corpus's presence does not change what they run.
	model string
}

func (o op) client() bool {
	return o.kind >= opCreate && o.kind != opRetry && o.kind != opEncode && o.kind != opBatch && o.kind != opNodes && o.kind != opLease
}

// networked reports whether the simulated network carries the op's
// request (the long polls, awaiting creates and reads talk to the engine
// directly; crashes cut them).
func (o op) networked() bool { return o.client() && o.kind < opLongPoll }

func (o op) String() string {
	s := fmt.Sprintf("%s a=%d b=%d", opNames[o.kind], o.a, o.b)
	if o.net != netOK {
		s += " net=" + netNames[o.net]
	}
	if o.idem {
		s += " idem"
	}
	if o.model != "" {
		s += " model=" + strings.ReplaceAll(o.model, " ", "%20")
	}
	return s
}

func parseOp(line string) (op, error) {
	if i := strings.Index(line, "#"); i >= 0 {
		line = line[:i] // a note on what the operation did
	}
	f := strings.Fields(line)
	if len(f) == 0 {
		return op{}, fmt.Errorf("empty operation")
	}
	var o op
	for k, n := range opNames {
		if n != "" && n == f[0] {
			o.kind = opKind(k)
		}
	}
	if o.kind == 0 {
		return op{}, fmt.Errorf("unknown operation %q", f[0])
	}
	for _, w := range f[1:] {
		k, v, _ := strings.Cut(w, "=")
		switch k {
		case "a", "b":
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return op{}, fmt.Errorf("operation %q: %s: %w", line, k, err)
			}
			if k == "a" {
				o.a = uint32(n)
			} else {
				o.b = uint32(n)
			}
		case "net":
			found := false
			for i, n := range netNames {
				if n == v {
					o.net, found = netMode(i), true
				}
			}
			if !found {
				return op{}, fmt.Errorf("operation %q: unknown net %q", line, v)
			}
		case "idem":
			o.idem = true
		case "model":
			o.model = strings.ReplaceAll(v, "%20", " ")
		default:
			return op{}, fmt.Errorf("operation %q: unknown field %q", line, k)
		}
	}
	return o, nil
}

// weights of the operations a generated run draws.
var weights = []struct {
	k opKind
	w int
}{
	{opStep, 30}, {opFlush, 2}, {opClock, 4}, {opCrash, 1}, {opFault, 3}, {opPipeline, 1},
	{opCreate, 12}, {opActivate, 10}, {opComplete, 10}, {opFail, 3}, {opThrow, 2}, {opRetries, 2},
	{opResolve, 3}, {opCompleteTask, 4}, {opPublish, 5}, {opCorrelate, 2}, {opCancel, 2},
	{opSetVars, 2}, {opInvalid, 2}, {opRetry, 2}, {opSignal, 1},
	{opLongPoll, 2}, {opAwait, 3}, {opRead, 1}, {opLease, 1}, {opMerge, 8},
}

// generate returns the operations of seed's run: n steps.
func generate(seed uint64, n int) []op {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	total := 0
	for _, w := range weights {
		total += w.w
	}
	ops := make([]op, 0, n)
	// Half the runs keep the log encoded, as durable stores do.
	ops = append(ops, op{kind: opEncode, a: rng.Uint32() % 2}, op{kind: opBatch, a: rng.Uint32() % 64}, op{kind: opNodes, a: rng.Uint32() % 2})
	// Every run may take a different pipelining, fault and chaos mix.
	chaos := rng.IntN(4) // 0: calm network ... 3: rough
	for len(ops) < n {
		x := rng.IntN(total)
		var k opKind
		for _, w := range weights {
			if x < w.w {
				k = w.k
				break
			}
			x -= w.w
		}
		o := op{kind: k, a: rng.Uint32(), b: rng.Uint32()}
		switch k {
		case opClock:
			// Mostly small steps, sometimes a jump of hours.
			switch rng.IntN(10) {
			case 0:
				o.a = uint32(rng.IntN(48)+1) * 3600_000
			case 1, 2:
				o.a = uint32(rng.IntN(600)+1) * 1000
			default:
				o.a = uint32(rng.IntN(5000) + 1)
			}
		case opFault:
			o.a = uint32(rng.IntN(faultCount-1) + 1)
		case opLease:
			o.a = uint32(rng.IntN(leaseFaultCount))
		}
		if o.client() {
			o.idem = rng.IntN(3) == 0
			if rng.IntN(8) < chaos && o.networked() {
				o.net = netMode(rng.IntN(netCount-1) + 1)
			}
			if o.kind == opLongPoll || o.kind == opRead {
				o.idem = false
			}
		}
		ops = append(ops, o)
	}
	return ops
}
