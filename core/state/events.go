package state

import (
	"fmt"
	"sort"

	"github.com/example/wf-engine/core/record"
)

// Timer is a scheduled timer of an event.
type Timer struct {
	Key   int64
	Value record.TimerValue
}

// MessageSubscription is an element instance waiting for a message.
type MessageSubscription struct {
	Key   int64
	Value record.MessageSubscriptionValue
}

// Message is a published message kept until its time to live ends.
type Message struct {
	Key   int64
	Value record.MessageValue
	// Correlated lists the BPMN process ids the message reached, sorted:
	// a message reaches each process at most once.
	Correlated []string
}

// StartSubscription is a process definition that a message starts.
type StartSubscription struct {
	Key   int64
	Value record.MessageStartSubscriptionValue
}

// events holds the timers, messages and subscriptions of a partition.
type events struct {
	timers        map[int64]*Timer
	timerDue      *timerHeap
	timersByOwner map[int64]map[int64]struct{} // element instance key, or -definition key for start timers

	subs       map[int64]*MessageSubscription
	subsByElem map[int64]map[int64]struct{}
	subsByName map[string]map[int64]struct{} // msgKey: tenant, name, correlation key

	messages   map[int64]*Message
	msgExpiry  *timerHeap
	msgsByName map[string][]int64 // msgKey -> keys in publication order
	messageIDs map[string]int64   // msgKey \x00 message id

	starts       map[int64]*StartSubscription
	startsByName map[string]map[int64]struct{} // inTenant(tenant, message name)
	startsByDef  map[int64]map[int64]struct{}

	// byCorrelation maps a tenant, BPMN process id and correlation key
	// (startedKey) to the active instance a message started, for "one
	// active instance per key".
	byCorrelation map[string]int64
}

func newEvents() events {
	return events{
		timers: map[int64]*Timer{}, timerDue: newTimerHeap(), timersByOwner: map[int64]map[int64]struct{}{},
		subs: map[int64]*MessageSubscription{}, subsByElem: map[int64]map[int64]struct{}{}, subsByName: map[string]map[int64]struct{}{},
		messages: map[int64]*Message{}, msgExpiry: newTimerHeap(), msgsByName: map[string][]int64{}, messageIDs: map[string]int64{},
		starts: map[int64]*StartSubscription{}, startsByName: map[string]map[int64]struct{}{}, startsByDef: map[int64]map[int64]struct{}{},
		byCorrelation: map[string]int64{},
	}
}

func addTo(m map[int64]map[int64]struct{}, owner, key int64) {
	set := m[owner]
	if set == nil {
		set = map[int64]struct{}{}
		m[owner] = set
	}
	set[key] = struct{}{}
}

func removeFrom[K comparable](m map[K]map[int64]struct{}, owner K, key int64) {
	if set := m[owner]; set != nil {
		delete(set, key)
		if len(set) == 0 {
			delete(m, owner)
		}
	}
}

func addToName(m map[string]map[int64]struct{}, name string, key int64) {
	set := m[name]
	if set == nil {
		set = map[int64]struct{}{}
		m[name] = set
	}
	set[key] = struct{}{}
}

func timerOwner(v *record.TimerValue) int64 {
	if v.ElementInstanceKey > 0 {
		return v.ElementInstanceKey
	}
	return -v.ProcessDefinitionKey
}

// Timer returns the timer with the given key.
func (s *State) Timer(key int64) *Timer { return s.ev.timers[key] }

// TimersOf returns the timers owned by an element instance, in key order.
func (s *State) TimersOf(elementInstanceKey int64) []*Timer {
	return pickAll(s.ev.timers, s.ev.timersByOwner[elementInstanceKey])
}

// StartTimersOf returns the start event timers of a process definition.
func (s *State) StartTimersOf(definitionKey int64) []*Timer {
	return pickAll(s.ev.timers, s.ev.timersByOwner[-definitionKey])
}

// NextTimer returns the earliest due date of a timer (Unix ms).
func (s *State) NextTimer() (int64, bool) { return s.ev.timerDue.peek() }

// DueTimers returns the keys of timers due at or before now.
func (s *State) DueTimers(now int64, limit int) []int64 { return s.ev.timerDue.due(now, limit) }

// MessageSubscription returns the subscription with the given key.
func (s *State) MessageSubscription(key int64) *MessageSubscription { return s.ev.subs[key] }

// SubscriptionsOf returns the message subscriptions of an element instance, in key order.
func (s *State) SubscriptionsOf(elementInstanceKey int64) []*MessageSubscription {
	return pickAll(s.ev.subs, s.ev.subsByElem[elementInstanceKey])
}

// SubscriptionsFor returns the open subscriptions of a tenant for a message
// name and correlation key, in key order.
func (s *State) SubscriptionsFor(tenantID, name, correlationKey string) []*MessageSubscription {
	return pickAll(s.ev.subs, s.ev.subsByName[msgKey(tenantID, name, correlationKey)])
}

// Subscriptions returns every open message subscription, in key order.
func (s *State) Subscriptions() []*MessageSubscription {
	out := make([]*MessageSubscription, 0, len(s.ev.subs))
	for _, k := range sortedKeys(s.ev.subs) {
		out = append(out, s.ev.subs[k])
	}
	return out
}

// Message returns the buffered message with the given key.
func (s *State) Message(key int64) *Message { return s.ev.messages[key] }

// BufferedMessages returns the buffered messages of a tenant for a name and
// correlation key, oldest first.
func (s *State) BufferedMessages(tenantID, name, correlationKey string) []*Message {
	keys := s.ev.msgsByName[msgKey(tenantID, name, correlationKey)]
	out := make([]*Message, 0, len(keys))
	for _, k := range keys {
		out = append(out, s.ev.messages[k])
	}
	return out
}

// MessageByID returns the buffered message of a tenant with this name,
// correlation key and id.
func (s *State) MessageByID(tenantID, name, correlationKey, id string) *Message {
	k, ok := s.ev.messageIDs[msgKey(tenantID, name, correlationKey)+"\x00"+id]
	if !ok {
		return nil
	}
	return s.ev.messages[k]
}

// NextMessageExpiry returns the earliest deadline of a buffered message.
func (s *State) NextMessageExpiry() (int64, bool) { return s.ev.msgExpiry.peek() }

// ExpiredMessages returns the keys of buffered messages whose deadline passed.
func (s *State) ExpiredMessages(now int64, limit int) []int64 { return s.ev.msgExpiry.due(now, limit) }

// StartSubscriptionsFor returns the message start subscriptions of a tenant
// for a name.
func (s *State) StartSubscriptionsFor(tenantID, name string) []*StartSubscription {
	return pickAll(s.ev.starts, s.ev.startsByName[inTenant(tenantID, name)])
}

// StartSubscriptionsOf returns the message start subscriptions of a definition.
func (s *State) StartSubscriptionsOf(definitionKey int64) []*StartSubscription {
	return pickAll(s.ev.starts, s.ev.startsByDef[definitionKey])
}

// ActiveByCorrelation returns the active instance of a tenant's process that
// a message with this correlation key started, or 0.
func (s *State) ActiveByCorrelation(tenantID, bpmnProcessID, correlationKey string) int64 {
	return s.ev.byCorrelation[startedKey(tenantID, bpmnProcessID, correlationKey)]
}

func pickAll[V any](m map[int64]*V, keys map[int64]struct{}) []*V {
	if len(keys) == 0 {
		return nil
	}
	out := make([]*V, 0, len(keys))
	for _, k := range sortedKeys(keys) {
		out = append(out, m[k])
	}
	return out
}

// --- appliers ---

func applyTimerCreated(s *State, r *record.Record) error {
	v := r.Value.(*record.TimerValue)
	t := &Timer{Key: r.Key, Value: *v}
	s.ev.timers[r.Key] = t
	s.ev.timerDue.set(r.Key, v.DueDate)
	addTo(s.ev.timersByOwner, timerOwner(v), r.Key)
	s.markTimer(t, true)
	return nil
}

func applyTimerEnded(s *State, r *record.Record) error {
	t := s.ev.timers[r.Key]
	if t == nil {
		return fmt.Errorf("timer %d does not exist", r.Key)
	}
	delete(s.ev.timers, r.Key)
	s.ev.timerDue.remove(r.Key)
	removeFrom(s.ev.timersByOwner, timerOwner(&t.Value), r.Key)
	s.markTimer(t, false)
	return nil
}

func applySubscriptionCreated(s *State, r *record.Record) error {
	v := r.Value.(*record.MessageSubscriptionValue)
	sub := &MessageSubscription{Key: r.Key, Value: *v}
	s.ev.subs[r.Key] = sub
	addTo(s.ev.subsByElem, v.ElementInstanceKey, r.Key)
	addToName(s.ev.subsByName, msgKey(v.TenantID, v.MessageName, v.CorrelationKey), r.Key)
	s.markSubscription(sub, true)
	return nil
}

func applySubscriptionEnded(s *State, r *record.Record) error {
	sub := s.ev.subs[r.Key]
	if sub == nil {
		return fmt.Errorf("message subscription %d does not exist", r.Key)
	}
	delete(s.ev.subs, r.Key)
	removeFrom(s.ev.subsByElem, sub.Value.ElementInstanceKey, r.Key)
	removeFrom(s.ev.subsByName, msgKey(sub.Value.TenantID, sub.Value.MessageName, sub.Value.CorrelationKey), r.Key)
	v := r.Value.(*record.MessageSubscriptionValue)
	if r.Intent == record.IntentMessageSubscriptionCorrelated && v.MessageKey > 0 {
		// The ended row keeps the message that reached it, so that searches
		// tell a correlated subscription from a deleted one.
		sub.Value.MessageKey = v.MessageKey
	}
	s.markSubscription(sub, false)
	if v.MessageKey > 0 {
		return s.noteCorrelation(v.MessageKey, v.BPMNProcessID)
	}
	return nil
}

// noteCorrelation records that a buffered message reached a process.
func (s *State) noteCorrelation(messageKey int64, bpmnProcessID string) error {
	m := s.ev.messages[messageKey]
	if m == nil {
		return nil // not buffered: nothing to remember
	}
	i := sort.SearchStrings(m.Correlated, bpmnProcessID)
	if i < len(m.Correlated) && m.Correlated[i] == bpmnProcessID {
		return nil
	}
	m.Correlated = append(m.Correlated, "")
	copy(m.Correlated[i+1:], m.Correlated[i:])
	m.Correlated[i] = bpmnProcessID
	s.markMessage(m, true)
	return nil
}

// HasCorrelated reports whether a buffered message already reached a process.
func (m *Message) HasCorrelated(bpmnProcessID string) bool {
	i := sort.SearchStrings(m.Correlated, bpmnProcessID)
	return i < len(m.Correlated) && m.Correlated[i] == bpmnProcessID
}

func applyMessagePublished(s *State, r *record.Record) error {
	v := r.Value.(*record.MessageValue)
	if v.TimeToLive <= 0 {
		return nil // not buffered
	}
	m := &Message{Key: r.Key, Value: *v}
	s.ev.messages[r.Key] = m
	s.ev.msgExpiry.set(r.Key, v.Deadline)
	nk := msgKey(v.TenantID, v.Name, v.CorrelationKey)
	s.ev.msgsByName[nk] = append(s.ev.msgsByName[nk], r.Key)
	if v.MessageID != "" {
		s.ev.messageIDs[nk+"\x00"+v.MessageID] = r.Key
	}
	s.markMessage(m, true)
	return nil
}

func applyMessageExpired(s *State, r *record.Record) error {
	m := s.ev.messages[r.Key]
	if m == nil {
		return fmt.Errorf("message %d is not buffered", r.Key)
	}
	delete(s.ev.messages, r.Key)
	s.ev.msgExpiry.remove(r.Key)
	nk := msgKey(m.Value.TenantID, m.Value.Name, m.Value.CorrelationKey)
	keys := s.ev.msgsByName[nk]
	for i, k := range keys {
		if k == r.Key {
			keys = append(keys[:i:i], keys[i+1:]...)
			break
		}
	}
	if len(keys) == 0 {
		delete(s.ev.msgsByName, nk)
	} else {
		s.ev.msgsByName[nk] = keys
	}
	if m.Value.MessageID != "" {
		delete(s.ev.messageIDs, nk+"\x00"+m.Value.MessageID)
	}
	s.markMessage(m, false)
	return nil
}

func applyStartSubscriptionCreated(s *State, r *record.Record) error {
	v := r.Value.(*record.MessageStartSubscriptionValue)
	sub := &StartSubscription{Key: r.Key, Value: *v}
	s.ev.starts[r.Key] = sub
	addToName(s.ev.startsByName, inTenant(v.TenantID, v.MessageName), r.Key)
	addTo(s.ev.startsByDef, v.ProcessDefinitionKey, r.Key)
	s.markStart(sub, true)
	return nil
}

func applyStartSubscriptionDeleted(s *State, r *record.Record) error {
	sub := s.ev.starts[r.Key]
	if sub == nil {
		return fmt.Errorf("message start subscription %d does not exist", r.Key)
	}
	delete(s.ev.starts, r.Key)
	removeFrom(s.ev.startsByName, inTenant(sub.Value.TenantID, sub.Value.MessageName), r.Key)
	removeFrom(s.ev.startsByDef, sub.Value.ProcessDefinitionKey, r.Key)
	s.markStart(sub, false)
	return nil
}

func applyStartSubscriptionCorrelated(s *State, r *record.Record) error {
	v := r.Value.(*record.MessageStartSubscriptionValue)
	if v.CorrelationKey != "" && v.ProcessInstanceKey > 0 {
		s.ev.byCorrelation[startedKey(v.TenantID, v.BPMNProcessID, v.CorrelationKey)] = v.ProcessInstanceKey
		if e := s.elements[v.ProcessInstanceKey]; e != nil {
			e.StartedByKey = v.CorrelationKey
			s.markElement(e)
		}
	}
	return s.noteCorrelation(v.MessageKey, v.BPMNProcessID)
}

// instanceEnded forgets the correlation key of a message-started instance.
func (s *State) instanceEnded(e *ElementInstance) {
	if e.StartedByKey != "" {
		k := startedKey(e.Value.TenantID, e.Value.BPMNProcessID, e.StartedByKey)
		if s.ev.byCorrelation[k] == e.Key {
			delete(s.ev.byCorrelation, k)
		}
	}
}
