package rest

import (
	"regexp"
	"slices"
	"strings"

	"github.com/example/wf-engine/core/store"
)

// Job filter fields of Camunda 8.8 that the stores do not keep, because
// every job here has the same value: jobs belong to BPMN elements (there
// are no execution or task listeners), so none is denied. A condition on
// one of them is decided here, once for every row: it holds (and is
// dropped from the query) or it does not (and the answer is empty).
// Absent fields (nil) satisfy only $exists false, as in Camunda's
// secondary storage.
var jobConstants = map[string]any{
	"kind":              "BPMN_ELEMENT",
	"listenerEventType": "UNSPECIFIED",
	"isDenied":          nil,
	"deniedReason":      nil,
}

var (
	jobKinds          = []string{"BPMN_ELEMENT", "EXECUTION_LISTENER", "TASK_LISTENER", "AD_HOC_SUB_PROCESS"}
	listenerEventType = []string{"ASSIGNING", "CANCELING", "COMPLETING", "CREATING", "END", "START", "UNSPECIFIED", "UPDATING"}
)

// jobFailedWithRetriesLeft is the filter field hasFailedWithRetriesLeft,
// which the stores answer from the job's state and retries.
const jobFailedWithRetriesLeft = "hasFailedWithRetriesLeft"

// resolveJobFilters decides the conditions of q on constant job fields and
// rewrites hasFailedWithRetriesLeft into state and retries; it returns
// false when no job can match.
func resolveJobFilters(q *store.Query) bool {
	kept := q.Conditions[:0:0]
	for _, c := range q.Conditions {
		if v, ok := jobConstants[c.Field]; ok {
			if !constantHolds(v, c) {
				return false
			}
			continue
		}
		if c.Field != jobFailedWithRetriesLeft {
			kept = append(kept, c)
			continue
		}
		want, isBool := c.Value.(bool)
		switch {
		case c.Op == store.OpExists:
			if !want { // every job has it
				return false
			}
			continue
		case !isBool || c.Op != store.OpEq && c.Op != store.OpNeq:
			return false
		case c.Op == store.OpNeq:
			want = !want
		}
		failed := []store.Condition{{Field: "state", Op: store.OpEq, Value: store.JobStateFailed}, {Field: "retries", Op: store.OpGt, Value: int64(0)}}
		if want {
			kept = append(kept, failed...)
			continue
		}
		if len(q.Or) > 0 { // one $or per query: not both
			return false
		}
		q.Or = []store.Filter{
			{Conditions: []store.Condition{{Field: "state", Op: store.OpNeq, Value: store.JobStateFailed}}},
			{Conditions: []store.Condition{{Field: "retries", Op: store.OpLte, Value: int64(0)}}},
		}
	}
	q.Conditions = kept
	return true
}

// constantHolds evaluates one condition on a field whose value is v for
// every job (nil: absent).
func constantHolds(v any, c store.Condition) bool {
	switch c.Op {
	case store.OpExists:
		b, _ := c.Value.(bool)
		return b == (v != nil)
	case store.OpEq:
		return v != nil && c.Value == v
	case store.OpNeq:
		return v != nil && c.Value != v
	case store.OpIn:
		list, _ := c.Value.([]any)
		return v != nil && slices.Contains(list, v)
	case store.OpNotIn:
		list, _ := c.Value.([]any)
		return v != nil && !slices.Contains(list, v)
	case store.OpLike:
		s, isString := v.(string)
		pattern, _ := c.Value.(string)
		return isString && likePattern(pattern).MatchString(s)
	}
	return false
}

// likePattern compiles Camunda's $like: * any run, ? one character, \
// escapes the next character.
func likePattern(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	escaped := false
	for _, r := range p {
		switch {
		case escaped:
			b.WriteString(regexp.QuoteMeta(string(r)))
			escaped = false
		case r == '\\':
			escaped = true
		case r == '*':
			b.WriteString("(?s:.*)")
		case r == '?':
			b.WriteString("(?s:.)")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil { // cannot happen: every character is quoted
		return regexp.MustCompile("^$")
	}
	return re
}
