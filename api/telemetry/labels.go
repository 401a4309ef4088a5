package telemetry

import "sync"

// Other is the label value that stands for every process id or job type
// past the first telemetry.max_label_values seen.
const Other = "other"

// DefaultMaxLabelValues is the bound on the values of one label when the
// configuration does not name one.
const DefaultMaxLabelValues = 100

// boundedLabel hands out label values for an unbounded source (process ids,
// job types): the first max-1 distinct values as they are, every later one
// as Other, so that a label never takes more than max values.
type boundedLabel struct {
	mu   sync.Mutex
	max  int
	seen map[string]struct{}
}

func newBoundedLabel(maxValues int) *boundedLabel {
	if maxValues < 1 {
		maxValues = DefaultMaxLabelValues
	}
	return &boundedLabel{max: maxValues, seen: map[string]struct{}{}}
}

// value returns the label value that counts v.
func (b *boundedLabel) value(v string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.seen[v]; ok {
		return v
	}
	if len(b.seen) >= b.max-1 || v == Other {
		return Other
	}
	b.seen[v] = struct{}{}
	return v
}
