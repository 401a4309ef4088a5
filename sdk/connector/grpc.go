package connector

// The gRPC service between a host and a plugin is written by hand, because
// the project has no protoc. Its messages are protobuf's well-known
// wrapperspb.BytesValue (and emptypb.Empty) holding JSON documents:
//
//	/wfengine.connector.v1.Connector/Describe  Empty      -> BytesValue(Descriptor JSON)
//	/wfengine.connector.v1.Connector/Execute   BytesValue(Request JSON) -> BytesValue(outcome JSON)
//
// Why not a JSON codec registered with encoding.RegisterCodec: that is a
// process-wide registration made in init(), which the style guide rules
// out, and go-plugin's own services (health, broker, stdio, controller)
// must keep the default protobuf codec on the same connection. Why not
// structpb: Request and Result are already JSON documents (process
// variables), structpb would turn every number into a float64 all the same,
// and the JSON shapes are the ones documented for Descriptor, Request and
// Result. The outcome of Execute (a result or a typed error) travels inside
// the response, so the gRPC status is left for transport failures alone.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Service and method names of the connector gRPC service.
const (
	serviceName     = "wfengine.connector.v1.Connector"
	methodDescribe  = "/" + serviceName + "/Describe"
	methodExecute   = "/" + serviceName + "/Execute"
	describeMethod  = "Describe"
	executeMethod   = "Execute"
	panicMessageFmt = "connector panicked: %v"
)

// ErrPluginCall marks an error of the call to a plugin itself (the process
// stopped, the connection broke), as opposed to an error the connector
// returned. A host treats it as a reason to check and restart the plugin.
var ErrPluginCall = errors.New("connector plugin call failed")

// grpcServer is the plugin side of the service.
type grpcServer struct {
	impl Connector
}

// serviceDesc describes the connector service for grpc.Server.RegisterService.
var serviceDesc = grpc.ServiceDesc{
	ServiceName: serviceName,
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: describeMethod, Handler: describeHandler},
		{MethodName: executeMethod, Handler: executeHandler},
	},
	Metadata: "sdk/connector/grpc.go",
}

// RegisterServer registers c as the connector service on s. Serve does this
// for a plugin binary; tests use it with a plain grpc.Server.
func RegisterServer(s grpc.ServiceRegistrar, c Connector) {
	s.RegisterService(&serviceDesc, &grpcServer{impl: c})
}

func describeHandler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(emptypb.Empty)
	if err := dec(in); err != nil {
		return nil, err
	}
	s := srv.(*grpcServer)
	call := func(ctx context.Context, _ any) (any, error) { return s.describe(ctx) }
	if interceptor == nil {
		return call(ctx, in)
	}
	return interceptor(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: methodDescribe}, call)
}

func executeHandler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(wrapperspb.BytesValue)
	if err := dec(in); err != nil {
		return nil, err
	}
	s := srv.(*grpcServer)
	call := func(ctx context.Context, req any) (any, error) {
		return s.execute(ctx, req.(*wrapperspb.BytesValue))
	}
	if interceptor == nil {
		return call(ctx, in)
	}
	return interceptor(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: methodExecute}, call)
}

func (s *grpcServer) describe(context.Context) (out *wrapperspb.BytesValue, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, status.Errorf(codes.Internal, "describe: "+panicMessageFmt, p)
		}
	}()
	b, err := json.Marshal(s.impl.Describe())
	if err != nil {
		return nil, status.Errorf(codes.Internal, "encode descriptor: %v", err)
	}
	return wrapperspb.Bytes(b), nil
}

func (s *grpcServer) execute(ctx context.Context, in *wrapperspb.BytesValue) (*wrapperspb.BytesValue, error) {
	var req Request
	if err := json.Unmarshal(in.GetValue(), &req); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "decode request: %v", err)
	}
	res, err := s.safeExecute(withIncomingTrace(ctx), req)
	b, mErr := json.Marshal(encodeOutcome(res, err))
	if mErr != nil {
		// The result (or the error's variables) holds something JSON
		// cannot carry; say so as the connector's error instead of failing
		// the call.
		fallback := fmt.Errorf("encode result of job %d: %w", req.JobKey, mErr)
		if err != nil {
			fallback = fmt.Errorf("%s (encode the error's variables of job %d: %w)", err.Error(), req.JobKey, mErr)
		}
		b, mErr = json.Marshal(encodeOutcome(Result{}, fallback))
		if mErr != nil {
			return nil, status.Errorf(codes.Internal, "encode outcome: %v", mErr)
		}
	}
	return wrapperspb.Bytes(b), nil
}

// safeExecute runs the connector and turns a panic into an error, so that one
// bad input does not take down the plugin and every job in flight with it.
func (s *grpcServer) safeExecute(ctx context.Context, req Request) (res Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = Result{}, fmt.Errorf(panicMessageFmt, p)
		}
	}()
	return s.impl.Execute(ctx, req)
}

// Client is the host's side of a plugin: a Connector whose calls cross to the
// plugin process over gRPC. Describe answers from the descriptor fetched when
// the client was made; DescribeContext asks the plugin again. Errors come back
// typed (see Execute).
type Client struct {
	conn       grpc.ClientConnInterface
	descriptor Descriptor
}

// NewClient fetches the connector's descriptor over conn and returns a client
// for it. It does not validate the descriptor; the host does.
func NewClient(ctx context.Context, conn grpc.ClientConnInterface) (*Client, error) {
	c := &Client{conn: conn}
	d, err := c.DescribeContext(ctx)
	if err != nil {
		return nil, err
	}
	c.descriptor = d
	return c, nil
}

// Describe implements Connector with the descriptor fetched by NewClient.
func (c *Client) Describe() Descriptor { return c.descriptor }

// DescribeContext asks the plugin for its descriptor.
func (c *Client) DescribeContext(ctx context.Context) (Descriptor, error) {
	out := new(wrapperspb.BytesValue)
	if err := c.conn.Invoke(ctx, methodDescribe, &emptypb.Empty{}, out); err != nil {
		if ctxErr := contextError(ctx, err); ctxErr != nil {
			return Descriptor{}, fmt.Errorf("describe connector plugin: %w", ctxErr)
		}
		return Descriptor{}, fmt.Errorf("describe: %w: %w", ErrPluginCall, err)
	}
	var d Descriptor
	if err := json.Unmarshal(out.GetValue(), &d); err != nil {
		return Descriptor{}, fmt.Errorf("decode descriptor from plugin: %w", err)
	}
	return d, nil
}

// Execute implements Connector across the process boundary. ctx's deadline
// and cancellation reach the plugin. The connector's *BPMNError,
// *RetryableError, *InputError and *Error come back as the same types
// (wrapped, when the connector wrapped them, so errors.As finds them and
// Error() reads the same; an *Error inside a *RetryableError stays inside
// it); a context error of the connector or of ctx comes back so that
// errors.Is(err, context.Canceled) (or DeadlineExceeded) holds; any other
// connector error comes back as a plain error with its message. A failure of
// the call itself wraps ErrPluginCall. Input crosses as JSON: numbers arrive
// as float64, and a value JSON cannot carry gives an *InputError.
func (c *Client) Execute(ctx context.Context, req Request) (Result, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return Result{}, &InputError{Field: "input", Reason: "cannot be sent to the plugin as JSON: " + err.Error()}
	}
	out := new(wrapperspb.BytesValue)
	if err := c.conn.Invoke(withOutgoingTrace(ctx), methodExecute, wrapperspb.Bytes(b), out); err != nil {
		if ctxErr := contextError(ctx, err); ctxErr != nil {
			return Result{}, fmt.Errorf("execute job %d in connector plugin: %w", req.JobKey, ctxErr)
		}
		return Result{}, fmt.Errorf("execute job %d: %w: %w", req.JobKey, ErrPluginCall, err)
	}
	var o outcome
	if err := json.Unmarshal(out.GetValue(), &o); err != nil {
		return Result{}, fmt.Errorf("decode outcome of job %d from plugin: %w", req.JobKey, err)
	}
	return o.decode()
}

// contextError returns the context error a failed call amounts to, or nil
// when the call failed for another reason. The plugin side gets the time
// left, not the instant, so its copy of a deadline can pass a moment before
// ctx's: a DeadlineExceeded status on a call with a deadline is that
// deadline.
func contextError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if _, ok := ctx.Deadline(); ok && status.Code(err) == codes.DeadlineExceeded {
		return context.DeadlineExceeded
	}
	return nil
}

// Interface guards
var _ Connector = (*Client)(nil)
