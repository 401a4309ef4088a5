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
	return &boundedLabel{max: Options{MaxLabelValues: maxValues}.maxLabelValues(), seen: map[string]struct{}{}}
}

// maxLabelValues is MaxLabelValues, or the default when it is not set.
func (o Options) maxLabelValues() int {
	if o.MaxLabelValues < 1 {
		return DefaultMaxLabelValues
	}
	return o.MaxLabelValues
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
