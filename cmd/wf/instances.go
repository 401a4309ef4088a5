package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/example/wf-engine/sdk/client"
)

// instanceStates are the states of process and element instances.
var instanceStates = []string{"ACTIVE", "COMPLETED", "TERMINATED"}

// createInstanceCommand is wf create instance.
func (a *app) createInstanceCommand() *cobra.Command {
	var (
		version      int32
		vars         string
		await        bool
		awaitTimeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "instance <processId>",
		Short: "Start a process instance",
		Long: "Start an instance of the latest version of a process, or of --version. With --await,\n" +
			"wait until it ends and print its variables.",
		Example: "  wf create instance order --variables '{\"orderId\": \"A-1\", \"amount\": 42}'\n" +
			"  wf create instance order --version 2 --variables @order.json --await",
		Args: args("<processId>"),
	}
	f := cmd.Flags()
	f.Int32Var(&version, "version", 0, "process version to start (default: the latest)")
	f.StringVar(&vars, "variables", "", "variables: a JSON object, @file or @- for standard input")
	f.BoolVar(&await, "await", false, "wait until the instance ends and print its variables")
	f.DurationVar(&awaitTimeout, "await-timeout", 0, "how long --await waits (default: the engine's)")
	cmd.RunE = a.runE(func(ctx context.Context, args []string) error {
		if version < 0 {
			return usageErrorf("--version: expected a positive version, got %d", version)
		}
		if awaitTimeout < 0 {
			return usageErrorf("--await-timeout: expected a positive duration, got %s", awaitTimeout)
		}
		v, err := a.variables("--variables", vars)
		if err != nil {
			return err
		}
		cl, err := a.client()
		if err != nil {
			return err
		}
		req := client.CreateProcessInstanceRequest{ProcessDefinitionID: args[0], Version: version, AwaitCompletion: await, RequestTimeout: awaitTimeout}
		if v != nil {
			req.Variables = v
		}
		ci, err := cl.CreateProcessInstance(ctx, req)
		if err != nil {
			return err
		}
		return a.print(ci, func(tw *tabwriter.Writer) {
			fmt.Fprintf(tw, "process instance %d of %s version %d (definition %d)", ci.ProcessInstanceKey, ci.ProcessDefinitionID, ci.ProcessDefinitionVersion, ci.ProcessDefinitionKey)
			if !await {
				fmt.Fprintln(tw)
				return
			}
			fmt.Fprintln(tw, " completed")
			fmt.Fprintln(tw, "VARIABLE\tVALUE")
			names := make([]string, 0, len(ci.Variables))
			for n := range ci.Variables {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				fmt.Fprintf(tw, "%s\t%s\n", n, truncate(string(ci.Variables[n])))
			}
		})
	})
	return cmd
}

// cancelCommand is wf cancel.
func (a *app) cancelCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "cancel <instanceKey>",
		Short:   "Cancel a running process instance",
		Example: "  wf cancel 2251799813685251",
		Args:    args("<instanceKey>"),
	}
	cmd.RunE = a.runE(func(ctx context.Context, args []string) error {
		key, err := parseKey("<instanceKey>", args[0])
		if err != nil {
			return err
		}
		cl, err := a.client()
		if err != nil {
			return err
		}
		if err := cl.CancelProcessInstance(ctx, key); err != nil {
			return err
		}
		return a.done("process instance", "processInstanceKey", key, "canceled")
	})
	return cmd
}

// done reports a command that returns nothing but success: "process
// instance 42 canceled", or {"processInstanceKey": "42", "result":
// "canceled"}.
func (a *app) done(what, keyField string, key int64, result string) error {
	v := map[string]string{keyField: strconv.FormatInt(key, 10), "result": result}
	return a.print(v, func(tw *tabwriter.Writer) {
		fmt.Fprintf(tw, "%s %d %s\n", what, key, result)
	})
}

// maxLimit is the largest page the engine serves.
const maxLimit = 10000

// instancesCommand is wf instances.
func (a *app) instancesCommand() *cobra.Command {
	var (
		process, state string
		limit          int32
	)
	cmd := &cobra.Command{
		Use:     "instances",
		Short:   "Search process instances, newest first",
		Example: "  wf instances --process order --state ACTIVE --limit 10",
		Args:    args(),
	}
	f := cmd.Flags()
	f.StringVar(&process, "process", "", "only instances of this process id")
	f.StringVar(&state, "state", "", "only instances in this state: ACTIVE, COMPLETED or TERMINATED")
	f.Int32Var(&limit, "limit", 50, "at most this many instances (1 to 10000)")
	cmd.RunE = a.runE(func(ctx context.Context, _ []string) error {
		st, err := oneOf("--state", state, instanceStates...)
		if err != nil {
			return err
		}
		if limit < 1 || limit > maxLimit {
			return usageErrorf("--limit: expected 1 to %d, got %d", maxLimit, limit)
		}
		cl, err := a.client()
		if err != nil {
			return err
		}
		res, err := cl.SearchProcessInstances(ctx, client.ProcessInstanceQuery{
			Filter: client.ProcessInstanceFilter{ProcessDefinitionID: process, State: st},
			Sort:   []client.Sort{{Field: "processInstanceKey", Order: client.Descending}},
			Page:   &client.Page{Limit: limit},
		})
		if err != nil {
			return err
		}
		items := nonNil(res.Items)
		return a.print(items, func(tw *tabwriter.Writer) {
			fmt.Fprintln(tw, "KEY\tPROCESS\tVERSION\tSTATE\tINCIDENT\tSTARTED\tENDED")
			for _, pi := range items {
				fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\n", pi.ProcessInstanceKey, pi.ProcessDefinitionID, pi.ProcessDefinitionVersion,
					pi.State, yesNo(pi.HasIncident), fmtTime(pi.StartDate), fmtTime(pi.EndDate))
			}
			more(tw, len(items), res.Page.TotalItems)
		})
	})
	return cmd
}

// more notes in a table that a search found more than it shows.
func more(tw *tabwriter.Writer, shown int, total int64) {
	if total > int64(shown) {
		fmt.Fprintf(tw, "(%d of %d shown; raise --limit for more)\n", shown, total)
	}
}

// nonNil makes an empty result print as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// maxCell bounds a value shown in a table; -o json shows it whole.
const maxCell = 60

// truncate shortens a long value for a table.
func truncate(s string) string {
	r := []rune(s)
	if len(r) <= maxCell {
		return s
	}
	return string(r[:maxCell-1]) + "…"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// instanceView is wf instance's answer: the instance, its element path,
// variables and incidents.
type instanceView struct {
	Instance  *client.ProcessInstance  `json:"instance"`
	Elements  []client.ElementInstance `json:"elements"`
	Variables []variableView           `json:"variables"`
	Incidents []client.Incident        `json:"incidents"`
}

// variableView is a variable with its value as JSON rather than JSON text.
type variableView struct {
	Name        string          `json:"name"`
	Value       json.RawMessage `json:"value"`
	ScopeKey    int64           `json:"scopeKey,string"`
	VariableKey int64           `json:"variableKey,string"`
}

// instanceCommand is wf instance.
func (a *app) instanceCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "instance <instanceKey>",
		Short: "Show a process instance: element path, variables and incidents",
		Long: "Show a process instance: its state, the element instances in the order they were\n" +
			"activated with their states, its variables (every scope) and its incidents.",
		Example: "  wf instance 2251799813685251\n  wf instance 2251799813685251 -o yaml",
		Args:    args("<instanceKey>"),
	}
	cmd.RunE = a.runE(func(ctx context.Context, args []string) error {
		key, err := parseKey("<instanceKey>", args[0])
		if err != nil {
			return err
		}
		cl, err := a.client()
		if err != nil {
			return err
		}
		v, err := loadInstance(ctx, cl, key)
		if err != nil {
			return err
		}
		return a.print(v, func(tw *tabwriter.Writer) { v.table(tw) })
	})
	return cmd
}

// pageSize is the page wf asks for when it reads a whole list.
const pageSize = 1000

// loadInstance reads an instance and everything wf instance shows of it.
func loadInstance(ctx context.Context, cl *client.Client, key int64) (*instanceView, error) {
	pi, err := cl.GetProcessInstance(ctx, key)
	if err != nil {
		return nil, err
	}
	v := &instanceView{Instance: pi, Elements: []client.ElementInstance{}, Variables: []variableView{}, Incidents: []client.Incident{}}
	// Keys grow with time, so key order is activation order.
	byKey := []client.Sort{{Field: "elementInstanceKey", Order: client.Ascending}}
	page := &client.Page{Limit: pageSize}
	for {
		res, err := cl.SearchElementInstances(ctx, client.ElementInstanceQuery{Filter: client.ElementInstanceFilter{ProcessInstanceKey: key}, Sort: byKey, Page: page})
		if err != nil {
			return nil, fmt.Errorf("element instances: %w", err)
		}
		v.Elements = append(v.Elements, res.Items...)
		if len(res.Items) < pageSize || res.Page.EndCursor == "" {
			break
		}
		page = &client.Page{Limit: pageSize, After: res.Page.EndCursor}
	}
	page = &client.Page{Limit: pageSize}
	for {
		res, err := cl.SearchVariables(ctx, client.VariableQuery{
			Filter: client.VariableFilter{ProcessInstanceKey: key},
			Sort:   []client.Sort{{Field: "scopeKey"}, {Field: "name"}},
			Page:   page,
		})
		if err != nil {
			return nil, fmt.Errorf("variables: %w", err)
		}
		for _, vr := range res.Items {
			val := json.RawMessage(vr.Value)
			if !json.Valid(val) {
				val, _ = json.Marshal(vr.Value)
			}
			v.Variables = append(v.Variables, variableView{Name: vr.Name, Value: val, ScopeKey: vr.ScopeKey, VariableKey: vr.VariableKey})
		}
		if len(res.Items) < pageSize || res.Page.EndCursor == "" {
			break
		}
		page = &client.Page{Limit: pageSize, After: res.Page.EndCursor}
	}
	page = &client.Page{Limit: pageSize}
	for {
		res, err := cl.SearchIncidents(ctx, client.IncidentQuery{
			Filter: client.IncidentFilter{ProcessInstanceKey: key},
			Sort:   []client.Sort{{Field: "incidentKey"}},
			Page:   page,
		})
		if err != nil {
			return nil, fmt.Errorf("incidents: %w", err)
		}
		v.Incidents = append(v.Incidents, res.Items...)
		if len(res.Items) < pageSize || res.Page.EndCursor == "" {
			break
		}
		page = &client.Page{Limit: pageSize, After: res.Page.EndCursor}
	}
	return v, nil
}

func (v *instanceView) table(tw *tabwriter.Writer) {
	pi := v.Instance
	fmt.Fprintf(tw, "INSTANCE\t%d\n", pi.ProcessInstanceKey)
	fmt.Fprintf(tw, "PROCESS\t%s version %d (definition %d)\n", pi.ProcessDefinitionID, pi.ProcessDefinitionVersion, pi.ProcessDefinitionKey)
	fmt.Fprintf(tw, "STATE\t%s\n", pi.State)
	fmt.Fprintf(tw, "INCIDENT\t%s\n", yesNo(pi.HasIncident))
	fmt.Fprintf(tw, "STARTED\t%s\n", fmtTime(pi.StartDate))
	fmt.Fprintf(tw, "ENDED\t%s\n", fmtTime(pi.EndDate))
	if pi.ParentProcessInstanceKey != 0 {
		fmt.Fprintf(tw, "PARENT\t%d\n", pi.ParentProcessInstanceKey)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "ELEMENT\tTYPE\tSTATE\tKEY\tSTARTED\tENDED\tINCIDENT")
	for _, e := range v.Elements {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", e.ElementID, e.Type, e.State, e.ElementInstanceKey, fmtTime(e.StartDate), fmtTime(e.EndDate), fmtKey(e.IncidentKey))
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "VARIABLE\tVALUE\tSCOPE")
	for _, vr := range v.Variables {
		fmt.Fprintf(tw, "%s\t%s\t%d\n", vr.Name, truncate(string(vr.Value)), vr.ScopeKey)
	}
	if len(v.Incidents) > 0 {
		fmt.Fprintln(tw)
		fmt.Fprintln(tw, "INCIDENT\tTYPE\tSTATE\tELEMENT\tMESSAGE")
		for _, in := range v.Incidents {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", in.IncidentKey, in.ErrorType, in.State, in.ElementID, oneLine(in.ErrorMessage))
		}
	}
}
