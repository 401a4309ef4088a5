package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/knadh/koanf/providers/structs"
	"github.com/knadh/koanf/v2"
	"go.yaml.in/yaml/v3"
)

const configUsage = "usage: wf-engine config print [flags] | wf-engine config check FILE"

// maxConfigFileBytes bounds the file `config check` reads.
const maxConfigFileBytes = 4 << 20

// runConfig runs `wf-engine config print` (the effective configuration from
// defaults, the file, the environment and the flags, secrets redacted, as
// YAML) and `wf-engine config check FILE` (the file alone over the defaults:
// every unknown key and every invalid value, each with its line).
func runConfig(inv invocation) error {
	if len(inv.args) == 0 {
		return errors.New(configUsage)
	}
	switch inv.args[0] {
	case "print":
		fs := flagSet()
		fs.SetOutput(inv.out)
		if err := fs.Parse(inv.args[1:]); err != nil {
			return fmt.Errorf("wf-engine config print: %w", err)
		}
		if fs.NArg() > 0 {
			return errors.New(configUsage)
		}
		cfg, err := loadConfig(fs, inv.environ)
		if err != nil {
			return err
		}
		enc := yaml.NewEncoder(inv.out)
		enc.SetIndent(2)
		if err := enc.Encode(redactConfig(reflect.ValueOf(cfg), "")); err != nil {
			return fmt.Errorf("print the configuration: %w", err)
		}
		if err := enc.Close(); err != nil {
			return fmt.Errorf("print the configuration: %w", err)
		}
		// Printed first, so that what is wrong can be seen in context.
		return cfg.validate()
	case "check":
		if len(inv.args) != 2 || strings.HasPrefix(inv.args[1], "-") {
			return errors.New(configUsage)
		}
		return checkConfigFile(inv.args[1], inv.out)
	}
	return fmt.Errorf("unknown config command %q (%s)", inv.args[0], configUsage)
}

// checkConfigFile checks the configuration file path on its own (defaults,
// then the file; the environment and flags of the shell that runs the check
// are left out, since the file is often meant for another machine).
func checkConfigFile(path string, out io.Writer) error {
	data, err := readConfigFile(path)
	if err != nil {
		return err
	}
	lines, err := keyLines(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	k := koanf.New(".")
	if err := k.Load(structs.Provider(defaultConfig(), "koanf"), nil); err != nil {
		return fmt.Errorf("load defaults: %w", err)
	}
	known := knownKeys(k)
	var problems []string
	for key, line := range lines {
		if !known[key] && !openConfigKey(key) && !knownPrefix(known, key) {
			problems = append(problems, fmt.Sprintf("%s:%d: unknown key %q%s", path, line, key, suggestKey(known, key)))
		}
	}
	if len(problems) == 0 {
		fs := flagSet()
		if err := fs.Parse([]string{"--config", path}); err != nil {
			return err
		}
		cfg, err := loadConfig(fs, func() []string { return nil })
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for _, p := range cfg.problems() {
			problems = append(problems, locate(path, p, lines))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("%s is not a valid configuration:\n  %s", path, strings.Join(problems, "\n  "))
	}
	_, err = fmt.Fprintf(out, "%s: configuration OK\n", path)
	return err
}

// readConfigFile reads a configuration file of bounded size.
func readConfigFile(path string) ([]byte, error) {
	f, err := os.Open(path) // #nosec G304 -- the operator names the file to check
	if err != nil {
		return nil, fmt.Errorf("read configuration file: %w", err)
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read configuration file %s: %w", path, err)
	}
	if len(data) > maxConfigFileBytes {
		return nil, fmt.Errorf("configuration file %s is larger than %d bytes", path, maxConfigFileBytes)
	}
	return data, nil
}

// keyLines returns every leaf key of a YAML configuration document (dotted,
// as koanf names them) with the line it is on.
func keyLines(data []byte) (map[string]int, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return map[string]int{}, nil
		}
		return nil, fmt.Errorf("parse YAML: %w", err)
	}
	lines := map[string]int{}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, prefix)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				key := joinKey(prefix, n.Content[i].Value)
				if v := n.Content[i+1]; v.Kind == yaml.MappingNode && len(v.Content) > 0 {
					walk(v, key)
				} else {
					lines[key] = n.Content[i].Line
				}
			}
		}
	}
	walk(&doc, "")
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 && doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("expected a mapping of configuration keys at the top")
	}
	return lines, nil
}

// knownPrefix reports keys inside a known key whose value is a map in the
// defaults.
func knownPrefix(known map[string]bool, key string) bool {
	parts := strings.Split(key, ".")
	for i := len(parts) - 1; i > 0; i-- {
		if known[strings.Join(parts[:i], ".")] {
			return true
		}
	}
	return false
}

// suggestKey names a known key that differs from key in its last part
// only, for typos such as http.adress.
func suggestKey(known map[string]bool, key string) string {
	best, bestDist := "", 3
	for k := range known {
		if d := editDistance(k, key); d < bestDist || d == bestDist && best != "" && k < best {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// locate prefixes a validation problem ("http.address: ...") with the file
// and line of its key, when the file sets it.
func locate(path, problem string, lines map[string]int) string {
	key, _, ok := strings.Cut(problem, ":")
	if ok {
		if line, found := lines[key]; found {
			return fmt.Sprintf("%s:%d: %s", path, line, problem)
		}
	}
	return fmt.Sprintf("%s: %s", path, problem)
}
