package main

import (
	"net"
	"sync"
)

// perClientListener closes connections beyond max open ones from the same
// client address (IP), so that one client cannot hold every connection
// the server can take: the refused connection is closed at once, before
// any byte is read.
type perClientListener struct {
	net.Listener
	max int

	mu   sync.Mutex
	open map[string]int
	// refused counts closed connections, for tests and the log.
	refused int
}

func newPerClientListener(ln net.Listener, max int) *perClientListener {
	return &perClientListener{Listener: ln, max: max, open: map[string]int{}}
}

// Accept returns the next connection its client may still open.
func (l *perClientListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := clientIP(c.RemoteAddr())
		l.mu.Lock()
		if l.open[ip] >= l.max {
			l.refused++
			l.mu.Unlock()
			_ = c.Close()
			continue
		}
		l.open[ip]++
		l.mu.Unlock()
		return &countedConn{Conn: c, release: func() { l.release(ip) }}, nil
	}
}

func (l *perClientListener) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[ip]--; l.open[ip] <= 0 {
		delete(l.open, ip)
	}
}

func (l *perClientListener) refusedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refused
}

func clientIP(a net.Addr) string {
	if host, _, err := net.SplitHostPort(a.String()); err == nil {
		return host
	}
	return a.String()
}

// countedConn gives its client's slot back once, when it closes.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
