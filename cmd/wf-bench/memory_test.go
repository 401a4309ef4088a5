package main

import "testing"

func TestParseStatusKB(t *testing.T) {
	status := []byte("Name:\twf-engine\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n")
	if n, err := parseStatusKB(status, "VmHWM"); err != nil || n != 204800 {
		t.Fatalf("VmHWM: %d, %v", n, err)
	}
	if n, err := parseStatusKB(status, "VmRSS"); err != nil || n != 102400 {
		t.Fatalf("VmRSS: %d, %v", n, err)
	}
	if _, err := parseStatusKB(status, "VmSwap"); err == nil {
		t.Fatal("a missing line gave no error")
	}
	if _, err := parseStatusKB([]byte("VmRSS:\tlots kB\n"), "VmRSS"); err == nil {
		t.Fatal("a line without a number gave no error")
	}
}
