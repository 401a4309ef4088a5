package record

// MessagePartition returns the partition (1..partitions) that keeps the
// messages and message subscriptions of a correlation key: Zeebe's choice,
// so that a key lands where Zeebe would put it for the same partition
// count. The hash is Java's String.hashCode over the key's UTF-8 bytes taken
// as signed bytes (h = 31*h + b, in 32-bit arithmetic), and the partition
// is 1 + |h mod partitions|. partitions below 1 count as 1.
func MessagePartition(correlationKey string, partitions int32) int32 {
	if partitions <= 1 {
		return 1
	}
	var h int32
	for i := 0; i < len(correlationKey); i++ {
		h = 31*h + int32(int8(correlationKey[i])) // #nosec G115 -- Java's signed bytes, on purpose
	}
	r := h % partitions
	if r < 0 {
		r = -r
	}
	return 1 + r
}
