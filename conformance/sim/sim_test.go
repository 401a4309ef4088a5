package sim

import (
	"cmp"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	flagSeed     = flag.Uint64("seed", 0, "run only this seed (reproduces a failure exactly)")
	flagSteps    = flag.Int("steps", 0, "simulated steps TestSim runs in all, over as many seeds as it takes (default 20,000, 2,000 under -race; make test-sim runs 1,000,000)")
	flagRunSteps = flag.Int("run-steps", 2000, "steps of one seed's run")
	flagDuration = flag.Duration("duration", 0, "run seeds for this long instead of -steps (make sim)")
	flagFirst    = flag.Uint64("first-seed", 1, "the first seed TestSim runs")
	flagParallel = flag.Int("parallel-seeds", runtime.GOMAXPROCS(0), "seeds run side by side")
	flagOut      = flag.String("scenario-out", "", "where a failing run's shrunk scenario is written (default: the test's temporary folder)")
	flagAnnotate = flag.Bool("annotate", false, "TestScenarios rewrites each regression file with the models its deployments took (model=) and notes on what each operation did")
)

// TestSim runs seeds one after the other until -steps simulated steps
// (or -duration) are done, and fails with the first broken invariant: its
// seed, its step and a shrunk scenario file.
func TestSim(t *testing.T) {
	if testing.Short() && *flagSeed == 0 {
		t.Skip("the simulator's budget run is not short")
	}
	if *flagSeed != 0 {
		ops := generate(*flagSeed, *flagRunSteps)
		start := time.Now()
		r, v := execute(ops)
		if v != nil {
			fail(t, *flagSeed, ops, v)
			return
		}
		report(t, len(ops), 1, *flagSeed, time.Since(start), r.stats)
		return
	}
	budget := *flagSteps
	switch {
	case budget > 0:
	case raceEnabled:
		budget = raceSteps
	default:
		budget = defaultSteps
	}
	// The seeds' runs are independent: they run side by side, each on one
	// goroutine, and the set of seeds a budget runs is fixed.
	seeds := uint64(max(1, (budget+*flagRunSteps-1) / *flagRunSteps))
	first := *flagFirst
	var (
		mu       sync.Mutex
		next     = first
		stop     bool
		steps    int
		ran      int
		total    stats
		failures []failure
		wg       sync.WaitGroup
	)
	start := time.Now()
	take := func() (uint64, bool) {
		mu.Lock()
		defer mu.Unlock()
		if stop || (*flagDuration == 0 && next >= first+seeds) || (*flagDuration > 0 && time.Since(start) >= *flagDuration) {
			return 0, false
		}
		next++
		return next - 1, true
	}
	for range max(1, *flagParallel) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				seed, ok := take()
				if !ok {
					return
				}
				ops := generate(seed, *flagRunSteps)
				r, v := execute(ops)
				mu.Lock()
				if v != nil {
					failures = append(failures, failure{seed, ops, v})
					stop = true
				} else {
					steps += len(ops)
					ran++
					total.add(r.stats)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		slices.SortFunc(failures, func(a, b failure) int { return cmp.Compare(a.seed, b.seed) })
		f := failures[0]
		fail(t, f.seed, f.ops, f.v)
		return
	}
	report(t, steps, ran, first, time.Since(start), total)
}

// failure is a seed whose run broke an invariant.
type failure struct {
	seed uint64
	ops  []op
	v    *violation
}

// report logs what the runs did and how fast.
func report(t *testing.T, steps, seeds int, first uint64, took time.Duration, total stats) {
	t.Helper()
	t.Logf("sim: %d steps over %d seeds (%d to %d) in %s: %.0f steps/s", steps, seeds, first, first+uint64(seeds)-1, took.Round(time.Millisecond), float64(steps)/took.Seconds())
	t.Logf("sim: %d store faults, %d crashes and restarts, %d records committed; answers: %d acknowledged, %d rejected, %d replayed by idempotency key, %d failed (retried when keyed); %d keyed requests given up",
		total.faults, total.restarts, total.records, total.acked, total.rejected, total.replayed, total.failedAnswers, total.lost)
	reasons := slices.Sorted(maps.Keys(total.gaveUp))
	for _, why := range reasons {
		t.Logf("sim: %d keyed requests given up after three retries at the end of their run, the last because %s", total.gaveUp[why], why)
	}
	t.Logf("sim: long polls: %d answered with jobs, %d woken to activate again, %d parked by the engine, %d timed out, %d errors, %d cut by crashes; awaited creates: %d ends delivered after their commit, %d ended within the creation, %d read from the store (a replayed create), %d refused, %d still running; reads: %d answered and compared with the store, %d refused",
		total.pollJobs, total.pollWakes, total.pollParked, total.pollTimeouts, total.pollErrors, total.pollsCut,
		total.awaitEnds, total.awaitWithin, total.awaitStored, total.awaitRefused, total.awaitRunning, total.reads, total.readsRefused)
	lf := total.leaseFaults
	t.Logf("sim: lease faults: %d pauses, %d commits stalled holding the lease row (%d ended by a takeover), %d renewal failures (%d failed renewals), %d kills, %d clean stops; %d takeovers, %d Keeps gave the lease up, %d leases released, %d commits fenced by their epoch (%d with a message correlating), %d requests answered 503 while no node served",
		lf[leasePause], lf[leaseStall], total.stallsEnded, lf[leaseRenewFails], total.renewalsFailed, lf[leaseKill], lf[leaseStop],
		total.takeovers, total.keepLost, total.released, total.fencedCommits, total.fencedMessages, total.unserved)
}

// TestSim's budgets when -steps does not say: a plain go test, and one
// under the race detector (about ten times slower).
const (
	defaultSteps = 20_000
	raceSteps    = 2_000
)

// fail reports a broken invariant with its seed and step, shrinks the run
// and writes the shrunk operations as a scenario file.
func fail(t *testing.T, seed uint64, ops []op, v *violation) {
	t.Helper()
	t.Errorf("seed %d: %v\nreproduce: go test ./conformance/sim -run 'TestSim$' -seed %d -run-steps %d", seed, v, seed, len(ops))
	small, sv := shrink(ops, v)
	small, notes := annotate(small)
	text := renderScenario(seed, small, sv, notes)
	dir := *flagOut
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("seed-%d.txt", seed))
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatalf("write scenario: %v", err)
	}
	t.Errorf("shrunk to %d operations (%v), written to %s:\n%s", len(small), sv, path, text)
}

// TestScenarios replays the scenario files of testdata/regressions: each
// is a shrunk run that once broke an invariant and must not any more.
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/regressions/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			b, err := os.ReadFile(f) // #nosec G304 -- test data path
			if err != nil {
				t.Fatal(err)
			}
			ops, err := parseScenario(string(b))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if *flagAnnotate {
				annotated, notes := annotate(ops)
				if err := os.WriteFile(f, []byte(reannotate(string(b), annotated, notes)), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if v := run(ops); v != nil {
				t.Fatalf("%s: %v", f, v)
			}
		})
	}
}

// TestShortSeeds runs a few seeds in every test run (also under -short
// and -race), so that the simulator itself stays working.
func TestShortSeeds(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		ops := generate(seed, 300)
		if v := run(ops); v != nil {
			fail(t, seed, ops, v)
		}
	}
}

// TestDeterministic runs one seed twice: the same operations must give
// the same log, byte for byte.
func TestDeterministic(t *testing.T) {
	ops := generate(7, 400)
	a, b := logOf(t, ops), logOf(t, ops)
	if a != b {
		t.Fatal("one seed gave two different logs")
	}
}

// TestNotImportedByProduction proves that no command of the module
// depends on the simulator.
func TestNotImportedByProduction(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-e", "-deps", "../../cmd/...").CombinedOutput() // #nosec G204 -- fixed arguments
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasSuffix(p, "/conformance/sim") || strings.Contains(p, "/conformance/sim/") {
			t.Fatalf("%s is a dependency of a command", p)
		}
	}
	if !strings.Contains(string(out), "github.com/example/wf-engine/core/engine") {
		t.Fatalf("go list printed no engine package; the check proves nothing:\n%.500s", out)
	}
	// Nor does production code drive an engine step by step.
	err = filepath.WalkDir("../..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || strings.HasSuffix(p, filepath.Join("core", "engine", "stepper.go")) {
			return nil
		}
		b, err := os.ReadFile(p) // #nosec G304 -- walks the module's own files
		if err != nil {
			return err
		}
		if strings.Contains(string(b), "StartStepped(") {
			return fmt.Errorf("%s calls engine.StartStepped outside a test", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
