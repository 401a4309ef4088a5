// Package release holds no code: it is the home of the test of what
// `make release` leaves in dist/ (every binary for its platform, the
// SHA256SUMS file, the stamped versions and the CycloneDX SBOM of each
// binary), run by `make test-release`. It is a Go module of its own so
// that the engine's `go test ./...` leaves it out. It must never be
// imported.
package release
