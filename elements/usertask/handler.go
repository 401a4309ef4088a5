package usertask

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/expr"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
)

// JobType is the job type of job-worker user tasks.
const JobType = "io.camunda.zeebe:userTask"

// Handler runs user tasks.
type Handler struct{ element.PassThrough }

// Activate evaluates the task's settings and creates the user task or job.
func (Handler) Activate(ctx element.ActivateContext) error {
	el := ctx.Element()
	spec, err := evaluate(ctx, el)
	if err != nil {
		return err
	}
	for _, h := range el.Headers {
		if spec.CustomHeaders == nil {
			spec.CustomHeaders = map[string]string{}
		}
		spec.CustomHeaders[h.Key] = h.Value
	}
	if el.UserTask == nil || el.UserTask.Native {
		ctx.CreateUserTask(spec)
		return nil
	}
	headers := map[string]string{}
	for k, v := range spec.CustomHeaders {
		headers[k] = v
	}
	set := func(name, v string) {
		if v != "" {
			headers["io.camunda.zeebe:"+name] = v
		}
	}
	set("assignee", spec.Assignee)
	set("candidateGroups", jsonList(spec.CandidateGroups))
	set("candidateUsers", jsonList(spec.CandidateUsers))
	set("dueDate", spec.DueDate)
	set("followUpDate", spec.FollowUpDate)
	set("formKey", spec.FormKey)
	ctx.CreateJob(element.JobSpec{Type: JobType, Retries: 1, CustomHeaders: headers})
	return nil
}

func jsonList(l []string) string {
	if len(l) == 0 {
		return ""
	}
	b, _ := json.Marshal(l) // a list of strings always encodes
	return string(b)
}

// evaluate reads the assignment, schedule, priority and form of a task.
func evaluate(ctx element.Scope, el *model.Element) (element.UserTaskSpec, error) {
	spec := element.UserTaskSpec{Priority: 50}
	ut := el.UserTask
	if ut == nil {
		return spec, nil
	}
	fail := func(attr string, err error) error {
		return element.Failf(record.ErrorExtractValue, "%s of user task '%s': %v", attr, el.ID, err)
	}
	var err error
	if spec.Assignee, err = optionalString(ctx, ut.Assignee); err != nil {
		return spec, fail("assignee", err)
	}
	if spec.CandidateGroups, err = list(ctx, ut.CandidateGroups); err != nil {
		return spec, fail("candidateGroups", err)
	}
	if spec.CandidateUsers, err = list(ctx, ut.CandidateUsers); err != nil {
		return spec, fail("candidateUsers", err)
	}
	if spec.DueDate, err = optionalString(ctx, ut.DueDate); err != nil {
		return spec, fail("dueDate", err)
	}
	if spec.FollowUpDate, err = optionalString(ctx, ut.FollowUpDate); err != nil {
		return spec, fail("followUpDate", err)
	}
	if ut.Priority != nil {
		v, err := ctx.Eval(ut.Priority)
		if err != nil {
			return spec, fail("priority", err)
		}
		n, ok := number(v)
		if !ok || n < 0 || n > 100 {
			return spec, fail("priority", fmt.Errorf("expected a whole number from 0 to 100, but it is %s", element.Describe(v)))
		}
		spec.Priority = n
	}
	spec.FormKey, spec.FormID, spec.ExternalFormReference = ut.FormKey, ut.FormID, ut.ExternalReference
	return spec, nil
}

func optionalString(ctx element.Scope, e *expr.Expression) (string, error) {
	if e == nil {
		return "", nil
	}
	v, err := ctx.Eval(e)
	if err != nil {
		return "", err
	}
	switch s := v.(type) {
	case nil:
		return "", nil
	case string:
		return s, nil
	}
	return "", fmt.Errorf("expected a string, but it is %s", element.Describe(v))
}

// list reads a candidate list: a static comma-separated text, or a FEEL
// list of strings (or a single string).
func list(ctx element.Scope, e *expr.Expression) ([]string, error) {
	if e == nil {
		return nil, nil
	}
	if e.IsStatic() {
		var out []string
		for _, p := range strings.Split(e.Source(), ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out, nil
	}
	v, err := ctx.Eval(e)
	if err != nil {
		return nil, err
	}
	switch l := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{l}, nil
	case []any:
		out := make([]string, 0, len(l))
		for _, x := range l {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("expected a list of strings, but it holds %s", element.Describe(x))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected a list of strings, but it is %s", element.Describe(v))
}

func number(v any) (int32, bool) {
	switch n := v.(type) {
	case float64:
		if n == float64(int32(n)) {
			return int32(n), true
		}
	case string:
		var x int32
		if _, err := fmt.Sscanf(n, "%d", &x); err == nil && fmt.Sprint(x) == strings.TrimSpace(n) {
			return x, true
		}
	}
	return 0, false
}

// Interface guards
var _ element.Handler = Handler{}
