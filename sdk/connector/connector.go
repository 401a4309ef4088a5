package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Connector does the I/O for jobs of the types its descriptor names.
// Execute may be called concurrently; it must honour ctx (cancellation and
// deadline) and return promptly once ctx is done.
type Connector interface {
	Describe() Descriptor
	Execute(ctx context.Context, req Request) (Result, error)
}

// Descriptor says what a connector is and what it needs.
type Descriptor struct {
	// ID names the connector, for example "io.example:mail". It is unique
	// within one engine.
	ID string `json:"id"`
	// Version is the connector's own version (semantic versioning).
	Version string `json:"version"`
	// JobTypes are the BPMN task types (zeebe:taskDefinition type) it serves,
	// for example "io.camunda:http-json:1". At least one.
	JobTypes []string `json:"jobTypes"`
	// InputSchema is a JSON Schema of Request.Input; empty means any object.
	InputSchema json.RawMessage `json:"inputSchema,omitempty"`
	// Secrets are the names of the secrets the connector may reference as
	// {{secrets.NAME}}; the runtime resolves only these.
	Secrets []string `json:"secrets,omitempty"`
}

// Request is one job handed to a connector.
type Request struct {
	JobKey             int64  `json:"jobKey"`
	JobType            string `json:"jobType"`
	ProcessInstanceKey int64  `json:"processInstanceKey"`
	BPMNProcessID      string `json:"bpmnProcessId"`
	ElementID          string `json:"elementId"`
	// Retries left, counting this attempt.
	Retries int32 `json:"retries"`
	// Input is the job's variables (the task's input mappings), with
	// {{secrets.NAME}} placeholders already resolved by the runtime.
	Input map[string]any `json:"input"`
	// Headers are the task headers (zeebe:taskHeaders).
	Headers map[string]string `json:"headers,omitempty"`
	// SecretHosts names, for each secret resolved into Input that the
	// engine's configuration restricts (connectors.secrets allowed_hosts),
	// the hosts it may be sent to: host names, *.example.com wildcards, IP
	// addresses and CIDR prefixes. A connector that sends Input over the
	// network must send it only to a host that every entry allows,
	// redirects included, and fail with an *InputError otherwise. Secrets
	// without a restriction are not listed. Older hosts never set it.
	SecretHosts map[string][]string `json:"secretHosts,omitempty"`
}

// Result is what a connector produced. The runtime maps Response into
// process variables with the task's resultVariable and resultExpression
// headers, and may turn it into a BPMN error with errorExpression.
type Result struct {
	Response any `json:"response"`
}

// Func adapts a function to Connector.
type Func struct {
	Descriptor Descriptor
	Fn         func(ctx context.Context, req Request) (Result, error)
}

// Describe implements Connector.
func (f Func) Describe() Descriptor { return f.Descriptor }

// Execute implements Connector.
func (f Func) Execute(ctx context.Context, req Request) (Result, error) { return f.Fn(ctx, req) }

var versionPattern = regexp.MustCompile(`^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$`)

// Validate reports everything wrong with a descriptor at once.
func (d Descriptor) Validate() error {
	var problems []string
	if strings.TrimSpace(d.ID) == "" {
		problems = append(problems, "id is empty")
	}
	if !versionPattern.MatchString(d.Version) {
		problems = append(problems, fmt.Sprintf("version %q is not a semantic version (for example 1.0.0)", d.Version))
	}
	if len(d.JobTypes) == 0 {
		problems = append(problems, "no job types")
	}
	seen := map[string]bool{}
	for _, t := range d.JobTypes {
		switch {
		case strings.TrimSpace(t) == "":
			problems = append(problems, "a job type is empty")
		case seen[t]:
			problems = append(problems, fmt.Sprintf("job type %q is listed twice", t))
		}
		seen[t] = true
	}
	if len(d.InputSchema) > 0 {
		var schema map[string]any
		if err := json.Unmarshal(d.InputSchema, &schema); err != nil {
			problems = append(problems, "input schema is not a JSON object: "+err.Error())
		}
	}
	for _, s := range d.Secrets {
		if !secretName.MatchString(s) {
			problems = append(problems, fmt.Sprintf("secret name %q must match %s", s, secretName))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("connector %q: %s", d.ID, strings.Join(problems, "; "))
	}
	return nil
}

var secretName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Interface guards
var _ Connector = Func{}
