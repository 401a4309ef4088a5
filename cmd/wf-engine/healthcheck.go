package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/pflag"
)

// defaultHealthcheckTimeout bounds one health check: a container runtime
// runs it every few seconds, and a hung engine must fail it, not stall it.
const defaultHealthcheckTimeout = 3 * time.Second

// healthcheckFlags declares the flags of `wf-engine healthcheck`.
func healthcheckFlags(fs *pflag.FlagSet) {
	fs.Duration("timeout", defaultHealthcheckTimeout, "give up on the engine's answer after this long")
}

// runHealthcheck asks the engine that the configuration describes for
// GET /readyz on http.address (over HTTPS when http.tls_cert_file is set)
// and returns nil only for 200. It is the image's health check: the image
// has no shell and no curl.
func runHealthcheck(inv invocation) error {
	if len(inv.args) > 0 {
		return errors.New("usage: wf-engine healthcheck [--timeout D] [flags]")
	}
	timeout, err := inv.fs.GetDuration("timeout")
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	if timeout <= 0 {
		return fmt.Errorf("healthcheck: --timeout must be positive, got %s", timeout)
	}
	url, client, err := readyzClient(inv.cfg.HTTP, timeout)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	ctx, cancel := context.WithTimeout(inv.ctx, timeout)
	defer cancel()
	if err := checkReady(ctx, client, url); err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	_, err = fmt.Fprintf(inv.out, "%s: ready\n", url)
	return err
}

// readyzClient returns the URL of the engine's /readyz for the server
// settings h and a client for it. An unspecified host (0.0.0.0, ::, or
// none as in ":8080") is asked on 127.0.0.1, which such a listener also
// serves. Over HTTPS the client trusts exactly the certificate of
// http.tls_cert_file: the check dials an address the certificate need not
// name, and must not pass for another server.
func readyzClient(h HTTPConfig, timeout time.Duration) (string, *http.Client, error) {
	host, port, err := net.SplitHostPort(h.Address)
	if err != nil {
		return "", nil, fmt.Errorf("http.address: %w", err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	transport := &http.Transport{
		Proxy:               nil, // the engine is local; a proxy from the environment must not answer for it
		DialContext:         (&net.Dialer{Timeout: timeout}).DialContext,
		TLSHandshakeTimeout: timeout,
		DisableKeepAlives:   true,
	}
	scheme := "http"
	if h.TLSCertFile != "" {
		scheme = "https"
		leaf, err := leafCertificate(h.TLSCertFile)
		if err != nil {
			return "", nil, err
		}
		transport.TLSClientConfig = &tls.Config{
			MinVersion: tls.VersionTLS12,
			// The certificate is checked by VerifyConnection below: pinned to
			// the one the server is configured with, whatever names it holds.
			InsecureSkipVerify: true, // #nosec G402 -- the peer's certificate is pinned in VerifyConnection
			VerifyConnection: func(cs tls.ConnectionState) error {
				if len(cs.PeerCertificates) == 0 || !bytes.Equal(cs.PeerCertificates[0].Raw, leaf) {
					return errors.New("the server's certificate is not the one in http.tls_cert_file")
				}
				return nil
			},
		}
	}
	client := &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a redirect is an answer other than ready
		},
	}
	return scheme + "://" + net.JoinHostPort(host, port) + "/readyz", client, nil
}

// leafCertificate returns the DER bytes of the first certificate of the
// PEM file path.
func leafCertificate(path string) ([]byte, error) {
	b, err := os.ReadFile(path) // #nosec G304 -- the operator's own configuration names the file
	if err != nil {
		return nil, fmt.Errorf("http.tls_cert_file: %w", err)
	}
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return nil, fmt.Errorf("http.tls_cert_file %s: no certificate in it", path)
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return nil, fmt.Errorf("http.tls_cert_file %s: %w", path, err)
		}
		return block.Bytes, nil
	}
}

// checkReady GETs url and returns nil for 200, else an error with the
// status and the reason the engine gave.
func checkReady(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", "wf-engine-healthcheck")
	res, err := client.Do(req)
	if err != nil {
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
			return fmt.Errorf("%s: no answer in time: %w", url, err)
		}
		return fmt.Errorf("%s: not reachable: %w", url, err)
	}
	defer func() { _ = res.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode == http.StatusOK {
		return nil
	}
	var answer struct {
		Reason string `json:"reason"`
	}
	if json.Unmarshal(body, &answer) == nil && answer.Reason != "" {
		return fmt.Errorf("%s: not ready (%s): %s", url, res.Status, answer.Reason)
	}
	return fmt.Errorf("%s: not ready (%s)", url, res.Status)
}
