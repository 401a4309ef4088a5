package host

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/example/wf-engine/conformance/connectors/check"
	"github.com/example/wf-engine/sdk/connector"
)

// restartDeadline bounds how long Check waits for a killed plugin to be
// restarted and to answer again.
const restartDeadline = 30 * time.Second

// Check runs the checks that need no knowledge of the connector against the
// plugin binary at path, and prints one line per check, PASS or FAIL, to
// out:
//
//	start     the binary starts and completes the handshake
//	describe  the descriptor is valid and the same on every call
//	input     nil and empty input get an answer (a result or an error) and
//	          do not crash the plugin
//	cancel    an already cancelled context gives a context error promptly
//	parallel  concurrent Describe and Execute calls all get answers
//	restart   after its process is killed, the host restarts the plugin and
//	          it answers again
//
// It returns an error when any check fails. The binary's own SHA-256 is
// trusted (it is the one being checked); its environment is empty. The
// plugin's log is printed after the checks when one failed.
func Check(ctx context.Context, path string, out io.Writer) error {
	logs := &boundedBuffer{max: 32 << 10}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	r := &report{out: out}
	err := runChecks(ctx, path, log, r)
	if r.failed > 0 && logs.Len() > 0 {
		_, _ = fmt.Fprintf(out, "plugin log:\n%s", logs.String())
	}
	if err != nil {
		return err
	}
	if r.failed > 0 {
		return fmt.Errorf("plugin %s: %d of %d checks failed", path, r.failed, r.total)
	}
	return nil
}

func runChecks(ctx context.Context, path string, log *slog.Logger, r *report) error {
	name := filepath.Base(path)
	sum, err := fileSHA256(path)
	if err != nil {
		r.fail("start", fmt.Errorf("read %s: %w", path, err))
		return nil
	}
	h, err := Start(ctx, []PluginConfig{{Name: name, Path: path, SHA256: hex.EncodeToString(sum)}}, log,
		WithHealthInterval(200*time.Millisecond), WithRestartBackoff(50*time.Millisecond, time.Second),
		WithStartTimeout(time.Minute), func(o *options) { o.skipDescriptorCheck = true })
	if err != nil {
		r.fail("start", err)
		return nil
	}
	defer func() { _ = h.Close() }()
	p := h.procs[0]
	inst, _ := p.current()
	r.pass("start", fmt.Sprintf("%s started (pid %d), protocol %d", path, inst.pid(), connector.ProtocolVersion))
	c := h.Connectors()[0]

	r.check("describe", func() (string, error) {
		inst, err := runningNow(ctx, p)
		if err != nil {
			return "", err
		}
		live, err := inst.conn.DescribeContext(ctx)
		if err != nil {
			return "", err
		}
		if !reflect.DeepEqual(live, c.Describe()) {
			return "", fmt.Errorf("descriptor changed between two calls: %+v, then %+v", c.Describe(), live)
		}
		if err := check.Describe(c); err != nil {
			return "", err
		}
		d := c.Describe()
		return fmt.Sprintf("%s %s, job types %s", d.ID, d.Version, strings.Join(d.JobTypes, ", ")), nil
	})
	r.check("input", func() (string, error) {
		inst, err := runningNow(ctx, p)
		if err != nil {
			return "", err
		}
		answers, err := check.EmptyInput(ctx, c)
		if err != nil {
			return "", err
		}
		return answers, stillRunning(ctx, p, inst)
	})
	r.check("cancel", func() (string, error) {
		return "a cancelled call returned a context error", check.Cancelled(ctx, c, map[string]any{}, check.DefaultBound)
	})
	r.check("parallel", func() (string, error) {
		const n = 16
		inst, err := runningNow(ctx, p)
		if err != nil {
			return "", err
		}
		anyAnswer := func(connector.Result, error) error { return nil }
		var wg sync.WaitGroup
		errs := make([]error, n+1)
		for i := range n {
			wg.Go(func() {
				if _, err := inst.conn.DescribeContext(ctx); err != nil {
					errs[i] = fmt.Errorf("describe %d: %w", i, err)
				}
			})
		}
		wg.Go(func() { errs[n] = check.Concurrent(ctx, c, map[string]any{}, n, anyAnswer) })
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return "", err
		}
		return fmt.Sprintf("%d Describe calls to the plugin and %d Execute calls at once all answered", n, n), stillRunning(ctx, p, inst)
	})
	r.check("restart", func() (string, error) { return checkRestart(ctx, p, c) })
	return nil
}

// runningNow returns the running instance, waiting a while if an earlier
// check crashed the plugin and the host is restarting it.
func runningNow(ctx context.Context, p *proc) (*instance, error) {
	ctx, cancel := context.WithTimeout(ctx, restartDeadline)
	defer cancel()
	return p.running(ctx)
}

// stillRunning fails when the plugin process was replaced or stopped
// answering since inst started.
func stillRunning(ctx context.Context, p *proc, inst *instance) error {
	cur, _ := p.current()
	if cur != inst || inst.client.Exited() || !p.healthy(ctx, inst) {
		return errors.New("the plugin process stopped (crashed?) during the check")
	}
	return nil
}

// checkRestart kills the plugin process and waits for the host to restart
// it and for the new process to answer Describe and Execute.
func checkRestart(ctx context.Context, p *proc, c connector.Connector) (string, error) {
	inst, before := p.current()
	if inst == nil {
		return "", errors.New("the plugin is not running")
	}
	pid := inst.pid()
	if pid == 0 {
		return "", errors.New("the plugin's process id is unknown")
	}
	killed := time.Now()
	if err := inst.cmd.Process.Kill(); err != nil {
		return "", fmt.Errorf("kill plugin process %d: %w", pid, err)
	}
	dctx, cancel := context.WithTimeout(ctx, restartDeadline)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if cur, n := p.current(); cur != nil && n > before {
			d, err := cur.conn.DescribeContext(dctx)
			if err != nil {
				return "", fmt.Errorf("the restarted plugin does not answer Describe: %w", err)
			}
			if !reflect.DeepEqual(d, c.Describe()) {
				return "", fmt.Errorf("the restarted plugin describes itself differently: %+v", d)
			}
			if _, err := check.Execute(dctx, c, check.Request(d, 1, map[string]any{})); errors.Is(err, connector.ErrPluginCall) || errors.Is(err, check.ErrPanic) {
				return "", fmt.Errorf("the restarted plugin does not answer Execute: %w", err)
			}
			return fmt.Sprintf("killed pid %d; the host restarted it as pid %d in %s and it answered",
				pid, cur.pid(), time.Since(killed).Round(time.Millisecond)), nil
		}
		select {
		case <-dctx.Done():
			return "", fmt.Errorf("killed pid %d, but the host had not restarted the plugin %s later", pid, restartDeadline)
		case <-tick.C:
		}
	}
}

// report prints check results.
type report struct {
	out           io.Writer
	total, failed int
}

func (r *report) pass(name, detail string) {
	r.total++
	_, _ = fmt.Fprintf(r.out, "PASS %-9s %s\n", name, detail)
}

func (r *report) fail(name string, err error) {
	r.total++
	r.failed++
	_, _ = fmt.Fprintf(r.out, "FAIL %-9s %v\n", name, err)
}

func (r *report) check(name string, fn func() (string, error)) {
	detail, err := fn()
	if err != nil {
		r.fail(name, err)
		return
	}
	r.pass(name, detail)
}

// boundedBuffer keeps the first max bytes written to it; the plugin's log
// may come from several goroutines.
type boundedBuffer struct {
	mu  sync.Mutex
	max int
	b   bytes.Buffer
}

// Write implements io.Writer; it drops what does not fit.
func (b *boundedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.b.Len(); room > 0 {
		b.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// Len returns the number of bytes kept.
func (b *boundedBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Len()
}

// String returns what was kept.
func (b *boundedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
