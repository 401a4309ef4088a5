package engine

import (
	"errors"
	"fmt"

	"github.com/example/wf-engine/core/record"
)

// Rejection is a command the engine refused, with the reason. Callers map
// its Type to their protocol's status codes.
type Rejection struct {
	Type   record.RejectionType
	Reason string
}

func (r *Rejection) Error() string { return fmt.Sprintf("%s: %s", r.Type, r.Reason) }

func reject(t record.RejectionType, format string, args ...any) *Rejection {
	return &Rejection{Type: t, Reason: fmt.Sprintf(format, args...)}
}

// AsRejection returns the rejection inside err, if any.
func AsRejection(err error) (*Rejection, bool) {
	var r *Rejection
	ok := errors.As(err, &r)
	return r, ok
}
