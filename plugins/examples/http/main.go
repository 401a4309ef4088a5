package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	httpconn "github.com/example/wf-engine/connectors/http"
	"github.com/example/wf-engine/sdk/connector"
)

// Environment variables the plugin reads.
const (
	envAllowPrivate = "HTTP_ALLOW_PRIVATE_ADDRESSES"
	envAllowedHosts = "HTTP_ALLOWED_HOSTS"
	envMaxResponse  = "HTTP_MAX_RESPONSE_BYTES"
	envSecrets      = "HTTP_SECRETS"
)

func main() {
	c, err := fromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "http connector plugin: %v\n", err)
		os.Exit(2)
	}
	connector.Serve(c)
}

// fromEnv builds the served connector from the environment that getenv
// reads, reporting every bad variable at once.
func fromEnv(getenv func(string) string) (*served, error) {
	var problems []string
	cfg := httpconn.Config{}
	if v := strings.TrimSpace(getenv(envAllowPrivate)); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: expected true or false, got %q", envAllowPrivate, v))
		}
		cfg.AllowPrivateAddresses = b
	}
	cfg.AllowedHosts = list(getenv(envAllowedHosts))
	if v := strings.TrimSpace(getenv(envMaxResponse)); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			problems = append(problems, fmt.Sprintf("%s: expected a positive number of bytes, got %q", envMaxResponse, v))
		}
		cfg.MaxResponseBytes = max(n, 0)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	conn, err := httpconn.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envAllowedHosts, err)
	}
	s := &served{Connector: conn, secrets: list(getenv(envSecrets))}
	if err := s.Describe().Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", envSecrets, err)
	}
	return s, nil
}

// list splits a comma-separated value, dropping empty entries.
func list(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// served is the HTTP connector with the secrets its descriptor declares: a
// plugin may only use declared secrets, and the built-in connector, which may
// use any, declares none.
type served struct {
	*httpconn.Connector
	secrets []string
}

// Describe implements connector.Connector: the HTTP connector's descriptor
// with the declared secrets.
func (s *served) Describe() connector.Descriptor {
	d := s.Connector.Describe()
	d.Secrets = append([]string(nil), s.secrets...)
	return d
}

// Interface guards
var _ connector.Connector = (*served)(nil)
