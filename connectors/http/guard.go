package http

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// AddressError is a connection the connector refused to make.
type AddressError struct {
	// Host is the host name of the URL (or the address itself).
	Host string
	// Addr is the address that was refused.
	Addr netip.Addr
	// Kind says why: "loopback", "private", "link-local", "metadata", ...
	Kind string
}

// Error implements the error interface.
func (e *AddressError) Error() string {
	what := e.Addr.String()
	if e.Host != "" && e.Host != what {
		what = fmt.Sprintf("%s (host %s)", what, e.Host)
	}
	if !e.Addr.IsValid() {
		what = e.Host
	}
	return fmt.Sprintf("address %s is refused: it is a %s address; allow it with allow_private_addresses or allowed_hosts in the connectors configuration", what, e.Kind)
}

// metadataAddrs are the cloud instance metadata services, which hand out
// credentials: refused even when private addresses are allowed, unless listed
// in AllowedHosts.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"), // AWS, GCP, Azure, OpenStack, ...
	netip.MustParseAddr("fd00:ec2::254"),   // AWS over IPv6
	netip.MustParseAddr("169.254.170.2"),   // AWS ECS task metadata
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
}

// metadataHosts are host names of metadata services.
var metadataHosts = []string{"metadata.google.internal", "metadata.goog", "metadata"}

var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")
var thisNetwork = netip.MustParsePrefix("0.0.0.0/8")

// guard decides which addresses may be dialled.
type guard struct {
	allowPrivate bool
	allowed      hostList // hosts allowed whatever they resolve to, addresses whatever their kind
}

func newGuard(allowPrivate bool, allowed []string) (*guard, error) {
	l, err := parseHostList(allowed)
	if err != nil {
		return nil, fmt.Errorf("allowed hosts: %w", err)
	}
	return &guard{allowPrivate: allowPrivate, allowed: l}, nil
}

// hostAllowed reports whether a host name is allowed by name.
func (g *guard) hostAllowed(host string) bool { return g.allowed.nameAllowed(host) }

// checkHost refuses metadata host names before any resolution.
func (g *guard) checkHost(host string) error {
	if g.hostAllowed(host) {
		return nil
	}
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	for _, m := range metadataHosts {
		if h == m {
			return &AddressError{Host: host, Kind: "metadata"}
		}
	}
	return nil
}

// check refuses an address by its kind.
func (g *guard) check(host string, addr netip.Addr) error {
	addr = addr.Unmap()
	if g.allowed.addrAllowed(addr) {
		return nil
	}
	for _, m := range metadataAddrs {
		if addr == m {
			return &AddressError{Host: host, Addr: addr, Kind: "metadata"}
		}
	}
	kind := ""
	switch {
	case addr.IsLoopback():
		kind = "loopback"
	case addr.IsUnspecified() || addr.Is4() && thisNetwork.Contains(addr):
		kind = "unspecified"
	case addr.IsLinkLocalUnicast(), addr.IsLinkLocalMulticast():
		kind = "link-local"
	case addr.IsMulticast(), addr.IsInterfaceLocalMulticast():
		kind = "multicast"
	case addr.IsPrivate(), addr.Is4() && sharedAddressSpace.Contains(addr):
		kind = "private"
	}
	if kind == "" || g.allowPrivate && kind != "multicast" {
		return nil
	}
	return &AddressError{Host: host, Addr: addr, Kind: kind}
}

// connectTimeoutKey carries a request's connection timeout to the dialer.
type connectTimeoutKey struct{}

// dialContext dials through the guard: a host allowed by name is dialled
// as is; any other connection is checked on the address actually dialled,
// after resolution.
func (g *guard) dialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	if t, ok := ctx.Value(connectTimeoutKey{}).(time.Duration); ok && t > 0 {
		d.Timeout = t
	}
	if !g.hostAllowed(host) {
		if err := g.checkHost(host); err != nil {
			return nil, err
		}
		d.Control = func(_, addr string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(addr)
			if err != nil {
				return fmt.Errorf("dial %s: unexpected address %q", host, addr)
			}
			return g.check(host, ap.Addr())
		}
	}
	return d.DialContext(ctx, network, address)
}
