// Package http is the built-in REST connector: it serves Camunda's task type
// io.camunda:http-json:1 and reads the inputs of Camunda's REST connector
// template (method, url, headers, queryParameters, body, authentication,
// connectionTimeoutInSeconds, readTimeoutInSeconds, followRedirects, ...),
// so models built with that template run unchanged. It answers with
// Camunda's response shape {status, headers, body}, the body parsed when it
// is JSON; a 4xx or 5xx answer is a *connector.Error whose code ("404") and
// response (in its variables) an errorExpression can read.
//
// It must never connect to a loopback, link-local, private, unspecified or
// cloud metadata address unless its Config allows it, and it checks the
// address it actually dials (after DNS resolution, for every redirect and
// for OAuth token requests), so DNS rebinding cannot get around the check.
// A request whose connector.Request.SecretHosts restricts its secrets goes
// only to hosts every restricted secret allows: the URL's host, the OAuth
// token endpoint's and every redirect's are checked before the request is
// made, and a refusal is an *connector.InputError naming the secret and the
// host.
//
// Like a third-party connector, it imports nothing of the engine: only
// sdk/connector. Secrets, retries, timeouts of the job and result mapping
// are the connector runtime's business, not this package's.
package http
