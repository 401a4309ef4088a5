//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package sqlitestore

import "errors"

// lockFile is a no-op where flock is not available: Restore cannot tell
// that an engine has the store open there.
type lockFile struct{}

var errLocked = errors.New("locked")

func lock(string, bool) (*lockFile, error) { return &lockFile{}, nil }

func lockAt(string, bool) (*lockFile, error) { return &lockFile{}, nil }

func (l *lockFile) release() error { return nil }
