package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/example/wf-engine/sdk/client"
)

// Defaults and environment variables of the connection settings.
const (
	defaultAddress = "http://127.0.0.1:8080"
	defaultProfile = "local"
	envAddress     = "WF_ADDRESS"
	envToken       = "WF_TOKEN"
	envProfile     = "WF_PROFILE"
)

// fileConfig is the configuration file:
//
//	profile: local
//	profiles:
//	  local:
//	    address: http://127.0.0.1:8080
//	    auth: {type: none}
type fileConfig struct {
	Profile  string                   `koanf:"profile"`
	Profiles map[string]profileConfig `koanf:"profiles"`
}

// profileConfig is one engine to talk to.
type profileConfig struct {
	Address string     `koanf:"address"`
	Auth    authConfig `koanf:"auth"`
}

// authConfig says how to authenticate; Type picks the fields that count.
type authConfig struct {
	Type         string   `koanf:"type"`
	Token        string   `koanf:"token"`
	Username     string   `koanf:"username"`
	Password     string   `koanf:"password"`
	ClientID     string   `koanf:"clientId"`
	ClientSecret string   `koanf:"clientSecret"`
	TokenURL     string   `koanf:"tokenUrl"`
	Scopes       []string `koanf:"scopes"`
	Audience     string   `koanf:"audience"`
}

// Known keys of the file, by level.
var (
	topKeys     = []string{"profile", "profiles"}
	profileKeys = []string{"address", "auth"}
	authKeys    = []string{"type", "token", "username", "password", "clientId", "clientSecret", "tokenUrl", "scopes", "audience"}
)

// settings is how this invocation reaches the engine.
type settings struct {
	Profile string
	Address string
	// Auth is nil when requests go unauthenticated.
	Auth client.Auth
	// AuthFrom says where Auth comes from, for error messages: "--token",
	// "WF_TOKEN" or the profile's auth key; "" without credentials.
	AuthFrom string
	// AuthType is the auth type in use: none, bearer, basic or oauth2.
	AuthType string
	// TokenURL is the oauth2 token endpoint, for error messages.
	TokenURL string
}

// configPath returns the configuration file to read and whether the user
// named it (then it must exist).
func (a *app) configPath() (string, bool) {
	if a.configFlag != "" {
		return a.configFlag, true
	}
	if dir := a.env("XDG_CONFIG_HOME"); dir != "" {
		return filepath.Join(dir, "wf", "config.yaml"), false
	}
	if home := a.env("HOME"); home != "" {
		return filepath.Join(home, ".config", "wf", "config.yaml"), false
	}
	return "", false
}

// loadFile reads the configuration file; a missing default file is an
// empty configuration.
func loadFile(path string, named bool) (fileConfig, error) {
	var fc fileConfig
	if path == "" {
		return fc, nil
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) && !named {
			return fc, nil
		}
		return fc, usageErrorf("config %s: %v", path, unwrapPath(err))
	}
	// Keys are split on "::" so that profile names may hold dots.
	k := koanf.New("::")
	if err := k.Load(file.Provider(path), yaml.Parser()); err != nil {
		return fc, usageErrorf("config %s: %s", path, oneLine(unwrapPath(err).Error()))
	}
	if err := checkKeys(k.Raw()); err != nil {
		return fc, usageErrorf("config %s: %v", path, err)
	}
	if err := k.UnmarshalWithConf("", &fc, koanf.UnmarshalConf{Tag: "koanf"}); err != nil {
		msg := err.Error()
		if _, detail, ok := strings.Cut(msg, "error(s):"); ok {
			msg = detail
		}
		return fc, usageErrorf("config %s: %s", path, oneLine(msg))
	}
	return fc, nil
}

// unwrapPath drops the path from a file error, which the caller names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkKeys reports the first unknown key of the file, or a section that
// is not a mapping, in the file's key order (sorted).
func checkKeys(raw map[string]any) error {
	if err := known(raw, "", topKeys); err != nil {
		return err
	}
	if raw["profiles"] == nil {
		return nil
	}
	profiles, ok := raw["profiles"].(map[string]any)
	if !ok {
		return fmt.Errorf("profiles: expected a mapping of profile names to profiles")
	}
	for _, name := range sortedKeys(profiles) {
		where := "profiles." + name
		p, ok := profiles[name].(map[string]any)
		if !ok {
			return fmt.Errorf("%s: expected a mapping with the keys %s", where, strings.Join(profileKeys, ", "))
		}
		if err := known(p, where+".", profileKeys); err != nil {
			return err
		}
		if p["auth"] == nil {
			continue
		}
		auth, ok := p["auth"].(map[string]any)
		if !ok {
			return fmt.Errorf("%s.auth: expected a mapping with the keys %s", where, strings.Join(authKeys, ", "))
		}
		if err := known(auth, where+".auth.", authKeys); err != nil {
			return err
		}
	}
	return nil
}

// known reports the first key of m that is not in keys.
func known(m map[string]any, prefix string, keys []string) error {
	for _, k := range sortedKeys(m) {
		found := false
		for _, want := range keys {
			found = found || k == want
		}
		if !found {
			return fmt.Errorf("unknown key %q (known here: %s)", prefix+k, strings.Join(keys, ", "))
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// settings resolves the connection settings: flag, then environment, then
// the configuration file, then the defaults.
func (a *app) settings() (settings, error) {
	path, named := a.configPath()
	fc, err := loadFile(path, named)
	if err != nil {
		return settings{}, err
	}
	name, explicit := defaultProfile, true
	switch {
	case a.profileFlag != "":
		name = a.profileFlag
	case a.env(envProfile) != "":
		name = a.env(envProfile)
	case fc.Profile != "":
		name = fc.Profile
	default:
		explicit = false
	}
	p, ok := fc.Profiles[name]
	if !ok && explicit {
		if len(fc.Profiles) == 0 {
			return settings{}, usageErrorf("profile %q: no profiles are configured (config file %s)", name, dash(path))
		}
		names := make([]string, 0, len(fc.Profiles))
		for n := range fc.Profiles {
			names = append(names, n)
		}
		sort.Strings(names)
		return settings{}, usageErrorf("profile %q is not in %s (profiles: %s)", name, path, strings.Join(names, ", "))
	}
	where := fmt.Sprintf("config %s: profiles.%s", path, name)
	s := settings{Profile: name, Address: defaultAddress}
	switch {
	case a.addressFlag != "":
		s.Address, where = a.addressFlag, "--address"
	case a.env(envAddress) != "":
		s.Address, where = a.env(envAddress), envAddress
	case p.Address != "":
		s.Address, where = p.Address, where+".address"
	default:
		where = "default address"
	}
	if err := checkAddress(s.Address); err != nil {
		return settings{}, usageErrorf("%s: %v", where, err)
	}
	s.Address = strings.TrimRight(s.Address, "/")
	for _, t := range []struct{ from, token string }{{"--token", a.tokenFlag}, {envToken, a.env(envToken)}} {
		if t.token == "" {
			continue
		}
		if err := checkToken(t.token); err != nil {
			return settings{}, usageErrorf("%s: %v", t.from, err)
		}
		s.Auth, s.AuthFrom, s.AuthType = client.BearerToken(t.token), t.from, "bearer"
		return s, nil
	}
	s.Auth, err = p.Auth.build()
	if err != nil {
		return settings{}, usageErrorf("config %s: profiles.%s.auth.%v", path, name, err)
	}
	s.AuthType = p.Auth.Type
	if s.AuthType == "" {
		s.AuthType = "none"
	}
	if s.Auth != nil {
		s.AuthFrom = fmt.Sprintf("profiles.%s.auth of %s", name, path)
		if s.AuthType == "oauth2" {
			s.TokenURL = p.Auth.TokenURL
		}
	}
	return s, nil
}

// checkToken accepts a bearer token of visible ASCII characters (RFC 6750's
// b64token and the like). Its errors never quote the token.
func checkToken(tok string) error {
	for i := 0; i < len(tok); i++ {
		if tok[i] <= ' ' || tok[i] >= 0x7f {
			return fmt.Errorf("expected a bearer token of visible ASCII characters; character %d is a space, a control character or not ASCII", i+1)
		}
	}
	return nil
}

// checkAddress accepts http and https URLs with a host.
func checkAddress(addr string) error {
	u, err := url.Parse(addr)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("expected an http:// or https:// URL such as %s, got %q", defaultAddress, addr)
	}
	return nil
}

// build returns the client's Auth, nil for none. Its errors name the key
// (relative to auth).
func (c authConfig) build() (client.Auth, error) {
	missing := func(key string) error { return fmt.Errorf("%s: required for type %s", key, c.Type) }
	switch c.Type {
	case "", "none":
		return nil, nil
	case "bearer":
		if c.Token == "" {
			return nil, missing("token")
		}
		if err := checkToken(c.Token); err != nil {
			return nil, fmt.Errorf("token: %w", err)
		}
		return client.BearerToken(c.Token), nil
	case "basic":
		if c.Username == "" {
			return nil, missing("username")
		}
		return client.BasicAuth(c.Username, c.Password), nil
	case "oauth2":
		switch {
		case c.ClientID == "":
			return nil, missing("clientId")
		case c.ClientSecret == "":
			return nil, missing("clientSecret")
		case c.TokenURL == "":
			return nil, missing("tokenUrl")
		}
		if err := checkAddress(c.TokenURL); err != nil {
			return nil, fmt.Errorf("tokenUrl: %w", err)
		}
		cc := clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: c.TokenURL, Scopes: c.Scopes}
		if c.Audience != "" {
			cc.EndpointParams = url.Values{"audience": {c.Audience}}
		}
		return client.OAuth2ClientCredentials(cc), nil
	}
	return nil, fmt.Errorf("type: expected none, bearer, basic or oauth2, got %q", c.Type)
}
