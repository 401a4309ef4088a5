package host

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

// PluginConfig declares one connector plugin.
type PluginConfig struct {
	// Name identifies the plugin in logs (plugin=<name>) and errors; unique.
	Name string `koanf:"name"`
	// Path is the plugin binary.
	Path string `koanf:"path"`
	// SHA256 is the hex SHA-256 of the binary. The host refuses to start a
	// binary that does not match it, at start-up and at every restart.
	SHA256 string `koanf:"sha256"`
	// Env is the plugin's whole environment: the engine's own environment
	// is not passed on (it holds the engine's secrets). Declare PATH, HOME
	// and the like here when the plugin needs them.
	Env map[string]string `koanf:"env"`
}

var (
	sha256Pattern = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
	envName       = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// validate reports everything wrong with the declarations at once, naming
// each plugin by its position and name.
func validate(plugins []PluginConfig) error {
	var problems []string
	seen := map[string]int{}
	for i, p := range plugins {
		where := fmt.Sprintf("plugins[%d]", i)
		if p.Name != "" {
			where += fmt.Sprintf(" (%q)", p.Name)
		}
		switch {
		case strings.TrimSpace(p.Name) == "":
			problems = append(problems, where+": name is empty")
		case seen[p.Name] > 0:
			problems = append(problems, fmt.Sprintf("%s: name is also used by plugins[%d]", where, seen[p.Name]-1))
		}
		seen[p.Name] = i + 1
		if strings.TrimSpace(p.Path) == "" {
			problems = append(problems, where+": path is empty")
		}
		if !sha256Pattern.MatchString(p.SHA256) {
			problems = append(problems, where+": sha256 must be 64 hex digits (the output of sha256sum)")
		}
		for _, k := range sortedKeys(p.Env) {
			if !envName.MatchString(k) {
				problems = append(problems, fmt.Sprintf("%s: env name %q must match %s", where, k, envName))
			}
		}
	}
	if len(problems) > 0 {
		return errors.New("plugin configuration: " + strings.Join(problems, "; "))
	}
	return nil
}

// fileSHA256 returns the SHA-256 of the file at path.
func fileSHA256(path string) ([]byte, error) {
	f, err := os.Open(path) // #nosec G304 -- the operator declares the plugin path; its checksum is verified next
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// verifyChecksum refuses a binary whose SHA-256 is not the declared one.
func verifyChecksum(p PluginConfig) ([]byte, error) {
	want, err := hex.DecodeString(p.SHA256)
	if err != nil {
		return nil, fmt.Errorf("plugin %q: sha256: %w", p.Name, err)
	}
	got, err := fileSHA256(p.Path)
	if err != nil {
		return nil, fmt.Errorf("plugin %q: read binary for its checksum: %w", p.Name, err)
	}
	if !strings.EqualFold(hex.EncodeToString(got), p.SHA256) {
		return nil, fmt.Errorf("plugin %q: binary %s has SHA-256 %x, but the configuration declares %s; refusing to start it",
			p.Name, p.Path, got, strings.ToLower(p.SHA256))
	}
	return want, nil
}

// environment renders env as a sorted KEY=VALUE list.
func environment(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for _, k := range sortedKeys(env) {
		out = append(out, k+"="+env[k])
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
