// Package api holds the OpenAPI description of the server's REST API
// (openapi.yaml), embedded so that the server validates requests against
// the very file clients read. It must never hold handlers or logic: those
// live in api/rest.
package api
