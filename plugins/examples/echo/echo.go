package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/example/wf-engine/sdk/connector"
)

// JobType is the job type the echo connector serves.
const JobType = "io.wf-engine:echo:1"

// Echo is the echo connector.
type Echo struct {
	// Version is the descriptor's version.
	Version string
	// Tag is echoed back in every response.
	Tag string
	// Exit ends the process for the "crash" action; nil refuses the action
	// (in process, where a crash would end the test binary).
	Exit func(code int)
	// Log receives the "log" action's message, and a line when "block"
	// starts waiting; nil discards them.
	Log *slog.Logger
}

// Describe implements connector.Connector.
func (e *Echo) Describe() connector.Descriptor {
	return connector.Descriptor{
		ID:       "io.wf-engine:echo",
		Version:  e.Version,
		JobTypes: []string{JobType},
		InputSchema: []byte(`{"type":"object","required":["message"],"properties":{` +
			`"message":{"type":"string"},` +
			`"action":{"enum":["echo","bpmn-error","retryable","block","panic","log","crash"]},` +
			`"code":{"type":"string"},"token":{"type":"string"}}}`),
		Secrets: []string{"ECHO_TOKEN"},
	}
}

// Execute implements connector.Connector.
func (e *Echo) Execute(ctx context.Context, req connector.Request) (connector.Result, error) {
	if err := ctx.Err(); err != nil {
		return connector.Result{}, fmt.Errorf("echo job %d: %w", req.JobKey, err)
	}
	message, ok := req.Input["message"].(string)
	if !ok {
		return connector.Result{}, &connector.InputError{Field: "message", Reason: "is required and must be a string"}
	}
	token, hasToken := req.Input["token"]
	if _, isString := token.(string); hasToken && !isString {
		// Say what is wrong, never what the value is: it is a credential.
		return connector.Result{}, &connector.InputError{Field: "token", Reason: fmt.Sprintf("must be a string, got %T", token)}
	}
	action, _ := req.Input["action"].(string)
	switch action {
	case "", "echo":
		input := make(map[string]any, len(req.Input))
		for k, v := range req.Input {
			if k != "token" {
				input[k] = v
			}
		}
		return connector.Result{Response: map[string]any{
			"message": message, "input": input, "authenticated": hasToken, "tag": e.Tag,
		}}, nil
	case "bpmn-error":
		code, _ := req.Input["code"].(string)
		if code == "" {
			code = "ECHO_ERROR"
		}
		return connector.Result{}, &connector.BPMNError{Code: code, Message: message, Variables: map[string]any{"echoed": message}}
	case "retryable":
		return connector.Result{}, &connector.RetryableError{Err: errors.New(message)}
	case "block":
		if e.Log != nil {
			// Tells a test that the call reached the plugin.
			e.Log.Info("echo blocks until cancelled", "job_key", req.JobKey)
		}
		<-ctx.Done()
		return connector.Result{}, fmt.Errorf("echo job %d blocked until: %w", req.JobKey, ctx.Err())
	case "panic":
		panic("echo asked to panic: " + message)
	case "log":
		if e.Log != nil {
			e.Log.Warn(message, "job_key", req.JobKey)
		}
		return connector.Result{Response: map[string]any{"logged": message}}, nil
	case "crash":
		if e.Exit == nil {
			return connector.Result{}, &connector.InputError{Field: "action", Reason: "crash is available only in a plugin process"}
		}
		e.Exit(3)
		return connector.Result{}, errors.New("echo: exit returned")
	}
	return connector.Result{}, &connector.InputError{Field: "action", Reason: fmt.Sprintf(
		"unknown action %q (echo, bpmn-error, retryable, block, panic, log, crash)", action)}
}

// Interface guards
var _ connector.Connector = (*Echo)(nil)
