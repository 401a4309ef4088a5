package processtest

// TB is the part of testing.TB the kit reports through. *testing.T and
// *testing.B satisfy it; a test of a test helper can pass a recorder.
//
// Fatalf must not return, as with testing.TB: it stops the goroutine that
// called it (testing.T does so with runtime.Goexit).
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Cleanup(fn func())
}
