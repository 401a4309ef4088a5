package connector

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// Handshake values shared by wf-engine and every connector plugin. They are
// constants on purpose: change them only together with a ProtocolVersion
// bump and a release note, because a host refuses a plugin whose values
// differ.
const (
	// ProtocolVersion is the version of the plugin protocol (the gRPC
	// service below and the JSON shapes it carries).
	ProtocolVersion = 1
	// MagicCookieKey is the environment variable the host sets for its
	// plugins; a plugin binary started by hand sees it unset and says so
	// instead of waiting for a host that is not there.
	MagicCookieKey = "WF_ENGINE_CONNECTOR_PLUGIN"
	// MagicCookieValue is the value of MagicCookieKey.
	MagicCookieValue = "b6c1f1e2-connector-9d4e"
	// PluginName is the name under which a plugin binary serves its
	// connector (go-plugin's plugin map key).
	PluginName = "connector"
)

// describeTimeout bounds the Describe call made when a host dispenses a
// plugin's connector.
const describeTimeout = 10 * time.Second

// Handshake returns the go-plugin handshake configuration built from the
// constants above.
func Handshake() plugin.HandshakeConfig {
	return plugin.HandshakeConfig{
		ProtocolVersion:  ProtocolVersion,
		MagicCookieKey:   MagicCookieKey,
		MagicCookieValue: MagicCookieValue,
	}
}

// Plugin is the go-plugin glue for a connector. A plugin binary sets Impl
// (Serve does that); a host leaves Impl nil and dispenses a *Client.
type Plugin struct {
	plugin.NetRPCUnsupportedPlugin
	// Impl is the connector a plugin serves; nil on the host side.
	Impl Connector
}

// GRPCServer implements plugin.GRPCPlugin: it serves Impl.
func (p *Plugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	if p.Impl == nil {
		return fmt.Errorf("connector plugin: no connector to serve")
	}
	RegisterServer(s, p.Impl)
	return nil
}

// GRPCClient implements plugin.GRPCPlugin: it returns a *Client for the
// plugin's connector, with its descriptor already fetched. ctx ends when the
// plugin process exits.
func (p *Plugin) GRPCClient(ctx context.Context, _ *plugin.GRPCBroker, conn *grpc.ClientConn) (any, error) {
	ctx, cancel := context.WithTimeout(ctx, describeTimeout)
	defer cancel()
	return NewClient(ctx, conn)
}

// PluginSet returns the go-plugin plugin map for a host (impl nil) or a
// plugin binary (impl set).
func PluginSet(impl Connector) plugin.PluginSet {
	return plugin.PluginSet{PluginName: &Plugin{Impl: impl}}
}

// Serve serves c as a wf-engine connector plugin over gRPC and returns when
// the host ends the plugin. Call it from the plugin's main:
//
//	func main() { connector.Serve(myConnector{}) }
//
// A binary started by hand, not by wf-engine, prints a note and exits with
// status 1. Log to stderr: lines go to the engine's log with the plugin's
// name (see Logger for lines that keep their level).
func Serve(c Connector) {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake(),
		Plugins:         PluginSet(c),
		GRPCServer:      plugin.DefaultGRPCServer,
		Logger: hclog.New(&hclog.LoggerOptions{
			Name:       "connector-plugin",
			Level:      hclog.Info,
			Output:     os.Stderr,
			JSONFormat: true,
		}),
	})
}

// Interface guards
var _ plugin.GRPCPlugin = (*Plugin)(nil)
