package record

import (
	"testing"

	"pgregory.net/rapid"
)

func TestMessagePartitionIsZeebes(t *testing.T) {
	for _, tc := range []struct {
		key        string
		partitions int32
		want       int32
	}{
		// Java: "a".hashCode() = 97; "order-1".hashCode() = -1207111310
		// (-1207111310 % 4 = -2 in Java); "ü" is two UTF-8 bytes, both
		// negative as Java bytes: 31*-61 + -68 = -1959.
		{"a", 3, 1 + 97%3},
		{"order-1", 4, 3},
		{"ü", 5, 1 + 1959%5},
		{"", 7, 1},
		{"anything", 1, 1},
		{"anything", 0, 1},
	} {
		if got := MessagePartition(tc.key, tc.partitions); got != tc.want {
			t.Errorf("MessagePartition(%q, %d) = %d, want %d", tc.key, tc.partitions, got, tc.want)
		}
	}
}

// TestMessagePartitionInRange checks that every key maps into 1..n.
func TestMessagePartitionInRange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		key := rapid.String().Draw(t, "key")
		n := rapid.Int32Range(1, 4095).Draw(t, "partitions")
		if p := MessagePartition(key, n); p < 1 || p > n {
			t.Fatalf("MessagePartition(%q, %d) = %d", key, n, p)
		}
	})
}
