package otlptest

import (
	"context"
	"net"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
)

// GRPCReceiver is an OTLP/gRPC trace receiver on 127.0.0.1.
type GRPCReceiver struct {
	collectortrace.UnimplementedTraceServiceServer
	srv  *grpc.Server
	lis  net.Listener
	recv *Receiver // keeps the spans
}

// StartGRPC starts a gRPC receiver on 127.0.0.1; Close stops it.
func StartGRPC() (*GRPCReceiver, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	g := &GRPCReceiver{srv: grpc.NewServer(), lis: lis, recv: &Receiver{}}
	collectortrace.RegisterTraceServiceServer(g.srv, g)
	go func() { _ = g.srv.Serve(lis) }()
	return g, nil
}

// Endpoint is the receiver's URL (http://127.0.0.1:port, plaintext).
func (g *GRPCReceiver) Endpoint() string { return "http://" + g.lis.Addr().String() }

// Spans returns the spans received so far.
func (g *GRPCReceiver) Spans() []Span { return g.recv.Spans() }

// Close stops the receiver.
func (g *GRPCReceiver) Close() { g.srv.Stop() }

// Export implements the OTLP trace service.
func (g *GRPCReceiver) Export(_ context.Context, req *collectortrace.ExportTraceServiceRequest) (*collectortrace.ExportTraceServiceResponse, error) {
	spans := Decode(req)
	g.recv.mu.Lock()
	g.recv.counted += len(spans)
	g.recv.spans = append(g.recv.spans, spans...)
	g.recv.mu.Unlock()
	return &collectortrace.ExportTraceServiceResponse{}, nil
}
