package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// engineMemory adds the engine's peak resident set and, after o.Settle,
// its resident set to res.
func engineMemory(ctx context.Context, o options, res *Result) error {
	peak, err := procStatusKB(o.PID, "VmHWM")
	if err != nil {
		return err
	}
	res.PeakRSSMB = round(float64(peak) / 1024)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(o.Settle):
	}
	rss, err := procStatusKB(o.PID, "VmRSS")
	if err != nil {
		return err
	}
	res.AfterRSSMB = round(float64(rss) / 1024)
	return nil
}

// procStatusKB reads one "Name: N kB" line of /proc/<pid>/status.
func procStatusKB(pid int, name string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read the engine's memory (-pid %d): %w", pid, err)
	}
	return parseStatusKB(b, name)
}

func parseStatusKB(status []byte, name string) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != name {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc status %s: %q is not a number of kB", name, v)
		}
		return n, nil
	}
	return 0, fmt.Errorf("/proc status has no %s line", name)
}
