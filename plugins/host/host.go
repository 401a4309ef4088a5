package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/example/wf-engine/sdk/connector"
)

// Host runs the declared plugins until Close.
type Host struct {
	procs  []*proc
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// Start verifies, launches and describes every plugin, and starts watching
// them. It refuses the whole set (and stops what it started) when a
// declaration is wrong, a binary's checksum does not match, a plugin does
// not start, or its descriptor is invalid; the error names the plugin. ctx
// bounds the start only; the plugins run until Close. log receives the
// plugins' log lines and the host's own, with plugin=<name>.
func Start(ctx context.Context, plugins []PluginConfig, log *slog.Logger, opts ...Option) (*Host, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := validate(plugins); err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	h := &Host{cancel: cancel}
	for _, cfg := range plugins {
		if err := ctx.Err(); err != nil {
			_ = h.Close()
			return nil, fmt.Errorf("start plugins: %w", err)
		}
		p, err := startProc(cfg, o, log.With("plugin", cfg.Name))
		if err != nil {
			_ = h.Close()
			return nil, err
		}
		h.procs = append(h.procs, p)
	}
	for _, p := range h.procs {
		h.wg.Go(func() { p.supervise(runCtx) })
	}
	return h, nil
}

// Connectors returns one connector per plugin, in the order of the
// configuration. Describe answers with the descriptor validated at start;
// Execute crosses to the plugin process, waiting (within its ctx) while the
// plugin restarts.
func (h *Host) Connectors() []connector.Connector {
	out := make([]connector.Connector, len(h.procs))
	for i, p := range h.procs {
		out[i] = &pluginConnector{p: p}
	}
	return out
}

// Close stops watching the plugins and stops their processes (asking first,
// killing after a short grace period). Calls in flight return errors. It is
// safe to call more than once.
func (h *Host) Close() error {
	h.once.Do(func() {
		h.cancel()
		h.wg.Wait()
		var wg sync.WaitGroup
		for _, p := range h.procs {
			wg.Go(p.stop)
		}
		wg.Wait()
	})
	return nil
}

// pluginConnector is the engine's handle on one plugin; it outlives restarts.
type pluginConnector struct {
	p *proc
}

// Describe implements connector.Connector.
func (c *pluginConnector) Describe() connector.Descriptor { return c.p.descriptor }

// Execute implements connector.Connector. A call cut short because the plugin
// process stopped returns a *connector.RetryableError (wrapping
// connector.ErrPluginCall) and has the host check the plugin, and restart
// it if it is down; calls made meanwhile wait for the verdict.
func (c *pluginConnector) Execute(ctx context.Context, req connector.Request) (connector.Result, error) {
	inst, err := c.p.running(ctx)
	if err != nil {
		return connector.Result{}, err
	}
	res, err := inst.conn.Execute(ctx, req)
	if err != nil && errors.Is(err, connector.ErrPluginCall) && ctx.Err() == nil {
		c.p.suspect(inst)
		return connector.Result{}, &connector.RetryableError{
			Err: fmt.Errorf("plugin %q stopped answering during job %d: %w", c.p.cfg.Name, req.JobKey, err),
		}
	}
	return res, err
}

// Interface guards
var _ connector.Connector = (*pluginConnector)(nil)
