// Package auth authenticates HTTP requests: it turns an Authorization
// header into a Principal (who, which roles, which tenants) with HTTP basic
// authentication against bcrypt hashes from configuration, or with OIDC
// bearer tokens checked against one issuer's keys. It decides who a caller
// is, never what they may do (api/rest's permission table does), and it
// must never log, return or otherwise reveal a password, token or secret.
//
// # Basic
//
// Basic (NewBasic) knows the users of configuration, by exact (case-
// sensitive) name. An unknown user is compared against a dummy hash of the
// same cost, so it answers like a wrong password, in about the same time.
// bcrypt is slow on purpose, so a successful check is remembered for five
// minutes under an HMAC of user and password (a key made at start; the
// cache holds no password), and at most two comparisons run at once, so a
// flood of bad passwords cannot take every core. HashPassword makes the
// hashes for `wf-engine user hash`.
//
// # OIDC
//
// OIDC (NewOIDC) verifies bearer JWTs with go-oidc against the issuer's
// public keys: only asymmetric algorithms, never "none" or HMAC; iss, aud,
// sub (required), exp (required) and nbf with a clock skew. Discovery runs
// in the background until the issuer answers; until then a request with a
// token gets 503. The keys are cached: a token with an unknown kid refetches them
// at most once per KeyRefreshInterval however many such tokens arrive
// (concurrent requests share one fetch), and keys older than KeyMaxAge are
// refetched in the background (a failure keeps the old keys). Nothing a
// client sends makes the engine call the issuer more often.
//
// A refused token gets 401 with an RFC 6750 challenge whose
// error_description names what was wrong (expired, not yet valid, wrong
// issuer, wrong audience, bad signature, unknown signing key, unsupported
// algorithm), never the token.
//
// The principal of a token: Subject is sub; Name is preferred_username,
// else name, else email, else sub. A token is a machine client's (OAuth2
// client credentials) when it has a client_id claim, or its sub equals its
// azp, or gty is "client-credentials", or it has an azp and no claim that
// describes a person (preferred_username, name, given_name, family_name,
// email); only then is ClientID set (azp, else client_id). Roles are the
// values at RolesClaim (see ClaimPath) through RoleMapping (an unmapped
// value counts only when it is a role name), plus ClientRoles[ClientID];
// tenants and groups come from TenantsClaim and GroupsClaim. A token
// without a role still authenticates: the permission check answers 403.
//
// # Without a header
//
// Basic.CheckPassword and OIDC.AuthenticateToken run the same checks on
// credentials that come another way (api/web's login form and the access
// token of a browser session), so a session has exactly the principal the
// same credentials would have in a header.
//
// Package authtest is an OIDC issuer for tests.
package auth
