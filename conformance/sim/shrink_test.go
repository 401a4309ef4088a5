package sim

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/example/wf-engine/core/record"
)

// shrinkBudget bounds the runs the shrinker tries.
const shrinkBudget = 400

// shrink removes operations from a failing run while it keeps failing on
// the same invariant: chunks of halving size (delta debugging), then
// single operations. It returns the shortest run found and its failure.
func shrink(ops []op, v *violation) ([]op, *violation) {
	cur, curV := ops[:min(len(ops), v.step+1)], v
	if w := run(cur); w != nil && w.name == v.name {
		curV = w
	} else {
		cur = ops
	}
	tries := 0
	for chunk := len(cur) / 2; chunk >= 1 && tries < shrinkBudget; chunk /= 2 {
		for i := 0; i+chunk <= len(cur) && tries < shrinkBudget; {
			cand := append(append([]op(nil), cur[:i]...), cur[i+chunk:]...)
			tries++
			if w := run(cand); w != nil && w.name == v.name {
				cur, curV = cand, w
				continue // try the same place again
			}
			i += chunk
		}
	}
	return cur, curV
}

// annotate runs ops once more and returns them with the model files
// their deployments deployed named (model=), so that a scenario file runs
// the same models whatever fixtures are added later and whether the corpus
// is there, and notes saying what each operation did.
func annotate(ops []op) ([]op, map[int]string) {
	r, _ := execute(ops)
	out := append([]op(nil), ops...)
	for i, m := range r.models {
		if i < len(out) {
			out[i].model = m
		}
	}
	return out, r.notes
}

// renderScenario writes ops as a scenario file: comments saying where it
// came from, then one operation a line, each followed by a note on what
// it did (notes may be nil).
func renderScenario(seed uint64, ops []op, v *violation, notes map[int]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# sim scenario: shrunk from seed %d\n", seed)
	if v != nil {
		fmt.Fprintf(&b, "# failed: %s\n", strings.ReplaceAll(v.Error(), "\n", " "))
	}
	b.WriteString("# replay: go test ./conformance/sim -run TestScenarios (when kept under testdata/regressions)\n")
	for i, o := range ops {
		b.WriteString(opLine(o, notes[i]))
	}
	return b.String()
}

// opLine is an operation's line in a scenario file, with its note.
func opLine(o op, note string) string {
	if note == "" {
		return o.String() + "\n"
	}
	return fmt.Sprintf("%-48s # %s\n", o.String(), strings.ReplaceAll(note, "\n", " "))
}

// reannotate rewrites a scenario file's operations with their models and
// notes, keeping the comment lines before the first operation.
func reannotate(text string, ops []op, notes map[int]string) string {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			break
		}
		if strings.TrimSpace(l) != "" {
			b.WriteString(l + "\n")
		}
	}
	for i, o := range ops {
		b.WriteString(opLine(o, notes[i]))
	}
	return b.String()
}

// parseScenario reads a scenario file: one operation a line, '#' comments.
func parseScenario(text string) ([]op, error) {
	var ops []op
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		o, err := parseOp(l)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		ops = append(ops, o)
	}
	return ops, nil
}

// logOf runs ops and returns the store's log, encoded.
func logOf(t *testing.T, ops []op) string {
	t.Helper()
	r, v := execute(ops)
	if v != nil {
		t.Fatal(v)
	}
	var out bytes.Buffer
	err := r.st.Store.ReadLog(context.Background(), 1, func(rec *record.Record) error {
		b, err := record.Marshal(rec)
		if err != nil {
			return err
		}
		out.Write(b)
		out.WriteByte('\n')
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}
