package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"pgregory.net/rapid"
)

// validationServer serves the three fast-path routes with the validator
// and a handler that decodes the body as the real handlers do and echoes
// what they would hand the engine; fast false turns the fast path off.
func validationServer(t testing.TB, fast bool) http.Handler {
	t.Helper()
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cfg: Config{MaxVariablesBytes: 64}.withDefaults(), spec: spec, noFastPath: !fast}
	s.shed.maxHeld, s.shed.maxBytes = int64(s.cfg.MaxHeldRequests), s.cfg.MaxBufferedBytes
	r := gin.New()
	r.ContextWithFallback = true
	echo := func(c *gin.Context, wasFast bool, req any, vars map[string]any, err error) {
		if err != nil {
			s.fail(c, "", err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"fast": wasFast, "req": req, "vars": vars})
	}
	r.POST("/v2/process-instances", s.limitBody, s.validate, func(c *gin.Context) {
		_, wasFast := decoded[*createBody](c)
		body, ok := s.createBody(c)
		if !ok {
			return
		}
		vars, err := body.vars, error(nil)
		if !body.decoded {
			vars, err = s.variables(body.req.Variables)
		}
		echo(c, wasFast, &body.req, vars, err)
	})
	r.POST("/v2/jobs/activation", s.limitBody, s.validate, func(c *gin.Context) {
		d, wasFast := decoded[*JobActivationRequest](c)
		if !wasFast {
			d = &JobActivationRequest{}
			if !s.bind(c, d, false) {
				return
			}
		}
		echo(c, wasFast, d, nil, nil)
	})
	r.POST("/v2/jobs/:jobKey/completion", s.limitBody, s.validate, func(c *gin.Context) {
		d, wasFast := decoded[*completionBody](c)
		if wasFast {
			echo(c, true, nil, d.vars, nil)
			return
		}
		var req JobCompletionRequest
		if !s.bind(c, &req, true) {
			return
		}
		vars, err := s.variables(req.Variables)
		echo(c, false, nil, vars, err)
	})
	return r
}

// answer is what a validation server answered, without the fast flag.
type answer struct {
	status int
	ct     string
	body   string
	fast   bool
}

func ask(h http.Handler, path, contentType string, body string, headers ...string) answer {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	a := answer{status: rec.Code, ct: rec.Header().Get("Content-Type"), body: rec.Body.String()}
	var m map[string]any
	if rec.Code == http.StatusOK && json.Unmarshal(rec.Body.Bytes(), &m) == nil {
		a.fast, _ = m["fast"].(bool)
		delete(m, "fast")
		b, _ := json.Marshal(m)
		a.body = string(b)
	}
	return a
}

// fastCase is a request to a fast-path route; fast says whether the fast
// path must take it (the plain valid bodies of job workers).
type fastCase struct {
	name, path, body string
	fast             bool
	headers          []string
}

var fastCases = []fastCase{
	// create: wf-bench's bodies, Camunda's client's, and what the schema refuses
	{"create/bench", "/v2/process-instances", `{"processDefinitionId":"bench-w1","variables":{"orderId":"o-1","amount":42}}`, true, nil},
	{"create/await", "/v2/process-instances", `{"processDefinitionId":"bench-w1","variables":{"orderId":"o-1","amount":42},"awaitCompletion":true,"requestTimeout":30000,"fetchVariables":["orderId"]}`, true, nil},
	{"create/all plain fields", "/v2/process-instances", `{"processDefinitionId":"_a.b-c","processDefinitionVersion":-1,"tenantId":"<default>","tags":["t1","a:b.c_d-e"],"startInstructions":[],"variables":{}}`, true, nil},
	{"create/idempotency key", "/v2/process-instances", `{"processDefinitionId":"order"}`, true, []string{"Idempotency-Key", "k-1"}},
	{"create/unknown field", "/v2/process-instances", `{"processDefinitionId":"order","other":[1,{"x":true}]}`, false, nil},
	{"create/empty runtime instructions", "/v2/process-instances", `{"processDefinitionId":"order","runtimeInstructions":[]}`, true, nil},
	{"create/runtime instruction", "/v2/process-instances", `{"processDefinitionId":"order","runtimeInstructions":[{"type":"TERMINATE_PROCESS_INSTANCE","afterElementId":"a"}]}`, false, nil},
	{"create/version as string", "/v2/process-instances", `{"processDefinitionId":"order","processDefinitionVersion":"2"}`, false, nil},
	{"create/bad version string", "/v2/process-instances", `{"processDefinitionId":"order","processDefinitionVersion":"2a"}`, false, nil},
	{"create/version below -1", "/v2/process-instances", `{"processDefinitionId":"order","processDefinitionVersion":-2}`, false, nil},
	{"create/version out of int32", "/v2/process-instances", `{"processDefinitionId":"order","processDefinitionVersion":4294967296}`, false, nil},
	{"create/version fraction", "/v2/process-instances", `{"processDefinitionId":"order","processDefinitionVersion":1.5}`, false, nil},
	{"create/key as string", "/v2/process-instances", `{"processDefinitionKey":"2251799813685249"}`, false, nil},
	{"create/key and id", "/v2/process-instances", `{"processDefinitionKey":"1","processDefinitionId":"order"}`, false, nil},
	{"create/neither", "/v2/process-instances", `{"variables":{"a":1}}`, false, nil},
	{"create/empty id", "/v2/process-instances", `{"processDefinitionId":""}`, false, nil},
	{"create/id pattern", "/v2/process-instances", `{"processDefinitionId":"9order"}`, false, nil},
	{"create/id wrong type", "/v2/process-instances", `{"processDefinitionId":12}`, false, nil},
	{"create/id null", "/v2/process-instances", `{"processDefinitionId":null}`, false, nil},
	{"create/variables array", "/v2/process-instances", `{"processDefinitionId":"order","variables":[1,2]}`, false, nil},
	{"create/variables string", "/v2/process-instances", `{"processDefinitionId":"order","variables":"x"}`, false, nil},
	{"create/variables null", "/v2/process-instances", `{"processDefinitionId":"order","variables":null}`, false, nil},
	{"create/variables too large", "/v2/process-instances", `{"processDefinitionId":"order","variables":{"a":"` + strings.Repeat("x", 80) + `"}}`, false, nil},
	{"create/variable escape", "/v2/process-instances", `{"processDefinitionId":"order","variables":{"a":"line\nbreak \u00e9"}}`, false, nil},
	{"create/variable NUL", "/v2/process-instances", `{"processDefinitionId":"order","variables":{"a":"\u0000"}}`, false, nil},
	{"create/NUL in key", "/v2/process-instances", `{"processDefinitionId":"order","variables":{"\u0000":1}}`, false, nil},
	{"create/empty tenant", "/v2/process-instances", `{"processDefinitionId":"order","tenantId":""}`, false, nil},
	{"create/tenant pattern", "/v2/process-instances", `{"processDefinitionId":"order","tenantId":"a b"}`, false, nil},
	{"create/tenant too long", "/v2/process-instances", `{"processDefinitionId":"order","tenantId":"` + strings.Repeat("t", 257) + `"}`, false, nil},
	{"create/tenant 256", "/v2/process-instances", `{"processDefinitionId":"order","tenantId":"` + strings.Repeat("t", 256) + `"}`, true, nil},
	{"create/eleven tags", "/v2/process-instances", `{"processDefinitionId":"order","tags":["a","b","c","d","e","f","g","h","i","j","k"]}`, false, nil},
	{"create/tag pattern", "/v2/process-instances", `{"processDefinitionId":"order","tags":["1a"]}`, false, nil},
	{"create/empty tag", "/v2/process-instances", `{"processDefinitionId":"order","tags":[""]}`, false, nil},
	{"create/tag too long", "/v2/process-instances", `{"processDefinitionId":"order","tags":["a` + strings.Repeat("b", 100) + `"]}`, false, nil},
	{"create/tag of 100", "/v2/process-instances", `{"processDefinitionId":"order","tags":["a` + strings.Repeat("b", 99) + `"]}`, true, nil},
	{"create/negative requestTimeout", "/v2/process-instances", `{"processDefinitionId":"order","requestTimeout":-1}`, false, nil},
	{"create/huge requestTimeout", "/v2/process-instances", `{"processDefinitionId":"order","requestTimeout":9223372036855}`, false, nil},
	{"create/max requestTimeout", "/v2/process-instances", `{"processDefinitionId":"order","requestTimeout":9223372036854}`, true, nil},
	{"create/await as string", "/v2/process-instances", `{"processDefinitionId":"order","awaitCompletion":"true"}`, false, nil},
	{"create/fetchVariables without await", "/v2/process-instances", `{"processDefinitionId":"order","fetchVariables":["a"]}`, true, nil},
	{"create/start instruction", "/v2/process-instances", `{"processDefinitionId":"order","startInstructions":[{"elementId":"x"}]}`, false, nil},
	{"create/start instruction without id", "/v2/process-instances", `{"processDefinitionId":"order","startInstructions":[{}]}`, false, nil},
	{"create/operation reference", "/v2/process-instances", `{"processDefinitionId":"order","operationReference":0}`, false, nil},
	{"create/duplicate key", "/v2/process-instances", `{"processDefinitionId":"order","processDefinitionId":"other"}`, false, nil},
	{"create/key in other case", "/v2/process-instances", `{"ProcessDefinitionId":"order"}`, false, nil},
	{"create/escaped key", "/v2/process-instances", `{"processDefinition\u0049d":"order"}`, false, nil},
	{"create/invalid JSON", "/v2/process-instances", `{"processDefinitionId":"order"`, false, nil},
	{"create/trailing data", "/v2/process-instances", `{"processDefinitionId":"order"} {}`, false, nil},
	{"create/not an object", "/v2/process-instances", `["order"]`, false, nil},
	{"create/invalid UTF-8", "/v2/process-instances", "{\"processDefinitionId\":\"order\",\"variables\":{\"a\":\"\xff\"}}", false, nil},
	{"create/idempotency key too long", "/v2/process-instances", `{"processDefinitionId":"order"}`, false, []string{"Idempotency-Key", strings.Repeat("k", 256)}},
	{"create/two idempotency keys", "/v2/process-instances", `{"processDefinitionId":"order"}`, false, []string{"Idempotency-Key", "a", "Idempotency-Key", "b"}},
	{"create/query", "/v2/process-instances?x=1", `{"processDefinitionId":"order"}`, false, nil},
	// activation
	{"activate/bench", "/v2/jobs/activation", `{"type":"bench-w1","worker":"wf-bench","timeout":30000,"maxJobsToActivate":64,"requestTimeout":1000,"fetchVariable":["orderId"]}`, true, nil},
	{"activate/tenants", "/v2/jobs/activation", `{"type":"t","timeout":1,"maxJobsToActivate":1,"requestTimeout":-1,"tenantIds":["<default>","a@b.c"]}`, true, nil},
	{"activate/no type", "/v2/jobs/activation", `{"timeout":1,"maxJobsToActivate":1}`, false, nil},
	{"activate/empty type", "/v2/jobs/activation", `{"type":"","timeout":1,"maxJobsToActivate":1}`, false, nil},
	{"activate/no timeout", "/v2/jobs/activation", `{"type":"t","maxJobsToActivate":1}`, false, nil},
	{"activate/timeout as string", "/v2/jobs/activation", `{"type":"t","timeout":"1000","maxJobsToActivate":1}`, false, nil},
	{"activate/zero jobs", "/v2/jobs/activation", `{"type":"t","timeout":1,"maxJobsToActivate":0}`, false, nil},
	{"activate/jobs out of int32", "/v2/jobs/activation", `{"type":"t","timeout":1,"maxJobsToActivate":2147483648}`, false, nil},
	{"activate/huge timeout", "/v2/jobs/activation", `{"type":"t","timeout":9223372036855,"maxJobsToActivate":1}`, false, nil},
	{"activate/huge requestTimeout", "/v2/jobs/activation", `{"type":"t","timeout":1,"maxJobsToActivate":1,"requestTimeout":9223372036855}`, false, nil},
	{"activate/bad tenant", "/v2/jobs/activation", `{"type":"t","timeout":1,"maxJobsToActivate":1,"tenantIds":["a b"]}`, false, nil},
	{"activate/fetch not strings", "/v2/jobs/activation", `{"type":"t","timeout":1,"maxJobsToActivate":1,"fetchVariable":[1]}`, false, nil},
	{"activate/worker null", "/v2/jobs/activation", `{"type":"t","worker":null,"timeout":1,"maxJobsToActivate":1}`, false, nil},
	// completion
	{"complete/bench", "/v2/jobs/2251799813685251/completion", `{"variables":{"done":true}}`, true, nil},
	{"complete/empty object", "/v2/jobs/1/completion", `{}`, true, nil},
	{"complete/result", "/v2/jobs/1/completion", `{"variables":{"a":[1,2.5,"x"]},"result":{"denied":false}}`, true, nil},
	{"complete/no body", "/v2/jobs/1/completion", ``, false, nil},
	{"complete/variables array", "/v2/jobs/1/completion", `{"variables":[1]}`, false, nil},
	{"complete/result string", "/v2/jobs/1/completion", `{"result":"x"}`, false, nil},
	{"complete/variables null", "/v2/jobs/1/completion", `{"variables":null}`, false, nil},
	{"complete/bad key", "/v2/jobs/12a/completion", `{"variables":{}}`, false, nil},
	{"complete/long key", "/v2/jobs/" + strings.Repeat("1", 26) + "/completion", `{"variables":{}}`, false, nil},
	{"complete/duplicate variable", "/v2/jobs/1/completion", `{"variables":{"a":1,"a":2}}`, false, nil},
	{"complete/too large", "/v2/jobs/1/completion", `{"variables":{"a":"` + strings.Repeat("x", 80) + `"}}`, false, nil},
}

// TestFastPathAnswersAsTheGenericPath sends every case through the
// validator with its fast path and without, and requires the same answer:
// the same status and problem for what is refused, the same decoded
// request and variables for what is accepted; and the fast path must take
// the plain valid bodies.
func TestFastPathAnswersAsTheGenericPath(t *testing.T) {
	gin.SetMode(gin.TestMode)
	fast, generic := validationServer(t, true), validationServer(t, false)
	for _, tc := range fastCases {
		t.Run(tc.name, func(t *testing.T) {
			f := ask(fast, tc.path, "application/json", tc.body, tc.headers...)
			g := ask(generic, tc.path, "application/json", tc.body, tc.headers...)
			if g.fast {
				t.Fatal("the generic server took the fast path")
			}
			if f.fast != tc.fast {
				t.Errorf("fast path taken: %v, want %v (%d %s)", f.fast, tc.fast, f.status, f.body)
			}
			f.fast = false
			if f != g {
				t.Errorf("answers differ:\nfast:    %d %s %s\ngeneric: %d %s %s", f.status, f.ct, f.body, g.status, g.ct, g.body)
			}
		})
	}
}

// TestFastPathKeepsRefusals checks that the answers to refused bodies are
// the problems they were: a sample of statuses and details.
func TestFastPathKeepsRefusals(t *testing.T) {
	gin.SetMode(gin.TestMode)
	h := validationServer(t, true)
	for _, tc := range []struct{ body, detail string }{
		{`{"processDefinitionId":"order"`, "failed to decode request body"},
		{`{"processDefinitionId":"order","processDefinitionId":"x"}`, "duplicate key 'processDefinitionId'"},
		{`{"processDefinitionId":12}`, "processDefinitionId"},
		{`{"processDefinitionId":"order","processDefinitionVersion":-2}`, "processDefinitionVersion"},
		{`{"processDefinitionId":"order","variables":[1]}`, "variables"},
		{`{"processDefinitionId":"order","tenantId":""}`, "tenantId"},
		{`{"processDefinitionId":"order","awaitCompletition":true}`, "key 'awaitCompletition' at the top level is not a property of this request"},
	} {
		a := ask(h, "/v2/process-instances", "application/json", tc.body)
		if a.status != http.StatusBadRequest || a.ct != problemContentType || !strings.Contains(a.body, tc.detail) {
			t.Errorf("%s: got %d %s %s, want 400 naming %q", tc.body, a.status, a.ct, a.body, tc.detail)
		}
	}
}

// TestFastPathPropertyAgreesWithGeneric builds bodies from valid and
// invalid members and requires both paths to answer alike.
func TestFastPathPropertyAgreesWithGeneric(t *testing.T) {
	gin.SetMode(gin.TestMode)
	fast, generic := validationServer(t, true), validationServer(t, false)
	members := map[string][]string{
		"processDefinitionId":      {`"order"`, `"_x-1.2"`, `""`, `"1x"`, `12`, `null`, `"a\u0062"`, `"é"`},
		"processDefinitionVersion": {`1`, `-1`, `-2`, `0`, `"3"`, `1.0`, `2147483648`, `null`},
		"processDefinitionKey":     {`"1"`, `1`, `"x"`, `-1`},
		"variables":                {`{}`, `{"a":1}`, `{"a":{"b":[1,"x",true]}}`, `[]`, `null`, `"v"`, `{"a":1,"a":2}`, `{"` + strings.Repeat("v", 70) + `":1}`},
		"tenantId":                 {`"<default>"`, `"t-1"`, `""`, `"a b"`, `1`},
		"tags":                     {`[]`, `["a"]`, `["a","a"]`, `["1"]`, `[""]`, `"a"`, `[1]`},
		"awaitCompletion":          {`true`, `false`, `"true"`, `0`},
		"fetchVariables":           {`[]`, `["a"]`, `[1]`},
		"requestTimeout":           {`0`, `1000`, `-1`, `"5"`, `9223372036855`, `1e3`},
		"startInstructions":        {`[]`, `[{"elementId":"a"}]`, `[{}]`},
		"operationReference":       {`1`, `0`, `"2"`},
		"extra":                    {`1`, `{"k":null}`},
		"Tags":                     {`["a"]`},
	}
	names := slices.Sorted(maps.Keys(members))
	rapid.Check(t, func(t *rapid.T) {
		var b bytes.Buffer
		b.WriteByte('{')
		n := rapid.IntRange(0, 6).Draw(t, "members")
		for i := range n {
			name := rapid.SampledFrom(names).Draw(t, fmt.Sprint("name", i))
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%q:%s", name, rapid.SampledFrom(members[name]).Draw(t, fmt.Sprint("value", i)))
		}
		b.WriteByte('}')
		body := b.String()
		f := ask(fast, "/v2/process-instances", "application/json", body)
		g := ask(generic, "/v2/process-instances", "application/json", body)
		f.fast = false
		if f != g {
			t.Fatalf("%s: answers differ:\nfast:    %d %s\ngeneric: %d %s", body, f.status, f.body, g.status, g.body)
		}
	})
}
