package pgstore

import (
	"bytes"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
	"pgregory.net/rapid"
)

// The hand-written array encoders must write exactly what pgx's own
// encoder writes for the same values.
func TestArraysEncodeAsPgxDoes(t *testing.T) {
	m := pgtype.NewMap()
	same := func(t *rapid.T, oid uint32, v any, got []byte) {
		want, err := m.Encode(oid, pgtype.BinaryFormatCode, v, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%T %v:\n got %x\nwant %x", v, v, got, want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		ints := rapid.SliceOf(rapid.Int64()).Draw(t, "ints")
		same(t, pgtype.Int8ArrayOID, ints, int8Array(ints))
		texts := rapid.SliceOf(rapid.String()).Draw(t, "texts")
		same(t, pgtype.TextArrayOID, texts, textArray(texts))
		blobs := rapid.SliceOf(rapid.SliceOf(rapid.Byte())).Draw(t, "blobs")
		same(t, pgtype.ByteaArrayOID, blobs, byteaArray(blobs))
	})
}
