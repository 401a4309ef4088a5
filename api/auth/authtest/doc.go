// Package authtest is an OIDC issuer for tests only: it serves discovery,
// a JWKS, a client-credentials token endpoint and the authorization-code
// flow with PKCE (authorization, code and refresh grants, end-session) on
// a loopback address, and
// signs tokens of any shape, edge cases included (expired, wrong audience,
// unknown kid, alg none, HMAC with a public key). Its keys are made at
// start and live in memory. It must never be used outside tests: it checks
// nothing a real provider would, and it listens only on loopback.
//
// The program in testissuer runs the same issuer as a separate process.
package authtest
