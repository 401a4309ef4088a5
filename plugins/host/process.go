package host

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"os/exec"
	"reflect"
	"sync"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/health/grpc_health_v1"

	"github.com/example/wf-engine/sdk/connector"
)

// proc supervises one plugin: its current process (instance) and restarts.
type proc struct {
	cfg      PluginConfig
	checksum []byte
	opts     options
	log      *slog.Logger
	// descriptor is the one validated at start; a restarted plugin must
	// describe itself the same way.
	descriptor connector.Descriptor

	kick chan struct{} // asks the supervisor for a health check now
	done chan struct{} // closed by stop

	mu        sync.Mutex
	cur       *instance     // nil while the plugin is down or suspect
	suspected *instance     // taken out of service by a failed call, to check
	up        chan struct{} // closed once cur is set again
	stopped   bool
	restarts  int
	backoff   time.Duration // the wait before the next restart
}

// instance is one running plugin process.
type instance struct {
	cmd     *exec.Cmd
	client  *plugin.Client
	rpc     *plugin.GRPCClient
	conn    *connector.Client
	started time.Time
}

// pid returns the plugin process id, or 0.
func (i *instance) pid() int {
	if i.cmd.Process == nil {
		return 0
	}
	return i.cmd.Process.Pid
}

// kill ends the process: a SIGKILL first when it still runs (go-plugin's
// Kill asks the plugin to shut down with no deadline, which a hung plugin
// never answers), then go-plugin's clean-up.
func (i *instance) kill() {
	if i.cmd.Process != nil && !i.client.Exited() {
		_ = i.cmd.Process.Kill() // the handle of our own child: no pid-reuse hazard
	}
	i.client.Kill()
}

// shutdown asks the plugin to stop and kills it when it has not stopped
// within grace.
func (i *instance) shutdown(grace time.Duration) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		i.client.Kill()
	}()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
		return
	case <-t.C:
	}
	if i.cmd.Process != nil {
		_ = i.cmd.Process.Kill()
	}
	<-done
}

func startProc(cfg PluginConfig, o options, log *slog.Logger) (*proc, error) {
	sum, err := verifyChecksum(cfg)
	if err != nil {
		return nil, err
	}
	p := &proc{
		cfg: cfg, checksum: sum, opts: o, log: log, backoff: o.backoffMin,
		kick: make(chan struct{}, 1), done: make(chan struct{}), up: make(chan struct{}),
	}
	inst, err := p.launch(nil)
	if err != nil {
		return nil, err
	}
	p.descriptor = inst.conn.Describe()
	p.cur = inst
	close(p.up)
	log.Info("plugin started", "connector_id", p.descriptor.ID, "version", p.descriptor.Version,
		"job_types", p.descriptor.JobTypes, "pid", inst.pid())
	return p, nil
}

// launch starts the plugin process, connects and fetches its descriptor,
// which must equal expect when that is not nil (a restart).
func (p *proc) launch(expect *connector.Descriptor) (*instance, error) {
	cmd := exec.Command(p.cfg.Path) // #nosec G204 -- the operator declares the binary; SecureConfig verifies its SHA-256 right before it runs
	cmd.Env = environment(p.cfg.Env)
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  connector.Handshake(),
		Plugins:          connector.PluginSet(nil),
		Cmd:              cmd,
		SecureConfig:     &plugin.SecureConfig{Checksum: p.checksum, Hash: sha256.New()},
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           newSlogLogger(p.log),
		StartTimeout:     p.opts.startTimeout,
		SyncStdout:       &lineWriter{log: p.log, level: slog.LevelInfo, attrs: []any{"stream", "stdout"}},
		SyncStderr:       &lineWriter{log: p.log, level: slog.LevelInfo, attrs: []any{"stream", "stderr"}},
		SkipHostEnv:      true,
		AutoMTLS:         true,
	})
	fail := func(what string, err error) (*instance, error) {
		client.Kill()
		return nil, fmt.Errorf("plugin %q (%s): %s: %w", p.cfg.Name, p.cfg.Path, what, err)
	}
	protocol, err := client.Client()
	if err != nil {
		return fail("start", err)
	}
	rpc, ok := protocol.(*plugin.GRPCClient)
	if !ok {
		return fail("start", fmt.Errorf("plugin speaks %T, not gRPC", protocol))
	}
	raw, err := rpc.Dispense(connector.PluginName)
	if err != nil {
		return fail("describe", err)
	}
	conn, ok := raw.(*connector.Client)
	if !ok {
		return fail("describe", fmt.Errorf("dispensed %T, not a connector client", raw))
	}
	d := conn.Describe()
	if !p.opts.skipDescriptorCheck {
		if err := d.Validate(); err != nil {
			return fail("invalid descriptor", err)
		}
	}
	if expect != nil && !reflect.DeepEqual(d, *expect) {
		return fail("describe", fmt.Errorf("the restarted plugin describes itself as %+v, not %+v as at start", d, *expect))
	}
	return &instance{cmd: cmd, client: client, rpc: rpc, conn: conn, started: time.Now()}, nil
}

// running returns the current instance, waiting within ctx while the plugin
// restarts.
func (p *proc) running(ctx context.Context) (*instance, error) {
	for {
		p.mu.Lock()
		inst, up, stopped := p.cur, p.up, p.stopped
		p.mu.Unlock()
		switch {
		case stopped:
			return nil, &connector.RetryableError{Err: fmt.Errorf("plugin %q: the plugin host is closed", p.cfg.Name)}
		case inst != nil:
			return inst, nil
		}
		select {
		case <-up:
		case <-p.done:
		case <-ctx.Done():
			return nil, &connector.RetryableError{Err: fmt.Errorf("plugin %q is restarting: %w", p.cfg.Name, ctx.Err())}
		}
	}
}

// suspect takes inst out of service after a call to it failed, so that
// further calls wait for the supervisor's verdict instead of failing on a
// dead process: it puts inst back if it answers, or restarts the plugin.
func (p *proc) suspect(inst *instance) {
	p.mu.Lock()
	if p.cur == inst {
		p.cur = nil
		p.suspected = inst
		p.up = make(chan struct{})
	}
	p.mu.Unlock()
	p.poke()
}

// poke asks the supervisor to check the plugin now.
func (p *proc) poke() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// supervise checks the plugin every health interval, and when poked, and
// restarts it when it is down. It returns when ctx ends.
func (p *proc) supervise(ctx context.Context) {
	ticker := time.NewTicker(p.opts.healthInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		case <-p.kick:
		}
		p.mu.Lock()
		inst, suspected := p.cur, p.suspected
		p.suspected = nil
		p.mu.Unlock()
		if inst == nil && suspected != nil {
			if p.healthy(ctx, suspected) {
				p.reinstate(suspected)
				continue
			}
			inst = suspected
		} else if inst == nil || p.healthy(ctx, inst) {
			continue
		}
		p.restart(ctx, inst)
	}
}

// healthy reports whether the process runs and answers go-plugin's health
// service within the ping timeout.
func (p *proc) healthy(ctx context.Context, inst *instance) bool {
	if inst.client.Exited() {
		return false
	}
	pctx, cancel := context.WithTimeout(ctx, p.opts.pingTimeout)
	defer cancel()
	_, err := grpc_health_v1.NewHealthClient(inst.rpc.Conn).Check(pctx,
		&grpc_health_v1.HealthCheckRequest{Service: plugin.GRPCServiceName})
	if err != nil && ctx.Err() == nil {
		p.log.Warn("plugin health check failed", "error", err)
		return false
	}
	return true
}

// reinstate puts a suspected instance that answered back in service.
func (p *proc) reinstate(inst *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur == nil && !p.stopped {
		p.cur = inst
		close(p.up)
	}
}

// restart replaces the dead instance old, retrying with exponential
// back-off until a new one runs or ctx ends.
func (p *proc) restart(ctx context.Context, old *instance) {
	p.mu.Lock()
	if p.cur == old {
		p.cur = nil
		p.up = make(chan struct{})
	}
	uptime := time.Since(old.started)
	if uptime >= p.opts.stableAfter {
		p.backoff = p.opts.backoffMin
	}
	p.mu.Unlock()
	old.kill()
	p.log.Warn("plugin stopped; restarting it", "uptime", uptime.Round(time.Millisecond).String(),
		"restart_in", p.backoff.String())
	for {
		timer := time.NewTimer(p.backoff)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		p.backoff = nextBackoff(p.backoff, p.opts.backoffMax)
		inst, err := p.launch(&p.descriptor)
		if err != nil {
			p.log.Error("restart plugin", "error", err, "next_attempt_in", p.backoff.String())
			continue
		}
		// Logged before the instance is in service, so that whoever sees
		// the plugin answer again also finds the restart in the log.
		p.log.Info("plugin restarted", "pid", inst.pid())
		p.mu.Lock()
		p.cur = inst
		p.restarts++
		close(p.up)
		p.mu.Unlock()
		return
	}
}

// current returns the running instance (nil while down) and the number of
// restarts so far.
func (p *proc) current() (*instance, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur, p.restarts
}

// stop ends the plugin process for good; the supervisor has returned.
func (p *proc) stop() {
	p.mu.Lock()
	inst := p.cur
	if inst == nil {
		inst = p.suspected
	}
	p.cur, p.suspected = nil, nil
	p.stopped = true
	p.mu.Unlock()
	close(p.done)
	if inst != nil {
		inst.shutdown(p.opts.stopGrace)
		p.log.Info("plugin stopped")
	}
}
