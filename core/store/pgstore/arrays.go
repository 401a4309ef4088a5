package pgstore

import (
	"encoding/binary"

	"github.com/jackc/pgx/v5/pgtype"
)

// The commit's parameters are one-dimensional arrays without NULLs, one per
// column, in PostgreSQL's binary format: dimensions, NULL flag, element
// type, length, lower bound, then each element as its byte length and
// bytes. Written here in one exactly sized allocation; pgtype's generic
// encoder boxes every element and grows its buffer as it goes, which cost
// the engine a tenth of its CPU at full load.

func arrayHeader(dst []byte, elem uint32, n int) []byte {
	dst = binary.BigEndian.AppendUint32(dst, 1) // one dimension
	dst = binary.BigEndian.AppendUint32(dst, 0) // no NULLs
	dst = binary.BigEndian.AppendUint32(dst, elem)
	dst = binary.BigEndian.AppendUint32(dst, uint32(n))
	return binary.BigEndian.AppendUint32(dst, 1) // lower bound
}

func int8Array(v []int64) []byte {
	b := arrayHeader(make([]byte, 0, 20+12*len(v)), pgtype.Int8OID, len(v))
	for _, x := range v {
		b = binary.BigEndian.AppendUint32(b, 8)
		b = binary.BigEndian.AppendUint64(b, uint64(x))
	}
	return b
}

func textArray(v []string) []byte {
	size := 20
	for _, s := range v {
		size += 4 + len(s)
	}
	b := arrayHeader(make([]byte, 0, size), pgtype.TextOID, len(v))
	for _, s := range v {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}

func byteaArray(v [][]byte) []byte {
	size := 20
	for _, s := range v {
		size += 4 + len(s)
	}
	b := arrayHeader(make([]byte, 0, size), pgtype.ByteaOID, len(v))
	for _, s := range v {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}
