package http

import (
	"testing"

	connectorsuite "github.com/example/wf-engine/conformance/connectors"
	"github.com/example/wf-engine/connectors/http/httpsuite"
)

// TestConformance runs the connector contract suite on the connector in
// process; plugins/examples/http runs it, with the same cases, through the
// gRPC shims and as a plugin binary.
func TestConformance(t *testing.T) {
	c := newConnector(t, Config{AllowPrivateAddresses: true})
	connectorsuite.Run(t, c, httpsuite.Start(t).Cases())
}
