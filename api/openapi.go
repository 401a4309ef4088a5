package api

import _ "embed"

// OpenAPI is the OpenAPI 3.0 description of every route the server serves.
//
//go:embed openapi.yaml
var OpenAPI []byte
