package expr

import (
	"testing"
	"time"
)

func TestConnectorErrorBuiltins(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"bpmnError with code and message", `bpmnError("NOT_FOUND", "no such order")`,
			C("errorType", "bpmnError", "code", "NOT_FOUND", "message", "no such order", "variables", C())},
		{"bpmnError with variables", `bpmnError("E1", "m", {a: 1})`,
			C("errorType", "bpmnError", "code", "E1", "message", "m", "variables", C("a", 1.0))},
		{"bpmnError named arguments", `bpmnError(code: "E1", message: "m")`,
			C("errorType", "bpmnError", "code", "E1", "message", "m", "variables", C())},
		{"bpmnError with a number code", `bpmnError(404, "m")`, nil},
		{"bpmnError with variables that are not a context", `bpmnError("E", "m", [1])`, nil},
		{"bpmnError in a conditional", `if error.code = "404" then bpmnError("NOT_FOUND", error.message) else null`, nil},
		{"jobError with a message", `jobError("try later")`,
			C("errorType", "jobError", "message", "try later", "variables", C(), "retries", nil, "retryBackoff", nil)},
		{"jobError with retries and back-off", `jobError("m", {x: "y"}, 2, @"PT30S")`,
			C("errorType", "jobError", "message", "m", "variables", C("x", "y"), "retries", 2.0, "retryBackoff", Duration(30*time.Second))},
		{"jobError with negative retries", `jobError("m", {}, -1)`, nil},
		{"jobError with a fractional retries", `jobError("m", {}, 1.5)`, nil},
		{"jobError with a back-off that is not a duration", `jobError("m", {}, 1, "PT1S")`, nil},
		{"jobError with a years and months back-off", `jobError("m", {}, 1, @"P1Y")`, nil},
	})
}

func TestConnectorErrorBuiltinsArity(t *testing.T) {
	for _, src := range []string{`bpmnError("a")`, `bpmnError("a", "b", {}, 1)`, `jobError()`, `jobError("a", {}, 1, @"PT1S", 2)`} {
		if _, err := CompileFEEL(src); err == nil {
			t.Errorf("CompileFEEL(%q) compiled; want an arity error", src)
		}
	}
}
