package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// certReloader serves a certificate from PEM files and loads them again
// when they change (a renewed certificate needs no restart). A change that
// does not load (a half-written file) keeps the previous certificate and
// is logged; the next handshake after a fix picks the new one up.
type certReloader struct {
	certFile, keyFile string
	log               *slog.Logger
	now               func() time.Time
	// checkEvery bounds how often the files are looked at.
	checkEvery time.Duration

	mu        sync.Mutex
	cert      *tls.Certificate
	certStamp fileStamp
	keyStamp  fileStamp
	checked   time.Time
}

// fileStamp tells one version of a file from another.
type fileStamp struct {
	mod  time.Time
	size int64
}

func stamp(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{mod: fi.ModTime(), size: fi.Size()}, nil
}

// newCertReloader loads the certificate once; a failure here stops the
// start.
func newCertReloader(certFile, keyFile string, log *slog.Logger) (*certReloader, error) {
	c := &certReloader{certFile: certFile, keyFile: keyFile, log: log, now: time.Now, checkEvery: time.Second}
	if err := c.load(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *certReloader) load() error {
	cs, err := stamp(c.certFile)
	if err != nil {
		return fmt.Errorf("http.tls_cert_file: %w", err)
	}
	ks, err := stamp(c.keyFile)
	if err != nil {
		return fmt.Errorf("http.tls_key_file: %w", err)
	}
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("load TLS certificate %s and key %s: %w", c.certFile, c.keyFile, err)
	}
	c.cert, c.certStamp, c.keyStamp = &cert, cs, ks
	return nil
}

// getCertificate is tls.Config.GetCertificate.
func (c *certReloader) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := c.now(); now.Sub(c.checked) >= c.checkEvery {
		c.checked = now
		cs, err1 := stamp(c.certFile)
		ks, err2 := stamp(c.keyFile)
		if err1 == nil && err2 == nil && (cs != c.certStamp || ks != c.keyStamp) {
			if err := c.load(); err != nil {
				c.log.Error("TLS certificate changed but does not load; serving the previous one", "error", err)
			} else {
				c.log.Info("TLS certificate reloaded", "cert_file", c.certFile)
			}
		}
	}
	return c.cert, nil
}

// tlsConfig is the server's TLS configuration: TLS 1.2 or newer, the
// certificate from the reloader.
func (c *certReloader) tlsConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: c.getCertificate}
}
