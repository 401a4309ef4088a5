// Package auth authenticates HTTP requests: it turns an Authorization
// header into a Principal (who, which roles, which tenants) with HTTP basic
// authentication against bcrypt hashes from configuration, or with OIDC
// bearer tokens checked against one issuer's keys. It decides who a caller
// is, never what they may do (api/rest's permission table does), and it
// must never log, return or otherwise reveal a password, token or secret.
package auth
