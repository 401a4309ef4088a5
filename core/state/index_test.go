package state

import (
	"sort"
	"testing"

	"pgregory.net/rapid"
)

// The job queue behaves like a sorted set under any mix of operations.
func TestJobQueueMatchesASortedSet(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q := newJobQueue()
		model := map[int64]bool{}
		t.Repeat(map[string]func(*rapid.T){
			"add": func(t *rapid.T) {
				k := rapid.Int64Range(1, 40).Draw(t, "key")
				if model[k] {
					t.Skip("adding a queued key is not allowed")
				}
				q.add(k)
				model[k] = true
			},
			"remove": func(t *rapid.T) {
				k := rapid.Int64Range(1, 40).Draw(t, "key")
				q.remove(k)
				delete(model, k)
			},
			"": func(t *rapid.T) {
				var want []int64
				for k := range model {
					want = append(want, k)
				}
				sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
				got := q.first(1000)
				if q.len() != len(want) || len(got) != len(want) {
					t.Fatalf("queue %v (len %d), want %v", got, q.len(), want)
				}
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("queue %v, want %v", got, want)
					}
				}
			},
		})
	})
}
