package http

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// hostList is a list of hosts as the configuration writes them: host names
// (matched exactly, case-insensitively, as written in the URL), *.example.com
// wildcards (any name ending in .example.com, not example.com itself), IP
// addresses and CIDR prefixes (10.0.0.0/8). connectors.allowed_hosts and a
// secret's allowed_hosts are both read this way.
type hostList struct {
	names    map[string]bool // lower case, no final dot
	suffixes []string        // ".example.com" for "*.example.com"
	prefixes []netip.Prefix
}

// ValidateHosts checks a list of hosts (host names, *.example.com wildcards,
// IP addresses, CIDR prefixes) as Config.AllowedHosts and
// connector.Request.SecretHosts read them.
func ValidateHosts(hosts []string) error {
	_, err := parseHostList(hosts)
	return err
}

func parseHostList(entries []string) (hostList, error) {
	l := hostList{names: map[string]bool{}}
	for _, a := range entries {
		a = strings.TrimSpace(a)
		switch {
		case a == "":
			return hostList{}, fmt.Errorf("an entry is empty")
		case strings.Contains(a, "/"):
			p, err := netip.ParsePrefix(a)
			if err != nil {
				return hostList{}, fmt.Errorf("%q is not a CIDR prefix such as 10.0.0.0/8: %w", a, err)
			}
			l.prefixes = append(l.prefixes, p.Masked())
		default:
			if addr, err := netip.ParseAddr(strings.Trim(a, "[]")); err == nil {
				if addr.Zone() != "" {
					return hostList{}, fmt.Errorf("%q: an address with a zone is not supported", a)
				}
				l.prefixes = append(l.prefixes, netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()))
				continue
			}
			name := strings.ToLower(strings.TrimSuffix(a, "."))
			if strings.ContainsAny(name, ":@?#[] ") {
				return hostList{}, fmt.Errorf("%q is not a host name, an IP address or a CIDR prefix", a)
			}
			if rest, ok := strings.CutPrefix(name, "*."); ok || name == "*" {
				if !strings.Contains(rest, ".") || strings.Contains(rest, "*") {
					return hostList{}, fmt.Errorf("%q is not a usable wildcard: write *.example.com (at least two labels after *.)", a)
				}
				l.suffixes = append(l.suffixes, "."+rest)
				continue
			}
			if strings.Contains(name, "*") {
				return hostList{}, fmt.Errorf("%q is not a host name: a wildcard may only start it, as in *.example.com", a)
			}
			l.names[name] = true
		}
	}
	return l, nil
}

// nameAllowed reports whether a host name is in the list by name (exactly
// or by a wildcard).
func (l hostList) nameAllowed(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if l.names[h] {
		return true
	}
	for _, s := range l.suffixes {
		if strings.HasSuffix(h, s) && len(h) > len(s) {
			return true
		}
	}
	return false
}

// addrAllowed reports whether an address is in one of the list's prefixes.
func (l hostList) addrAllowed(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range l.prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// allows reports whether a URL's host (a name, or an IP address literal) is
// in the list.
func (l hostList) allows(host string) bool {
	if addr, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return addr.Zone() == "" && l.addrAllowed(addr)
	}
	return l.nameAllowed(host)
}

// secretHosts is the restriction of a request's secrets: each restricted
// secret with the hosts it may be sent to.
type secretHosts struct {
	names []string // sorted
	lists map[string]hostList
}

// parseSecretHosts reads connector.Request.SecretHosts; nil when there is
// no restriction.
func parseSecretHosts(m map[string][]string) (*secretHosts, error) {
	if len(m) == 0 {
		return nil, nil
	}
	s := &secretHosts{lists: make(map[string]hostList, len(m))}
	for name, hosts := range m {
		l, err := parseHostList(hosts)
		if err == nil && len(hosts) == 0 {
			err = fmt.Errorf("the list is empty")
		}
		if err != nil {
			return nil, inputErr("(secret hosts)", "allowed hosts of secret %s: %v", name, err)
		}
		s.names = append(s.names, name)
		s.lists[name] = l
	}
	sort.Strings(s.names)
	return s, nil
}

// check refuses a host that some secret may not be sent to; field names
// where the host came from.
func (s *secretHosts) check(field, what, host string) error {
	if s == nil {
		return nil
	}
	for _, name := range s.names {
		if !s.lists[name].allows(host) {
			return inputErr(field, "%ssecret %s may not be sent to host %s: the host is not in the secret's allowed_hosts (connectors.secrets)", what, name, host)
		}
	}
	return nil
}
