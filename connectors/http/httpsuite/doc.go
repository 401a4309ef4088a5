// Package httpsuite holds the HTTP connector's inputs for the connector
// suite (conformance/connectors): a loopback API server and the Cases that
// provoke each outcome against it, so that the connector runs the same
// suite in process (connectors/http), through the gRPC shims and as a
// plugin binary (plugins/examples/http). It is test support: production
// code must never import it, and the connector under test must be allowed
// to reach loopback addresses.
//
// The server answers:
//
//	/ok       200 {"ok":true}
//	/missing  404 {"message":"no order 9"}
//	/busy     503 with Retry-After: 1
//	/private  200 {"ok":true} with an Authorization header, else 401
//	/denied   403
//	/hang     nothing, until the request is cancelled
package httpsuite
