package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/example/wf-engine/sdk/client"
)

// whoamiView is wf whoami's answer.
type whoamiView struct {
	Address string `json:"address"`
	Profile string `json:"profile"`
	// Credentials is the auth type wf used: none, bearer, basic or oauth2.
	Credentials string `json:"credentials"`
	client.CurrentUser
}

// whoamiCommand is wf whoami.
func (a *app) whoamiCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Show who the engine takes you for: name, roles, tenants",
		Long: "Show who the engine takes the caller for (GET /v2/authentication/me): the user or\n" +
			"client name, roles, tenants and groups, and the engine's authentication mode. It checks\n" +
			"the credentials: exit code 4 when the engine refuses them.",
		Example: "  wf whoami\n  wf whoami --profile prod -o json",
		Args:    args(),
	}
	cmd.RunE = a.runE(func(ctx context.Context, _ []string) error {
		cl, err := a.client()
		if err != nil {
			return err
		}
		me, err := cl.Me(ctx)
		if err != nil {
			return err
		}
		v := whoamiView{Address: a.address, Profile: a.profile, Credentials: a.creds.AuthType, CurrentUser: *me}
		return a.print(v, func(tw *tabwriter.Writer) {
			kind, name := "user", me.Username
			if me.ClientID != "" {
				kind, name = "client", me.ClientID
			}
			if name == "" {
				name = me.DisplayName
			}
			fmt.Fprintf(tw, "NAME\t%s (%s)\n", dash(name), kind)
			if me.DisplayName != "" && me.DisplayName != name {
				fmt.Fprintf(tw, "DISPLAY NAME\t%s\n", me.DisplayName)
			}
			if me.Email != "" {
				fmt.Fprintf(tw, "EMAIL\t%s\n", me.Email)
			}
			fmt.Fprintf(tw, "ROLES\t%s\n", list(me.Roles))
			tenants := make([]string, len(me.Tenants))
			for i, t := range me.Tenants {
				tenants[i] = t.TenantID
				if t.Name != "" && t.Name != t.TenantID {
					tenants[i] += " (" + t.Name + ")"
				}
			}
			fmt.Fprintf(tw, "TENANTS\t%s\n", list(tenants))
			fmt.Fprintf(tw, "GROUPS\t%s\n", list(me.Groups))
			fmt.Fprintf(tw, "AUTH MODE\t%s (wf sent %s)\n", dash(me.AuthenticationMode), credentialsName(a.creds.AuthType))
			fmt.Fprintf(tw, "ADDRESS\t%s (profile %s)\n", a.address, a.profile)
		})
	})
	return cmd
}

// credentialsName says in words what an auth type sends.
func credentialsName(authType string) string {
	switch authType {
	case "bearer":
		return "a bearer token"
	case "basic":
		return "a user name and password"
	case "oauth2":
		return "an OAuth2 client-credentials token"
	}
	return "no credentials"
}

// list renders a list for tables, "-" when empty.
func list(items []string) string {
	return dash(strings.Join(items, ", "))
}
