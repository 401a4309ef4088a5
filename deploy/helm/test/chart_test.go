package helmtest

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

const (
	configPath = "/etc/wf-engine/wf-engine.yaml"
	engineUID  = 65532
)

// chartCase is one rendering and what it must contain.
type chartCase struct {
	name string
	args []string
	// insecure: allowInsecureNoAuth, the engine on loopback.
	insecure bool
	// tls: the engine serves HTTPS from a mounted Secret.
	tls bool
	// embedded: the SQLite store under /data; pvc: on a claim the chart makes.
	embedded, pvc                               bool
	ingress, serviceMonitor, networkPolicy, pdb bool
	// secretEnv lists the variables that must come from Secrets.
	secretEnv []string
	// replicas: engine pods (0 means 1).
	replicas int32
}

func values(file string) []string { return []string{"-f", filepath.Join(chartDir, file)} }

var chartCases = []chartCase{
	{name: "values.yaml", args: values("values.yaml"),
		embedded: true, pvc: true, networkPolicy: true, pdb: true},
	{name: "values-dev.yaml", args: values("values-dev.yaml"), insecure: true, embedded: true},
	{name: "values-production.yaml", args: values("values-production.yaml"),
		ingress: true, serviceMonitor: true, networkPolicy: true, pdb: true,
		secretEnv: []string{"WF_AUTH_OIDC_CLIENT_SECRET", "WF_DATABASE_URL"}},
	{name: "production with engine TLS, a connector secret and a database CA",
		args: append(values("values-production.yaml"), "--set", "tls.existingSecret=wf-tls",
			"--set-json", `secrets.connectors=[{"name":"GITHUB_TOKEN","existingSecret":"wf-connectors","key":"github","allowedHosts":["api.github.com"]}]`,
			"--set-json", `extraVolumes=[{"name":"db-ca","configMap":{"name":"db-ca"}}]`,
			"--set-json", `extraVolumeMounts=[{"name":"db-ca","mountPath":"/etc/wf-engine/db-ca","readOnly":true}]`),
		tls: true, ingress: true, serviceMonitor: true, networkPolicy: true, pdb: true,
		secretEnv: []string{"WF_AUTH_OIDC_CLIENT_SECRET", "WF_DATABASE_URL", "WF_SECRET_GITHUB_TOKEN"}},
	{name: "production with three pods", args: append(values("values-production.yaml"), "--set", "replicaCount=3",
		"--set", "secrets.clusterSecret.existingSecret=wf-cluster", "--set", "podDisruptionBudget.maxUnavailable=1"),
		ingress: true, serviceMonitor: true, networkPolicy: true, pdb: true, replicas: 3,
		secretEnv: []string{"WF_AUTH_OIDC_CLIENT_SECRET", "WF_CLUSTER_SECRET", "WF_DATABASE_URL"}},
	{name: "embedded store on an existing claim", args: append(values("values.yaml"), "--set", "persistence.existingClaim=wf-data"),
		embedded: true, networkPolicy: true, pdb: true},
}

func TestChartRendersValidManifests(t *testing.T) {
	for _, c := range chartCases {
		t.Run(c.name, func(t *testing.T) {
			r := render(t, c.args...)
			for kind, present := range map[string][2]bool{
				"Ingress":             {c.ingress, r.ingress != nil},
				"ServiceMonitor":      {c.serviceMonitor, r.serviceMonitor != nil},
				"NetworkPolicy":       {c.networkPolicy, r.networkPolicy != nil},
				"PodDisruptionBudget": {c.pdb, r.pdb != nil},
				"PVC":                 {c.pvc, r.pvc != nil},
				"ServiceAccount":      {true, r.serviceAccount != nil},
			} {
				if present[0] != present[1] {
					t.Errorf("%s rendered: %v, want %v", kind, present[1], present[0])
				}
			}
			checkDeployment(t, c, r)
			checkGracePeriod(t, r)
			checkService(t, r)
			checkConfigMapHasNoSecrets(t, r.configMap)
			checkNetworkPolicy(t, c, r)
			checkIngressAndMonitor(t, c, r)
			checkConfigAccepted(t, r)
		})
	}
}

// container is the Deployment's one container.
func container(t *testing.T, d *appsv1.Deployment) corev1.Container {
	t.Helper()
	if n := len(d.Spec.Template.Spec.Containers); n != 1 {
		t.Fatalf("containers: %d, want 1", n)
	}
	return d.Spec.Template.Spec.Containers[0]
}

func checkDeployment(t *testing.T, c chartCase, r rendered) {
	t.Helper()
	d := r.deployment
	want := max(c.replicas, 1)
	if d.Spec.Replicas == nil || *d.Spec.Replicas != want {
		t.Errorf("replicas: %s, want %d", int32String(d.Spec.Replicas), want)
	}
	if want == 1 && d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("strategy: %q, want Recreate (one pod: never two on one store)", d.Spec.Strategy.Type)
	}
	if ru := d.Spec.Strategy.RollingUpdate; want > 1 && (d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType ||
		ru == nil || ru.MaxUnavailable == nil || ru.MaxUnavailable.IntValue() != 0) {
		t.Errorf("strategy: %+v, want RollingUpdate with maxUnavailable 0 (several pods: one at a time, a new one first)", d.Spec.Strategy)
	}
	pod := d.Spec.Template.Spec
	if !labelsMatch(d.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
		t.Errorf("the selector %v does not select the pod's labels %v", d.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("the pod mounts a service account token")
	}
	if pod.EnableServiceLinks == nil || *pod.EnableServiceLinks {
		t.Error("service links are on: Services named wf-* would put unknown WF_* variables into the engine's environment")
	}
	if sa := r.serviceAccount; sa != nil {
		if pod.ServiceAccountName != sa.Name {
			t.Errorf("serviceAccountName %q, the chart's ServiceAccount is %q", pod.ServiceAccountName, sa.Name)
		}
		if sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken {
			t.Error("the ServiceAccount automounts its token")
		}
	}
	psc := pod.SecurityContext
	if psc == nil || !isTrue(psc.RunAsNonRoot) || !isInt(psc.RunAsUser, engineUID) ||
		psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod securityContext %+v: want runAsNonRoot, runAsUser %d, seccomp RuntimeDefault", psc, engineUID)
	}

	ctr := container(t, d)
	sc := ctr.SecurityContext
	switch {
	case sc == nil:
		t.Fatal("the container has no securityContext")
	case !isTrue(sc.RunAsNonRoot) || !isInt(sc.RunAsUser, engineUID):
		t.Errorf("container runs as %v (runAsNonRoot %v), want non-root %d", sc.RunAsUser, sc.RunAsNonRoot, engineUID)
	case !isTrue(sc.ReadOnlyRootFilesystem):
		t.Error("the root file system is writable")
	case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
		t.Error("privilege escalation is allowed")
	case sc.Privileged != nil && *sc.Privileged:
		t.Error("the container is privileged")
	case sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0:
		t.Errorf("capabilities %+v, want drop [ALL] and none added", sc.Capabilities)
	case sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault:
		t.Error("the container's seccomp profile is not RuntimeDefault")
	}
	if !slices.Equal(ctr.Args, []string{"--config", configPath}) {
		t.Errorf("args %q, want --config %s", ctr.Args, configPath)
	}
	if len(ctr.Ports) != 1 || ctr.Ports[0].Name != "http" || ctr.Ports[0].ContainerPort != 8080 {
		t.Errorf("ports %+v, want http 8080", ctr.Ports)
	}
	if ctr.Resources.Requests.Cpu().IsZero() || ctr.Resources.Requests.Memory().IsZero() || ctr.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources %+v: want cpu and memory requests and a memory limit", ctr.Resources)
	}
	checkProbes(t, c, ctr)
	checkVolumes(t, c, r, pod, ctr)
	checkEnv(t, c, ctr)
}

// checkGracePeriod checks that Kubernetes waits for the engine's longest
// shutdown before it kills it: requests in flight (http.shutdown_timeout),
// connectors as long, then traces (5s).
func checkGracePeriod(t *testing.T, r rendered) {
	t.Helper()
	shutdown := 15 * time.Second
	httpCfg, _ := engineConfig(t, r.configMap)["http"].(map[string]any)
	if s, ok := httpCfg["shutdown_timeout"].(string); ok {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("http.shutdown_timeout %q: %v", s, err)
		}
		shutdown = d
	}
	grace := r.deployment.Spec.Template.Spec.TerminationGracePeriodSeconds
	if need := 2*shutdown + 5*time.Second; grace == nil || time.Duration(*grace)*time.Second < need {
		got := "unset"
		if grace != nil {
			got = fmt.Sprint(*grace)
		}
		t.Errorf("terminationGracePeriodSeconds %s: want at least %s (the engine's longest shutdown)", got, need)
	}
}

func checkProbes(t *testing.T, c chartCase, ctr corev1.Container) {
	t.Helper()
	if c.insecure {
		// Loopback only: the kubelet cannot reach it over HTTP, the image's
		// health check inside the container can.
		for name, p := range map[string]*corev1.Probe{"startup": ctr.StartupProbe, "readiness": ctr.ReadinessProbe} {
			if p == nil || p.Exec == nil || !slices.Contains(p.Exec.Command, "healthcheck") || !slices.Contains(p.Exec.Command, configPath) {
				t.Errorf("%s probe %+v: want exec wf-engine healthcheck --config %s", name, p, configPath)
			}
		}
		if ctr.LivenessProbe != nil {
			t.Error("liveness probe on a loopback engine: the health check asks for readiness, and a not-ready engine must not be restarted")
		}
		return
	}
	scheme := corev1.URISchemeHTTP
	if c.tls {
		scheme = corev1.URISchemeHTTPS
	}
	for name, want := range map[string]struct {
		p    *corev1.Probe
		path string
	}{
		"readiness": {ctr.ReadinessProbe, "/readyz"},
		"liveness":  {ctr.LivenessProbe, "/healthz"},
		"startup":   {ctr.StartupProbe, "/healthz"},
	} {
		p := want.p
		if p == nil || p.HTTPGet == nil {
			t.Errorf("%s probe: %+v, want GET %s", name, p, want.path)
			continue
		}
		if p.HTTPGet.Path != want.path || p.HTTPGet.Port != intstr.FromString("http") || p.HTTPGet.Scheme != scheme {
			t.Errorf("%s probe: %s %v %s, want %s on port http over %s", name, p.HTTPGet.Scheme, p.HTTPGet.Port.String(), p.HTTPGet.Path, want.path, scheme)
		}
	}
}

func checkVolumes(t *testing.T, c chartCase, r rendered, pod corev1.PodSpec, ctr corev1.Container) {
	t.Helper()
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	mounts := map[string]corev1.VolumeMount{}
	for _, m := range ctr.VolumeMounts {
		mounts[m.MountPath] = m
		if _, ok := volumes[m.Name]; !ok {
			t.Errorf("mount %s names volume %q, which the pod does not have", m.MountPath, m.Name)
		}
	}
	cfg, ok := mounts[configPath]
	if !ok || cfg.SubPath != "wf-engine.yaml" || !cfg.ReadOnly {
		t.Errorf("configuration mount %+v: want %s read-only from the ConfigMap's wf-engine.yaml", cfg, configPath)
	} else if v := volumes[cfg.Name]; v.ConfigMap == nil || v.ConfigMap.Name != r.configMap.Name {
		t.Errorf("configuration volume %+v: want ConfigMap %s", v, r.configMap.Name)
	}
	if tmp, ok := mounts["/tmp"]; !ok || volumes[tmp.Name].EmptyDir == nil {
		t.Error("no writable emptyDir on /tmp (the root file system is read-only)")
	}
	data, ok := mounts["/data"]
	if ok != c.embedded {
		t.Fatalf("/data mounted: %v, want %v (the embedded store)", ok, c.embedded)
	}
	if c.embedded {
		v := volumes[data.Name]
		switch {
		case c.pvc && (v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != r.pvc.Name):
			t.Errorf("/data volume %+v: want the chart's claim %s", v, r.pvc.Name)
		case !c.pvc && v.PersistentVolumeClaim == nil && v.EmptyDir == nil:
			t.Errorf("/data volume %+v: want a claim or an emptyDir", v)
		}
		if r.pvc != nil && r.pvc.Annotations["helm.sh/resource-policy"] != "keep" {
			t.Error("the store's claim would be deleted by helm uninstall")
		}
	}
	tlsMount, ok := mounts["/etc/wf-engine/tls"]
	if ok != c.tls {
		t.Fatalf("TLS mounted: %v, want %v", ok, c.tls)
	}
	if c.tls {
		if v := volumes[tlsMount.Name]; v.Secret == nil || v.Secret.SecretName != "wf-tls" || tlsMount.SubPath != "" {
			t.Errorf("TLS volume %+v mounted %+v: want Secret wf-tls as a folder (reloaded on renewal)", v, tlsMount)
		}
		cfg := engineConfig(t, r.configMap)
		httpCfg, _ := cfg["http"].(map[string]any)
		for _, key := range []string{"tls_cert_file", "tls_key_file"} {
			if f, _ := httpCfg[key].(string); path.Dir(f) != tlsMount.MountPath {
				t.Errorf("http.%s %q is not in the mounted Secret %s", key, f, tlsMount.MountPath)
			}
		}
	}
}

// checkEnv checks that secrets come from Secrets and everything set is one
// of the variables the engine reads.
func checkEnv(t *testing.T, c chartCase, ctr corev1.Container) {
	t.Helper()
	fromSecret := map[string]bool{}
	for _, e := range ctr.Env {
		secretLike := strings.Contains(e.Name, "SECRET") && !strings.HasPrefix(e.Name, "WF_SECRETHOSTS_") || strings.Contains(e.Name, "DATABASE_URL")
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			if e.Value != "" {
				t.Errorf("%s has both a value and a Secret reference", e.Name)
			}
			fromSecret[e.Name] = true
		case secretLike:
			t.Errorf("%s is set from values, not from a Secret", e.Name)
		}
	}
	var got []string
	for name := range fromSecret {
		got = append(got, name)
	}
	sort.Strings(got)
	want := slices.Clone(c.secretEnv)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("variables from Secrets: %v, want %v", got, want)
	}
}

func checkService(t *testing.T, r rendered) {
	t.Helper()
	s := r.service
	if !labelsMatch(s.Spec.Selector, r.deployment.Spec.Template.Labels) {
		t.Errorf("the Service's selector %v does not select the engine's pod", s.Spec.Selector)
	}
	if len(s.Spec.Ports) != 1 || s.Spec.Ports[0].TargetPort != intstr.FromString("http") {
		t.Errorf("Service ports %+v: want one, to the container's http port", s.Spec.Ports)
	}
	if r.pdb != nil {
		if !labelsMatch(r.pdb.Spec.Selector.MatchLabels, r.deployment.Spec.Template.Labels) {
			t.Error("the PodDisruptionBudget does not select the engine's pod")
		}
		if r.pdb.Spec.MaxUnavailable == nil {
			t.Error("the PodDisruptionBudget sets no maxUnavailable")
		}
	}
}

func checkNetworkPolicy(t *testing.T, c chartCase, r rendered) {
	t.Helper()
	np := r.networkPolicy
	if np == nil {
		return
	}
	if !labelsMatch(np.Spec.PodSelector.MatchLabels, r.deployment.Spec.Template.Labels) {
		t.Error("the NetworkPolicy does not select the engine's pod")
	}
	if len(np.Spec.PolicyTypes) != 2 {
		t.Errorf("policyTypes %v: want Ingress and Egress", np.Spec.PolicyTypes)
	}
	if len(np.Spec.Ingress) != 1 || len(np.Spec.Ingress[0].Ports) != 1 || *np.Spec.Ingress[0].Ports[0].Port != intstr.FromString("http") {
		t.Errorf("ingress rules %+v: want one, to port http", np.Spec.Ingress)
	}
	egressPorts := map[int32]bool{}
	for _, rule := range np.Spec.Egress {
		for _, p := range rule.Ports {
			egressPorts[p.Port.IntVal] = true
		}
	}
	want := map[int32]bool{53: true}
	if slices.Contains(c.secretEnv, "WF_DATABASE_URL") {
		want[5432] = true // PostgreSQL
	}
	if c.serviceMonitor { // the production values: OIDC and OTLP too
		want[443], want[4317] = true, true
	}
	for p := range want {
		if !egressPorts[p] {
			t.Errorf("no egress to port %d (have %v)", p, egressPorts)
		}
	}
	if c.replicas > 1 {
		// The pods forward to each other: each must let the others in and
		// out on the engine's port, whatever else the policy allows.
		peer := func(peers []networkingv1.NetworkPolicyPeer) bool {
			return slices.ContainsFunc(peers, func(p networkingv1.NetworkPolicyPeer) bool {
				return p.PodSelector != nil && p.NamespaceSelector == nil && p.IPBlock == nil &&
					labelsMatch(p.PodSelector.MatchLabels, r.deployment.Spec.Template.Labels)
			})
		}
		if from := np.Spec.Ingress[0].From; len(from) > 0 && !peer(from) {
			t.Errorf("ingress from %+v: the other engine pods are not let in", from)
		}
		if !slices.ContainsFunc(np.Spec.Egress, func(e networkingv1.NetworkPolicyEgressRule) bool {
			return peer(e.To) && slices.ContainsFunc(e.Ports, func(p networkingv1.NetworkPolicyPort) bool { return p.Port.IntValue() == 8080 })
		}) {
			t.Errorf("egress %+v: no rule to the other engine pods on port 8080", np.Spec.Egress)
		}
	}
}

func checkIngressAndMonitor(t *testing.T, c chartCase, r rendered) {
	t.Helper()
	if ing := r.ingress; ing != nil {
		if len(ing.Spec.TLS) == 0 {
			t.Error("the Ingress has no TLS")
		}
		for _, rule := range ing.Spec.Rules {
			for _, p := range rule.HTTP.Paths {
				if p.Backend.Service == nil || p.Backend.Service.Name != r.service.Name || p.Backend.Service.Port.Name != "http" {
					t.Errorf("Ingress backend %+v: want Service %s port http", p.Backend, r.service.Name)
				}
			}
		}
		httpCfg, _ := engineConfig(t, r.configMap)["http"].(map[string]any)
		if u, _ := httpCfg["public_url"].(string); u != "https://"+ing.Spec.Rules[0].Host {
			t.Errorf("http.public_url %q, want the Ingress's https://%s (the OIDC login's redirect)", u, ing.Spec.Rules[0].Host)
		}
	}
	if sm := r.serviceMonitor; sm != nil {
		if !labelsMatch(sm.Spec.Selector.MatchLabels, r.service.Labels) {
			t.Error("the ServiceMonitor does not select the Service")
		}
		scheme := "http"
		if c.tls {
			scheme = "https"
		}
		if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Port != "http" || sm.Spec.Endpoints[0].Path != "/metrics" || sm.Spec.Endpoints[0].Scheme != scheme {
			t.Errorf("ServiceMonitor endpoints %+v: want %s /metrics on port http", sm.Spec.Endpoints, scheme)
		}
	}
}

// engineConfig parses the ConfigMap's configuration file.
func engineConfig(t *testing.T, cm *corev1.ConfigMap) map[string]any {
	t.Helper()
	data, ok := cm.Data["wf-engine.yaml"]
	if !ok || len(cm.Data) != 1 {
		t.Fatalf("ConfigMap data keys %v: want wf-engine.yaml only", keys(cm.Data))
	}
	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(data), &cfg); err != nil {
		t.Fatalf("parse the configuration: %v", err)
	}
	return cfg
}

// secretWords mark configuration keys whose values are secrets, as the
// engine's redaction (cmd/wf-engine, secretKey) names them.
var secretWords = []string{"secret", "password", "token", "private_key"}

// checkConfigMapHasNoSecrets fails on a secret value anywhere in the
// ConfigMap's configuration: a key the engine redacts, a database URL with a
// password, connector secrets, basic users' hashes or plugin environments.
func checkConfigMapHasNoSecrets(t *testing.T, cm *corev1.ConfigMap) {
	t.Helper()
	var walk func(key string, v any)
	walk = func(key string, v any) {
		last := key[strings.LastIndex(key, ".")+1:]
		switch {
		case key == "connectors.secrets", key == "auth.basic.users", strings.HasSuffix(key, ".env"):
			t.Errorf("ConfigMap holds %s", key)
			return
		case key == "database.url":
			if u, err := url.Parse(fmt.Sprint(v)); err != nil || u.User != nil || u.Query().Has("password") {
				t.Errorf("ConfigMap holds a database URL with credentials")
			}
			return
		}
		for _, w := range secretWords {
			if strings.Contains(strings.ToLower(last), w) && v != nil && fmt.Sprint(v) != "" {
				t.Errorf("ConfigMap holds a value for %s", key)
			}
		}
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(strings.TrimPrefix(key+"."+k, "."), e)
			}
		case []any:
			for _, e := range x {
				walk(key, e)
			}
		}
	}
	walk("", engineConfig(t, cm))
}

// checkConfigAccepted runs the engine on the rendered configuration as the
// pod would have it: `wf-engine config check` on the file with the values
// that the Deployment's environment adds from Secrets (placeholders), and
// `wf-engine config print --config FILE` with exactly the Deployment's
// environment (unknown WF_* variables stop the engine, so this also checks
// their names).
func checkConfigAccepted(t *testing.T, r rendered) {
	t.Helper()
	engine := engineBinary(t)
	dir := t.TempDir()
	cfg := engineConfig(t, r.configMap)
	file := filepath.Join(dir, "config.yaml")
	writeFile(t, file, []byte(r.configMap.Data["wf-engine.yaml"]))

	environ := []string{"PATH=" + os.Getenv("PATH")}
	seen := map[string]string{}
	for _, e := range container(t, r.deployment).Env {
		value := e.Value
		switch {
		case e.ValueFrom != nil && e.ValueFrom.FieldRef != nil:
			value = podField(t, e.ValueFrom.FieldRef.FieldPath)
		case e.ValueFrom != nil:
			value = placeholder(e.Name)
		default:
			value = expandRefs(value, seen)
		}
		seen[e.Name] = value
		environ = append(environ, e.Name+"="+value)
		setFromEnv(t, cfg, e.Name, value)
	}
	merged, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mergedFile := filepath.Join(dir, "effective.yaml")
	writeFile(t, mergedFile, merged)
	out, err := exec.Command(engine, "config", "check", mergedFile).CombinedOutput() // #nosec G204 -- the test's own binary and file
	if err != nil || !strings.Contains(string(out), "configuration OK") {
		t.Errorf("wf-engine config check on the rendered configuration: %v\n%s\n%s", err, out, merged)
	}
	printCmd := exec.Command(engine, "config", "print", "--config", file) // #nosec G204 -- the test's own binary and file
	printCmd.Env = environ
	if out, err := printCmd.CombinedOutput(); err != nil {
		t.Errorf("wf-engine config print with the pod's configuration and environment: %v\n%s", err, out)
	}
}

// podField stands for the value of a variable set from a field of the pod.
func podField(t *testing.T, path string) string {
	t.Helper()
	switch path {
	case "status.podIP":
		return "10.244.1.17"
	case "metadata.name":
		return "wf-engine-7d9c5b6f4-x2kqp"
	}
	t.Fatalf("the chart sets a variable from the pod's %s, which this test does not stand for: add it to podField", path)
	return ""
}

// expandRefs replaces $(NAME) with the value of a variable set before, as
// the kubelet does.
func expandRefs(value string, vars map[string]string) string {
	for name, v := range vars {
		value = strings.ReplaceAll(value, "$("+name+")", v)
	}
	return value
}

// placeholder stands for the value of a variable set from a Secret.
func placeholder(name string) string {
	if name == "WF_DATABASE_URL" {
		return "postgres://wf:placeholder@postgres.db.svc:5432/wf?sslmode=verify-full"
	}
	return "placeholder-" + strings.ToLower(name)
}

// setFromEnv puts the value of the environment variable name into cfg at
// the key the engine reads it for.
func setFromEnv(t *testing.T, cfg map[string]any, name, value string) {
	t.Helper()
	switch {
	case name == "WF_HTTP_ADDRESS":
		httpCfg, _ := cfg["http"].(map[string]any)
		if httpCfg["address"] != value {
			t.Errorf("WF_HTTP_ADDRESS %q differs from http.address %v in the ConfigMap", value, httpCfg["address"])
		}
	case name == "WF_DATABASE_URL":
		setKey(cfg, value, "database", "url")
	case name == "POD_IP":
		// Not the engine's: only WF_CLUSTER_ADVERTISE_ADDRESS refers to it.
	case name == "WF_CLUSTER_NODE_ID":
		setKey(cfg, value, "cluster", "node_id")
	case name == "WF_CLUSTER_ADVERTISE_ADDRESS":
		if strings.Contains(value, "$(") {
			t.Errorf("WF_CLUSTER_ADVERTISE_ADDRESS %q refers to a variable not set before it", value)
		}
		setKey(cfg, value, "cluster", "advertise_address")
	case name == "WF_CLUSTER_SECRET":
		setKey(cfg, value, "cluster", "secret")
	case name == "WF_AUTH_OIDC_CLIENT_SECRET":
		setKey(cfg, value, "auth", "oidc", "client_secret")
	case strings.HasPrefix(name, "WF_SECRETHOSTS_"):
		setKey(cfg, strings.Split(value, ","), "connectors", "secrets", strings.TrimPrefix(name, "WF_SECRETHOSTS_"), "allowed_hosts")
	case strings.HasPrefix(name, "WF_SECRET_"):
		setKey(cfg, value, "connectors", "secrets", strings.TrimPrefix(name, "WF_SECRET_"), "value")
	default:
		t.Errorf("the chart sets %s, which this test does not map to a configuration key: add it to setFromEnv", name)
	}
}

func setKey(m map[string]any, value any, path ...string) {
	for _, p := range path[:len(path)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[path[len(path)-1]] = value
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func labelsMatch(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func int32String(p *int32) string {
	if p == nil {
		return "unset"
	}
	return fmt.Sprint(*p)
}

func isTrue(b *bool) bool { return b != nil && *b }

func isInt(p *int64, want int64) bool { return p != nil && *p == want }

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestChartRefusesUnsafeValues checks that rendering fails, with a message
// that says what to do, on values the engine or the chart cannot run with
// safely.
func TestChartRefusesUnsafeValues(t *testing.T) {
	prod := values("values-production.yaml")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"two replicas on the embedded store", []string{"--set", "replicaCount=2"}, "replicaCount 2 needs PostgreSQL"},
		{"no replica", []string{"--set", "replicaCount=0"}, "replicaCount must be at least 1"},
		{"two replicas without a cluster secret", append(slices.Clone(prod), "--set", "replicaCount=2"), "needs secrets.clusterSecret"},
		{"two replicas with engine TLS", append(slices.Clone(prod), "--set", "replicaCount=2", "--set", "secrets.clusterSecret.existingSecret=wf-cluster",
			"--set", "tls.existingSecret=wf-tls"), "Terminate TLS at the Ingress"},
		{"a cluster secret on the embedded store", []string{"--set", "secrets.clusterSecret.existingSecret=wf-cluster"}, "single-node"},
		{"cluster secret in values", append(slices.Clone(prod), "--set", "config.cluster.secret=s3cret-s3cret-s3cret"), "must not be in values"},
		{"node id in values", append(slices.Clone(prod), "--set", "config.cluster.node_id=a"), "set by the chart"},
		{"auth none", []string{"--set", "config.auth.mode=none"}, "config.auth.mode is none"},
		{"auth left out", []string{"--set", "config.auth=null"}, "config.auth.mode is none"},
		{"auth none in production", append(slices.Clone(prod), "--set", "config.auth.mode=none"), "config.auth.mode is none"},
		{"basic auth", []string{"--set", "config.auth.mode=basic"}, "bcrypt password hashes"},
		{"unknown auth mode", []string{"--set", "config.auth.mode=ldap"}, "config.auth.mode must be oidc"},
		{"an Ingress without auth", append(values("values-dev.yaml"), "--set", "ingress.enabled=true"), "ingress.enabled needs an authentication mode"},
		{"client secret in values", []string{"--set", "config.auth.oidc.client_secret=s3cret"}, "must not be in values"},
		{"client id without its secret", []string{"--set", "config.auth.oidc.client_id=wf", "--set", "config.http.public_url=https://wf.example.com"}, "needs its client secret"},
		{"client id without a public URL", []string{"--set", "config.auth.oidc.client_id=wf", "--set", "secrets.oidcClientSecret.existingSecret=wf-oidc"}, "needs the URL browsers reach"},
		{"database password in values", []string{"--set", "config.database.url=postgres://wf:s3cret@db:5432/wf"}, "holds a password"},
		{"connector secret in values", []string{"--set", "config.connectors.secrets.TOKEN=s3cret"}, "secrets.connectors"},
		{"connector secret without a key", []string{"--set-json", `secrets.connectors=[{"name":"TOKEN","existingSecret":"wf"}]`}, "existingSecret and key are required"},
		{"connector secret with a bad name", []string{"--set-json", `secrets.connectors=[{"name":"A B","existingSecret":"wf","key":"k"}]`}, "must match"},
		{"Kubernetes older than 1.27", []string{"--kube-version", "1.26.9"}, "requires kubeVersion"},
		{"listen address in values", []string{"--set", "config.http.address=0.0.0.0:9090"}, "set by the chart"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := helmTemplate(t, c.args...)
			if err == nil {
				t.Fatalf("rendered, want a failure saying %q:\n%s", c.want, out)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Error("the error repeats the secret value")
			}
		})
	}
}

// TestDevEngineAnswersItsProbes starts wf-engine on values-dev.yaml's
// configuration, with the Deployment's arguments and environment, and runs
// the probes' health check command until it reports ready: the loopback
// engine's exec probes must work, since the kubelet's HTTP probes cannot
// reach it. Only the listen port (a free one on 127.0.0.1) and the data
// folder (a temporary one) differ from the pod.
func TestDevEngineAnswersItsProbes(t *testing.T) {
	r := render(t, values("values-dev.yaml")...)
	engine := engineBinary(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	writeFile(t, file, []byte(r.configMap.Data["wf-engine.yaml"]))
	ctr := container(t, r.deployment)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	environ := []string{"PATH=" + os.Getenv("PATH"), "WF_DATABASE_DATA_DIR=" + filepath.Join(dir, "data")}
	for _, e := range ctr.Env {
		switch {
		case e.ValueFrom != nil:
			t.Fatalf("values-dev.yaml sets %s from a Secret; this test has none", e.Name)
		case e.Name == "WF_HTTP_ADDRESS":
			if e.Value != "127.0.0.1:8080" {
				t.Fatalf("WF_HTTP_ADDRESS %q, want loopback 127.0.0.1:8080", e.Value)
			}
			environ = append(environ, e.Name+"="+addr)
		default:
			environ = append(environ, e.Name+"="+e.Value)
		}
	}
	podArgs := func(args []string) []string {
		out := slices.Clone(args)
		for i, a := range out {
			if a == configPath {
				out[i] = file
			}
		}
		return out
	}

	var log lockedBuffer
	srv := exec.Command(engine, podArgs(ctr.Args)...) // #nosec G204 -- the test's own binary
	srv.Env = environ
	srv.Stdout, srv.Stderr = &log, &log
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	// exited is closed when the engine has stopped, waitErr then says how.
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = srv.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = srv.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = srv.Process.Kill()
			<-exited
		}
	})

	for name, p := range map[string]*corev1.Probe{"startup": ctr.StartupProbe, "readiness": ctr.ReadinessProbe} {
		cmd := p.Exec.Command
		if cmd[0] != "/wf-engine" {
			t.Fatalf("%s probe runs %q, want the image's /wf-engine", name, cmd[0])
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			probe := exec.Command(engine, podArgs(cmd[1:])...) // #nosec G204 -- the test's own binary
			probe.Env = environ
			out, err := probe.CombinedOutput()
			if err == nil {
				if !strings.Contains(string(out), "ready") {
					t.Errorf("%s probe: exit 0 but %q", name, out)
				}
				break
			}
			select {
			case <-exited:
				t.Fatalf("the engine stopped (%v):\n%s", waitErr, log.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s probe still failing after 30s: %v: %s\nengine log:\n%s", name, err, out, log.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// lockedBuffer collects a process's output while the test may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
