package rest

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/api/idempotency"
	"github.com/example/wf-engine/api/taskevents"
	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// Engine is what the API needs from the kernel: its commands, a readiness
// flag, consistent reads of the live state and a wake-up when a process
// instance ends.
type Engine interface {
	engine.Client
	engine.TenantClient
	Ready() bool
	// Saturated returns engine.ErrOverloaded (with the reason) while a
	// command starting new work would be refused by the engine's
	// backpressure, else nil.
	Saturated() error
	Read(ctx context.Context, fn func(*state.State)) error
	// AwaitInstance returns a channel that receives the process instance's
	// end (ends processed after the call only, with the final variables) and
	// a function to stop waiting.
	AwaitInstance(processInstanceKey int64) (<-chan engine.InstanceEnd, func())
}

// Querier is what the API reads from the store: its searches, user tasks
// included.
type Querier interface {
	store.Querier
	store.UserTaskQuerier
}

// Clock is the engine clock the clock routes control (Camunda's pin-clock
// API); clock.Controlled is one.
type Clock interface {
	// Pin fixes the engine's time at t.
	Pin(t time.Time)
	// Reset returns the engine to the system time.
	Reset()
}

// Config is the API's part of the server configuration.
type Config struct {
	// Version is the server's version, reported by topology.
	Version string
	// Host and Port are the address the server advertises in the topology.
	Host string
	Port int32
	// MaxBodyBytes bounds a request body; larger bodies get 413.
	MaxBodyBytes int64
	// MaxVariablesBytes bounds the JSON text of one request's variables.
	MaxVariablesBytes int64
	// LongPollTimeout is how long job activation waits when the request
	// asks for the server's default (requestTimeout 0).
	LongPollTimeout time.Duration
	// MaxLongPollTimeout caps the requestTimeout of job activation.
	MaxLongPollTimeout time.Duration
	// AwaitTimeout is how long a create with awaitCompletion waits when
	// the request names no requestTimeout.
	AwaitTimeout time.Duration
	// RetryAfter is the back-off advised with 429 and 503 answers.
	RetryAfter time.Duration
	// IdempotencyTTL is how long an Idempotency-Key is remembered; 0 turns
	// Idempotency-Key handling off.
	IdempotencyTTL time.Duration
	// IdempotencyMaxKeys bounds the remembered keys (oldest go first).
	IdempotencyMaxKeys int
	// Clock is the engine's clock when it may be controlled over the API
	// (PUT /v2/clock, POST /v2/clock/reset); nil answers those with 403.
	Clock Clock
	// Authenticator checks every request's credentials; nil is auth.mode
	// none: no credentials, loopback hosts and origins only, and every
	// request may do everything.
	Authenticator auth.Authenticator
	// WithPrincipal, with an Authenticator, returns the request context
	// that makes the engine record the principal with every command.
	WithPrincipal func(ctx context.Context, p *auth.Principal) context.Context
	// LogLevel is the server's log level, which PUT /v2/x/log-level
	// changes; nil: that route answers 501.
	LogLevel *slog.LevelVar
	// MetricsOpen serves /metrics without authentication
	// (http.metrics_auth none).
	MetricsOpen bool
	// Multitenancy turns multi-tenancy on: commands name their tenant and a
	// principal works only on the tenants it is a member of. Off, every
	// request is on the default tenant.
	Multitenancy bool
	// AllowedOrigins are the origins (scheme://host[:port]) of other sites'
	// pages that may call the API from a browser; the server's own origin
	// always may, every other gets 403.
	AllowedOrigins []string
	// AuthMode is reported by /v2/authentication/me: none, basic or oidc.
	AuthMode string
	// TaskEvents wakes GET /v2/x/user-tasks/events after user-task records
	// commit (its Store must wrap the engine's store); nil answers that
	// route with 501.
	TaskEvents *taskevents.Hub
	// EventsHeartbeat is how often an idle event stream sends a comment
	// (default 15 s).
	EventsHeartbeat time.Duration
	// MaxHeldRequests bounds the requests held waiting: job activation
	// long polls and creates awaiting completion; more get 429.
	MaxHeldRequests int
	// MaxBufferedBytes bounds the bytes of the request bodies being
	// handled at once; more get 429.
	MaxBufferedBytes int64
	// ShedDelay is how long a request refused because the engine is
	// saturated waits for its 429 (0: none).
	ShedDelay time.Duration
	// Tracing gives each request a span (tracing.go); zero: none.
	Tracing Tracing
	// DocumentMaxBytes bounds one document's content (documents.max_size);
	// default 10 MiB.
	DocumentMaxBytes int64
	// DocumentLinkSecret is the key that signs document links
	// (documents.link_secret); empty: a random key of this process, so that
	// links end with a restart and work only on the node that made them.
	DocumentLinkSecret []byte
	// Now is the wall clock of document expiry and links; nil: time.Now.
	Now func() time.Time
}

// withDefaults fills unset fields.
func (c Config) withDefaults() Config {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 4 << 20
	}
	if c.MaxVariablesBytes <= 0 {
		c.MaxVariablesBytes = c.MaxBodyBytes
	}
	if c.LongPollTimeout <= 0 {
		c.LongPollTimeout = 10 * time.Second
	}
	if c.MaxLongPollTimeout <= 0 {
		c.MaxLongPollTimeout = 5 * time.Minute
	}
	if c.AwaitTimeout <= 0 {
		c.AwaitTimeout = 15 * time.Second
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = time.Second
	}
	if c.IdempotencyMaxKeys <= 0 {
		c.IdempotencyMaxKeys = 100000
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	if c.EventsHeartbeat <= 0 {
		c.EventsHeartbeat = defaultEventsHeartbeat
	}
	if c.MaxHeldRequests <= 0 {
		c.MaxHeldRequests = 2000
	}
	if c.MaxBufferedBytes <= 0 {
		c.MaxBufferedBytes = 64 << 20
	}
	c.MaxBufferedBytes = max(c.MaxBufferedBytes, c.MaxBodyBytes) // one largest body always fits
	return c
}

// Server serves the REST API.
type Server struct {
	cfg     Config
	eng     Engine
	q       Querier
	log     *slog.Logger
	metrics *telemetry.Metrics
	idem    *idempotency.Cache
	shed    shedder
	spec    *specRoutes
	defs    *definitions
	members memberships
	// keyTenants remembers entities' tenants for guard.
	keyTenants keyTenants
	docs       documents
	router     *gin.Engine
	// noFastPath sends every request down the generic validation path
	// (fastbody.go), for the tests that compare the two.
	noFastPath bool

	// quit ends long polls when the server shuts down.
	quit     context.Context
	shutdown context.CancelFunc
}

// New builds the server. metrics may be nil.
func New(cfg Config, eng Engine, q Querier, metrics *telemetry.Metrics, log *slog.Logger) (*Server, error) {
	if eng == nil || q == nil {
		return nil, errors.New("the rest server needs an engine and a querier")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	spec, err := loadSpec()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg.withDefaults(), eng: eng, q: q, log: log, metrics: metrics, spec: spec}
	s.defs = newDefinitions(eng)
	if s.docs, err = newDocuments(s.cfg, q); err != nil {
		return nil, err
	}
	s.shed.maxHeld, s.shed.maxBytes = int64(s.cfg.MaxHeldRequests), s.cfg.MaxBufferedBytes
	s.keyTenants.max = keyTenantsMax
	if s.cfg.IdempotencyTTL > 0 {
		s.idem = idempotency.New(s.cfg.IdempotencyTTL, s.cfg.IdempotencyMaxKeys, time.Now)
	}
	s.quit, s.shutdown = context.WithCancel(context.Background())
	s.router = s.routes()
	return s, nil
}

// Handler returns the HTTP handler of the API.
func (s *Server) Handler() http.Handler { return s.router }

// Drain ends waiting long polls (they answer with no jobs); call it when
// the HTTP server starts shutting down.
func (s *Server) Drain() { s.shutdown() }

// route is one served operation and who may call it.
type route struct {
	method, path string
	handle       gin.HandlerFunc
	allow        access
}

func (s *Server) table() []route {
	return []route{
		{http.MethodGet, "/v2/authentication/me", s.me, anyone},
		{http.MethodGet, "/v2/topology", s.topology, anyone},
		{http.MethodGet, "/v2/status", s.status, public},
		{http.MethodGet, "/v2/license", s.license, public},
		{http.MethodPost, "/v2/deployments", s.deploy, operate},
		{http.MethodGet, "/v2/resources/:resourceKey", s.getResource, operate},
		{http.MethodGet, "/v2/resources/:resourceKey/content", s.getResourceContent, operate},
		{http.MethodPost, "/v2/resources/:resourceKey/deletion", s.deleteResource, operate},
		{http.MethodPost, "/v2/process-instances", s.createInstance, operate},
		{http.MethodPost, "/v2/process-instances/search", s.searchInstances, operate},
		{http.MethodGet, "/v2/process-instances/:processInstanceKey", s.getInstance, operate},
		{http.MethodPost, "/v2/process-instances/:processInstanceKey/cancellation", s.cancelInstance, operate},
		{http.MethodPost, "/v2/process-instances/:processInstanceKey/migration", s.migrateInstance, operate},
		{http.MethodPost, "/v2/process-instances/:processInstanceKey/modification", s.modifyInstance, operate},
		{http.MethodPost, "/v2/process-instances/:processInstanceKey/incidents/search", s.searchInstanceIncidents, operate},
		{http.MethodGet, "/v2/process-instances/:processInstanceKey/statistics/element-instances", s.instanceStatistics, operate},
		{http.MethodGet, "/v2/process-instances/:processInstanceKey/call-hierarchy", s.callHierarchy, operate},
		{http.MethodGet, "/v2/process-instances/:processInstanceKey/sequence-flows", s.sequenceFlows, operate},
		{http.MethodPost, "/v2/process-definitions/search", s.searchDefinitions, operate},
		{http.MethodGet, "/v2/process-definitions/:processDefinitionKey", s.getDefinition, operate},
		{http.MethodGet, "/v2/process-definitions/:processDefinitionKey/xml", s.getDefinitionXML, operate},
		{http.MethodGet, "/v2/process-definitions/:processDefinitionKey/form", s.getDefinitionForm, operate},
		{http.MethodPost, "/v2/process-definitions/:processDefinitionKey/statistics/element-instances", s.definitionStatistics, operate},
		{http.MethodPost, "/v2/element-instances/search", s.searchElements, operate},
		{http.MethodGet, "/v2/element-instances/:elementInstanceKey", s.getElement, operate},
		{http.MethodPut, "/v2/element-instances/:elementInstanceKey/variables", s.setVariables, operate},
		{http.MethodPost, "/v2/element-instances/ad-hoc-activities/:adHocSubProcessInstanceKey/activation", s.activateAdHocActivities, operate},
		{http.MethodPost, "/v2/variables/search", s.searchVariables, operate},
		{http.MethodGet, "/v2/variables/:variableKey", s.getVariable, operate},
		{http.MethodPost, "/v2/jobs/activation", s.activateJobs, jobWork},
		{http.MethodPost, "/v2/jobs/search", s.searchJobs, operate},
		{http.MethodPost, "/v2/jobs/:jobKey/completion", s.completeJob, jobWork},
		{http.MethodPost, "/v2/jobs/:jobKey/failure", s.failJob, jobWork},
		{http.MethodPost, "/v2/jobs/:jobKey/error", s.throwError, jobWork},
		{http.MethodPatch, "/v2/jobs/:jobKey", s.updateJob, jobWork},
		{http.MethodPost, "/v2/messages/publication", s.publishMessage, operate},
		{http.MethodPost, "/v2/messages/correlation", s.correlateMessage, operate},
		{http.MethodPost, "/v2/signals/broadcast", s.broadcastSignal, operate},
		{http.MethodPost, "/v2/user-tasks/search", s.searchUserTasks, taskWork},
		{http.MethodGet, "/v2/x/user-tasks/events", s.userTaskEvents, taskEvents},
		{http.MethodGet, "/v2/user-tasks/:userTaskKey", s.getUserTask, taskWork},
		{http.MethodPatch, "/v2/user-tasks/:userTaskKey", s.updateUserTask, operate},
		{http.MethodPost, "/v2/user-tasks/:userTaskKey/assignment", s.assignUserTask, taskWork},
		{http.MethodDelete, "/v2/user-tasks/:userTaskKey/assignee", s.unassignUserTask, taskWork},
		{http.MethodPost, "/v2/user-tasks/:userTaskKey/completion", s.completeUserTask, taskWork},
		{http.MethodGet, "/v2/user-tasks/:userTaskKey/form", s.getUserTaskForm, taskWork},
		{http.MethodPost, "/v2/user-tasks/:userTaskKey/variables/search", s.searchUserTaskVariables, taskWork},
		{http.MethodPut, "/v2/clock", s.pinClock, adminOnly},
		{http.MethodPost, "/v2/clock/reset", s.resetClock, adminOnly},
		{http.MethodPost, "/v2/message-subscriptions/search", s.searchMessageSubscriptions, operate},
		{http.MethodPost, "/v2/correlated-message-subscriptions/search", s.searchCorrelatedSubscriptions, operate},
		{http.MethodGet, "/v2/system/usage-metrics", s.usageMetrics, operate},
		{http.MethodPost, "/v2/incidents/search", s.searchIncidents, operate},
		{http.MethodGet, "/v2/incidents/:incidentKey", s.getIncident, operate},
		{http.MethodPost, "/v2/incidents/:incidentKey/resolution", s.resolveIncident, operate},
		{http.MethodPost, "/v2/tenants", s.createTenant, adminOnly},
		{http.MethodPost, "/v2/tenants/search", s.searchTenants, adminOnly},
		{http.MethodGet, "/v2/tenants/:tenantId", s.getTenant, adminOnly},
		{http.MethodPut, "/v2/tenants/:tenantId", s.updateTenant, adminOnly},
		{http.MethodDelete, "/v2/tenants/:tenantId", s.deleteTenant, adminOnly},
		{http.MethodPut, "/v2/tenants/:tenantId/users/:username", s.assignTenantUser, adminOnly},
		{http.MethodDelete, "/v2/tenants/:tenantId/users/:username", s.unassignTenantUser, adminOnly},
		{http.MethodPost, "/v2/tenants/:tenantId/users/search", s.searchTenantUsers, adminOnly},
		{http.MethodPut, "/v2/tenants/:tenantId/clients/:clientId", s.assignTenantClient, adminOnly},
		{http.MethodDelete, "/v2/tenants/:tenantId/clients/:clientId", s.unassignTenantClient, adminOnly},
		{http.MethodPost, "/v2/tenants/:tenantId/clients/search", s.searchTenantClients, adminOnly},
		{http.MethodPost, "/v2/x/audit/search", s.searchAudit, adminOnly},
		{http.MethodGet, "/v2/x/process-instances/:processInstanceKey/history", s.instanceHistory, operate},
		{http.MethodPost, "/v2/x/process-instances/migration", s.migrateInstances, operate},
		{http.MethodPut, "/v2/x/log-level", s.setLogLevel, adminOnly},
		{http.MethodPost, "/v2/documents", s.createDocument, documentWork},
		{http.MethodPost, "/v2/documents/batch", s.createDocuments, documentWork},
		{http.MethodGet, "/v2/documents/:documentId", s.getDocument, documentWork},
		{http.MethodDelete, "/v2/documents/:documentId", s.deleteDocument, documentWork},
		{http.MethodPost, "/v2/documents/:documentId/links", s.createDocumentLink, documentWork},
		{http.MethodGet, "/v2/x/documents/:documentId/content", s.getLinkedDocument, documentLink},
		{http.MethodGet, "/healthz", s.healthz, public},
		{http.MethodGet, "/readyz", s.readyz, public},
		{http.MethodGet, "/metrics", s.serveMetrics, metricsAccess},
	}
}

func (s *Server) routes() *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	r.Use(s.requestLog) // outermost: it logs every answer, the recovered panics' too
	r.Use(s.traceRequests(), s.observe, s.recoverPanic, s.origins)
	for _, rt := range s.table() {
		chain := []gin.HandlerFunc{s.authorize(rt.allow), s.limitBody, s.validate, s.guard, s.idempotent, rt.handle}
		if startsWork[rt.method+" "+rt.path] {
			chain = append([]gin.HandlerFunc{s.shedWhenSaturated}, chain...)
		}
		r.Handle(rt.method, rt.path, chain...)
	}
	// Unknown routes answer 404 to authenticated callers only.
	r.NoRoute(s.authorize(anyone), func(c *gin.Context) { notFound(c, "No endpoint %s %s", c.Request.Method, c.Request.URL.Path) })
	r.NoMethod(s.authorize(anyone), func(c *gin.Context) {
		writeProblem(c, http.StatusMethodNotAllowed, "Method Not Allowed", "The endpoint does not support "+c.Request.Method)
	})
	return r
}

// Routes lists the served routes as "METHOD /path/{param}", for tests that
// compare them with the OpenAPI description.
func (s *Server) Routes() []string {
	var out []string
	for _, rt := range s.router.Routes() {
		out = append(out, rt.Method+" "+openAPIPath(rt.Path))
	}
	return out
}
