//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package sqlitestore

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockFile holds an advisory lock (flock) on the store's lock file, PATH.lock:
// shared while a store is open or a backup reads it, exclusive while
// Restore replaces the database file.
type lockFile struct{ f *os.File }

// errLocked is wrapped when another process holds a conflicting lock.
var errLocked = errors.New("locked")

// lock takes the lock of the store at path, without waiting.
func lock(path string, exclusive bool) (*lockFile, error) { return lockAt(path+".lock", exclusive) }

// lockAt takes the lock file at name, without waiting.
func lockAt(name string, exclusive bool) (*lockFile, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600) // #nosec G304 -- a lock file beside the configured store
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil { // #nosec G115 -- a file descriptor fits an int
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLocked
		}
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return &lockFile{f: f}, nil
}

// release drops the lock.
func (l *lockFile) release() error {
	if l == nil {
		return nil
	}
	return l.f.Close()
}
