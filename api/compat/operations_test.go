package compat_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestOperationListMatchesTheClient checks api/rest's list of Camunda 8.8
// operations (testdata/camunda-8.8-operations.txt there, which the count
// in docs/api.md is made from) against the operations the installed
// official client defines in its generated SDK (src/gen/sdk.gen.ts).
func TestOperationListMatchesTheClient(t *testing.T) {
	nodeWithClient(t)
	chunks, err := filepath.Glob(filepath.Join("js", "node_modules", "@camunda8", "orchestration-cluster-api", "dist", "*.js"))
	if err != nil {
		t.Fatal(err)
	}
	op := regexp.MustCompile(`(?s)var (\w+) = \(options\) => \{\s*return \(options\??\.client \?\? client\)\.(get|post|put|patch|delete)\(\{.*?url: "([^"]+)"`)
	var fromClient []string
	for _, f := range chunks {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		start := bytes.Index(b, []byte("// src/gen/sdk.gen.ts"))
		if start < 0 {
			continue
		}
		for _, m := range op.FindAllSubmatch(b[start:], -1) {
			fromClient = append(fromClient, strings.ToUpper(string(m[2]))+" /v2"+string(m[3])+" "+string(m[1]))
		}
	}
	if len(fromClient) == 0 {
		t.Fatal("found no operations in the client's generated SDK")
	}
	b, err := os.ReadFile(filepath.Join("..", "rest", "testdata", "camunda-8.8-operations.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			listed = append(listed, line)
		}
	}
	slices.Sort(fromClient)
	slices.Sort(listed)
	for _, o := range fromClient {
		if !slices.Contains(listed, o) {
			t.Errorf("the client defines %s, the list lacks it", o)
		}
	}
	for _, o := range listed {
		if !slices.Contains(fromClient, o) {
			t.Errorf("the list has %s, the client does not define it", o)
		}
	}
}
