package pgstore

import (
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// High availability (docs/ha.md). A URL may name several hosts
// (postgres://h1:5432,h2:5432/db): pgx tries them in order whenever it opens
// a connection, and keeps the first that passes target_session_attrs. The
// store only ever writes and loads on the primary: loading from a standby
// that lags would rebuild a state behind the log the commits then extend.
// So a URL that leaves target_session_attrs out (or says "any") gets
// read-write; a URL that names another value keeps it (primary is as good;
// standby or read-only make the store fail to connect, which is right).
// After a failover the connections to the old primary fail, the engine
// reloads, and the new connections find whichever host now accepts writes.

// hostConnectTimeout bounds one connection attempt to one host when the URL
// names no connect_timeout: with several hosts, a first host that drops
// packets (rather than refusing) would otherwise hold every new connection
// for the operating system's TCP timeout (minutes) before the next host is
// tried.
const hostConnectTimeout = 5 * time.Second

// forPrimary makes cfg's connections go to a writable server and bounds
// each host's connection attempt (see above).
func forPrimary(cfg *pgxpool.Config, connectTimeout time.Duration) {
	if cfg.ConnConfig.ValidateConnect == nil {
		cfg.ConnConfig.ValidateConnect = pgconn.ValidateConnectTargetSessionAttrsReadWrite
	}
	if cfg.ConnConfig.ConnectTimeout <= 0 {
		cfg.ConnConfig.ConnectTimeout = min(connectTimeout, hostConnectTimeout)
	}
}

// hostsOf returns the host:port of every server the URL names, comma
// separated, for errors and logs.
func hostsOf(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	hosts := []string{net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port)))}
	for _, fb := range c.Fallbacks {
		h := net.JoinHostPort(fb.Host, strconv.Itoa(int(fb.Port)))
		if h != hosts[len(hosts)-1] { // pgx adds a fallback per TLS mode of one host
			hosts = append(hosts, h)
		}
	}
	return strings.Join(hosts, ",")
}
