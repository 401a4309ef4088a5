package clock

import (
	"testing"
	"time"
)

func TestControlledPinsAndResets(t *testing.T) {
	base := NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	c := NewControlled(base)
	if !c.Now().Equal(base.Now()) {
		t.Fatal("unpinned clock does not follow its base")
	}
	pin := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	c.Pin(pin)
	if got, ok := c.Pinned(); !ok || !got.Equal(pin) || !c.Now().Equal(pin) {
		t.Fatalf("pinned clock reads %v (pinned %v)", c.Now(), ok)
	}
	soon := c.After(time.Minute)
	later := c.After(time.Hour)
	c.Pin(pin.Add(2 * time.Minute))
	select {
	case <-soon:
	default:
		t.Fatal("waiter due in a minute did not fire when the pin moved two minutes")
	}
	select {
	case <-later:
		t.Fatal("waiter due in an hour fired early")
	default:
	}
	c.Reset()
	select {
	case <-later:
	default:
		t.Fatal("reset did not wake the pinned waiter")
	}
	if !c.Now().Equal(base.Now()) {
		t.Fatal("reset clock does not follow its base")
	}
	select {
	case <-c.After(0):
	default:
		t.Fatal("After(0) on the base did not fire")
	}
	c.Pin(pin)
	select {
	case <-c.After(0):
	default:
		t.Fatal("After(0) while pinned did not fire")
	}
}
