package crashtest

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/example/wf-engine/core/store"
)

// childTimeout bounds a child's life: a child still running then is
// killed, but not counted as killed by its test.
const childTimeout = 90 * time.Second

// killChild starts this test binary as a child that runs the tests
// matching run ("^$": none, for the children that TestMain or init start)
// with env added to its environment, passes each line the child prints to
// line, and kills the child with SIGKILL the first time line returns true.
// It reads the child's output to its end (lines printed before the child
// died were acknowledged too) and waits for it; it returns whether it
// killed the child and what Wait returned.
func killChild(t *testing.T, run string, env []string, line func(string) bool) (killed bool, err error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run="+run) // #nosec G204 -- the test binary itself
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(childTimeout, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	waited := false
	defer func() {
		if !waited { // line failed the test: the child must not outlive it
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if line(sc.Text()) && !killed {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	waited = true
	return killed, err
}

// mustOpen opens the store a parent checks the way a restart would, with
// the log archive a when it is not nil; the caller closes it.
func mustOpen(t *testing.T, kind, target string, a store.LogArchive) store.Store {
	t.Helper()
	s, err := openStore(context.Background(), kind, target, a)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
