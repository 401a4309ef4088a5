package expr

// The connector error functions of Camunda's connectors runtime. A task's
// errorExpression header calls them to turn a connector's outcome into a BPMN
// error or a job failure; they only build a context, which the connector
// runtime reads. Elsewhere they are harmless: they have no effect but their
// value.
//
//	bpmnError(code, message[, variables])
//	  → {errorType: "bpmnError", code, message, variables}
//	jobError(message[, variables[, retries[, retryBackoff]]])
//	  → {errorType: "jobError", message, variables, retries, retryBackoff}
//
// Arguments of the wrong type give null, as for every built-in.

// Values of the errorType entry.
const (
	ErrorTypeBPMN = "bpmnError"
	ErrorTypeJob  = "jobError"
)

func fnBPMNError(a []any) any {
	code, ok := str(a, 0)
	if !ok {
		return nil
	}
	msg, ok := str(a, 1)
	if !ok {
		return nil
	}
	vars, ok := optionalContext(a, 2)
	if !ok {
		return nil
	}
	return map[string]any{"errorType": ErrorTypeBPMN, "code": code, "message": msg, "variables": vars}
}

func fnJobError(a []any) any {
	msg, ok := str(a, 0)
	if !ok {
		return nil
	}
	vars, ok := optionalContext(a, 1)
	if !ok {
		return nil
	}
	out := map[string]any{"errorType": ErrorTypeJob, "message": msg, "variables": vars, "retries": nil, "retryBackoff": nil}
	if r := arg(a, 2); r != nil {
		n, ok := integer(a, 2)
		if !ok || n < 0 {
			return nil
		}
		out["retries"] = float64(n)
	}
	if b := arg(a, 3); b != nil {
		d, ok := b.(Duration)
		if !ok || d < 0 {
			return nil
		}
		out["retryBackoff"] = d
	}
	return out
}

// optionalContext reads argument i as a context; a missing or null argument
// is an empty context.
func optionalContext(a []any, i int) (map[string]any, bool) {
	v := arg(a, i)
	if v == nil {
		return map[string]any{}, true
	}
	m, ok := v.(map[string]any)
	return m, ok
}

func init() {
	def("bpmnError", 2, 3, simple(fnBPMNError), "code,message", "code,message,variables")
	def("jobError", 1, 4, simple(fnJobError), "message", "message,variables", "message,variables,retries", "message,variables,retries,retryBackoff")
}
