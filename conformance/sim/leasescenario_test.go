package sim

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var flagFindLease = flag.String("find-lease-scenario", "", "search seeds for a run that reaches the named lease interleaving (see leaseGoals), shrink it and write it to testdata/lease/NAME.txt")

// leaseGoals are the interleavings of lease loss and takeover that issue
// 22 names, kept as scenario files under testdata/lease: each file is a
// run that reaches its goal, and TestLeaseScenarios checks that it still
// does, with no invariant broken.
var leaseGoals = map[string]func(*runner) bool{
	// A holder paused past its lease resumes while a standby holds it:
	// its batch, in which a message correlates, is fenced; the client's
	// retry correlates it once on the new holder.
	"message-correlates-while-the-lease-is-lost": func(r *runner) bool { return r.stats.fencedMessages > 0 && r.stats.takeovers > 0 },
	// A holder pauses in the middle of a commit, holding the lease row;
	// the takeover ends its session once the lease expired, and its
	// engine hears an unknown outcome and finds the batch not written.
	"commit-in-flight-at-takeover": func(r *runner) bool { return r.stats.stallsEnded > 0 && r.stats.takeovers > 0 },
	// A holder whose renewals failed gives its lease up, and a standby
	// takes over.
	"renewals-fail-and-a-standby-takes-over": func(r *runner) bool {
		return r.stats.leaseFaults[leaseRenewFails] > 0 && r.stats.keepLost > 0 && r.stats.takeovers > 0
	},
}

// TestLeaseScenarios replays testdata/lease: each run must still reach
// its goal (its "# goal:" line) with no invariant broken.
func TestLeaseScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/lease/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < len(leaseGoals) {
		t.Errorf("testdata/lease holds %d scenarios for %d goals", len(files), len(leaseGoals))
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			b, err := os.ReadFile(f) // #nosec G304 -- test data path
			if err != nil {
				t.Fatal(err)
			}
			goal := ""
			for _, l := range strings.Split(string(b), "\n") {
				if g, ok := strings.CutPrefix(l, "# goal: "); ok {
					goal = strings.TrimSpace(g)
				}
			}
			reached := leaseGoals[goal]
			if reached == nil {
				t.Fatalf("%s: unknown goal %q", f, goal)
			}
			ops, err := parseScenario(string(b))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			r, v := execute(ops)
			if v != nil {
				t.Fatalf("%s: %v", f, v)
			}
			if !reached(r) {
				t.Fatalf("%s no longer reaches %s (stats %+v)", f, goal, r.stats)
			}
			// Coroutines and two clocks change nothing: the same
			// operations give the same log, byte for byte.
			if a, b := logOf(t, ops), logOf(t, ops); a != b {
				t.Fatalf("%s gave two different logs", f)
			}
		})
	}
}

// TestFindLeaseScenario writes testdata/lease/NAME.txt for
// -find-lease-scenario NAME: the first seed whose run reaches the goal,
// shrunk while it still does.
func TestFindLeaseScenario(t *testing.T) {
	name := *flagFindLease
	if name == "" {
		t.Skip("-find-lease-scenario names no goal")
	}
	reached := leaseGoals[name]
	if reached == nil {
		names := make([]string, 0, len(leaseGoals))
		for n := range leaseGoals {
			names = append(names, n)
		}
		sort.Strings(names)
		t.Fatalf("unknown goal %q; goals: %s", name, strings.Join(names, ", "))
	}
	keep := func(ops []op) bool {
		r, v := execute(ops)
		return v == nil && reached(r)
	}
	for seed := *flagFirst; seed < *flagFirst+200; seed++ {
		ops := generate(seed, *flagRunSteps)
		if !keep(ops) {
			continue
		}
		small := shrinkWhile(ops, keep)
		small, notes := annotate(small)
		var b strings.Builder
		fmt.Fprintf(&b, "# sim lease scenario: shrunk from seed %d (go test ./conformance/sim -run TestFindLeaseScenario -find-lease-scenario %s)\n", seed, name)
		fmt.Fprintf(&b, "# goal: %s\n", name)
		b.WriteString("# replay: go test ./conformance/sim -run TestLeaseScenarios\n")
		for i, o := range small {
			b.WriteString(opLine(o, notes[i]))
		}
		path := filepath.Join("testdata", "lease", name+".txt")
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d reaches %s; shrunk to %d operations, written to %s", seed, name, len(small), path)
		return
	}
	t.Fatalf("no seed from %d on reaches %s", *flagFirst, name)
}

// shrinkWhile shortens ops while keep holds: the shortest prefix first
// (binary search), then chunks of halving size, then single operations.
func shrinkWhile(ops []op, keep func([]op) bool) []op {
	lo, hi := 1, len(ops)
	for lo < hi {
		mid := (lo + hi) / 2
		if keep(ops[:mid]) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	cur := ops[:hi]
	tries := 0
	for chunk := len(cur) / 2; chunk >= 1 && tries < shrinkBudget; chunk /= 2 {
		for i := 0; i+chunk <= len(cur) && tries < shrinkBudget; {
			cand := append(append([]op(nil), cur[:i]...), cur[i+chunk:]...)
			tries++
			if keep(cand) {
				cur = cand
				continue
			}
			i += chunk
		}
	}
	return cur
}
