// Command http serves the built-in HTTP connector (connectors/http, job type
// io.camunda:http-json:1) as a connector plugin: the same connector, run in
// its own process under the plugin host. It shows that the HTTP connector
// needs nothing of the engine, and runs the connector suite against a real
// plugin binary. To serve the job type from it in wf-engine, turn the
// built-in one off (connectors.builtin_http: false) and declare this binary
// under connectors.plugins.
//
// Its configuration is its environment, which the host sets from the
// plugin's declaration (env):
//
//	HTTP_ALLOW_PRIVATE_ADDRESSES  true: reach loopback, private and
//	                              link-local addresses (default false)
//	HTTP_ALLOWED_HOSTS            comma-separated host names, IP addresses
//	                              or CIDR prefixes always reachable
//	HTTP_MAX_RESPONSE_BYTES       largest response body (default 10 MiB)
//	HTTP_SECRETS                  comma-separated secret names the
//	                              descriptor declares, so that the runtime
//	                              resolves {{secrets.NAME}} for it
//
// It must never relax the connector's network policy beyond what its
// environment says, and never start with a configuration it cannot read: a
// bad value ends the process with a message naming the variable.
package main
