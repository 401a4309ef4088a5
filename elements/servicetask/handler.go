package servicetask

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
)

// Handler runs service tasks and every other job-based task.
type Handler struct{ element.PassThrough }

// Validate requires a job type.
func (Handler) Validate(el *model.Element) []element.Problem {
	if el.Task == nil || el.Task.Type == nil || (el.Task.Type.IsStatic() && el.Task.Type.Source() == "") {
		return []element.Problem{{Attribute: "zeebe:taskDefinition type", Msg: "a job type is required"}}
	}
	return nil
}

// Activate creates the job.
func (Handler) Activate(ctx element.ActivateContext) error {
	spec, err := JobSpec(ctx)
	if err != nil {
		return err
	}
	ctx.CreateJob(spec)
	return nil
}

// JobSpec evaluates an element's zeebe:taskDefinition and headers into the
// job to create. Other job-based elements use it too.
func JobSpec(ctx element.Scope) (element.JobSpec, error) {
	el := ctx.Element()
	t, err := ctx.Eval(el.Task.Type)
	if err != nil {
		return element.JobSpec{}, element.Failf(record.ErrorExtractValue, "job type of '%s': %v", el.ID, err)
	}
	jobType, ok := t.(string)
	if !ok || jobType == "" {
		return element.JobSpec{}, element.Failf(record.ErrorExtractValue, "job type of '%s' must be a non-empty string, but it is %s", el.ID, element.Describe(t))
	}
	retries := int32(3)
	if el.Task.Retries != nil {
		r, err := ctx.Eval(el.Task.Retries)
		if err != nil {
			return element.JobSpec{}, element.Failf(record.ErrorExtractValue, "job retries of '%s': %v", el.ID, err)
		}
		n, ok := number(r)
		if !ok {
			return element.JobSpec{}, element.Failf(record.ErrorExtractValue, "job retries of '%s' must be a whole number, but it is %s", el.ID, element.Describe(r))
		}
		retries = n
	}
	var headers map[string]string
	if len(el.Headers) > 0 {
		headers = make(map[string]string, len(el.Headers))
		for _, h := range el.Headers {
			headers[h.Key] = h.Value
		}
	}
	return element.JobSpec{Type: jobType, Retries: retries, CustomHeaders: headers}, nil
}

// number reads a whole number from an evaluation result: a number, or a
// static attribute's text.
func number(v any) (int32, bool) {
	switch n := v.(type) {
	case float64:
		if n != float64(int32(n)) {
			return 0, false
		}
		return int32(n), true
	case string:
		var out int32
		if n == "" {
			return 0, false
		}
		for _, c := range n {
			if c < '0' || c > '9' || out > 100000000 {
				return 0, false
			}
			out = out*10 + c - '0'
		}
		return out, true
	}
	return 0, false
}

// Interface guards
var _ element.Handler = Handler{}
