package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/example/wf-engine/sdk/client"
	"github.com/example/wf-engine/sdk/worker"
)

//go:embed order.bpmn
var orderModel []byte

// jobType is the task type of the order process's service task.
const jobType = "charge-card"

// config is the worker's configuration: flags for settings, environment
// variables for credentials (they do not belong on a command line).
type config struct {
	address  string
	deploy   bool
	maxJobs  int
	shutdown time.Duration
	// Credentials: a bearer token, or OAuth2 client credentials.
	token                          string
	clientID, clientSecret, tokens string
}

func main() {
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, cfg, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

// parseConfig reads the flags and the credentials' environment variables.
func parseConfig(args []string, getenv func(string) string, errOut io.Writer) (config, error) {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(errOut)
	addr := getenv("WF_ADDRESS")
	if addr == "" {
		addr = "http://127.0.0.1:8080"
	}
	cfg := config{
		token: getenv("WF_TOKEN"), clientID: getenv("WF_CLIENT_ID"), clientSecret: getenv("WF_CLIENT_SECRET"),
		tokens: getenv("WF_TOKEN_URL"),
	}
	fs.StringVar(&cfg.address, "address", addr, "engine address (env WF_ADDRESS)")
	fs.BoolVar(&cfg.deploy, "deploy", false, "deploy the example order process first")
	fs.IntVar(&cfg.maxJobs, "max-jobs", 8, "jobs handled at once")
	fs.DurationVar(&cfg.shutdown, "shutdown-timeout", 30*time.Second, "how long a shutdown waits for jobs in flight")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	if cfg.clientID != "" && (cfg.clientSecret == "" || cfg.tokens == "") {
		return cfg, errors.New("WF_CLIENT_ID needs WF_CLIENT_SECRET and WF_TOKEN_URL")
	}
	return cfg, nil
}

// run connects, optionally deploys the process, and works until ctx ends.
func run(ctx context.Context, cfg config, logOut io.Writer) error {
	log := slog.New(slog.NewTextHandler(logOut, nil))
	var opts []client.Option
	switch {
	case cfg.clientID != "":
		opts = append(opts, client.WithAuth(client.OAuth2ClientCredentials(clientcredentials.Config{
			ClientID: cfg.clientID, ClientSecret: cfg.clientSecret, TokenURL: cfg.tokens,
		})))
	case cfg.token != "":
		opts = append(opts, client.WithAuth(client.BearerToken(cfg.token)))
	}
	c, err := client.New(cfg.address, opts...)
	if err != nil {
		return err
	}
	if cfg.deploy {
		d, err := c.Deploy(ctx, client.DeployRequest{Resources: []client.Resource{{Name: "order.bpmn", Content: orderModel}}})
		if err != nil {
			return fmt.Errorf("deploy the order process: %w", err)
		}
		for _, p := range d.Processes() {
			log.Info("deployed", "process", p.ProcessDefinitionID, "version", p.ProcessDefinitionVersion)
		}
	}
	w := worker.New(c, jobType, worker.HandlerFunc(charge),
		worker.WithName("example-charger"),
		worker.WithMaxJobsActive(cfg.maxJobs),
		worker.WithFetchVariables("orderId", "amount"),
		worker.WithShutdownTimeout(cfg.shutdown),
		worker.WithLogger(log),
	)
	log.Info("working", "address", cfg.address, "job_type", jobType)
	return w.Run(ctx)
}

// order is what a charge-card job needs.
type order struct {
	OrderID string  `json:"orderId"`
	Amount  float64 `json:"amount"`
}

// charge handles one charge-card job.
func charge(ctx context.Context, job worker.Job) (any, error) {
	var o order
	if err := job.VariablesAs(&o); err != nil {
		// Another attempt would read the same variables: raise an incident.
		return nil, worker.NoRetries(fmt.Errorf("read the order: %w", err))
	}
	if o.Amount <= 0 {
		return nil, worker.BPMNError{
			Code:      "INVALID_AMOUNT",
			Message:   fmt.Sprintf("order %s has amount %v", o.OrderID, o.Amount),
			Variables: map[string]any{"rejectReason": "amount must be positive"},
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err // the job timed out or the worker is handing it back
	}
	currency := job.CustomHeaders["currency"]
	if currency == "" {
		currency = "EUR"
	}
	// A real worker would call a payment service here, with ctx.
	return map[string]any{
		"chargeId": fmt.Sprintf("ch-%s-%d", o.OrderID, job.JobKey),
		"charged":  o.Amount,
		"currency": currency,
	}, nil
}
