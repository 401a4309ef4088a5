package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestUserHash(t *testing.T) {
	var out strings.Builder
	if err := runUser([]string{"hash", "--cost", "10"}, strings.NewReader("s3cret pass\n"), &out); err != nil {
		t.Fatal(err)
	}
	hash := strings.TrimSpace(out.String())
	if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte("s3cret pass")); err != nil {
		t.Fatalf("the printed hash %q does not verify the password: %v", hash, err)
	}
	if cost, _ := bcrypt.Cost([]byte(hash)); cost != 10 {
		t.Fatalf("cost %d, want 10", cost)
	}
	for _, tc := range []struct {
		args []string
		in   string
		want string
	}{
		{[]string{"hash"}, "", "no password"},
		{[]string{"hash", "s3cret"}, "", "standard input"},
		{[]string{"list"}, "", "usage"},
		{[]string{"hash", "--cost", "4"}, "pw\n", "cost"},
	} {
		err := runUser(tc.args, strings.NewReader(tc.in), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("user %v: got %v, want an error about %q", tc.args, err, tc.want)
		}
	}
}

// basicConfig writes a configuration file with two users and returns its
// path; alice is an operator, bob a user.
func basicConfig(t *testing.T, alicePassword, bobPassword string, extra string) string {
	t.Helper()
	hash := func(pw string) string {
		h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		return string(h)
	}
	yaml := "auth:\n  mode: basic\n  basic:\n    users:\n" +
		"      - name: alice\n        password_hash: '" + hash(alicePassword) + "'\n        roles: [operator]\n        tenants: ['<default>']\n" +
		"      - name: bob\n        password_hash: '" + hash(bobPassword) + "'\n        roles: [user]\n        groups: [clerks]\n" + extra
	path := filepath.Join(t.TempDir(), "wf.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func sendAs(t *testing.T, method, url string, body string, header ...string) (int, http.Header, string) {
	t.Helper()
	return sendWith(t, http.DefaultClient, method, url, body, header...)
}

// sendWith is sendAs through client c.
func sendWith(t *testing.T, c *http.Client, method, url string, body string, header ...string) (int, http.Header, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

func basicHeader(user, password string) []string {
	req, _ := http.NewRequest(http.MethodGet, "http://x", nil)
	req.SetBasicAuth(user, password)
	return []string{"Authorization", req.Header.Get("Authorization")}
}

// TestBasicAuthentication runs the server with auth.mode basic and checks
// what each kind of caller gets, then that no secret reached the log.
func TestBasicAuthentication(t *testing.T) {
	const alicePW, bobPW, connectorSecret = "alice-Pa55word-7f3a", "bob-Pa55word-91c2", "connector-secret-5be1"
	cfg := basicConfig(t, alicePW, bobPW, "")
	base, log := serveArgs(t, []string{"--config", cfg, "--log.level", "debug"},
		"WF_DATABASE_URL=memory", "WF_SECRET_API_KEY="+connectorSecret)

	for _, path := range []string{"/healthz", "/readyz"} {
		if status, _, _ := sendAs(t, http.MethodGet, base+path, ""); status != http.StatusOK {
			t.Fatalf("%s must stay open: %d", path, status)
		}
	}
	status, h, body := sendAs(t, http.MethodGet, base+"/v2/topology", "")
	if status != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic") || !strings.Contains(body, `"status":401`) {
		t.Fatalf("no credentials: %d %v %s", status, h, body)
	}
	if status, _, _ := sendAs(t, http.MethodGet, base+"/metrics", ""); status != http.StatusUnauthorized {
		t.Fatalf("/metrics needs authentication by default: %d", status)
	}
	for _, bad := range [][]string{
		basicHeader("alice", "wrong-"+alicePW),
		basicHeader("mallory", alicePW),
		{"Authorization", "Basic !!!" + alicePW},
		{"Authorization", "Bearer " + alicePW},
		{"Authorization", "Basic"},
	} {
		status, _, body := sendAs(t, http.MethodGet, base+"/v2/topology", "", bad...)
		if status != http.StatusUnauthorized || strings.Contains(body, alicePW) {
			t.Fatalf("bad credentials %q: %d %s", bad[1], status, body)
		}
	}
	if status, _, body := sendAs(t, http.MethodPost, base+"/v2/process-instances/search", "{}", basicHeader("alice", alicePW)...); status != http.StatusOK {
		t.Fatalf("operator search: %d %s", status, body)
	}
	if status, _, body := sendAs(t, http.MethodPost, base+"/v2/process-instances/search", "{}", basicHeader("bob", bobPW)...); status != http.StatusForbidden {
		t.Fatalf("a user may not search instances: %d %s", status, body)
	}
	status, _, body = sendAs(t, http.MethodGet, base+"/v2/authentication/me", "", basicHeader("bob", bobPW)...)
	if status != http.StatusOK || !strings.Contains(body, `"username":"bob"`) || !strings.Contains(body, `"clerks"`) || strings.Contains(body, bobPW) {
		t.Fatalf("me: %d %s", status, body)
	}
	if status, _, body := sendAs(t, http.MethodGet, base+"/metrics", "", basicHeader("alice", alicePW)...); status != http.StatusOK || strings.Contains(body, alicePW) {
		t.Fatalf("metrics for an operator: %d", status)
	}
	logText := log.String()
	for _, secret := range []string{alicePW, bobPW, connectorSecret, basicHeader("alice", alicePW)[1]} {
		if strings.Contains(logText, secret) {
			t.Fatalf("the log holds a secret %q:\n%s", secret, logText)
		}
	}
	if !strings.Contains(logText, `"auth_mode":"basic"`) {
		t.Fatalf("the start-up line names the auth mode:\n%s", logText)
	}
}

// TestAuthenticatedServerMayListenEverywhere: with authentication on, a
// non-loopback address is accepted.
func TestAuthenticatedServerMayListenEverywhere(t *testing.T) {
	cfg := basicConfig(t, "a-password-1", "b-password-2", "http:\n  address: 0.0.0.0:8080\n")
	fs := flagSet()
	if err := fs.Parse([]string{"--config", cfg}); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(fs, environ())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.validate(); err != nil {
		t.Fatalf("basic authentication on 0.0.0.0: %v", err)
	}
}

// TestAuditTrail: commands sent with authentication on carry their
// principal into the log; an admin reads who did what through
// /v2/x/audit/search, an operator may not, and `wf-engine audit verify`
// finds the log's hash chain whole.
func TestAuditTrail(t *testing.T) {
	hash := func(pw string) string {
		h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		return string(h)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "wf.yaml")
	yaml := "auth:\n  mode: basic\n  basic:\n    users:\n" +
		"      - {name: alice, password_hash: '" + hash("alice-pw-1") + "', roles: [operator]}\n" +
		"      - {name: root, password_hash: '" + hash("root-pw-2") + "', roles: [admin]}\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	base, _ := serveArgs(t, []string{"--config", cfg}, "WF_DATABASE_DATA_DIR="+data)
	alice, root := basicHeader("alice", "alice-pw-1"), basicHeader("root", "root-pw-2")

	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("resources", "order.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	model, err := os.ReadFile(filepath.Join("..", "..", "docs", "examples", "order.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(model)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/v2/deployments", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set(alice[0], alice[1])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("deploy: %d", res.StatusCode)
	}
	status, _, created := sendAs(t, http.MethodPost, base+"/v2/process-instances", `{"processDefinitionId":"order"}`, alice...)
	if status != http.StatusOK {
		t.Fatalf("create: %d %s", status, created)
	}
	var ci struct {
		ProcessInstanceKey string `json:"processInstanceKey"`
	}
	if err := json.Unmarshal([]byte(created), &ci); err != nil {
		t.Fatal(err)
	}

	if status, _, body := sendAs(t, http.MethodPost, base+"/v2/x/audit/search", `{}`, alice...); status != http.StatusForbidden {
		t.Fatalf("an operator read the audit log: %d %s", status, body)
	}
	status, _, found := sendAs(t, http.MethodPost, base+"/v2/x/audit/search", `{"filter":{"subject":"alice","key":"`+ci.ProcessInstanceKey+`"}}`, root...)
	if status != http.StatusOK {
		t.Fatalf("audit search: %d %s", status, found)
	}
	var page struct {
		Items []struct {
			Principal struct {
				Subject string   `json:"subject"`
				Roles   []string `json:"roles"`
			} `json:"principal"`
			ValueType string `json:"valueType"`
			ResultKey string `json:"resultKey"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(found), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Principal.Subject != "alice" || page.Items[0].ResultKey != ci.ProcessInstanceKey ||
		len(page.Items[0].Principal.Roles) != 1 || page.Items[0].Principal.Roles[0] != "operator" {
		t.Fatalf("audit entries for alice's create: %s", found)
	}
}

// TestOIDCConfigurationFile: the maps keyed by claim values and client
// ids come through the configuration file whole.
func TestOIDCConfigurationFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wf.yaml")
	yaml := `auth:
  mode: oidc
  oidc:
    issuer: https://idp.example.com/realms/wf
    audience: wf-engine
    roles_claim: realm_access.roles
    role_mapping:
      wf-admins: admin
      wf-clerks: user
    client_roles:
      billing-worker: [worker]
http:
  address: 0.0.0.0:8443
multitenancy:
  enabled: true
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	fs := flagSet()
	if err := fs.Parse([]string{"--config", path}); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(fs, environ("WF_AUTH_OIDC_CLOCK_SKEW=1m"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	o := c.Auth.oidcConfig(nil)
	if o.RoleMapping["wf-admins"] != "admin" || o.RoleMapping["wf-clerks"] != "user" || len(o.ClientRoles["billing-worker"]) != 1 ||
		o.RolesClaim != "realm_access.roles" || o.ClockSkew.String() != "1m0s" || !c.Multitenancy.Enabled {
		t.Fatalf("oidc configuration: %+v, multitenancy %v", o, c.Multitenancy)
	}
	c.Auth.OIDC.RoleMapping["wf-gods"] = "god"
	if err := c.validate(); err == nil || !strings.Contains(err.Error(), "god") {
		t.Fatalf("a mapping to an unknown role must be refused: %v", err)
	}
}
