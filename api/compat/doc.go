// Package compat checks wire compatibility with Camunda's own clients: its
// test starts the server in-process and runs the official Camunda 8.8
// JavaScript client (js/) against it with strict response validation, with
// no authentication, with the client's OAUTH strategy (client credentials
// against a test OIDC issuer) and with its BASIC strategy. It holds no code
// that the server uses and must never be imported.
package compat
