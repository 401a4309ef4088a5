// Package helmtest tests the Helm chart deploy/helm/wf-engine: it renders the
// chart with helm template for each values file and decodes every manifest
// strictly into the k8s.io/api types of Kubernetes 1.31, then checks what the
// chart promises (replicas and their update strategy, the security context,
// the probes, no secret in a ConfigMap, a configuration the engine accepts). It needs no cluster and
// downloads no schema; it never changes the chart.
//
// It is its own Go module, so that k8s.io/api stays out of the engine's
// go.mod; `make test-helm` runs it with HELM set to the pinned helm binary.
package helmtest
