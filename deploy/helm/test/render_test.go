package helmtest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	yamlutil "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

const (
	// chartDir is the chart under test, from this package's folder.
	chartDir = "../wf-engine"
	// repoRoot is the engine's module, from this package's folder.
	repoRoot = "../../.."
	// kubeVersion is the Kubernetes release whose API types k8s.io/api
	// v0.31 holds; helm renders for it.
	kubeVersion = "1.31.0"
	// releaseName and namespace of every rendering.
	releaseName = "wf"
	namespace   = "wf"
)

// rendered is the chart rendered with one set of values, every manifest
// decoded into its API type.
type rendered struct {
	deployment     *appsv1.Deployment
	service        *corev1.Service
	configMap      *corev1.ConfigMap
	serviceAccount *corev1.ServiceAccount
	pvc            *corev1.PersistentVolumeClaim
	pdb            *policyv1.PodDisruptionBudget
	networkPolicy  *networkingv1.NetworkPolicy
	ingress        *networkingv1.Ingress
	serviceMonitor *serviceMonitor
}

// serviceMonitor is the part of the Prometheus Operator's
// monitoring.coreos.com/v1 ServiceMonitor the chart renders (its types are
// not in k8s.io/api). Decoding is strict: a field the chart renders that is
// missing here fails the test, so a new field is added here on purpose.
type serviceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              serviceMonitorSpec `json:"spec"`
}

type serviceMonitorSpec struct {
	Selector          metav1.LabelSelector `json:"selector"`
	NamespaceSelector struct {
		Any        bool     `json:"any,omitempty"`
		MatchNames []string `json:"matchNames,omitempty"`
	} `json:"namespaceSelector"`
	Endpoints []monitorEndpoint `json:"endpoints"`
}

type monitorEndpoint struct {
	Port              string                    `json:"port"`
	Path              string                    `json:"path"`
	Scheme            string                    `json:"scheme"`
	Interval          string                    `json:"interval"`
	ScrapeTimeout     string                    `json:"scrapeTimeout"`
	OAuth2            *monitorOAuth2            `json:"oauth2,omitempty"`
	BearerTokenSecret *corev1.SecretKeySelector `json:"bearerTokenSecret,omitempty"`
	TLSConfig         *monitorTLSConfig         `json:"tlsConfig,omitempty"`
}

type monitorOAuth2 struct {
	ClientID       secretOrConfigMap        `json:"clientId"`
	ClientSecret   corev1.SecretKeySelector `json:"clientSecret"`
	TokenURL       string                   `json:"tokenUrl"`
	Scopes         []string                 `json:"scopes,omitempty"`
	EndpointParams map[string]string        `json:"endpointParams,omitempty"`
}

type secretOrConfigMap struct {
	Secret    *corev1.SecretKeySelector    `json:"secret,omitempty"`
	ConfigMap *corev1.ConfigMapKeySelector `json:"configMap,omitempty"`
}

type monitorTLSConfig struct {
	CA                 *secretOrConfigMap `json:"ca,omitempty"`
	ServerName         string             `json:"serverName,omitempty"`
	InsecureSkipVerify bool               `json:"insecureSkipVerify,omitempty"`
}

// helmBinary is the helm that renders the chart: $HELM (make test-helm sets
// the pinned one), else helm on PATH; without either the test is skipped.
func helmBinary(t *testing.T) string {
	t.Helper()
	if h := os.Getenv("HELM"); h != "" {
		return h
	}
	h, err := exec.LookPath("helm")
	if err != nil {
		t.Skip("no helm: set HELM (make test-helm builds bin/helm)")
	}
	return h
}

// helmTemplate renders the chart with args (values files, --set) and
// returns the manifests, or an error with helm's message.
func helmTemplate(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	all := append([]string{"template", releaseName, chartDir, "--namespace", namespace, "--kube-version", kubeVersion}, args...)
	cmd := exec.Command(helmBinary(t), all...) // #nosec G204 -- the test's own helm and arguments
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		// Not the arguments: a test passes secret-looking values in them
		// and checks that helm's message does not repeat them.
		return nil, fmt.Errorf("helm template: %w: %s", err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// render renders the chart with args and decodes every manifest strictly.
func render(t *testing.T, args ...string) rendered {
	t.Helper()
	out, err := helmTemplate(t, args...)
	if err != nil {
		t.Fatalf("%v (arguments %q)", err, args)
	}
	return decodeAll(t, out)
}

// decodeAll decodes every YAML document of a rendering into its API type by
// apiVersion and kind; an unknown kind, an unknown field or a second object
// of one kind fails the test.
func decodeAll(t *testing.T, out []byte) rendered {
	t.Helper()
	var r rendered
	reader := yamlutil.NewYAMLReader(bufio.NewReader(bytes.NewReader(out)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("split the rendered manifests: %v", err)
		}
		var probe map[string]any
		if err := yaml.Unmarshal(doc, &probe); err != nil {
			t.Fatalf("parse a rendered manifest: %v\n%s", err, doc)
		}
		if probe == nil {
			continue // only comments
		}
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &tm); err != nil {
			t.Fatalf("read apiVersion and kind: %v\n%s", err, doc)
		}
		switch tm.APIVersion + " " + tm.Kind {
		case "apps/v1 Deployment":
			r.deployment = decodeOnce(t, doc, r.deployment)
		case "v1 Service":
			r.service = decodeOnce(t, doc, r.service)
		case "v1 ConfigMap":
			r.configMap = decodeOnce(t, doc, r.configMap)
		case "v1 ServiceAccount":
			r.serviceAccount = decodeOnce(t, doc, r.serviceAccount)
		case "v1 PersistentVolumeClaim":
			r.pvc = decodeOnce(t, doc, r.pvc)
		case "policy/v1 PodDisruptionBudget":
			r.pdb = decodeOnce(t, doc, r.pdb)
		case "networking.k8s.io/v1 NetworkPolicy":
			r.networkPolicy = decodeOnce(t, doc, r.networkPolicy)
		case "networking.k8s.io/v1 Ingress":
			r.ingress = decodeOnce(t, doc, r.ingress)
		case "monitoring.coreos.com/v1 ServiceMonitor":
			r.serviceMonitor = decodeOnce(t, doc, r.serviceMonitor)
		default:
			t.Fatalf("the chart renders %s %s, which this test does not know: add its type to decodeAll", tm.APIVersion, tm.Kind)
		}
	}
	if r.deployment == nil || r.configMap == nil || r.service == nil {
		t.Fatalf("the rendering lacks a Deployment, ConfigMap or Service:\n%s", out)
	}
	return r
}

// decodeOnce decodes doc strictly (no unknown or duplicate fields) into a
// new T; prev is the object of this kind decoded before, which must be nil.
func decodeOnce[T any](t *testing.T, doc []byte, prev *T) *T {
	t.Helper()
	v := new(T)
	if prev != nil {
		t.Fatalf("the chart renders two %T objects", v)
	}
	if err := yaml.UnmarshalStrict(doc, v); err != nil {
		t.Fatalf("decode %T strictly: %v\n%s", v, err, doc)
	}
	return v
}

var (
	engineOnce sync.Once
	enginePath string
	engineErr  error
	engineDir  string
)

// TestMain removes the engine binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if engineDir != "" {
		_ = os.RemoveAll(engineDir)
	}
	os.Exit(code)
}

// engineBinary is the wf-engine binary that checks rendered
// configurations: $WF_ENGINE, else built from the repository once.
func engineBinary(t *testing.T) string {
	t.Helper()
	if e := os.Getenv("WF_ENGINE"); e != "" {
		return e
	}
	engineOnce.Do(func() {
		engineDir, engineErr = os.MkdirTemp("", "wf-helm-test-")
		if engineErr != nil {
			return
		}
		enginePath = filepath.Join(engineDir, "wf-engine")
		cmd := exec.Command("go", "build", "-o", enginePath, "./cmd/wf-engine") // #nosec G204 -- fixed arguments
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			engineErr = fmt.Errorf("build wf-engine: %w: %s", err, out)
		}
	})
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return enginePath
}
