package clock

import (
	"testing"
	"time"
)

func TestManualFiresWaitersWhenDue(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := NewManual(start)
	early := m.After(time.Second)
	late := m.After(time.Minute)
	m.Advance(30 * time.Second)
	select {
	case got := <-early:
		if !got.Equal(start.Add(30 * time.Second)) {
			t.Fatalf("early waiter got %v", got)
		}
	default:
		t.Fatal("waiter due after 1s did not fire after 30s")
	}
	select {
	case <-late:
		t.Fatal("waiter due after 1m fired after 30s")
	default:
	}
	m.Set(start) // never backwards
	if !m.Now().Equal(start.Add(30 * time.Second)) {
		t.Fatalf("clock moved backwards to %v", m.Now())
	}
	m.Advance(time.Minute)
	select {
	case <-late:
	default:
		t.Fatal("waiter due after 1m did not fire")
	}
}

func TestManualAfterZeroFiresAtOnce(t *testing.T) {
	m := NewManual(time.Unix(0, 0))
	select {
	case <-m.After(0):
	default:
		t.Fatal("After(0) did not fire at once")
	}
}

func TestSystemIsUTC(t *testing.T) {
	if loc := (System{}).Now().Location(); loc != time.UTC {
		t.Fatalf("location %v", loc)
	}
	<-System{}.After(time.Nanosecond)
}
