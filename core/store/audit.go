package store

import (
	"context"
	"fmt"

	"github.com/example/wf-engine/core/record"
)

// ChainVerifier is a store whose log segments form a hash chain: each
// segment's hash is SHA-256 over the hash of the segment before it (32 zero
// bytes for the first) followed by the segment's stored bytes. The SQL
// stores are chain verifiers; segments written before the chain existed
// carry no hash, and the chain starts after them.
type ChainVerifier interface {
	// VerifyChain reads every segment in position order, recomputes its
	// hash and reports the first broken link. An error means the log could
	// not be read, not that the chain is broken.
	VerifyChain(ctx context.Context) (ChainReport, error)
}

// ChainReport is what VerifyChain found.
type ChainReport struct {
	// Segments is how many segments were read, Unchained how many of them
	// were written before the chain began (no hash to check).
	Segments, Unchained int64
	// LastPosition is the position the log read ends at.
	LastPosition int64
	// LastHash is the hash of the last segment checked (nil when no
	// segment has one): kept out of a tamperer's reach, it shows later
	// that no segment up to LastPosition was rewritten.
	LastHash []byte
	// Broken is the first broken link, nil when the chain holds.
	Broken *ChainBreak
	// AnchorPosition and AnchorHash are where the chain was verified from
	// after log compaction (see Anchor); 0 and nil when nothing was
	// compacted.
	AnchorPosition int64
	AnchorHash     []byte
	// Partition is the partition whose log was verified (Partitioned);
	// 1 for the log of a store of one partition, 0 when the store does
	// not say.
	Partition int32
}

// ChainProblem says how a link is broken.
type ChainProblem string

// Broken links.
const (
	// ChainHashMismatch: the segment's hash is not the one its data and
	// the hash before it give: its data or its hash was changed.
	ChainHashMismatch ChainProblem = "hash mismatch"
	// ChainHashMissing: a segment written after the chain began has no
	// hash.
	ChainHashMissing ChainProblem = "hash missing"
	// ChainGap: positions are missing before the segment: a segment was
	// removed (or its positions changed).
	ChainGap ChainProblem = "gap"
	// ChainTruncated: the state rows were written after the last segment's
	// position: segments at the end were removed.
	ChainTruncated ChainProblem = "truncated"
)

// ChainBreak is a broken link: the segment holding positions
// FirstPosition..LastPosition (for ChainTruncated, the missing positions at
// the end of the log).
type ChainBreak struct {
	FirstPosition, LastPosition int64
	Problem                     ChainProblem
	// Detail says what was found, for people.
	Detail string
}

func (b *ChainBreak) String() string {
	return fmt.Sprintf("segment %d..%d: %s: %s", b.FirstPosition, b.LastPosition, b.Problem, b.Detail)
}

// AuditQuerier is a store that answers who did what: the commands sent
// from outside with a principal (see record.Record.Principal).
type AuditQuerier interface {
	// SearchAudit returns the commands that match q, in position order.
	SearchAudit(ctx context.Context, q AuditQuery) (AuditPage, error)
}

// AuditQuery filters and pages an audit search; zero fields do not filter.
type AuditQuery struct {
	// Subject and ClientID match the principal's exactly.
	Subject, ClientID string
	// ValueType and Intent match the command's names as record's String
	// methods write them ("PROCESS_INSTANCE_CREATION", "CREATE").
	ValueType, Intent string
	// Key matches the command's key or the key of what it created.
	Key int64
	// From and To bound the command's time, Unix milliseconds, both
	// included.
	From, To int64
	// After is the position of the last entry of the page before (its
	// EndCursor); Limit bounds the entries (0: DefaultLimit, at most
	// MaxAuditLimit).
	After int64
	Limit int
}

// MaxAuditLimit is the largest page of an audit search.
const MaxAuditLimit = 1000

// AuditEntry is one command sent from outside.
type AuditEntry struct {
	Position  int64
	Timestamp int64 // Unix milliseconds
	Principal record.Principal
	ValueType record.ValueType
	Intent    record.Intent
	// Key is the command's key (0 when it names none); ResultKey is
	// the key of what it created (the command's first follow-up event's
	// key, when it differs), else 0.
	Key, ResultKey int64
	// Rejected commands changed nothing; RejectionType and RejectionReason
	// say why.
	Rejected        bool
	RejectionType   record.RejectionType
	RejectionReason string
}

// AuditPage is a page of an audit search.
type AuditPage struct {
	Items []AuditEntry
	// EndCursor is the position of the last entry, the After of the next
	// page; 0 when the page is empty.
	EndCursor int64
}

// PageLimit returns the page size q asks for, within bounds.
func (q *AuditQuery) PageLimit() int {
	switch {
	case q.Limit <= 0:
		return DefaultLimit
	case q.Limit > MaxAuditLimit:
		return MaxAuditLimit
	}
	return q.Limit
}
