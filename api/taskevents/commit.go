package taskevents

import (
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// ObserveCommit tells the hub when a batch with user-task events has
// committed (engine.Config.OnCommit).
func (h *Hub) ObserveCommit(b *store.Batch, _ time.Duration, err error) {
	if err != nil || len(b.Records) == 0 {
		return
	}
	for i := len(b.Records) - 1; i >= 0; i-- {
		if b.Records[i].ValueType == record.TypeUserTask && b.Records[i].Kind == record.KindEvent {
			h.Changed(b.Records[len(b.Records)-1].Position)
			return
		}
	}
}
