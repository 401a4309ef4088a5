package host

import (
	"syscall"
	"testing"
)

// Status reports each plugin by name: up with no restarts at start, and one
// restart after the host brought a killed plugin back.
func TestStatusCountsRestarts(t *testing.T) {
	t.Parallel()
	h, _ := startEcho(t, echoConfig(), fastOptions...)
	if s := h.Status(); len(s) != 1 || s["echo"] != (Status{Up: true}) {
		t.Fatalf("status at start: %+v", s)
	}
	inst, _ := h.procs[0].current()
	if err := syscall.Kill(inst.pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the status shows the restart", func() bool {
		return h.Status()["echo"] == Status{Restarts: 1, Up: true}
	})
}
