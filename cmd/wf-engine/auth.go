package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/api/web"
	"github.com/example/wf-engine/core/store"
)

// Authentication modes (auth.mode).
const (
	authNone  = "none"
	authBasic = "basic"
	authOIDC  = "oidc"
)

// AuthConfig configures authentication.
type AuthConfig struct {
	// Mode is none (loopback addresses only), basic or oidc.
	Mode  string          `koanf:"mode"`
	Basic BasicAuthConfig `koanf:"basic"`
	OIDC  OIDCAuthConfig  `koanf:"oidc"`
	// Session bounds the web app's login sessions (basic and oidc).
	Session SessionConfig `koanf:"session"`
}

// SessionConfig bounds the web app's login sessions, kept in memory.
type SessionConfig struct {
	// IdleTimeout ends a session that made no request for this long.
	IdleTimeout time.Duration `koanf:"idle_timeout"`
	// MaxLifetime ends a session this long after its login.
	MaxLifetime time.Duration `koanf:"max_lifetime"`
	// MaxSessions bounds the sessions; a login beyond it ends the least
	// recently used one.
	MaxSessions int `koanf:"max_sessions"`
}

// BasicAuthConfig lists the users of auth.mode basic.
type BasicAuthConfig struct {
	Users []BasicUserConfig `koanf:"users"`
}

// BasicUserConfig is one user of auth.mode basic.
type BasicUserConfig struct {
	Name string `koanf:"name"`
	// PasswordHash is a bcrypt hash: `wf-engine user hash` prints one.
	PasswordHash string   `koanf:"password_hash"`
	Roles        []string `koanf:"roles"`
	Tenants      []string `koanf:"tenants"`
	Groups       []string `koanf:"groups"`
}

// OIDCAuthConfig configures auth.mode oidc: bearer JWTs of one issuer.
type OIDCAuthConfig struct {
	// Issuer is the issuer URL; its discovery document names the keys.
	Issuer string `koanf:"issuer"`
	// Audience must be among the token's aud.
	Audience string `koanf:"audience"`
	// Algorithms are the accepted signing algorithms (asymmetric only).
	Algorithms []string `koanf:"algorithms"`
	// ClockSkew is the leeway on exp and nbf.
	ClockSkew time.Duration `koanf:"clock_skew"`
	// RolesClaim, TenantsClaim and GroupsClaim name claims, dotted paths
	// allowed (realm_access.roles).
	RolesClaim   string `koanf:"roles_claim"`
	TenantsClaim string `koanf:"tenants_claim"`
	GroupsClaim  string `koanf:"groups_claim"`
	// RoleMapping maps claim values to roles (admin, operator, worker, user).
	RoleMapping map[string]string `koanf:"role_mapping"`
	// ClientRoles gives machine clients roles by client id.
	ClientRoles map[string][]string `koanf:"client_roles"`
	// KeyRefreshInterval is the least time between two key fetches caused
	// by tokens with an unknown key id.
	KeyRefreshInterval time.Duration `koanf:"key_refresh_interval"`
	// ClientID and ClientSecret make the engine a confidential client of
	// the issuer for the web app's login (authorization-code flow with
	// PKCE, redirect http.public_url/auth/callback); without them the web
	// app cannot log in, and bearer tokens still work.
	ClientID     string `koanf:"client_id"`
	ClientSecret string `koanf:"client_secret"`
	// Scopes are requested at the web app's login; openid is always added.
	Scopes []string `koanf:"scopes"`
}

// MultitenancyConfig turns multi-tenancy on.
type MultitenancyConfig struct {
	Enabled bool `koanf:"enabled"`
}

func defaultAuthConfig() AuthConfig {
	return AuthConfig{Mode: authNone, OIDC: OIDCAuthConfig{
		ClockSkew: 30 * time.Second, RolesClaim: "roles", TenantsClaim: "tenants", GroupsClaim: "groups",
		KeyRefreshInterval: 10 * time.Second, Scopes: web.DefaultScopes,
	}, Session: SessionConfig{IdleTimeout: web.DefaultSessionIdleTimeout, MaxLifetime: web.DefaultSessionMaxLifetime, MaxSessions: web.DefaultMaxSessions}}
}

// authFlags declares the flags of the auth keys that fit on a command line.
func authFlags(fs *pflag.FlagSet, d AuthConfig) {
	fs.String("auth.mode", d.Mode, "authentication: none (loopback addresses only), basic or oidc")
	fs.String("auth.oidc.issuer", d.OIDC.Issuer, "OIDC issuer URL (discovery)")
	fs.String("auth.oidc.audience", d.OIDC.Audience, "audience a token must carry")
	fs.StringSlice("auth.oidc.algorithms", d.OIDC.Algorithms, "accepted token signing algorithms (default: RS*, ES*, PS*, EdDSA)")
	fs.Duration("auth.oidc.clock_skew", d.OIDC.ClockSkew, "leeway on token expiry and not-before")
	fs.String("auth.oidc.roles_claim", d.OIDC.RolesClaim, "claim holding roles (dotted path)")
	fs.String("auth.oidc.tenants_claim", d.OIDC.TenantsClaim, "claim holding tenant ids (dotted path)")
	fs.String("auth.oidc.groups_claim", d.OIDC.GroupsClaim, "claim holding groups (dotted path)")
	fs.Duration("auth.oidc.key_refresh_interval", d.OIDC.KeyRefreshInterval, "least time between key fetches for unknown key ids")
	fs.String("auth.oidc.client_id", d.OIDC.ClientID, "the engine's client id at the issuer, for the web app's login (code flow with PKCE, redirect http.public_url/auth/callback)")
	fs.String("auth.oidc.client_secret", d.OIDC.ClientSecret, "secret of auth.oidc.client_id (prefer WF_AUTH_OIDC_CLIENT_SECRET or the file: flags show in ps)")
	fs.StringSlice("auth.oidc.scopes", d.OIDC.Scopes, "scopes the web app's login requests (openid is always added)")
	fs.Duration("auth.session.idle_timeout", d.Session.IdleTimeout, "a web app session ends after this long without a request")
	fs.Duration("auth.session.max_lifetime", d.Session.MaxLifetime, "a web app session ends this long after its login")
	fs.Int("auth.session.max_sessions", d.Session.MaxSessions, "web app sessions kept in memory; a login beyond it ends the least recently used")
}

// openAuthKey reports keys below auth that hold user-chosen names.
func openAuthKey(key string) bool {
	return strings.HasPrefix(key, "auth.oidc.role_mapping.") || strings.HasPrefix(key, "auth.oidc.client_roles.")
}

// validate reports every problem of the auth configuration; it names users
// and keys, never a hash.
func (a *AuthConfig) validate(add func(string, ...any)) {
	switch a.Mode {
	case authNone:
	case authBasic:
		if len(a.Basic.Users) == 0 {
			add("auth.basic.users: auth.mode basic needs at least one user")
		}
		if _, err := auth.NewBasic(a.basicUsers()); err != nil {
			add("auth.basic.users: %v", err)
		}
	case authOIDC:
		if err := a.oidcConfig(nil).Validate(); err != nil {
			add("auth.oidc: %v", err)
		}
		if (a.OIDC.ClientID == "") != (a.OIDC.ClientSecret == "") {
			add("auth.oidc.client_id and auth.oidc.client_secret: set both (web app login) or neither (bearer tokens only)")
		}
	default:
		add("auth.mode: expected none, basic or oidc, got %q", a.Mode)
	}
	if a.Session.IdleTimeout <= 0 || a.Session.MaxLifetime <= 0 || a.Session.IdleTimeout > a.Session.MaxLifetime {
		add("auth.session: idle_timeout (%s) and max_lifetime (%s) must be positive, idle_timeout at most max_lifetime",
			a.Session.IdleTimeout, a.Session.MaxLifetime)
	}
	if a.Session.MaxSessions < 1 {
		add("auth.session.max_sessions: must be at least 1, got %d", a.Session.MaxSessions)
	}
}

// browserLogin reports whether the web app can log in: basic, or oidc with
// a client.
func (a *AuthConfig) browserLogin() bool {
	return a.Mode == authBasic || (a.Mode == authOIDC && a.OIDC.ClientID != "")
}

// login builds the web app's login routes and sessions for the
// authenticator authn (nil in mode none); publicURL is the engine's base
// URL as browsers reach it.
func (a *AuthConfig) login(authn auth.Authenticator, publicURL string, secure bool, shared sessionSharing, log *slog.Logger) (*web.Login, error) {
	cfg := web.LoginConfig{Mode: a.Mode, PublicURL: publicURL, SecureCookies: secure, Logger: log,
		Sessions: web.SessionLimits{IdleTimeout: a.Session.IdleTimeout, MaxLifetime: a.Session.MaxLifetime, MaxSessions: a.Session.MaxSessions},
		Shared:   shared.keeper, Secret: shared.secret}
	switch a.Mode {
	case authBasic:
		p, ok := authn.(web.PasswordChecker)
		if !ok {
			return nil, errors.New("web login: the basic authenticator cannot check passwords")
		}
		cfg.Passwords = p
	case authOIDC:
		if a.OIDC.ClientID != "" {
			tc, ok := authn.(web.TokenChecker)
			if !ok {
				return nil, errors.New("web login: the oidc authenticator cannot check access tokens")
			}
			o := a.OIDC
			cfg.OIDC = &web.OIDCLogin{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret, Scopes: o.Scopes,
				Algorithms: o.Algorithms, Tokens: tc}
		}
	}
	return web.NewLogin(cfg)
}

// sessionSharing is where the browser sessions of several nodes on one
// database are kept: keeper nil keeps them in this process's memory.
type sessionSharing struct {
	keeper store.SessionKeeper
	secret []byte
}

// sharedSessions returns how the browser sessions are kept: in the store,
// sealed with a key derived from cluster.secret, on PostgreSQL when the
// secret is set (the nodes share them, and they outlive a restart; ADR
// 35); else in memory.
func sharedSessions(c ClusterConfig, kind storeKind, s store.Store) sessionSharing {
	k, ok := s.(store.SessionKeeper)
	if kind != storePostgres || c.Secret == "" || !ok {
		return sessionSharing{}
	}
	return sessionSharing{keeper: k, secret: []byte(c.Secret)}
}

func (a *AuthConfig) basicUsers() []auth.BasicUser {
	users := make([]auth.BasicUser, 0, len(a.Basic.Users))
	for _, u := range a.Basic.Users {
		roles := make([]auth.Role, len(u.Roles))
		for i, r := range u.Roles {
			roles[i] = auth.Role(r)
		}
		users = append(users, auth.BasicUser{Name: u.Name, PasswordHash: u.PasswordHash, Roles: roles, Tenants: u.Tenants, Groups: u.Groups})
	}
	return users
}

func (a *AuthConfig) oidcConfig(log *slog.Logger) auth.OIDCConfig {
	o := a.OIDC
	return auth.OIDCConfig{
		Issuer: o.Issuer, Audience: o.Audience, Algorithms: o.Algorithms, ClockSkew: o.ClockSkew,
		RolesClaim: o.RolesClaim, TenantsClaim: o.TenantsClaim, GroupsClaim: o.GroupsClaim,
		RoleMapping: o.RoleMapping, ClientRoles: o.ClientRoles, KeyRefreshInterval: o.KeyRefreshInterval, Logger: log,
	}
}

// authenticator builds the configured authenticator (nil for none) and a
// function that releases it.
func (a *AuthConfig) authenticator(ctx context.Context, log *slog.Logger) (auth.Authenticator, func(), error) {
	switch a.Mode {
	case authBasic:
		b, err := auth.NewBasic(a.basicUsers())
		if err != nil {
			return nil, nil, fmt.Errorf("auth.basic: %w", err)
		}
		b.SetLogger(log)
		return b, func() {}, nil
	case authOIDC:
		o, err := auth.NewOIDC(ctx, a.oidcConfig(log))
		if err != nil {
			return nil, nil, fmt.Errorf("auth.oidc: %w", err)
		}
		return o, o.Close, nil
	}
	return nil, func() {}, nil
}

// issuerHost is the OIDC issuer's host, for the start-up log line.
func (a *AuthConfig) issuerHost() string {
	u, err := url.Parse(a.OIDC.Issuer)
	if err != nil {
		return ""
	}
	return u.Host
}
