package sqlitestore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/example/wf-engine/migrations"
)

// BackupInfo describes a store file that Backup wrote or Restore put in place.
type BackupInfo struct {
	// SchemaVersion is the file's schema version (its last migration).
	SchemaVersion uint
	// LastPosition and LastKey are the log position and the highest key
	// of the last batch in the file.
	LastPosition, LastKey int64
	// Bytes is the file's size.
	Bytes int64
}

// Backup writes a consistent copy of the store at path to the file to, while
// an engine may be committing to it: VACUUM INTO on a connection of its own
// reads one snapshot (WAL mode lets it read beside the writer) and writes a
// compact copy. The copy goes to a temporary file next to to, is synced and
// then renamed, so that to is either the old file or the whole new copy. An
// existing to is an error unless overwrite. The copy carries the recovery
// marker (migration 14): an engine started on it, however it was put back,
// skips keys first.
func Backup(ctx context.Context, path, to string, overwrite bool, now time.Time) (BackupInfo, error) {
	if err := notExisting(to, overwrite); err != nil {
		return BackupInfo{}, err
	}
	if _, err := os.Stat(path); err != nil {
		return BackupInfo{}, fmt.Errorf("back up sqlite store: %w", err)
	}
	lk, err := lock(path, false)
	if errors.Is(err, errLocked) {
		return BackupInfo{}, fmt.Errorf("back up sqlite store %s: it is being restored", path)
	}
	if err != nil {
		return BackupInfo{}, fmt.Errorf("back up sqlite store %s: %w", path, err)
	}
	defer func() { _ = lk.release() }()
	tmp, err := tempName(to)
	if err != nil {
		return BackupInfo{}, err
	}
	defer func() { _ = os.Remove(tmp) }()
	opts := Options{}
	if err := opts.defaults(); err != nil {
		return BackupInfo{}, err
	}
	// Not the readers' query_only connection: it refuses VACUUM INTO,
	// although VACUUM INTO writes only the copy.
	src, err := sql.Open("sqlite", dsn(path, opts, roleCheckpointer))
	if err != nil {
		return BackupInfo{}, fmt.Errorf("back up sqlite store %s: %w", path, err)
	}
	_, err = src.ExecContext(ctx, "VACUUM INTO ?", tmp)
	if cerr := src.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return BackupInfo{}, fmt.Errorf("back up sqlite store %s: %w", path, err)
	}
	// The copy holds every variable: only its owner may read it.
	if err := os.Chmod(tmp, 0o600); err != nil {
		return BackupInfo{}, fmt.Errorf("back up sqlite store: %w", err)
	}
	reason := "restored from a backup taken at " + now.UTC().Format(time.RFC3339)
	info, err := inspect(ctx, tmp, reason, false)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("back up sqlite store %s: check the copy: %w", path, err)
	}
	if err := syncFile(tmp); err != nil {
		return BackupInfo{}, err
	}
	if err := os.Rename(tmp, to); err != nil {
		return BackupInfo{}, fmt.Errorf("back up sqlite store: %w", err)
	}
	return info, syncDir(filepath.Dir(to))
}

// Restore puts the backup file from in place of the store at path: it
// copies it next to path, checks that it is a wf-engine store (its schema
// version, not dirty, no newer than this binary knows), migrates it to the
// latest schema, sets the recovery marker, and renames it into place. A
// store at path is an error unless replace; it is then kept, renamed to
// PATH.replaced-TIME (with its WAL). Restore holds the store's lock
// exclusively meanwhile: it fails while an engine or another command has
// the store open, and they cannot open it until it is done.
func Restore(ctx context.Context, from, path string, replace bool, now time.Time) (BackupInfo, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return BackupInfo{}, fmt.Errorf("restore sqlite store: create directory: %w", err)
	}
	lk, err := lock(path, true)
	if errors.Is(err, errLocked) {
		return BackupInfo{}, fmt.Errorf("restore sqlite store %s: it is open in another process (a running engine or a wf-engine command); stop it first", path)
	}
	if err != nil {
		return BackupInfo{}, fmt.Errorf("restore sqlite store %s: %w", path, err)
	}
	defer func() { _ = lk.release() }()
	exists, err := storeExists(path)
	if err != nil {
		return BackupInfo{}, err
	}
	if exists && !replace {
		return BackupInfo{}, fmt.Errorf("restore sqlite store: %s exists; restore into an empty data directory, or pass --force to replace it (it is kept as %s.replaced-TIME)", path, filepath.Base(path))
	}
	tmp, err := tempName(path)
	if err != nil {
		return BackupInfo{}, err
	}
	defer func() { _ = os.Remove(tmp) }()
	if err := copyFile(from, tmp); err != nil {
		return BackupInfo{}, fmt.Errorf("restore sqlite store: %w", err)
	}
	reason := "restored from " + filepath.Base(from) + " at " + now.UTC().Format(time.RFC3339)
	info, err := inspect(ctx, tmp, reason, true)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("restore sqlite store: %s: %w", from, err)
	}
	if err := syncFile(tmp); err != nil {
		return BackupInfo{}, err
	}
	if exists {
		aside := path + ".replaced-" + now.UTC().Format("20060102T150405Z")
		for _, suffix := range []string{"", "-wal"} {
			if err := os.Rename(path+suffix, aside+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return BackupInfo{}, fmt.Errorf("restore sqlite store: keep the replaced store: %w", err)
			}
		}
	}
	// A WAL or shared-memory file left next to the new file would be read
	// as its own.
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return BackupInfo{}, fmt.Errorf("restore sqlite store: %w", err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return BackupInfo{}, fmt.Errorf("restore sqlite store: %w", err)
	}
	return info, syncDir(filepath.Dir(path))
}

// inspect checks that the SQLite file at file is a wf-engine store, marks it
// as recovered with reason (when it has the marker's table, or after
// migrating when migrate) and describes it.
func inspect(ctx context.Context, file, reason string, migrate bool) (BackupInfo, error) {
	var info BackupInfo
	opts := Options{}
	if err := opts.defaults(); err != nil {
		return info, err
	}
	db, err := sql.Open("sqlite", file+fmt.Sprintf("?_pragma=busy_timeout(%d)", opts.BusyTimeout.Milliseconds()))
	if err != nil {
		return info, err
	}
	db.SetMaxOpenConns(1)
	defer func() { _ = db.Close() }()
	// One self-contained file: no WAL beside it.
	if _, err := db.ExecContext(ctx, "PRAGMA journal_mode=DELETE"); err != nil {
		return info, fmt.Errorf("not a SQLite database: %w", err)
	}
	var version int64
	var dirty bool
	err = db.QueryRowContext(ctx, "SELECT version, dirty FROM schema_migrations").Scan(&version, &dirty)
	if err != nil {
		return info, fmt.Errorf("not a wf-engine store (no schema version: %w)", err)
	}
	latest, err := latestVersion()
	if err != nil {
		return info, err
	}
	switch {
	case dirty:
		return info, fmt.Errorf("schema version %d is dirty: a migration failed half-way in the backed-up store", version)
	case version <= 0 || uint(version) > latest:
		return info, fmt.Errorf("schema version %d is not one this wf-engine knows (1 to %d); use the wf-engine that wrote it or a newer one", version, latest)
	}
	if err := db.QueryRowContext(ctx, "SELECT last_position, last_key FROM meta WHERE id = 1").Scan(&info.LastPosition, &info.LastKey); err != nil {
		return info, fmt.Errorf("not a wf-engine store (no meta row: %w)", err)
	}
	if err := quickCheck(ctx, db); err != nil {
		return info, fmt.Errorf("the file is damaged: quick_check: %w", err)
	}
	if migrate {
		// Closing first: the migration opens a connection of its own.
		_ = db.Close()
		v, _, err := migrateDB(ctx, file, opts, "up")
		if err != nil {
			return info, err
		}
		version = int64(v)
		if db, err = sql.Open("sqlite", file); err != nil {
			return info, err
		}
		defer func() { _ = db.Close() }()
	}
	info.SchemaVersion = uint(version) // #nosec G115 -- checked positive above
	var marker int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'recovery'").Scan(&marker); err != nil {
		return info, err
	}
	if marker == 1 {
		if err := markRecovered(ctx, db, reason); err != nil {
			return info, err
		}
	}
	if err := db.Close(); err != nil {
		return info, err
	}
	st, err := os.Stat(file)
	if err != nil {
		return info, err
	}
	info.Bytes = st.Size()
	return info, nil
}

// quickCheck runs SQLite's quick_check; an error names the first problem.
func quickCheck(ctx context.Context, db *sql.DB) error {
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check(1)").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return errors.New(res)
	}
	return nil
}

// latestVersion is the number of the newest embedded SQLite migration.
func latestVersion() (uint, error) {
	entries, err := fs.ReadDir(migrations.SQLite, migrations.SQLiteDir)
	if err != nil {
		return 0, fmt.Errorf("read migrations: %w", err)
	}
	var latest uint64
	for _, e := range entries {
		n, _, ok := strings.Cut(e.Name(), "_")
		if !ok {
			continue
		}
		if v, err := strconv.ParseUint(n, 10, 32); err == nil {
			latest = max(latest, v)
		}
	}
	return uint(latest), nil
}

// storeExists reports whether a store (its file or its WAL) is at path.
func storeExists(path string) (bool, error) {
	for _, p := range []string{path, path + "-wal"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("restore sqlite store: %w", err)
		}
		if st.Size() > 0 {
			return true, nil
		}
	}
	return false, nil
}

// notExisting fails when file exists and may not be overwritten.
func notExisting(file string, overwrite bool) error {
	st, err := os.Stat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("back up sqlite store: %w", err)
	case st.IsDir():
		return fmt.Errorf("back up sqlite store: %s is a directory; name the backup file", file)
	case !overwrite:
		return fmt.Errorf("back up sqlite store: %s exists; pass --force to overwrite it", file)
	}
	return nil
}

// tempName returns an unused name next to file for a copy in progress.
func tempName(file string) (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(file), "."+filepath.Base(file)+".partial-"+hex.EncodeToString(b[:])), nil
}

// copyFile copies from to a new file to and syncs it.
func copyFile(from, to string) (err error) {
	in, err := os.Open(from) // #nosec G304 -- the backup file the operator named
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- next to the configured store
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := io.Copy(out, in); err != nil {
		return err
	}
	return out.Sync()
}

// syncFile flushes file to the disk.
func syncFile(file string) error {
	f, err := os.OpenFile(file, os.O_RDWR, 0) // #nosec G304 -- a file this package wrote
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("sync %s: %w", file, err)
	}
	return f.Close()
}

// syncDir flushes a directory's entries (a rename) to the disk.
func syncDir(dir string) error {
	d, err := os.Open(dir) // #nosec G304 -- the directory of a file this package wrote
	if err != nil {
		return err
	}
	defer func() { _ = d.Close() }()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
