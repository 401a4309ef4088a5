package auth

import (
	"net"
	"strings"
)

// LoopbackHost reports whether host (a host name or address, with or
// without a port; IPv6 in brackets or bare) is localhost or a loopback
// address: where auth.mode none may listen and what its requests must
// name, and where an OIDC issuer may use plain http.
func LoopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
