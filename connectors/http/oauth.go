package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	nethttp "net/http"
	"net/url"
	"strings"
)

// fetchToken runs OAuth 2.0's client credentials flow against the token
// endpoint, through the same address checks as the request itself.
func (c *Connector) fetchToken(ctx context.Context, a auth) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if a.scopes != "" {
		form.Set("scope", a.scopes)
	}
	if a.audience != "" {
		form.Set("audience", a.audience)
	}
	if !a.credentialsInHeader {
		form.Set("client_id", a.clientID)
		form.Set("client_secret", a.clientSecret)
	}
	req, err := nethttp.NewRequestWithContext(ctx, nethttp.MethodPost, a.tokenEndpoint.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", inputErr("authentication.oauthTokenEndpoint", "cannot make a request: %s", urlErrReason(err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if a.credentialsInHeader {
		req.SetBasicAuth(url.QueryEscape(a.clientID), url.QueryEscape(a.clientSecret))
	}
	res, err := c.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("OAuth token request: %w", c.sendError(nethttp.MethodPost, a.tokenEndpoint, err))
	}
	defer func() { _ = res.Body.Close() }()
	raw, err := readLimited(res.Body, c.maxBytes)
	if err != nil {
		return "", fmt.Errorf("OAuth token request to %s: %w", a.tokenEndpoint.Redacted(), err)
	}
	if res.StatusCode >= 400 {
		return "", fmt.Errorf("OAuth token request to %s answered %d %s", a.tokenEndpoint.Redacted(), res.StatusCode, nethttp.StatusText(res.StatusCode))
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("OAuth token request to %s: the answer has no access_token", a.tokenEndpoint.Redacted())
	}
	if tok.TokenType != "" && !strings.EqualFold(tok.TokenType, "bearer") {
		return "", fmt.Errorf("OAuth token request to %s: token type %q is not supported (only Bearer)", a.tokenEndpoint.Redacted(), tok.TokenType)
	}
	return tok.AccessToken, nil
}
