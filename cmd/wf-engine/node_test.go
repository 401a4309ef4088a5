package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

func TestClusterNodeKeys(t *testing.T) {
	c, err := retentionConfig(t, "", []string{"WF_DATABASE_URL=postgres://wf@127.0.0.1/wf"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Cluster.LeaseTTL != 4*time.Second || c.Cluster.NodeID != "" || c.Cluster.Secret != "" {
		t.Errorf("defaults: %+v, want lease_ttl 4s and no node id or secret", c.Cluster)
	}
	pg := "WF_DATABASE_URL=postgres://wf@127.0.0.1/wf"
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"sqlite node id", []string{"WF_CLUSTER_NODE_ID=n1"}, nil, "cluster.node_id: several engine nodes need PostgreSQL"},
		{"sqlite secret", []string{"WF_CLUSTER_SECRET=0123456789abcdef"}, nil, "cluster.secret: several engine nodes need PostgreSQL"},
		{"sqlite lease", nil, []string{"--cluster.lease_ttl", "10s"}, "cluster.lease_ttl: several engine nodes need PostgreSQL"},
		{"memory address", []string{"WF_DATABASE_URL=memory"}, []string{"--cluster.advertise_address", "http://a:1"},
			"cluster.advertise_address: several engine nodes need PostgreSQL"},
		{"lease too short", []string{pg}, []string{"--cluster.lease_ttl", "500ms"}, "cluster.lease_ttl: must be between 1s and 2m0s, got 500ms"},
		{"lease too long", []string{pg}, []string{"--cluster.lease_ttl", "3m"}, "cluster.lease_ttl: must be between 1s and 2m0s, got 3m0s"},
		{"short secret", []string{pg, "WF_CLUSTER_SECRET=short"}, nil, "cluster.secret: must be at least 16 bytes long (got 5)"},
		{"node id with a space", []string{pg, "WF_CLUSTER_NODE_ID=a b"}, nil, "cluster.node_id: expected at most 255 printable characters"},
		{"address without a port", []string{pg}, []string{"--cluster.advertise_address", "http://a"}, "cluster.advertise_address: expected http(s)://host:port"},
		{"address with a path", []string{pg}, []string{"--cluster.advertise_address", "http://a:1/x"}, "cluster.advertise_address: expected http(s)://host:port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := retentionConfig(t, "", tc.env, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
			if strings.Contains(tc.name, "secret") && strings.Contains(err.Error(), "0123456789abcdef") {
				t.Fatalf("the error shows the secret: %v", err)
			}
		})
	}
	ok, err := retentionConfig(t, "", []string{pg, "WF_CLUSTER_NODE_ID=n1", "WF_CLUSTER_SECRET=0123456789abcdef"},
		"--cluster.advertise_address", "https://n1.internal:8443", "--cluster.lease_ttl", "3s")
	if err != nil || ok.Cluster.NodeID != "n1" || ok.Cluster.LeaseTTL != 3*time.Second {
		t.Fatalf("a valid node: %+v, %v", ok.Cluster, err)
	}
}

func TestLeaseClaimDefaults(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skip("no host name")
	}
	listening := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 41234}
	cfg := defaultConfig()
	cfg.HTTP.Address = "127.0.0.1:0"
	c, err := leaseClaim(cfg, listening)
	if err != nil {
		t.Fatal(err)
	}
	if c.NodeID != host+"-"+strconv.Itoa(os.Getpid()) || c.Address != "http://127.0.0.1:41234" || c.TTL != 4*time.Second || c.Partition != 1 {
		t.Fatalf("claim %+v", c)
	}
	cfg.HTTP.Address, cfg.HTTP.TLSCertFile = "0.0.0.0:8443", "cert.pem"
	if c, _ := leaseClaim(cfg, listening); c.Address != "https://"+net.JoinHostPort(host, "41234") {
		t.Fatalf("advertised %q for an unspecified address, want the host name", c.Address)
	}
	cfg.Cluster.NodeID, cfg.Cluster.AdvertiseAddress = "n7", "http://n7.internal:9"
	if c, _ := leaseClaim(cfg, listening); c.NodeID != "n7" || c.Address != "http://n7.internal:9" {
		t.Fatalf("configured claim %+v", c)
	}
}

// The handoff gives connections to the standby server's listener, then to
// the engine's; closing the engine's closes the address.
func TestHandoffPassesTheListenerOn(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := newHandoff(raw)
	first := h.listener(false)
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := first.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", raw.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	dial()
	if c := <-accepted; c == nil {
		t.Fatal("the standby listener accepted nothing")
	} else {
		_ = c.Close()
	}
	_ = first.Close()
	if _, err := first.Accept(); err == nil {
		t.Fatal("a closed listener accepted")
	}
	final := h.listener(true)
	dial()
	c, err := final.Accept()
	if err != nil {
		t.Fatalf("the engine's listener: %v", err)
	}
	_ = c.Close()
	if err := final.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := net.DialTimeout("tcp", raw.Addr().String(), time.Second); err == nil {
		t.Fatal("the address still accepts after the engine's listener closed")
	}
}

// On PostgreSQL a single node takes the lease at once and releases it when
// it stops, so that the next start (another process) takes it with the next
// epoch without waiting for the lease to expire.
func TestSingleNodeTakesAndReleasesTheLease(t *testing.T) {
	url := pgtest.URL(t)
	env := []string{"WF_DATABASE_URL=" + url, "WF_CLUSTER_NODE_ID=solo"}
	read := func() (string, int64, bool) {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = conn.Close(ctx) }()
		var id string
		var epoch int64
		var live bool
		if err := conn.QueryRow(ctx, "SELECT node_id, epoch, expires_at > now() FROM partition_leases WHERE partition = 1").Scan(&id, &epoch, &live); err != nil {
			t.Fatal(err)
		}
		return id, epoch, live
	}
	for start := int64(1); start <= 2; start++ {
		base, stop := serveStoppable(t, env...)
		if id, epoch, live := read(); id != "solo" || epoch != start || !live {
			t.Fatalf("start %d: lease of %q, epoch %d, live %v; want solo's epoch %d", start, id, epoch, live, start)
		}
		res, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("/readyz of the holder: %d", res.StatusCode)
		}
		out := stop()
		if _, _, live := read(); live {
			t.Fatalf("start %d: the lease is still live after a clean stop\n%s", start, out)
		}
		if !strings.Contains(out, "released the partition's lease") {
			t.Fatalf("the log does not say the lease was released:\n%s", out)
		}
	}
}
