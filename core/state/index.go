package state

import (
	"container/heap"
	"slices"
	"sort"
)

// jobQueue keeps activatable job keys in ascending order. Jobs mostly join at
// the end (keys grow) and leave at the front (activation), so both are cheap;
// the rare removal from the middle marks a tombstone.
type jobQueue struct {
	keys []int64
	head int
	gone map[int64]struct{}
	n    int
}

func newJobQueue() *jobQueue { return &jobQueue{gone: map[int64]struct{}{}} }

func (q *jobQueue) len() int { return q.n }

func (q *jobQueue) add(key int64) {
	q.n++
	if _, ok := q.gone[key]; ok {
		delete(q.gone, key) // re-added before its tombstone was passed
		return
	}
	live := q.keys[q.head:]
	if len(live) == 0 || live[len(live)-1] < key {
		q.keys = append(q.keys, key)
		return
	}
	i := sort.Search(len(live), func(i int) bool { return live[i] >= key })
	q.keys = append(q.keys, 0)
	copy(q.keys[q.head+i+1:], q.keys[q.head+i:])
	q.keys[q.head+i] = key
}

func (q *jobQueue) remove(key int64) {
	if _, ok := q.gone[key]; ok {
		return // removed already
	}
	live := q.keys[q.head:]
	i := sort.Search(len(live), func(i int) bool { return live[i] >= key })
	if i >= len(live) || live[i] != key {
		return // not queued
	}
	q.n--
	if i == 0 {
		q.head++
	} else {
		q.gone[key] = struct{}{}
	}
	q.skipGone()
}

func (q *jobQueue) skipGone() {
	for q.head < len(q.keys) {
		k := q.keys[q.head]
		if _, ok := q.gone[k]; !ok {
			break
		}
		delete(q.gone, k)
		q.head++
	}
	q.compact()
}

func (q *jobQueue) compact() {
	if q.head > 1024 && q.head*2 > len(q.keys) {
		q.keys = append(q.keys[:0], q.keys[q.head:]...)
		q.head = 0
	}
	if q.head == len(q.keys) {
		q.keys = q.keys[:0]
		q.head = 0
	}
}

func (q *jobQueue) first(limit int) []int64 {
	out := make([]int64, 0, min(limit, q.n))
	for _, k := range q.keys[q.head:] {
		if len(out) >= limit {
			break
		}
		if _, ok := q.gone[k]; ok {
			continue
		}
		out = append(out, k)
	}
	return out
}

// timerHeap orders job keys by a due time (Unix ms, then key). Entries are
// removed lazily: an entry counts only while its due time is the current one.
type timerHeap struct {
	items timerItems
	at    map[int64]int64 // key -> current due time
}

type timerItem struct{ at, key int64 }

type timerItems []timerItem

func (h timerItems) Len() int { return len(h) }
func (h timerItems) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].key < h[j].key
}
func (h timerItems) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerItems) Push(x any)   { *h = append(*h, x.(timerItem)) }
func (h *timerItems) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

func newTimerHeap() *timerHeap { return &timerHeap{at: map[int64]int64{}} }

func (t *timerHeap) set(key, at int64) {
	if cur, ok := t.at[key]; ok && cur == at {
		return
	}
	t.at[key] = at
	heap.Push(&t.items, timerItem{at: at, key: key})
}

func (t *timerHeap) remove(key int64) { delete(t.at, key) }

func (t *timerHeap) clean() {
	for len(t.items) > 0 {
		top := t.items[0]
		if at, ok := t.at[top.key]; ok && at == top.at {
			return
		}
		heap.Pop(&t.items)
	}
}

func (t *timerHeap) peek() (int64, bool) {
	t.clean()
	if len(t.items) == 0 {
		return 0, false
	}
	return t.items[0].at, true
}

// due returns up to limit keys due at or before now, in due order, without
// removing them: the events that handle them do. It walks only the part of
// the heap that is due.
func (t *timerHeap) due(now int64, limit int) []int64 {
	t.clean()
	var found timerItems
	var walk func(i int)
	walk = func(i int) {
		if i >= len(t.items) || t.items[i].at > now {
			return
		}
		if at, ok := t.at[t.items[i].key]; ok && at == t.items[i].at {
			found = append(found, t.items[i])
		}
		walk(2*i + 1)
		walk(2*i + 2)
	}
	walk(0)
	sort.Sort(found)
	if len(found) > limit {
		found = found[:limit]
	}
	out := make([]int64, len(found))
	for i, it := range found {
		out[i] = it.key
	}
	return out
}

// sortedKeys returns a map's keys in ascending order.
func sortedKeys[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // no reflection: Check sorts every table's keys at restore
	return keys
}
