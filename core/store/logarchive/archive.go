package logarchive

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/tables"
)

const (
	magic  = "WFLOGAR1"
	prefix = "log-"
	suffix = ".wfa"
	// maxFile bounds the file a reader loads.
	maxFile = 1 << 31
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errDamaged is wrapped by every error of a damaged file.
var errDamaged = errors.New("damaged log archive file")

// Archive is a directory of archive files. It implements
// store.ArchiveWriter and store.LogArchive.
type Archive struct {
	dir string
}

// New returns the archive in dir, creating dir (0700) if needed.
func New(dir string) (*Archive, error) {
	if dir == "" {
		return nil, errors.New("log archive: no directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("log archive: create %s: %w", dir, err)
	}
	return &Archive{dir: dir}, nil
}

// Dir returns the archive's directory.
func (a *Archive) Dir() string { return a.dir }

// name returns the file name of segments first..last.
func name(first, last int64) string {
	return fmt.Sprintf("%s%020d-%020d%s", prefix, first, last, suffix)
}

// parseName returns the positions a file name holds; ok false for other
// files.
func parseName(n string) (first, last int64, ok bool) {
	if !strings.HasPrefix(n, prefix) || !strings.HasSuffix(n, suffix) {
		return 0, 0, false
	}
	a, b, found := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(n, prefix), suffix), "-")
	if !found {
		return 0, 0, false
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || first <= 0 || last < first {
		return 0, 0, false
	}
	return first, last, true
}

// Encode returns the file content of segs.
func Encode(segs []store.ArchivedSegment) []byte {
	n := len(magic) + 10
	for _, s := range segs {
		n += 5*binary.MaxVarintLen64 + len(s.Hash) + len(s.Data)
	}
	b := make([]byte, 0, n+4)
	b = append(b, magic...)
	b = binary.AppendUvarint(b, uint64(len(segs)))
	for _, s := range segs {
		b = binary.AppendUvarint(b, uint64(s.FirstPosition))
		b = binary.AppendUvarint(b, uint64(s.LastPosition))
		b = binary.AppendUvarint(b, uint64(s.Records))
		b = binary.AppendUvarint(b, uint64(len(s.Hash)))
		b = append(b, s.Hash...)
		b = binary.AppendUvarint(b, uint64(len(s.Data)))
		b = append(b, s.Data...)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// Decode returns the segments of a file's content. Damaged content gives
// an error, never a panic; nothing is allocated beyond the slices that
// point into b.
func Decode(b []byte) ([]store.ArchivedSegment, error) {
	if len(b) < len(magic)+4 || string(b[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: not an archive file", errDamaged)
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", errDamaged)
	}
	r := body[len(magic):]
	uv := func(what string) (uint64, error) {
		v, k := binary.Uvarint(r)
		if k <= 0 {
			return 0, fmt.Errorf("%w: bad %s", errDamaged, what)
		}
		r = r[k:]
		return v, nil
	}
	bytesOf := func(what string) ([]byte, error) {
		n, err := uv(what + " length")
		if err != nil {
			return nil, err
		}
		if n > uint64(len(r)) {
			return nil, fmt.Errorf("%w: %s longer than the file", errDamaged, what)
		}
		v := r[:n:n]
		r = r[n:]
		return v, nil
	}
	count, err := uv("segment count")
	if err != nil {
		return nil, err
	}
	// Each segment takes at least five bytes.
	if count > uint64(len(r))/5 {
		return nil, fmt.Errorf("%w: %d segments do not fit in the file", errDamaged, count)
	}
	segs := make([]store.ArchivedSegment, 0, count)
	for range count {
		var s store.ArchivedSegment
		var nums [3]uint64
		for i, what := range []string{"first position", "last position", "record count"} {
			if nums[i], err = uv(what); err != nil {
				return nil, err
			}
			if nums[i] > 1<<62 {
				return nil, fmt.Errorf("%w: %s out of range", errDamaged, what)
			}
		}
		s.FirstPosition, s.LastPosition, s.Records = int64(nums[0]), int64(nums[1]), int64(nums[2])
		if s.LastPosition < s.FirstPosition || s.FirstPosition <= 0 {
			return nil, fmt.Errorf("%w: segment positions %d..%d", errDamaged, s.FirstPosition, s.LastPosition)
		}
		if n := len(segs); n > 0 && s.FirstPosition != segs[n-1].LastPosition+1 {
			return nil, fmt.Errorf("%w: segment %d does not follow %d", errDamaged, s.FirstPosition, segs[n-1].LastPosition)
		}
		if s.Hash, err = bytesOf("hash"); err != nil {
			return nil, err
		}
		if len(s.Hash) == 0 {
			s.Hash = nil
		}
		if s.Data, err = bytesOf("data"); err != nil {
			return nil, err
		}
		segs = append(segs, s)
	}
	if len(r) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the last segment", errDamaged, len(r))
	}
	return segs, nil
}

// WriteSegments implements store.ArchiveWriter: one file, durable when it
// returns nil. A file of the same range (a run that crashed before it
// deleted the segments) is replaced.
func (a *Archive) WriteSegments(_ context.Context, segs []store.ArchivedSegment) error {
	if len(segs) == 0 {
		return nil
	}
	first, last := segs[0].FirstPosition, segs[len(segs)-1].LastPosition
	data := Encode(segs)
	f, err := os.CreateTemp(a.dir, ".log-*.tmp")
	if err != nil {
		return fmt.Errorf("log archive: %w", err)
	}
	tmp := f.Name()
	defer func() { _ = os.Remove(tmp) }() // gone after the rename
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("log archive: write %s: %w", tmp, err)
	}
	final := filepath.Join(a.dir, name(first, last))
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("log archive: %w", err)
	}
	return syncDir(a.dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir) // #nosec G304 -- the configured archive directory
	if err != nil {
		return fmt.Errorf("log archive: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("log archive: sync %s: %w", dir, err)
	}
	return nil
}

type file struct {
	name        string
	first, last int64
}

// files lists the archive's files by first position (then last).
func (a *Archive) files() ([]file, error) {
	entries, err := os.ReadDir(a.dir)
	if err != nil {
		return nil, fmt.Errorf("log archive: %w", err)
	}
	var out []file
	for _, e := range entries {
		if first, last, ok := parseName(e.Name()); ok && e.Type().IsRegular() {
			out = append(out, file{e.Name(), first, last})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].first != out[j].first {
			return out[i].first < out[j].first
		}
		return out[i].last < out[j].last
	})
	return out, nil
}

// read loads and decodes one file, checking that it holds what its name
// says.
func (a *Archive) read(f file) ([]store.ArchivedSegment, error) {
	path := filepath.Join(a.dir, f.name)
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("log archive: %w", err)
	}
	if st.Size() > maxFile {
		return nil, fmt.Errorf("log archive: %s: %w: %d bytes, more than %d", f.name, errDamaged, st.Size(), maxFile)
	}
	b, err := os.ReadFile(path) // #nosec G304 -- a file of the configured archive directory
	if err != nil {
		return nil, fmt.Errorf("log archive: %w", err)
	}
	segs, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("log archive: %s: %w", f.name, err)
	}
	if len(segs) == 0 || segs[0].FirstPosition != f.first || segs[len(segs)-1].LastPosition != f.last {
		return nil, fmt.Errorf("log archive: %s: %w: its segments are not the positions its name says", f.name, errDamaged)
	}
	return segs, nil
}

// each calls fn for every archived segment from position from on, in
// order, once each: files that overlap (a batch archived twice) give their
// segments once.
func (a *Archive) each(ctx context.Context, from int64, fn func(store.ArchivedSegment) (bool, error)) error {
	files, err := a.files()
	if err != nil {
		return err
	}
	next := from
	for i, f := range files {
		if f.last < next {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		segs, err := a.read(f)
		if err != nil {
			if heldLater(files[i+1:], next, f.last) {
				// Damaged, but a later file holds its positions whole: a
				// write the next run made again (see doc.go).
				continue
			}
			return err
		}
		for _, s := range segs {
			if s.LastPosition < next {
				continue
			}
			more, err := fn(s)
			if err != nil || !more {
				return err
			}
			next = s.LastPosition + 1
		}
	}
	return nil
}

// heldLater reports whether one of files holds every position from next
// through last.
func heldLater(files []file, next, last int64) bool {
	for _, g := range files {
		if g.first <= next && g.last >= last {
			return true
		}
	}
	return false
}

var errEnough = errors.New("enough")

// ReadArchived implements store.LogArchive.
func (a *Archive) ReadArchived(ctx context.Context, from, through int64, fn func(*record.Record) error) error {
	next := from
	err := a.each(ctx, from, func(s store.ArchivedSegment) (bool, error) {
		if s.FirstPosition > next && next > 1 {
			return false, nil // a gap: reported below
		}
		err := tables.DecodeSegment(s.Data, next, func(r *record.Record) error {
			if r.Position > through {
				return errEnough
			}
			next = r.Position + 1
			return fn(r)
		})
		if errors.Is(err, errEnough) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("log archive: segment at position %d: %w", s.FirstPosition, err)
		}
		next = max(next, s.LastPosition+1)
		return next <= through, nil
	})
	if err != nil {
		return err
	}
	if next <= through {
		return fmt.Errorf("%w: the archive in %s lacks positions %d..%d", store.ErrCompacted, a.dir, next, through)
	}
	return nil
}

// Verify walks the archived segments' hash chain from position from (1 for
// a log that began with segments) and checks that it ends at the store's
// anchor: the position and hash of the archived segment ending at the
// anchor must be the anchor's (a *store.ChainBreak of
// store.ChainAnchorMismatch otherwise). Segments after the anchor (a run
// that crashed between archiving and deleting them) are left to the
// store's own chain.
// An error means the archive could not be read.
func (a *Archive) Verify(ctx context.Context, from int64, anchor store.Anchor) (store.ChainReport, error) {
	w, err := tables.NewChainWalk(from, nil)
	if err != nil {
		return store.ChainReport{}, err
	}
	err = a.each(ctx, from, func(s store.ArchivedSegment) (bool, error) {
		if s.FirstPosition > anchor.Position {
			// Archived by a run that crashed before deleting them: the store
			// still holds them and its chain covers them.
			return false, nil
		}
		return w.Check(s), nil
	})
	rep := w.Report
	rep.AnchorPosition, rep.AnchorHash = anchor.Position, anchor.Hash
	if err != nil || rep.Broken != nil {
		return rep, err
	}
	if rep.LastPosition != anchor.Position || !bytes.Equal(rep.LastHash, anchor.Hash) {
		rep.Broken = &store.ChainBreak{FirstPosition: rep.LastPosition + 1, LastPosition: anchor.Position, Problem: store.ChainAnchorMismatch,
			Detail: fmt.Sprintf("the archive ends at position %d with hash %x, but the store's anchor is position %d with hash %x",
				rep.LastPosition, short(rep.LastHash), anchor.Position, short(anchor.Hash))}
	}
	return rep, nil
}

func short(h []byte) []byte { return h[:min(6, len(h))] }

// Interface guards
var (
	_ store.ArchiveWriter = (*Archive)(nil)
	_ store.LogArchive    = (*Archive)(nil)
)

// Segments calls fn for every archived segment from position from on, in
// position order, once each (files that overlap give their segments once).
func (a *Archive) Segments(ctx context.Context, from int64, fn func(store.ArchivedSegment) error) error {
	return a.each(ctx, from, func(s store.ArchivedSegment) (bool, error) { return true, fn(s) })
}
