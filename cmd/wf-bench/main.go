package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// maxDuration bounds a run.
const maxDuration = 10 * time.Minute

// options are the command line of a run.
type options struct {
	// Workload names the workload (w1 ... w6).
	Workload   string
	Address    string
	Duration   time.Duration
	Warmup     time.Duration
	Rate       float64
	Creators   int
	Workers    int
	Completers int
	MaxJobs    int
	Drain      time.Duration
	// PID is the engine's process, for its memory figures (0: none);
	// Settle is how long to wait after the run before reading its
	// resident set again.
	PID    int
	Settle time.Duration
	// CPU asks for the CPU time per instance of the measured window
	// (cpu.go): wf-bench's own, the engine's (-pid) and that of the
	// backends of Database in the PostgreSQL cluster whose postmaster is
	// Postmaster.
	CPU        bool
	Postmaster int
	Database   string
	// Client is the HTTP client of the workload's requests: "raw"
	// (rawhttp.go, http:// only) or "nethttp".
	Client string
	// RetryWait is the wait after a 429; with RetryAfter the client waits
	// the answer's Retry-After instead (with jitter).
	RetryWait  time.Duration
	RetryAfter bool
	// Await makes creators send awaitCompletion: an instance is done when
	// its create is answered (await.go).
	Await bool
	// Waiting is W4's number of instances kept waiting at the message
	// catch event; Timers, TimerLead and TimerWindow shape W5's timers.
	Waiting     int
	Timers      int
	TimerLead   time.Duration
	TimerWindow time.Duration
	// MaxInflight bounds the instances started and not ended (-1: the
	// workload's default, 0: none).
	MaxInflight int
	// Token is a bearer token sent with every request (WF_TOKEN), for an
	// engine with authentication on.
	Token string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Getenv("WF_TOKEN"))
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "wf-bench:", err)
		os.Exit(1)
	}
}

// command is one of wf-bench's subcommands: it parses its own arguments
// and writes its JSON to out.
type command func(ctx context.Context, args []string, out io.Writer, token string) error

// subcommand returns the subcommand named by the first argument, or nil
// when the arguments are a workload run's flags.
func subcommand(name string) command {
	switch name {
	case "soak":
		return runSoak
	case "seed":
		return runSeed
	case "searches":
		return runSearches
	case "sizes":
		return runSizes
	}
	return nil
}

// run runs a subcommand (wf-bench soak ...) or, without one, one workload
// (wf-bench -workload w2 ...).
func run(ctx context.Context, args []string, out io.Writer, token string) error {
	if len(args) > 0 {
		if c := subcommand(args[0]); c != nil {
			return c(ctx, args[1:], out, token)
		}
	}
	fs := flag.NewFlagSet("wf-bench", flag.ContinueOnError)
	fs.SetOutput(out)
	o := options{Token: token}
	fs.StringVar(&o.Workload, "workload", "w1", "the workload: "+strings.Join(workloadNames(), ", "))
	o.workloadFlags(fs)
	fs.StringVar(&o.Address, "address", "http://127.0.0.1:8080", "base address of the engine (loopback only)")
	fs.DurationVar(&o.Duration, "duration", 30*time.Second, "how long to create instances (at most 10m)")
	fs.DurationVar(&o.Warmup, "warmup", 5*time.Second, "time at the start not counted in the figures")
	fs.Float64Var(&o.Rate, "rate", 0, "instances to create per second (0: as many as the creators manage)")
	fs.IntVar(&o.Creators, "creators", 24, "concurrent create requests")
	fs.IntVar(&o.Workers, "workers", 8, "concurrent long-polling job activations")
	fs.IntVar(&o.Completers, "completers", 48, "concurrent job completions")
	fs.IntVar(&o.MaxJobs, "max-jobs", 64, "maxJobsToActivate of each activation")
	fs.IntVar(&o.MaxInflight, "max-inflight", -1, "most instances started and not yet ended; creators wait for a place (-1: none for w1 and w5, 500 for the others; 0: none; w4: besides the -waiting ones)")
	fs.DurationVar(&o.Drain, "drain", 15*time.Second, "how long to wait for started instances to complete after the run")
	fs.DurationVar(&o.RetryWait, "retry-wait", 5*time.Millisecond, "wait after a 429 before the next request")
	fs.BoolVar(&o.Await, "await", false, "create with awaitCompletion: an instance is done when its create is answered (workers still complete the jobs)")
	fs.BoolVar(&o.RetryAfter, "retry-after", false, "after a 429 wait the answer's Retry-After (±50 % jitter) instead of -retry-wait")
	fs.IntVar(&o.PID, "pid", 0, "process id of the engine (on this machine) whose peak and settled memory to report")
	fs.DurationVar(&o.Settle, "settle", 30*time.Second, "with -pid: how long after the run to read the engine's memory again")
	fs.BoolVar(&o.CPU, "cpu", false, "report the CPU time (Linux /proc) per instance in the measured window: wf-bench's, the engine's (-pid) and PostgreSQL's (-cpu-postmaster)")
	fs.IntVar(&o.Postmaster, "cpu-postmaster", 0, "with -cpu: process id of the PostgreSQL postmaster (first line of its postmaster.pid) whose backends to count")
	fs.StringVar(&o.Database, "cpu-database", "", "with -cpu-postmaster: count only the backends connected to this database")
	fs.StringVar(&o.Client, "client", "raw", "HTTP client of the workload's requests: raw (HTTP/1.1 written and read by each request's goroutine, for http:// addresses; costs wf-bench less CPU) or nethttp (Go's net/http)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return err
	}
	w, err := workloadNamed(o.Workload)
	if err != nil {
		return err
	}
	if err := o.checkWorkload(w); err != nil {
		return err
	}
	res, err := bench(ctx, o, w)
	if err != nil {
		return err
	}
	if o.PID > 0 {
		if err := engineMemory(ctx, o, res); err != nil {
			return err
		}
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

func (o *options) check() error {
	u, err := url.Parse(o.Address)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("-address: expected http://host:port, got %q", o.Address)
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	if !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-address: %s is not a loopback address; wf-bench only loads engines on this machine", host)
	}
	o.Address = strings.TrimRight(o.Address, "/")
	switch {
	case o.Duration <= 0 || o.Duration > maxDuration:
		return fmt.Errorf("-duration: must be between 0 and %s, got %s", maxDuration, o.Duration)
	case o.Warmup < 0 || o.Warmup >= o.Duration:
		return errors.New("-warmup: must be at least 0 and shorter than -duration")
	case o.Rate < 0:
		return errors.New("-rate: must not be negative")
	case o.Creators < 1 || o.Workers < 1 || o.Completers < 1 || o.MaxJobs < 1:
		return errors.New("-creators, -workers, -completers and -max-jobs must be at least 1")
	case o.PID < 0 || o.RetryWait < 0 || o.Settle < 0 || o.Settle > maxDuration:
		return fmt.Errorf("-pid and -retry-wait must not be negative and -settle must be between 0 and %s", maxDuration)
	case o.Drain < 0 || o.Drain > maxDuration:
		return fmt.Errorf("-drain: must be between 0 and %s", maxDuration)
	case o.Postmaster < 0 || (o.Postmaster > 0 || o.Database != "") && !o.CPU:
		return errors.New("-cpu-postmaster and -cpu-database need -cpu, and the process id must not be negative")
	case (o.Postmaster > 0) != (o.Database != ""):
		return errors.New("-cpu-postmaster and -cpu-database go together")
	case o.Client != "raw" && o.Client != "nethttp" && o.Client != "":
		return fmt.Errorf("-client: raw or nethttp, got %q", o.Client)
	}
	return nil
}

// checkWorkload checks the flags of workload w.
func (o *options) checkWorkload(w *workload) error {
	switch {
	case o.MaxInflight < -1:
		return errors.New("-max-inflight: must be -1 (the workload's default), 0 (none) or more")
	case w.message && o.Waiting < 1:
		return errors.New("-waiting: must be at least 1")
	case w.timers && o.Timers < 1:
		return errors.New("-timers: must be at least 1")
	case w.timers && (o.TimerLead <= 0 || o.TimerWindow <= 0 || o.TimerLead+o.TimerWindow+o.Drain > maxDuration):
		return fmt.Errorf("-timer-lead and -timer-window must be positive and with -drain at most %s", maxDuration)
	}
	return nil
}

// defaultInflight bounds the instances in flight of the workloads whose
// instances take several steps: creating them as fast as the creators can
// would build a backlog in which every instance waits behind all others.
const defaultInflight = 500

// inflightBound returns the bound on instances in flight for w (0: none).
func (o *options) inflightBound(w *workload) int {
	n := defaultInflight
	switch {
	case o.MaxInflight >= 0:
		n = o.MaxInflight
	case w.name == "W1" || w.timers:
		n = 0
	}
	if n > 0 && w.message { // W4's waiting instances come on top
		n += o.Waiting
	}
	return n
}
