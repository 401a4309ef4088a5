// Package image holds no code: it is the home of the container image's
// test, which builds deploy/Containerfile with `make image` (buildah, in a
// storage of its own), starts the image's entry point with `buildah run`
// and checks /readyz, the image's health check, the refusal to start
// without authentication and the compressed size. passwd and group are the
// image's /etc files. It is a Go module of its own so that the engine's
// `go test ./...` leaves it to `make test-image`. It must never be
// imported.
package image
