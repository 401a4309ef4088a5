package expr

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestZZSlowCorpus(t *testing.T) {
	dir := os.Getenv("CORPUS")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	env := testEnv()
	for _, f := range files {
		b, _ := os.ReadFile(f)
		lines := strings.SplitN(string(b), "\n", 3)
		if len(lines) < 2 {
			continue
		}
		l := strings.TrimSuffix(strings.TrimPrefix(lines[1], "string("), ")")
		src, err := strconv.Unquote(l)
		if err != nil {
			continue
		}
		start := time.Now()
		e, err := CompileFEEL(src)
		ct := time.Since(start)
		var et time.Duration
		if err == nil {
			s2 := time.Now()
			e.Eval(env)
			et = time.Since(s2)
		}
		if ct+et > 50*time.Millisecond {
			t.Logf("%v %v %q", ct, et, src)
		}
	}
}
