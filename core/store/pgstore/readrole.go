package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Row-level security (migration 0010): every table with a tenant_id column
// has a FOR SELECT policy that admits the rows of the tenants in the
// transaction's wf.tenants setting, a comma-separated list, or every row when
// it is "*". The policies are not forced, so the tables' owner, which
// commits, loads and migrates, is not subject to them. Searches restricted
// to tenants are, when Options.ReadRole names a role that is not the owner:
// such a search's snapshot switches to that role and sets wf.tenants to the
// query's tenants before it reads. A search with no restriction (tenants
// nil) reads as the owner: "*" would admit every row anyway. Without a
// read role, searches read as the owner and only their own SQL condition
// keeps tenants apart.

// tenantTablesQuery lists the tables of the store's schema that have a
// tenant_id column, with whether role may act as their owner (owns them or
// inherits the owner's privileges), whether row-level security is on, and
// whether role may already read them.
const tenantTablesQuery = `
SELECT c.relname, pg_has_role($1, c.relowner, 'USAGE'), c.relrowsecurity, has_table_privilege($1, c.oid, 'SELECT')
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
  AND a.attname = 'tenant_id' AND NOT a.attisdropped
ORDER BY c.relname`

// setReader is the statement that makes the rest of a transaction read as
// the read role ($1) with the tenants in $2: set_config('role', ...,
// true) is SET LOCAL ROLE, with the role's name as a parameter instead of
// a quoted identifier.
const setReader = `SELECT set_config('role', $1, true), set_config('wf.tenants', $2, true)`

// tenantSetting is the wf.tenants value of a query's tenants: "*" for no
// restriction (read does not switch roles for those), else the ids joined
// by commas (search.Compile refuses ids that are empty, hold a comma or are
// "*").
func tenantSetting(tenants []string) string {
	if tenants == nil {
		return "*"
	}
	return strings.Join(tenants, ",")
}

// setUpReadRole checks that role can stand for the principals that search
// and grants it what searches read. The role must exist, must not be a
// superuser, must not have BYPASSRLS and must not own (or inherit the
// privileges of the owner of) any table it reads; every such table must
// have row-level security enabled; the connection's user must be allowed to
// SET ROLE to it. The role gets USAGE on the schema and SELECT on the
// tables with a tenant_id column, and nothing else: not the log.
func setUpReadRole(ctx context.Context, pool *pgxpool.Pool, role string) error {
	var super, bypass bool
	err := pool.QueryRow(ctx, `SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1`, role).Scan(&super, &bypass)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("read role %q does not exist: create it (NOLOGIN) and grant it to the store's user", role)
	case err != nil:
		return fmt.Errorf("check read role %q: %w", role, err)
	case super:
		return fmt.Errorf("read role %q is a superuser: row-level security does not apply to it", role)
	case bypass:
		return fmt.Errorf("read role %q has BYPASSRLS: row-level security does not apply to it", role)
	}
	rows, err := pool.Query(ctx, tenantTablesQuery, role)
	if err != nil {
		return fmt.Errorf("list the tables of read role %q: %w", role, err)
	}
	var grant []string
	n := 0
	for rows.Next() {
		var table string
		var owner, secured, granted bool
		if err := rows.Scan(&table, &owner, &secured, &granted); err != nil {
			rows.Close()
			return fmt.Errorf("list the tables of read role %q: %w", role, err)
		}
		n++
		switch {
		case owner:
			rows.Close()
			return fmt.Errorf("read role %q owns table %s or inherits its owner's privileges: row-level security does not apply to the owner", role, table)
		case !secured:
			rows.Close()
			return fmt.Errorf("table %s has a tenant_id column but no row-level security: a migration must enable it", table)
		case !granted:
			grant = append(grant, pgx.Identifier{table}.Sanitize())
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list the tables of read role %q: %w", role, err)
	}
	if n == 0 {
		return fmt.Errorf("read role %q: the schema has no table with a tenant_id column", role)
	}
	ident := pgx.Identifier{role}.Sanitize()
	var usage bool
	var schema string
	if err := pool.QueryRow(ctx, `SELECT current_schema(), has_schema_privilege($1, current_schema(), 'USAGE')`, role).Scan(&schema, &usage); err != nil {
		return fmt.Errorf("check read role %q: %w", role, err)
	}
	if !usage {
		if _, err := pool.Exec(ctx, "GRANT USAGE ON SCHEMA "+pgx.Identifier{schema}.Sanitize()+" TO "+ident); err != nil {
			return fmt.Errorf("grant read role %q the use of schema %s: %w", role, schema, err)
		}
	}
	if len(grant) > 0 {
		if _, err := pool.Exec(ctx, "GRANT SELECT ON TABLE "+strings.Join(grant, ", ")+" TO "+ident); err != nil {
			return fmt.Errorf("grant read role %q SELECT on the tables: %w", role, err)
		}
	}
	// The user must be a member of the role to SET ROLE to it; trying is
	// the one check that holds on every PostgreSQL version.
	tx, err := pool.BeginTx(ctx, readOnly)
	if err != nil {
		return fmt.Errorf("check read role %q: %w", role, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, setReader, role, ""); err != nil {
		return fmt.Errorf("the store's user cannot SET ROLE to read role %q (GRANT %s TO the user): %w", role, ident, err)
	}
	return nil
}
