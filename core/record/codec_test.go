package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

func TestCodecRoundTripsEveryValueType(t *testing.T) {
	values := []Value{
		&DeploymentValue{Resources: []Resource{{Name: "a.bpmn", Content: []byte("<x/>")}}, TenantID: DefaultTenant},
		&ProcessValue{BPMNProcessID: "p", Version: 2, Resource: []byte("<x/>")},
		&ProcessInstanceValue{BPMNProcessID: "p", ElementID: "start", BPMNElementType: "START_EVENT", FlowScopeKey: 7},
		&ProcessInstanceCreationValue{BPMNProcessID: "p", Variables: map[string]any{"b": 1.5, "a": []any{"x", true}}},
		&JobValue{Type: "pay", Retries: 3, CustomHeaders: map[string]string{"k": "v"}},
		&JobBatchValue{Type: "pay", JobKeys: []int64{1, 2}},
		&VariableValue{Name: "x", Value: map[string]any{"n": nil}},
		&IncidentValue{ErrorType: ErrorCondition, ErrorMessage: "no flow"},
		&VariableDocumentValue{ScopeKey: 3, Local: true, Variables: map[string]any{"x": 1.0}},
		&TimerValue{ElementID: "t", DueDate: 5, Repetitions: -1, Cycle: "R/PT1S"},
		&MessageValue{Name: "m", CorrelationKey: "k", TimeToLive: 1000, Variables: map[string]any{"a": "b"}},
		&MessageSubscriptionValue{MessageName: "m", CorrelationKey: "k", Interrupting: true},
		&MessageStartSubscriptionValue{MessageName: "m", StartEventID: "s"},
		&SignalValue{SignalName: "go", Variables: map[string]any{"a": "b"}, TenantID: "acme"},
		&SignalSubscriptionValue{SignalName: "go", CatchEventID: "c", CatchEventInstanceKey: -1, ProcessInstanceKey: -1, Interrupting: true},
		&EscalationValue{ProcessInstanceKey: 4, EscalationCode: "late", ThrowElementID: "t", CatchElementID: "c", TenantID: "acme"},
		&CompensationSubscriptionValue{TenantID: "acme", ProcessInstanceKey: 4, ProcessDefinitionKey: 2, CompensableActivityID: "book",
			CompensableActivityScopeKey: 4, CompensableActivityInstanceKey: 6, ThrowEventID: "undo", ThrowEventInstanceKey: 8,
			CompensationHandlerID: "cancel", CompensationHandlerInstanceKey: 9},
		&IdempotencyKeyValue{KeyHash: "ab12", Fingerprint: "cd34", CommandPosition: 7, RejectionType: RejectionNotFound,
			RejectionReason: "no job", Response: json.RawMessage(`{"ProcessInstanceKey":5}`)},
		&UserTaskValue{ElementID: "review", Assignee: "ann", CandidateGroups: []string{"ops"}, Priority: 50},
		&TenantValue{TenantKey: 7, TenantID: "acme", Name: "Acme", EntityType: TenantEntityUser, EntityID: "ann"},
		&AdHocSubProcessInstructionValue{AdHocSubProcessInstanceKey: 6, ActivateElements: []AdHocActivateElement{{ElementID: "a",
			Variables: map[string]any{"x": 1.0}}}, ProcessInstanceKey: 4, BPMNProcessID: "p", ProcessDefinitionKey: 2, TenantID: "acme"},
		&ProcessInstanceModificationValue{ProcessInstanceKey: 9, ActivateInstructions: []ActivateInstruction{{ElementID: "b", AncestorScopeKey: 4,
			VariableInstructions: []VariableInstruction{{Variables: map[string]any{"x": 1.0}, ScopeID: "sub"}}}},
			TerminateInstructions: []TerminateInstruction{{ElementInstanceKey: 5}}},
	}
	for _, v := range values {
		t.Run(v.ValueType().String(), func(t *testing.T) {
			r := &Record{Position: 9, Key: Key(1, 5), Kind: KindEvent, ValueType: v.ValueType(), Intent: IntentElementActivated, Version: 1, Value: v}
			b, err := Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Unmarshal(b)
			if err != nil {
				t.Fatal(err)
			}
			b2, err := Marshal(back)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, b2) {
				t.Fatalf("round trip changed the record:\n%s\n%s", b, b2)
			}
			if Partition(back.Key) != 1 {
				t.Fatalf("partition of key %d = %d", back.Key, Partition(back.Key))
			}
		})
	}
}

func TestUnmarshalRejectsUnknownValueTypeAndBadJSON(t *testing.T) {
	if _, err := Unmarshal([]byte(`{"valueType":999}`)); err == nil {
		t.Fatal("unknown value type accepted")
	}
	if _, err := Unmarshal([]byte(`{`)); err == nil {
		t.Fatal("bad json accepted")
	}
	if _, err := Unmarshal([]byte(`{"valueType":5,"value":{"retries":"x"}}`)); err == nil {
		t.Fatal("bad value accepted")
	}
}

func TestNamesOfCodes(t *testing.T) {
	cases := map[string]string{
		KindEvent.String():                "EVENT",
		Kind(9).String():                  "KIND(9)",
		TypeJob.String():                  "JOB",
		ValueType(99).String():            "VALUE_TYPE(99)",
		IntentElementActivating.String():  "ELEMENT_ACTIVATING",
		Intent(9999).String():             "INTENT(9999)",
		RejectionNotFound.String():        "NOT_FOUND",
		RejectionType(77).String():        "REJECTION(77)",
		RejectionInvalidState.String():    "INVALID_STATE",
		RejectionAlreadyExists.String():   "ALREADY_EXISTS",
		RejectionInvalidArgument.String(): "INVALID_ARGUMENT",
		RejectionProcessingError.String(): "PROCESSING_ERROR",
		KindCommand.String():              "COMMAND",
		KindRejection.String():            "REJECTION",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// AppendValueJSON must write exactly what json.Marshal writes. Every field
// of the value is filled, so that a field added to ProcessInstanceValue and
// not to the appender fails here.
func TestAppendValueJSONWritesWhatMarshalWrites(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := &ProcessInstanceValue{}
		rv := reflect.ValueOf(v).Elem()
		for i := range rv.NumField() {
			f := rv.Field(i)
			name := rv.Type().Field(i).Name
			switch f.Kind() {
			case reflect.String:
				f.SetString(rapid.OneOf(rapid.StringMatching(`[a-zA-Z0-9_-]*`), rapid.StringMatching(`[a-z<>&"\\\\/' ]*`), rapid.String()).Draw(t, name))
			case reflect.Int32:
				f.SetInt(int64(rapid.Int32().Draw(t, name)))
			case reflect.Int64:
				f.SetInt(rapid.Int64().Draw(t, name))
			default:
				t.Fatalf("field %s of kind %s: teach this test and AppendValueJSON about it", name, f.Kind())
			}
		}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := AppendValueJSON([]byte("prefix"), v)
		if err != nil || string(got) != "prefix"+string(want) {
			t.Fatalf("got  %s (%v)\nwant prefix%s", got, err, want)
		}
	})
	other := &JobValue{Type: "t", Retries: 3}
	want, _ := json.Marshal(other)
	if got, err := AppendValueJSON(nil, other); err != nil || string(got) != string(want) {
		t.Fatalf("job value: %s %v", got, err)
	}
}

// Job and variable values too: every field is filled, maps and variable
// values of every JSON kind (nil and empty maps as well).
func TestAppendValueJSONWritesWhatMarshalWritesForJobsAndVariables(t *testing.T) {
	text := func(t *rapid.T, name string) string {
		return rapid.OneOf(rapid.StringMatching(`[a-zA-Z0-9_-]*`), rapid.StringMatching(`[a-z<>&"\\/' ]*`), rapid.String()).Draw(t, name)
	}
	anyValue := rapid.OneOf(
		rapid.Just[any](nil), rapid.Map(rapid.String(), func(s string) any { return s }),
		rapid.Map(rapid.Bool(), func(b bool) any { return b }),
		rapid.Map(rapid.Float64(), func(f float64) any { return f }),
		rapid.Map(rapid.Int64(), func(i int64) any { return float64(i) }),
		rapid.Map(rapid.SliceOfN(rapid.String(), 0, 3), func(l []string) any { return l }),
		rapid.Map(rapid.MapOfN(rapid.String(), rapid.Float64(), 0, 3), func(m map[string]float64) any { return m }),
	)
	fill := func(t *rapid.T, v any) {
		rv := reflect.ValueOf(v).Elem()
		for i := range rv.NumField() {
			f := rv.Field(i)
			name := rv.Type().Field(i).Name
			switch f.Kind() {
			case reflect.String:
				f.SetString(text(t, name))
			case reflect.Int32:
				f.SetInt(int64(rapid.OneOf(rapid.Just[int32](0), rapid.Int32()).Draw(t, name)))
			case reflect.Int64:
				f.SetInt(rapid.OneOf(rapid.Just[int64](0), rapid.Int64()).Draw(t, name))
			case reflect.Map:
				switch rapid.IntRange(0, 2).Draw(t, name+" kind") {
				case 0: // nil
				case 1:
					f.Set(reflect.MakeMap(f.Type()))
				default:
					m := reflect.MakeMap(f.Type())
					for k := range rapid.IntRange(1, 4).Draw(t, name+" size") {
						key := reflect.ValueOf(text(t, fmt.Sprintf("%s key %d", name, k)))
						var val reflect.Value
						if f.Type().Elem().Kind() == reflect.String {
							val = reflect.ValueOf(text(t, fmt.Sprintf("%s value %d", name, k)))
						} else if x := anyValue.Draw(t, fmt.Sprintf("%s value %d", name, k)); x != nil {
							val = reflect.ValueOf(x)
						} else {
							val = reflect.Zero(f.Type().Elem())
						}
						m.SetMapIndex(key, val)
					}
					f.Set(m)
				}
			case reflect.Interface:
				if x := anyValue.Draw(t, name); x != nil {
					f.Set(reflect.ValueOf(x))
				}
			default:
				t.Fatalf("field %s of kind %s: teach this test and AppendValueJSON about it", name, f.Kind())
			}
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		for _, v := range []Value{&JobValue{}, &VariableValue{}} {
			fill(t, v)
			want, wantErr := json.Marshal(v)
			got, err := AppendValueJSON([]byte("prefix"), v)
			if (err != nil) != (wantErr != nil) || err == nil && string(got) != "prefix"+string(want) {
				t.Fatalf("%T\ngot  %s (%v)\nwant prefix%s (%v)", v, got, err, want, wantErr)
			}
		}
	})
}

func TestCodecKeepsThePrincipalOfCommandsFromOutside(t *testing.T) {
	p := &Principal{Subject: "ann", ClientID: "cli", Roles: []string{"operator"}, Tenants: []string{"t1", DefaultTenant}}
	cmd := &Record{Position: 3, Key: -1, Kind: KindCommand, ValueType: TypeProcessInstanceCreation,
		Intent: IntentProcessInstanceCreate, Version: 1, Timestamp: 7, Value: &ProcessInstanceCreationValue{BPMNProcessID: "p"}, Principal: p}
	b, err := Marshal(cmd)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Principal, p) {
		t.Fatalf("principal after a round trip: %+v, want %+v", back.Principal, p)
	}
	// Records without one (events, the engine's own commands) are written
	// exactly as before the principal existed.
	cmd.Principal = nil
	b, err = Marshal(cmd)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("principal")) {
		t.Fatalf("a record without a principal names one: %s", b)
	}
	if back, err := Unmarshal(b); err != nil || back.Principal != nil {
		t.Fatalf("no principal decoded as %+v (%v)", back.Principal, err)
	}
}
