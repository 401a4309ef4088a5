// Command wf-engine is the workflow engine server: the only place where the
// engine's parts are wired together. It must hold no engine logic itself.
package main
