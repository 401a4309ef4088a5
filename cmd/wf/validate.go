package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/elements/standard"
)

// validateCommand is wf validate: offline, with the engine's own parser
// and element handlers (see doc.go for why it may import them).
func (a *app) validateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "validate <file.bpmn>...",
		Short: "Check BPMN models offline, as a deployment would",
		Long: "Check BPMN models without an engine. The files are checked together, as one\n" +
			"'wf deploy' of the same files would be, with the engine's own parser and element\n" +
			"handlers: every problem is listed with its file, line and element. The exit code\n" +
			"is 1 when there is any.",
		Example: "  wf validate order.bpmn payment.bpmn\n  wf validate -o json order.bpmn",
		Args:    atLeastOne("<file.bpmn>"),
	}
	cmd.RunE = a.runE(func(_ context.Context, args []string) error {
		reports := make([]fileReport, 0, len(args))
		for _, p := range args {
			b, err := readFile(p)
			if err != nil {
				return usageErrorf("read %s: %v", p, err)
			}
			reports = append(reports, validateFile(p, b))
		}
		checkDuplicates(reports)
		bad, count := 0, 0
		for _, r := range reports {
			if !r.Valid {
				bad++
				count += len(r.Problems)
			}
		}
		if err := a.print(reports, func(tw *tabwriter.Writer) {
			for _, r := range reports {
				if r.Valid {
					fmt.Fprintf(tw, "%s: ok (%s)\n", r.File, strings.Join(r.processes, ", "))
				}
				for _, pr := range r.Problems {
					fmt.Fprintf(tw, "%s: %s\n", r.File, pr.text)
				}
			}
		}); err != nil {
			return err
		}
		if bad > 0 {
			return failure("%d %s in %d of %d %s", count, plural(count, "problem"), bad, len(reports), plural(len(reports), "file"))
		}
		return nil
	})
	return cmd
}

// fileReport is the verdict on one file.
type fileReport struct {
	File     string    `json:"file"`
	Valid    bool      `json:"valid"`
	Problems []problem `json:"problems"`
	// processes are the executable processes of a valid file.
	processes []string
}

// problem is one problem of a file. Text is the engine's rendering, as a
// deployment's rejection has it after the resource name.
type problem struct {
	Line    int    `json:"line,omitempty"`
	Element string `json:"element,omitempty"`
	Message string `json:"message"`
	text    string
}

var (
	lineRe    = regexp.MustCompile(`^line (\d+): `)
	elementRe = regexp.MustCompile(`element (?:[A-Za-z]+ )?'([^']*)'`)
)

// newProblem splits a problem line of the engine ("line 12: element
// 'task': msg") into its parts.
func newProblem(text string) problem {
	pr := problem{Message: text, text: text}
	if m := lineRe.FindStringSubmatch(text); m != nil {
		pr.Line, _ = strconv.Atoi(m[1])
		pr.Message = strings.TrimPrefix(text, m[0])
	}
	if m := elementRe.FindStringSubmatch(text); m != nil {
		pr.Element = m[1]
	}
	return pr
}

// validateFile checks one file exactly as the engine's deploy command does
// (engine.CheckResource): the parser's problems, then the element
// handlers' checks of what the parser accepted.
func validateFile(path string, content []byte) fileReport {
	r := fileReport{File: path, Problems: []problem{}}
	defs, checks, parseErr := engine.CheckResource(standard.Registry(), content)
	var ps model.Problems
	switch {
	case errors.As(parseErr, &ps):
		for _, p := range ps {
			pr := newProblem(p.String())
			pr.Line, pr.Element = p.Line, p.ElementID
			r.Problems = append(r.Problems, pr)
		}
	case parseErr != nil:
		r.Problems = append(r.Problems, newProblem(parseErr.Error()))
	}
	for _, text := range checks {
		r.Problems = append(r.Problems, newProblem(text))
	}
	r.Valid = len(r.Problems) == 0
	if r.Valid {
		for _, p := range defs.Processes {
			if p.Executable {
				r.processes = append(r.processes, p.ID)
			}
		}
	}
	return r
}

// checkDuplicates reports a process id that two files of the same
// deployment define, as the engine rejects such a deployment. Like the
// engine it looks only when every file is valid on its own.
func checkDuplicates(reports []fileReport) {
	for _, r := range reports {
		if !r.Valid {
			return
		}
	}
	seen := map[string]string{}
	for i := range reports {
		r := &reports[i]
		for _, id := range r.processes {
			if other, dup := seen[id]; dup {
				r.Problems = append(r.Problems, newProblem(fmt.Sprintf("process '%s' is in both %s and %s", id, other, r.File)))
				r.Valid = false
				continue
			}
			seen[id] = r.File
		}
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
