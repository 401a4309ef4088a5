//go:build !unix

package storesuite

import (
	"testing"
	"time"
)

// cpuTime is 0 where getrusage is not available: the CPU figure reads 0.
func cpuTime(*testing.B) time.Duration { return 0 }
