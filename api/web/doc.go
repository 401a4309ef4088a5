// Package web serves the browser side of the engine: the web app's static
// files (with its Content-Security-Policy, cache rules and the SPA
// fallback to index.html) and browser login under /auth/ (a form for
// auth.mode basic; the OIDC authorization-code flow with PKCE as a
// confidential client for auth.mode oidc), which keeps server-side
// sessions behind an HttpOnly cookie and guards them against CSRF. It
// decides who a browser is, never what it may do (api/rest's permission
// table does), and it must never log, return or put in a URL a password,
// token, session id or client secret, nor answer a /v2/ path with the web
// app.
//
// # Routing
//
// Handler sends /v2/..., /metrics, /healthz and /readyz to the API handler
// untouched, /auth/... to the login routes, and everything else to the
// static files: /assets/... are hashed files, cached for a year; any other
// GET that accepts HTML and names no file gets index.html (not cached, so a
// new build shows at once); a missing asset is a 404 problem.
//
// # Sessions
//
// A login makes a session: 32 random bytes, kept in memory under their
// SHA-256 (bounded in number; least recently used go first), ended after
// an idle time and after an absolute lifetime, and made anew at every
// login. Its id goes to the browser in the wf_session cookie (HttpOnly,
// SameSite=Lax, Secure with TLS). SessionAuthenticator puts sessions in
// front of the configured authenticator: a request with an Authorization
// header is authenticated exactly as before; one with a live session
// cookie gets the session's principal, computed as for a bearer token (an
// OIDC session's access token goes through auth.OIDC.AuthenticateToken;
// it is refreshed with the refresh token when it expires, else the session
// ends with it).
//
// With LoginConfig.Shared the sessions of several engine nodes on one
// database are kept in the store as well (ADR 35): the id's SHA-256 and
// the rest sealed with a key derived from the nodes' secret, read again
// after 10 s and touched at most once a minute; the OIDC login state's key
// comes from the secret too, so a login may finish at another node.
//
// # CSRF
//
// A cookie-authenticated request that may change state (POST, PUT, PATCH,
// DELETE) must carry the header X-CSRF-Token equal to the session's token,
// which the browser reads from the wf_csrf cookie (SameSite=Strict, not
// HttpOnly); otherwise it gets 403. The login routes refuse requests from
// other origins.
package web
