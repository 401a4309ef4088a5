// Package sdk is the root of wf-engine's public Go SDK: client (REST
// client), worker (job worker), connector (connector contract and plugin
// glue), processtest (process test kit) and examples. It holds no code of
// its own; its test checks that the SDK never imports the engine.
//
// No SDK package but processtest may import anything under core/, api/ or
// cmd/: users build against the SDK alone.
package sdk
