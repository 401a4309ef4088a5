package schema

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

// Directions that Migrate takes.
const (
	Up      = "up"      // apply every pending migration
	Down    = "down"    // undo the last migration (development only: drops data)
	Version = "version" // change nothing, report the version
)

// Migrate runs direction against the database behind drv with the migration
// files in dir of fsys, and returns the schema version afterwards (0 when no
// migration ran yet) and whether a migration failed half-way (dirty). It
// closes drv. A dirty schema is an error for Up and Down.
func Migrate(ctx context.Context, fsys fs.FS, dir, driverName string, drv database.Driver, direction string) (version uint, dirty bool, err error) {
	src, err := iofs.New(fsys, dir)
	if err != nil {
		_ = drv.Close()
		return 0, false, fmt.Errorf("read migrations: %w", err)
	}
	m, err := migrate.NewWithInstance("iofs", src, driverName, drv)
	if err != nil {
		_ = src.Close()
		_ = drv.Close()
		return 0, false, fmt.Errorf("prepare migrations: %w", err)
	}
	defer func() {
		serr, derr := m.Close()
		if err == nil {
			err = errors.Join(serr, derr)
		}
	}()
	stop := context.AfterFunc(ctx, func() {
		select {
		case m.GracefulStop <- true:
		default:
		}
	})
	defer stop()

	switch direction {
	case Up:
		err = m.Up()
	case Down:
		err = m.Steps(-1)
	case Version:
	default:
		return 0, false, fmt.Errorf("unknown migration direction %q: use up, down or version", direction)
	}
	if errors.Is(err, migrate.ErrNoChange) || errors.Is(err, os.ErrNotExist) && direction == Down {
		err = nil
	}
	version, dirty, verr := m.Version()
	if errors.Is(verr, migrate.ErrNilVersion) {
		version, dirty, verr = 0, false, nil
	}
	var de migrate.ErrDirty
	if errors.As(err, &de) {
		return version, true, fmt.Errorf("migrate %s: schema version %d is dirty: a migration failed half-way; repair it by hand, then force the version", direction, de.Version)
	}
	if err != nil {
		return version, dirty, fmt.Errorf("migrate %s: %w", direction, err)
	}
	if verr != nil {
		return 0, false, fmt.Errorf("read schema version: %w", verr)
	}
	if dirty && direction != Version {
		return version, dirty, fmt.Errorf("schema version %d is dirty: a migration failed half-way; repair it by hand, then force the version", version)
	}
	if cerr := ctx.Err(); cerr != nil {
		return version, dirty, fmt.Errorf("migrate %s: %w", direction, cerr)
	}
	return version, dirty, nil
}
