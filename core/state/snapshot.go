package state

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"

	"github.com/example/wf-engine/core/record"
)

// dump is the canonical form of a state: every table in key order.
type dump struct {
	LastKey       int64                         `json:"lastKey"`
	LastPosition  int64                         `json:"lastPosition"`
	Processes     []any                         `json:"processes"`
	Elements      []ElementRow                  `json:"elements"`
	Variables     []VariableRow                 `json:"variables"`
	Jobs          []Job                         `json:"jobs"`
	Incidents     []Incident                    `json:"incidents"`
	Activatable   map[string]map[string][]int64 `json:"activatable"` // job type -> tenant -> keys
	Deadlines     map[int64]int64               `json:"deadlines"`
	Backoffs      map[int64]int64               `json:"backoffs"`
	Latest        map[string]int64              `json:"latest"`
	Scopes        map[int64]map[string]int64    `json:"scopes"`
	Timers        []Timer                       `json:"timers"`
	TimerDue      map[int64]int64               `json:"timerDue"`
	Subs          []MessageSubscription         `json:"subscriptions"`
	Messages      []Message                     `json:"messages"`
	MsgExpiry     map[int64]int64               `json:"messageExpiry"`
	MsgsByName    map[string][]int64            `json:"messagesByName"`
	MessageIDs    map[string]int64              `json:"messageIds"`
	Starts        []StartSubscription           `json:"startSubscriptions"`
	Signals       []SignalSubscription          `json:"signalSubscriptions,omitempty"`
	Compensations []CompensationSubscription    `json:"compensationSubscriptions,omitempty"`
	Correlation   map[string]int64              `json:"byCorrelation"`
	Called        map[int64]int64               `json:"called"`
	UserTasks     []UserTask                    `json:"userTasks"`
	Tenants       []Tenant                      `json:"tenants"`
	Members       []TenantMember                `json:"tenantMembers"`
	Forms         []record.FormValue            `json:"forms,omitempty"`
	// Versions and FormVersions are the highest versions of processes and
	// forms whose newest versions were deleted.
	Versions     map[string]int32 `json:"versions,omitempty"`
	FormVersions map[string]int32 `json:"formVersions,omitempty"`
	// Inbox and Remote exist only with several partitions (partitions.go).
	Inbox  []InboxRow           `json:"inbox,omitempty"`
	Remote []RemoteSubscription `json:"remoteSubscriptions,omitempty"`
}

// Dump returns the state in a canonical JSON form: two states are equal
// exactly when their dumps are byte-identical.
func (s *State) Dump() []byte {
	d := dump{
		LastKey: s.lastKey, LastPosition: s.lastPosition,
		Activatable: map[string]map[string][]int64{}, Deadlines: s.deadlines.at, Backoffs: s.backoffs.at,
		Latest: map[string]int64{}, Scopes: map[int64]map[string]int64{},
	}
	for _, k := range sortedKeys(s.processes) {
		p := s.processes[k].ProcessValue
		p.Resource = nil // the checksum stands for it
		d.Processes = append(d.Processes, p)
	}
	for _, k := range sortedKeys(s.elements) {
		row := s.elements[k].row()
		// Rows stored before the start position was kept hold 0 where a
		// replay finds the position: the dump leaves it out, so that such a
		// store still passes the replay check.
		row.StartPosition = 0
		d.Elements = append(d.Elements, row)
	}
	for scope, vars := range s.vars {
		names := map[string]int64{}
		for name, v := range vars {
			d.Variables = append(d.Variables, VariableRow{Key: v.Key, ScopeKey: scope, Name: name, Value: v.Value})
			names[name] = v.Key
		}
		d.Scopes[scope] = names
	}
	sortVariableRows(d.Variables)
	for _, k := range sortedKeys(s.jobs) {
		d.Jobs = append(d.Jobs, *s.jobs[k])
	}
	for _, k := range sortedKeys(s.incidents) {
		d.Incidents = append(d.Incidents, *s.incidents[k])
	}
	for t, byTenant := range s.activatable {
		d.Activatable[t] = map[string][]int64{}
		for tenant, q := range byTenant {
			d.Activatable[t][tenant] = q.first(q.len())
		}
	}
	for _, k := range sortedKeys(s.ev.timers) {
		d.Timers = append(d.Timers, *s.ev.timers[k])
	}
	for _, k := range sortedKeys(s.ev.subs) {
		d.Subs = append(d.Subs, *s.ev.subs[k])
	}
	for _, k := range sortedKeys(s.ev.messages) {
		d.Messages = append(d.Messages, *s.ev.messages[k])
	}
	for _, k := range sortedKeys(s.userTasks) {
		d.UserTasks = append(d.UserTasks, *s.userTasks[k])
	}
	for _, t := range s.Tenants() {
		if t.Key != 0 { // the default tenant is built in
			d.Tenants = append(d.Tenants, *t)
		}
	}
	for _, k := range sortedKeys(s.tn.members) {
		d.Members = append(d.Members, *s.tn.members[k])
	}
	for _, k := range sortedKeys(s.fm.byKey) {
		d.Forms = append(d.Forms, *s.fm.byKey[k])
	}
	for _, k := range sortedKeys(s.ev.starts) {
		d.Starts = append(d.Starts, *s.ev.starts[k])
	}
	for _, k := range sortedKeys(s.sig.subs) {
		d.Signals = append(d.Signals, *s.sig.subs[k])
	}
	for _, k := range sortedKeys(s.cmp.subs) {
		d.Compensations = append(d.Compensations, *s.cmp.subs[k])
	}
	d.TimerDue, d.MsgExpiry, d.MsgsByName = s.ev.timerDue.at, s.ev.msgExpiry.at, s.ev.msgsByName
	d.MessageIDs, d.Correlation, d.Called = s.ev.messageIDs, s.ev.byCorrelation, s.called
	for id, p := range s.latest {
		d.Latest[id] = p.ProcessDefinitionKey
	}
	d.Versions, d.FormVersions = s.versionsAboveLatest()
	if len(s.cr.inbox) > 0 {
		d.Inbox = s.Inboxes()
	}
	for _, sub := range s.RemoteSubscriptions() {
		d.Remote = append(d.Remote, *sub)
	}
	b, err := json.Marshal(d)
	if err != nil {
		// Every value in the state came from a decoded or encodable record.
		panic("state: encode dump: " + err.Error())
	}
	return b
}

// Hash returns a digest of Dump.
func (s *State) Hash() string {
	sum := sha256.Sum256(s.Dump())
	return hex.EncodeToString(sum[:])
}

// Summary returns the element ids of the active element instances of a
// process instance with their states, sorted, for tests and the inspector.
func (s *State) Summary(processInstanceKey int64) []string {
	var out []string
	for _, e := range s.elements {
		if e.Value.ProcessInstanceKey == processInstanceKey {
			out = append(out, e.Value.ElementID+":"+e.State.String())
		}
	}
	sort.Strings(out)
	return out
}
