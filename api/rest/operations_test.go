package rest_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/store/memstore"
)

// camundaOperations reads testdata/camunda-8.8-operations.txt: "METHOD
// /v2/path operationId" per line.
func camundaOperations(t *testing.T) [][3]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "camunda-8.8-operations.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out [][3]string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("bad line %q", line)
		}
		out = append(out, [3]string{f[0], f[1], f[2]})
	}
	return out
}

// servedLine is the sentence of docs/api.md that records the count.
var servedLine = regexp.MustCompile(`wf-engine serves (\d+) of the (\d+) operations of Camunda 8\.8's`)

// TestCamundaOperationsServed counts the Camunda 8.8 operations the server
// serves (same method and path, parameter names aside) and checks the
// count docs/api.md records; with -v it lists the operations not served.
// WF_UPDATE_DOCS=1 rewrites the count.
func TestCamundaOperationsServed(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{})
	param := regexp.MustCompile(`\{[^}]+\}`)
	norm := func(op string) string { return param.ReplaceAllString(op, "{}") }
	var served []string
	for _, op := range c.srv.SpecOperations() {
		served = append(served, norm(op))
	}
	ops := camundaOperations(t)
	n := 0
	for _, op := range ops {
		if slices.Contains(served, norm(op[0]+" "+op[1])) {
			n++
			continue
		}
		t.Logf("not served: %s %s (%s)", op[0], op[1], op[2])
	}
	t.Logf("served: %d of %d", n, len(ops))

	path := filepath.Join("..", "..", "docs", "api.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := servedLine.FindSubmatch(doc)
	if m == nil {
		t.Fatalf("docs/api.md has no sentence matching %q", servedLine)
	}
	want := fmt.Sprintf("wf-engine serves %d of the %d operations of Camunda 8.8's", n, len(ops))
	if string(m[0]) == want {
		return
	}
	if os.Getenv("WF_UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, servedLine.ReplaceAll(doc, []byte(want)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("docs/api.md says %q, but %s; run WF_UPDATE_DOCS=1 go test -run TestCamundaOperationsServed ./api/rest/", m[0], want)
}
