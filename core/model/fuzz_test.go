package model

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"testdata/*.bpmn", "testdata/invalid/*.bpmn"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte(""))
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><a/>`))
	f.Add([]byte(xmlDecl + defsOpen + minimal + "</bpmn:definitions>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defs, err := Parse(bytes.NewReader(data))
		if err != nil {
			var probs Problems
			if !errors.As(err, &probs) || len(probs) == 0 {
				t.Fatalf("Parse() = %v, %v", defs, err)
			}
			if defs != nil && errors.Is(err, ErrNotWellFormed) {
				t.Fatal("a model for input that is not well-formed")
			}
			for _, p := range probs {
				if p.Msg == "" {
					t.Fatalf("problem without message: %+v", p)
				}
			}
			if defs != nil {
				checkPartial(t, defs)
			}
			return
		}
		checkInvariants(t, defs)
	})
}

// checkInvariants checks what every model without problems guarantees.
func checkInvariants(t *testing.T, defs *Definitions) {
	t.Helper()
	if defs.Messages == nil || defs.Errors == nil || defs.Signals == nil || len(defs.Processes) == 0 {
		t.Fatalf("incomplete definitions: %+v", defs)
	}
	executable := false
	for _, p := range defs.Processes {
		executable = executable || p.Executable
		if p.Root == nil || p.Root.Kind != KindProcess || p.Root.Parent != nil || p.Root.ID != p.ID || p.ID == "" {
			t.Fatalf("process %q: bad root %+v", p.ID, p.Root)
		}
		for id, el := range p.Elements {
			if el.ID != id || el.Parent == nil || !slices.Contains(el.Parent.Children, el) {
				t.Fatalf("element %q: not in its parent", id)
			}
			if up := p.Elements[el.Parent.ID]; el.Parent != p.Root && up != el.Parent && (up == nil || up.Wrapped() != el.Parent) {
				t.Fatalf("element %q: parent %q is not in the process", id, el.Parent.ID)
			}
			if el.Type == "boundaryEvent" && (el.AttachedTo == nil || !slices.Contains(el.AttachedTo.Boundaries, el) || el.AttachedTo.Parent != el.Parent) {
				t.Fatalf("boundary event %q: not attached", id)
			}
			if el.Default != nil && (el.Default.Source != el || !el.Default.IsDefault) {
				t.Fatalf("element %q: default flow does not leave it", id)
			}
			if el.Task != nil && (el.Task.Type == nil || el.Task.Retries == nil) {
				t.Fatalf("element %q: incomplete task definition", id)
			}
			for _, m := range append(slices.Clone(el.Inputs), el.Outputs...) {
				if m.Target == "" {
					t.Fatalf("element %q: mapping without target", id)
				}
			}
			if el.Type == "userTask" && el.UserTask == nil {
				t.Fatalf("user task %q: no settings", id)
			}
		}
		for id, f := range p.Flows {
			if f.ID != id || f.Source == nil || f.Target == nil || f.Source.Parent != f.Target.Parent {
				t.Fatalf("flow %q: bad ends", id)
			}
			if !slices.Contains(f.Source.Outgoing, f) || !slices.Contains(f.Target.Incoming, f) {
				t.Fatalf("flow %q: not linked", id)
			}
		}
	}
	if !executable {
		t.Fatal("no executable process")
	}
}

// checkPartial checks what a partial model (returned with problems)
// guarantees: no nil entries in its lists and maps, and every linked flow
// has both ends.
func checkPartial(t *testing.T, defs *Definitions) {
	t.Helper()
	for _, p := range defs.Processes {
		if p == nil || p.Root == nil || p.Elements == nil || p.Flows == nil {
			t.Fatal("incomplete process")
		}
		for id, el := range p.Elements {
			if el == nil || el.Parent == nil {
				t.Fatalf("element %q: nil or without parent", id)
			}
			for _, list := range [][]*SequenceFlow{el.Incoming, el.Outgoing} {
				for _, f := range list {
					if f == nil || f.Source == nil || f.Target == nil {
						t.Fatalf("element %q: linked flow without both ends", id)
					}
				}
			}
			for _, c := range append(slices.Clone(el.Children), el.Boundaries...) {
				if c == nil {
					t.Fatalf("element %q: nil child or boundary", id)
				}
			}
			if el.Default != nil && el.Default.Source != el {
				t.Fatalf("element %q: default flow does not leave it", id)
			}
		}
		for id, f := range p.Flows {
			if f == nil || (f.Source == nil) != (f.Target == nil) {
				t.Fatalf("flow %q: half linked", id)
			}
		}
	}
}
