package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/example/wf-engine/core/expr"
)

// Task headers the runtime reads (Camunda's names).
const (
	HeaderResultVariable   = "resultVariable"
	HeaderResultExpression = "resultExpression"
	HeaderErrorExpression  = "errorExpression"
	HeaderRetryBackoff     = "retryBackoff"
)

// headerError is a task header the runtime cannot use: the job fails with
// no retries left, naming the header.
type headerError struct {
	header string
	err    error
}

func (e *headerError) Error() string { return fmt.Sprintf("task header %s: %v", e.header, e.err) }
func (e *headerError) Unwrap() error { return e.err }

// exprCache keeps compiled header expressions; headers come from deployed
// models, so there are few distinct ones.
type exprCache struct {
	mu sync.Mutex
	m  map[string]*expr.Expression
}

const maxCachedExpressions = 1000

// compile compiles a FEEL header value; the leading '=' is optional, as in
// Camunda's templates. An empty value is no expression.
func (c *exprCache) compile(src string) (*expr.Expression, error) {
	src = strings.TrimSpace(src)
	if src == "" {
		return nil, nil
	}
	c.mu.Lock()
	e, ok := c.m[src]
	c.mu.Unlock()
	if ok {
		return e, nil
	}
	e, err := expr.CompileFEEL(strings.TrimPrefix(src, "="))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedExpressions {
		c.m = map[string]*expr.Expression{}
	}
	c.m[src] = e
	c.mu.Unlock()
	return e, nil
}

// normalize turns a connector's response into the JSON value model
// (map[string]any, []any, string, json.Number, bool, nil) by encoding it, so
// that Go structs answer like the JSON a plugin sends.
func normalize(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("the connector's response cannot be written as JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("the connector's response cannot be read back from JSON: %w", err)
	}
	return out, nil
}

// responseScope is what resultExpression and errorExpression see: the
// response's fields at the top level (Camunda's `= {orderId: body.id}`),
// and the whole response as `response`, plus extra names.
func responseScope(response any, extra map[string]any) func(string) (any, bool) {
	fields, _ := response.(map[string]any)
	return func(name string) (any, bool) {
		if v, ok := extra[name]; ok {
			return v, true
		}
		if name == "response" {
			return response, true
		}
		v, ok := fields[name]
		return v, ok
	}
}

// mapResult computes the variables a successful job completes with.
func mapResult(response any, headers map[string]string, resultExpr *expr.Expression, now time.Time) (map[string]any, error) {
	vars := map[string]any{}
	if name := strings.TrimSpace(headers[HeaderResultVariable]); name != "" {
		vars[name] = response
	}
	if resultExpr == nil {
		return vars, nil
	}
	v, err := resultExpr.Eval(expr.Env{Lookup: responseScope(response, nil), Now: now})
	if err != nil {
		return nil, &headerError{HeaderResultExpression, err}
	}
	switch m := v.(type) {
	case nil:
	case map[string]any:
		for k, e := range m {
			vars[k] = expr.ToJSON(e)
		}
	default:
		return nil, &headerError{HeaderResultExpression, fmt.Errorf("expected a context whose entries become variables, but the expression gave %s", describe(v))}
	}
	return vars, nil
}

// decision is what an errorExpression decided: nothing, a BPMN error or a
// job failure.
type decision struct {
	kind         string // "", expr.ErrorTypeBPMN or expr.ErrorTypeJob
	code         string
	message      string
	variables    map[string]any
	retries      *int32
	retryBackoff *time.Duration
}

// evalErrorExpression evaluates the errorExpression against the response
// (nil on failure), the error context (nil on success) and the job.
func evalErrorExpression(e *expr.Expression, response any, errCtx map[string]any, retries int32, now time.Time) (decision, error) {
	var errVal any
	if errCtx != nil {
		errVal = errCtx
	}
	scope := responseScope(response, map[string]any{"error": errVal, "job": map[string]any{"retries": float64(retries)}})
	v, err := e.Eval(expr.Env{Lookup: scope, Now: now})
	if err != nil {
		return decision{}, &headerError{HeaderErrorExpression, err}
	}
	if v == nil {
		return decision{}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return decision{}, &headerError{HeaderErrorExpression, fmt.Errorf("expected bpmnError(...), jobError(...) or null, but the expression gave %s", describe(v))}
	}
	kind, _ := m["errorType"].(string)
	if kind == "" {
		if _, hasCode := m["code"]; hasCode {
			kind = expr.ErrorTypeBPMN // Camunda's older form: a context with a code
		}
	}
	d := decision{kind: kind}
	d.message, _ = m["message"].(string)
	if vars, ok := expr.ToJSON(m["variables"]).(map[string]any); ok && len(vars) > 0 {
		d.variables = vars
	}
	switch kind {
	case expr.ErrorTypeBPMN:
		code, _ := m["code"].(string)
		if strings.TrimSpace(code) == "" {
			return decision{}, &headerError{HeaderErrorExpression, fmt.Errorf("bpmnError needs a non-empty code, but the expression gave %s", describe(m["code"]))}
		}
		d.code = code
	case expr.ErrorTypeJob:
		if r, ok := m["retries"].(float64); ok {
			n := int32(min(r, float64(math.MaxInt32)))
			d.retries = &n
		}
		if b, ok := m["retryBackoff"].(expr.Duration); ok {
			bd := time.Duration(b)
			d.retryBackoff = &bd
		}
	default:
		return decision{}, &headerError{HeaderErrorExpression, fmt.Errorf("expected bpmnError(...), jobError(...) or null, but the expression gave a context with errorType %q", kind)}
	}
	return d, nil
}

// describe names a value's type for a message without printing the value,
// which may be large or sensitive.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64, json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "a context"
	}
	return fmt.Sprintf("a value of type %T", v)
}
