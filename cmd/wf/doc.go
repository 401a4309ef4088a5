// Command wf is the command-line client of wf-engine: it deploys and
// validates BPMN models, starts, inspects and cancels process instances,
// works jobs, user tasks and incidents and publishes messages. It must never
// reach into a running engine other than through its REST API, and it must
// never print credentials.
//
// Every command that talks to an engine goes through the typed Go client in
// sdk/client, exactly as a third-party tool would; the CLI imports nothing
// from api/ and nothing from core/ for those commands.
//
// One command is the deliberate exception: wf validate checks models offline,
// without an engine. Rather than re-implementing BPMN validation (and
// drifting from the server), it calls core/engine.CheckResource with the
// element handlers of elements/standard: the function the engine's deploy
// command itself runs on every resource, so wf validate reports what wf
// deploy would be told. The rule
// that tools build against the SDK alone binds the sdk/ packages (an
// architecture test covers sdk/client, sdk/worker and sdk/connector); a
// command of the project itself may share the engine's validation code.
//
// Connection settings come from profiles in $XDG_CONFIG_HOME/wf/config.yaml
// (~/.config/wf/config.yaml by default; --config names another file), then
// the WF_PROFILE, WF_ADDRESS and WF_TOKEN environment variables, then the
// --profile, --address and --token flags; the default address is
// http://127.0.0.1:8080. See docs/cli.md.
//
// Exit codes: 0 success; 1 the engine refused or failed the request, could
// not be reached, is not ready, or a model is invalid; 2 usage: the command
// line, a flag value, an input file or the configuration is wrong and nothing
// was sent; 3 not found: the engine has no such entity (HTTP 404); 4 auth:
// the engine refused the credentials (HTTP 401) or the caller's roles (HTTP
// 403), or the token endpoint refused the client credentials.
package main
