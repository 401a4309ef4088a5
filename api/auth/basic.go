package auth

import (
	"container/list"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Basic authentication's tuning. bcrypt takes ~50 ms at cost 10 and four
// times that at 12, so a successful check is remembered for a while and
// only a few checks run at once.
const (
	basicCacheTTL  = 5 * time.Minute
	basicCacheSize = 1024
	// basicConcurrency bounds concurrent bcrypt comparisons, so a flood of
	// bad passwords cannot take every core from the engine.
	basicConcurrency = 2
)

// Password hashing costs for HashPassword.
const (
	// DefaultHashCost is the bcrypt cost HashPassword uses when given 0.
	DefaultHashCost = 12
	// MinHashCost is the lowest cost HashPassword accepts.
	MinHashCost = 10
)

// basicChallenge is the WWW-Authenticate value of basic authentication.
const basicChallenge = `Basic realm="wf-engine"`

// BasicUser is one user of basic authentication, from configuration.
type BasicUser struct {
	// Name is the user name the client sends.
	Name string
	// PasswordHash is the bcrypt hash of the password ("$2a$..." or
	// "$2b$..."), as `wf-engine user hash` prints it.
	PasswordHash string
	// Roles are the user's roles; at least one.
	Roles []Role
	// Tenants are the tenant ids the user belongs to.
	Tenants []string
	// Groups are the user's groups (user-task candidate groups).
	Groups []string
}

// Basic authenticates HTTP basic credentials against the bcrypt hashes of
// configured users. It is safe for concurrent use.
type Basic struct {
	users map[string]*basicUser
	// dummy is compared against for unknown users, so that an unknown user
	// and a wrong password take the same time.
	dummy []byte
	sem   chan struct{}
	cache *basicCache

	// Seams for tests.
	compare func(hash, password []byte) error
	now     func() time.Time
	log     *slog.Logger
}

type basicUser struct {
	hash      []byte
	principal Principal
}

// NewBasic checks the users and returns their authenticator. It reports
// every problem it finds, each naming the user (never the hash): no user
// at all, an empty or repeated name, a hash that is not bcrypt, no role, an
// unknown role. Any valid bcrypt hash is accepted, whatever its cost.
func NewBasic(users []BasicUser) (*Basic, error) {
	b := &Basic{
		users:   make(map[string]*basicUser, len(users)),
		sem:     make(chan struct{}, basicConcurrency),
		compare: bcrypt.CompareHashAndPassword,
		now:     time.Now,
		log:     slog.New(slog.DiscardHandler),
	}
	var errs []error
	if len(users) == 0 {
		errs = append(errs, errors.New("no basic users: configure at least one (auth.basic.users)"))
	}
	cost := bcrypt.MinCost
	for i, u := range users {
		if u.Name == "" {
			errs = append(errs, fmt.Errorf("basic user %d: name is empty", i+1))
			continue
		}
		if _, dup := b.users[u.Name]; dup {
			errs = append(errs, fmt.Errorf("basic user %q: defined more than once", u.Name))
			continue
		}
		c, err := bcrypt.Cost([]byte(u.PasswordHash))
		if err != nil {
			// Never the hash, nor bcrypt's error, which may quote it.
			errs = append(errs, fmt.Errorf("basic user %q: password hash is not a bcrypt hash (make one with `wf-engine user hash`)", u.Name))
		}
		cost = max(cost, c)
		if len(u.Roles) == 0 {
			errs = append(errs, fmt.Errorf("basic user %q: has no role (one or more of %s)", u.Name, roleNames()))
		}
		for _, r := range u.Roles {
			if _, ok := ParseRole(string(r)); !ok {
				errs = append(errs, fmt.Errorf("basic user %q: unknown role %q (roles are %s)", u.Name, r, roleNames()))
			}
		}
		b.users[u.Name] = &basicUser{
			hash: []byte(u.PasswordHash),
			principal: Principal{
				Subject: u.Name,
				Name:    u.Name,
				Roles:   sortedUnique(slices.Clone(u.Roles)),
				Tenants: sortedUnique(slices.Clone(u.Tenants)),
				Groups:  sortedUnique(slices.Clone(u.Groups)),
			},
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("check basic users: %w", err)
	}
	// The dummy hash has the highest cost of the configured ones, so that
	// an unknown user takes at least as long as a wrong password.
	dummy, err := bcrypt.GenerateFromPassword(randomBytes(16), cost)
	if err != nil {
		return nil, fmt.Errorf("make the dummy password hash: %w", err)
	}
	b.dummy = dummy
	b.cache = newBasicCache(randomBytes(32), basicCacheSize, basicCacheTTL)
	return b, nil
}

// SetLogger sets where the authenticator logs refused credentials (at
// debug level, naming a known user, never a password). The default
// discards.
func (b *Basic) SetLogger(l *slog.Logger) {
	if l != nil {
		b.log = l
	}
}

// Authenticate checks the request's basic credentials. A missing header or
// another scheme, malformed credentials, an unknown user and a wrong
// password all answer 401 with a Basic challenge; an unknown user and a
// wrong password answer the same and take about the same time.
func (b *Basic) Authenticate(ctx context.Context, r *http.Request) (*Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, basicError("The request has no credentials: send HTTP basic authentication")
	}
	scheme, credentials, err := ParseAuthorization(h)
	if err != nil {
		b.log.DebugContext(ctx, "basic authentication refused", "reason", err.Error())
		return nil, basicError("The Authorization header is malformed")
	}
	if scheme != "basic" {
		return nil, basicError("The Authorization header must use the Basic scheme")
	}
	user, password, err := parseBasic(credentials)
	if err != nil {
		b.log.DebugContext(ctx, "basic authentication refused", "reason", err.Error())
		return nil, basicError("The basic credentials are malformed")
	}
	return b.CheckPassword(ctx, user, password)
}

// CheckPassword checks a user name and password that did not come in an
// Authorization header (api/web's login form) exactly as Authenticate
// checks basic credentials: same cache, same bound on concurrent bcrypt
// comparisons, same answers.
func (b *Basic) CheckPassword(ctx context.Context, user, password string) (*Principal, error) {
	now := b.now()
	if u := b.cache.get(user, password, now); u != nil {
		return u.principal.clone(), nil
	}
	u := b.users[user]
	hash := b.dummy
	if u != nil {
		hash = u.hash
	}
	select {
	case b.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, &Error{Status: http.StatusServiceUnavailable, Title: "UNAVAILABLE", Detail: "The request ended while waiting for a password check"}
	}
	err := b.compare(hash, []byte(password))
	<-b.sem
	if err != nil || u == nil {
		if u != nil {
			b.log.DebugContext(ctx, "basic authentication refused", "reason", "wrong password", "user", user)
		} else {
			b.log.DebugContext(ctx, "basic authentication refused", "reason", "unknown user")
		}
		return nil, basicError("The user name or password is wrong")
	}
	b.cache.put(user, password, u, now)
	return u.principal.clone(), nil
}

func basicError(detail string) *Error {
	return &Error{Status: http.StatusUnauthorized, Title: "UNAUTHORIZED", Detail: detail, Challenge: basicChallenge}
}

// clone returns a copy of p whose slices the caller may change.
func (p *Principal) clone() *Principal {
	c := *p
	c.Roles = slices.Clone(p.Roles)
	c.Tenants = slices.Clone(p.Tenants)
	c.Groups = slices.Clone(p.Groups)
	return &c
}

// HashPassword returns the bcrypt hash of password for a basic user's
// configuration. cost 0 means DefaultHashCost; a cost below MinHashCost is
// refused, and so are an empty password and one longer than bcrypt's 72
// bytes.
func HashPassword(password string, cost int) (string, error) {
	if cost == 0 {
		cost = DefaultHashCost
	}
	switch {
	case cost < MinHashCost || cost > bcrypt.MaxCost:
		return "", fmt.Errorf("hash password: cost %d is outside %d..%d", cost, MinHashCost, bcrypt.MaxCost)
	case password == "":
		return "", errors.New("hash password: the password is empty")
	case len(password) > 72:
		return "", errors.New("hash password: the password is longer than bcrypt's 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

func roleNames() string {
	s := ""
	for i, r := range Roles {
		if i > 0 {
			s += ", "
		}
		s += string(r)
	}
	return s
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return b
}

// basicCache remembers successful checks, keyed by an HMAC of user and
// password under a key made at start, so it holds no password and no
// unsalted hash of one. It is bounded in size and entries expire.
type basicCache struct {
	key  []byte
	size int
	ttl  time.Duration

	mu      sync.Mutex
	entries map[[sha256.Size]byte]*list.Element
	order   *list.List // most recently used first
}

type basicCacheEntry struct {
	id      [sha256.Size]byte
	user    *basicUser
	expires time.Time
}

func newBasicCache(key []byte, size int, ttl time.Duration) *basicCache {
	return &basicCache{key: key, size: size, ttl: ttl, entries: map[[sha256.Size]byte]*list.Element{}, order: list.New()}
}

func (c *basicCache) id(user, password string) [sha256.Size]byte {
	m := hmac.New(sha256.New, c.key)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(user)))
	m.Write(n[:])
	m.Write([]byte(user))
	m.Write([]byte(password))
	var id [sha256.Size]byte
	m.Sum(id[:0])
	return id
}

func (c *basicCache) get(user, password string, now time.Time) *basicUser {
	id := c.id(user, password)
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok {
		return nil
	}
	ent := e.Value.(*basicCacheEntry)
	if !now.Before(ent.expires) {
		c.order.Remove(e)
		delete(c.entries, id)
		return nil
	}
	c.order.MoveToFront(e)
	return ent.user
}

func (c *basicCache) put(user, password string, u *basicUser, now time.Time) {
	id := c.id(user, password)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[id]; ok {
		e.Value.(*basicCacheEntry).expires = now.Add(c.ttl)
		c.order.MoveToFront(e)
		return
	}
	for c.order.Len() >= c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.entries, last.Value.(*basicCacheEntry).id)
	}
	c.entries[id] = c.order.PushFront(&basicCacheEntry{id: id, user: u, expires: now.Add(c.ttl)})
}

func (c *basicCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// Interface guards
var _ Authenticator = (*Basic)(nil)
