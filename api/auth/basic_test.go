package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/syncbuf"
)

const (
	alicePassword = "alice-Pa55word!"
	bobPassword   = "bob-Secr3t:with:colons"
)

// testBasic returns an authenticator for alice (operator, user) and bob
// (admin), with hashes of bcrypt's lowest cost to keep the tests fast, and
// a counter of bcrypt comparisons.
func testBasic(t *testing.T) (*Basic, *atomic.Int64) {
	t.Helper()
	b, err := NewBasic([]BasicUser{
		{Name: "alice", PasswordHash: mustHash(t, alicePassword), Roles: []Role{RoleUser, RoleOperator, RoleUser}, Tenants: []string{"t2", "t1"}, Groups: []string{"ops"}},
		{Name: "bob", PasswordHash: mustHash(t, bobPassword), Roles: []Role{RoleAdmin}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	b.compare = func(hash, pw []byte) error {
		calls.Add(1)
		return bcrypt.CompareHashAndPassword(hash, pw)
	}
	return b, &calls
}

func mustHash(t *testing.T, pw string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

func basicRequest(user, password string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/v2/topology", nil)
	r.SetBasicAuth(user, password)
	return r
}

func wantAuthError(t *testing.T, err error, status int, challenge string) *Error {
	t.Helper()
	var ae *Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T); want *Error", err, err)
	}
	if ae.Status != status || ae.Challenge != challenge {
		t.Fatalf("error %+v; want status %d, challenge %q", ae, status, challenge)
	}
	if status == http.StatusUnauthorized && ae.Title != "UNAUTHORIZED" {
		t.Fatalf("title %q; want UNAUTHORIZED", ae.Title)
	}
	return ae
}

func TestBasicAuthenticatesAGoodPassword(t *testing.T) {
	b, _ := testBasic(t)
	p, err := b.Authenticate(context.Background(), basicRequest("alice", alicePassword))
	if err != nil {
		t.Fatal(err)
	}
	want := &Principal{Subject: "alice", Name: "alice", Roles: []Role{RoleOperator, RoleUser}, Tenants: []string{"t1", "t2"}, Groups: []string{"ops"}}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("principal %+v; want %+v", p, want)
	}
	// The principal is the caller's: changing it changes nothing in b.
	p.Roles[0] = RoleAdmin
	p2, err := b.Authenticate(context.Background(), basicRequest("alice", alicePassword))
	if err != nil || !reflect.DeepEqual(p2, want) {
		t.Fatalf("second principal %+v, %v; want %+v", p2, err, want)
	}
	p3, err := b.Authenticate(context.Background(), basicRequest("bob", bobPassword))
	if err != nil || !p3.Has(RoleAdmin) {
		t.Fatalf("bob: %+v, %v", p3, err)
	}
}

func TestBasicWrongPasswordAndUnknownUserAnswerTheSame(t *testing.T) {
	b, calls := testBasic(t)
	_, wrong := b.Authenticate(context.Background(), basicRequest("alice", "not-the-password"))
	_, unknown := b.Authenticate(context.Background(), basicRequest("mallory", "whatever"))
	we := wantAuthError(t, wrong, http.StatusUnauthorized, `Basic realm="wf-engine"`)
	ue := wantAuthError(t, unknown, http.StatusUnauthorized, `Basic realm="wf-engine"`)
	if *we != *ue {
		t.Fatalf("wrong password answers %+v, unknown user %+v; want the same", we, ue)
	}
	// Both paid one bcrypt comparison: the unknown user against the dummy.
	if n := calls.Load(); n != 2 {
		t.Fatalf("%d bcrypt comparisons; want 2", n)
	}
	// A user's password is not another user's.
	if _, err := b.Authenticate(context.Background(), basicRequest("bob", alicePassword)); err == nil {
		t.Fatal("bob authenticated with alice's password")
	}
}

func TestBasicCachesSuccessfulChecks(t *testing.T) {
	b, calls := testBasic(t)
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	b.now = clk.Now
	for range 5 {
		if _, err := b.Authenticate(context.Background(), basicRequest("alice", alicePassword)); err != nil {
			t.Fatal(err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d bcrypt comparisons for 5 good requests; want 1", n)
	}
	// A wrong password is not served from the cache and never cached.
	for range 2 {
		if _, err := b.Authenticate(context.Background(), basicRequest("alice", alicePassword+"x")); err == nil {
			t.Fatal("wrong password accepted")
		}
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("%d bcrypt comparisons; want 3", n)
	}
	// The cached check expires.
	clk.Advance(basicCacheTTL)
	if _, err := b.Authenticate(context.Background(), basicRequest("alice", alicePassword)); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 4 {
		t.Fatalf("%d bcrypt comparisons after the TTL; want 4", n)
	}
}

func TestBasicCacheIsBounded(t *testing.T) {
	c := newBasicCache([]byte("k"), 3, time.Minute)
	u := &basicUser{}
	now := time.Unix(0, 0)
	for i := range 10 {
		c.put("u", strings.Repeat("p", i), u, now)
	}
	if n := c.len(); n != 3 {
		t.Fatalf("cache holds %d entries; want 3", n)
	}
	if c.get("u", strings.Repeat("p", 9), now) == nil || c.get("u", "", now) != nil {
		t.Fatal("the cache kept the oldest entry instead of the newest")
	}
	// The key binds user and password together.
	c.put("ab", "c", u, now)
	if c.get("a", "bc", now) != nil {
		t.Fatal(`"ab":"c" and "a":"bc" share a cache entry`)
	}
}

func TestBasicBoundsConcurrentComparisons(t *testing.T) {
	b, _ := testBasic(t)
	var running, peak atomic.Int64
	release := make(chan struct{})
	b.compare = func(hash, pw []byte) error {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		running.Add(-1)
		return bcrypt.ErrMismatchedHashAndPassword
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { _, _ = b.Authenticate(context.Background(), basicRequest("alice", "bad")) })
	}
	// Wait until the semaphore is full, then let a cancelled request give up.
	deadline := time.Now().Add(10 * time.Second)
	for running.Load() < basicConcurrency {
		if time.Now().After(deadline) {
			t.Fatal("comparisons did not start")
		}
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := b.Authenticate(ctx, basicRequest("alice", "bad"))
	_ = wantAuthError(t, err, http.StatusServiceUnavailable, "")
	close(release)
	wg.Wait()
	if p := peak.Load(); p != basicConcurrency {
		t.Fatalf("%d comparisons ran at once; want %d", p, basicConcurrency)
	}
}

func TestBasicRefusesMissingAndMalformedCredentials(t *testing.T) {
	b, calls := testBasic(t)
	tests := []struct {
		name   string
		header string
	}{
		{name: "no header", header: ""},
		{name: "bearer scheme", header: "Bearer abc"},
		{name: "scheme only", header: "Basic"},
		{name: "not base64", header: "Basic !!!"},
		{name: "no colon", header: "Basic " + base64.StdEncoding.EncodeToString([]byte("alice"))},
		{name: "empty user", header: "Basic " + base64.StdEncoding.EncodeToString([]byte(":"+alicePassword))},
		{name: "control characters", header: "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:\x00"+alicePassword))},
		{name: "huge", header: "Basic " + strings.Repeat("QUFB", 2000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			_, err := b.Authenticate(context.Background(), r)
			ae := wantAuthError(t, err, http.StatusUnauthorized, `Basic realm="wf-engine"`)
			if strings.Contains(ae.Detail, alicePassword) {
				t.Fatalf("detail %q holds the password", ae.Detail)
			}
		})
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("%d bcrypt comparisons for malformed requests; want 0", n)
	}
}

func TestNewBasicReportsEveryProblem(t *testing.T) {
	good := mustHash(t, "pw")
	_, err := NewBasic([]BasicUser{
		{Name: "", PasswordHash: good, Roles: []Role{RoleAdmin}},
		{Name: "carol", PasswordHash: "plaintext-secret", Roles: []Role{RoleAdmin}},
		{Name: "dave", PasswordHash: good},
		{Name: "erin", PasswordHash: good, Roles: []Role{"superuser"}},
		{Name: "frank", PasswordHash: good, Roles: []Role{RoleUser}},
		{Name: "frank", PasswordHash: good, Roles: []Role{RoleUser}},
	})
	if err == nil {
		t.Fatal("NewBasic accepted bad users")
	}
	msg := err.Error()
	for _, want := range []string{"basic user 1: name is empty", `"carol": password hash is not a bcrypt hash`, `"dave": has no role`, `"erin": unknown role "superuser"`, `"frank": defined more than once`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "plaintext-secret") || strings.Contains(msg, good) {
		t.Errorf("error %q holds a hash", msg)
	}
}

func TestNewBasicWantsAUser(t *testing.T) {
	if _, err := NewBasic(nil); err == nil || !strings.Contains(err.Error(), "no basic users") {
		t.Fatalf("NewBasic(nil) = %v; want an error saying there are no users", err)
	}
}

func TestHashPassword(t *testing.T) {
	h, err := HashPassword("correct horse", MinHashCost)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := bcrypt.Cost([]byte(h)); err != nil || c != MinHashCost {
		t.Fatalf("cost %d, %v; want %d", c, err, MinHashCost)
	}
	if bcrypt.CompareHashAndPassword([]byte(h), []byte("correct horse")) != nil {
		t.Fatal("the hash does not match its password")
	}
	for _, tt := range []struct {
		name     string
		password string
		cost     int
	}{
		{"cost below the minimum", "pw", MinHashCost - 1},
		{"cost above bcrypt's maximum", "pw", bcrypt.MaxCost + 1},
		{"empty password", "", MinHashCost},
		{"password longer than 72 bytes", strings.Repeat("p", 73), MinHashCost},
	} {
		if _, err := HashPassword(tt.password, tt.cost); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
}

func TestBasicNeverLogsOrAnswersPasswords(t *testing.T) {
	b, _ := testBasic(t)
	logs := &syncbuf.Buffer{}
	b.SetLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	wrong := "Wr0ng-But-Close-Password"
	var details []string
	for _, r := range []*http.Request{
		basicRequest("alice", wrong),
		basicRequest("mallory", wrong),
		basicRequest(alicePassword, wrong), // a password typed as the user name
		basicRequest("alice", alicePassword+"\x00"),
	} {
		_, err := b.Authenticate(context.Background(), r)
		var ae *Error
		if !errors.As(err, &ae) {
			t.Fatalf("error %v; want *Error", err)
		}
		details = append(details, ae.Detail+" "+ae.Challenge)
	}
	if !strings.Contains(logs.String(), "basic authentication refused") {
		t.Fatalf("refusals not logged:\n%s", logs)
	}
	all := logs.String() + strings.Join(details, "\n")
	for _, secret := range []string{wrong, alicePassword, base64.StdEncoding.EncodeToString([]byte("alice:" + wrong))} {
		if strings.Contains(all, secret) {
			t.Fatalf("a password is logged or answered:\n%s", all)
		}
	}
}
