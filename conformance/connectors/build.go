package connectorsuite

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BuildPlugin builds the plugin main package pkg (an import path, such as
// "github.com/example/wf-engine/plugins/examples/echo") into a temporary
// directory with the go command, and returns the binary's path and its hex
// SHA-256, ready for a plugin declaration.
func BuildPlugin(t testing.TB, pkg string) (path, sum string) {
	t.Helper()
	path, sum, err := BuildPluginIn(t.TempDir(), pkg)
	if err != nil {
		t.Fatal(err)
	}
	return path, sum
}

// BuildPluginIn is BuildPlugin into dir, for a TestMain that builds a plugin
// once for a whole package.
func BuildPluginIn(dir, pkg string) (path, sum string, err error) {
	path = filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", path, pkg) // #nosec G204 -- test support: builds a package the test names
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	s, err := FileSHA256(path)
	return path, s, err
}

// FileSHA256 returns the hex SHA-256 of the file at path.
func FileSHA256(path string) (string, error) {
	b, err := os.ReadFile(path) // #nosec G304 -- a test's own plugin binary
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), nil
}
