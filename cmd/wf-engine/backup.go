package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/store/sqlitestore"
)

// backupFlags declares the flags of `wf-engine backup`.
func backupFlags(fs *pflag.FlagSet) {
	fs.String("to", "", "file to write the backup to (required); it must not exist")
	fs.Bool("force", false, "overwrite an existing backup file")
}

// restoreFlags declares the flags of `wf-engine restore`.
func restoreFlags(fs *pflag.FlagSet) {
	fs.String("from", "", "backup file written by wf-engine backup (required)")
	fs.Bool("force", false, "replace an existing store (it is kept as wf-engine.db.replaced-TIME)")
}

// pgBackupHelp is what backup and restore answer for a PostgreSQL store:
// PostgreSQL's own tools do it better (consistent dumps while the engine
// runs, continuous archiving, point-in-time recovery), and wrapping pg_dump
// would tie wf-engine to the server's major version and put the password
// on a command line.
const pgBackupHelp = `database.url names PostgreSQL: use PostgreSQL's tools (docs/backup.md).
  back up:  pg_dump --format=custom --file=wf.dump "$WF_DATABASE_URL"   (consistent while the engine runs)
  restore:  pg_restore --exit-on-error --no-owner --dbname="$WF_DATABASE_URL" wf.dump   (into an empty database, engine stopped)
  or continuous archiving (archive_command / pgBackRest) for point-in-time recovery.
The engine notices a restored or recovered database at its next start and skips keys`

// runBackup runs `wf-engine backup --to FILE`: a consistent copy of the
// embedded SQLite store, also while the engine runs.
func runBackup(inv invocation) error {
	if len(inv.args) > 0 {
		return errors.New("usage: wf-engine backup --to FILE [--force] [flags]")
	}
	to, _ := inv.fs.GetString("to")
	force, _ := inv.fs.GetBool("force")
	if to == "" {
		return errors.New("backup: --to FILE is required")
	}
	kind, where, err := inv.cfg.Database.store()
	if err != nil {
		return err
	}
	switch kind {
	case storePostgres:
		return errors.New("backup: " + pgBackupHelp)
	case storeMemory:
		return errors.New("backup: the in-memory store keeps nothing to back up")
	}
	start := time.Now()
	info, err := sqlitestore.Backup(inv.ctx, where, to, force, start)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(inv.out, "backed up %s to %s in %s: %d bytes, schema version %d, log position %d, last key %d\n",
		where, to, time.Since(start).Round(time.Millisecond), info.Bytes, info.SchemaVersion, info.LastPosition, info.LastKey)
	return err
}

// runRestore runs `wf-engine restore --from FILE`: it puts a backup in
// place of the embedded store (refusing while an engine has it open, and
// an existing store without --force), then opens it as the engine does
// and runs the replay check.
func runRestore(inv invocation) error {
	if len(inv.args) > 0 {
		return errors.New("usage: wf-engine restore --from FILE [--force] [flags]")
	}
	from, _ := inv.fs.GetString("from")
	force, _ := inv.fs.GetBool("force")
	if from == "" {
		return errors.New("restore: --from FILE is required")
	}
	kind, where, err := inv.cfg.Database.store()
	if err != nil {
		return err
	}
	switch kind {
	case storePostgres:
		return errors.New("restore: " + pgBackupHelp)
	case storeMemory:
		return errors.New("restore: the in-memory store cannot be restored into")
	}
	start := time.Now()
	info, err := sqlitestore.Restore(inv.ctx, from, where, force, start)
	if err != nil {
		return err
	}
	s, err := sqlitestore.Open(inv.ctx, where, sqlitestore.Options{Synchronous: inv.cfg.Database.SQLiteSynchronous})
	if err != nil {
		return fmt.Errorf("restore: the restored store does not open: %w", err)
	}
	err = replaycheck.Check(inv.ctx, s)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("restore: the restored store %s fails the replay check: %w", where, err)
	}
	_, err = fmt.Fprintf(inv.out, "restored %s from %s in %s: schema version %d, log position %d, last key %d; replay check passed.\n"+
		"Work acknowledged after the backup was taken is not in it. At its next start the engine skips keys,\n"+
		"so that no key a client may hold is handed out again, and logs a warning saying so.\n",
		where, from, time.Since(start).Round(time.Millisecond), info.SchemaVersion, info.LastPosition, info.LastKey)
	return err
}
