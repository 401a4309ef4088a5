package model

import (
	"slices"
	"testing"
)

func TestParseServiceTaskExtensions(t *testing.T) {
	defs := parseValid(t, "service-task.bpmn")
	if defs.ID != "Definitions_Servicet1" {
		t.Errorf("definitions id = %q", defs.ID)
	}
	p := defs.Process("order")
	if p == nil {
		t.Fatal("no process order")
	}
	if p.Name != "Order" || !p.Executable || p.VersionTag != "v1.2" || p.Line != 3 {
		t.Errorf("process = %q executable=%v versionTag=%q line=%d", p.Name, p.Executable, p.VersionTag, p.Line)
	}
	root := p.Root
	if root.Kind != KindProcess || root.Type != "process" || root.ID != "order" || root.Parent != nil || !root.IsContainer() {
		t.Errorf("root = %+v", root)
	}
	if want := []Property{{"owner", "billing"}}; !slices.Equal(root.Properties, want) {
		t.Errorf("root properties = %v, want %v", root.Properties, want)
	}
	wantChildren := []string{"start", "charge", "ship", "sum", "callDefault", "callPinned", "rules", "notify", "each", "undo", "end"}
	if got := elementIDs(root.Children); !slices.Equal(got, wantChildren) {
		t.Errorf("children = %v, want %v", got, wantChildren)
	}
	if len(p.Elements) != len(wantChildren) {
		t.Errorf("%d elements, want %d", len(p.Elements), len(wantChildren))
	}
	for _, id := range wantChildren {
		if el := mustElement(t, p, id); el.Parent != root {
			t.Errorf("%s: parent = %v, want the root", id, el.Parent)
		}
	}

	start := mustElement(t, p, "start")
	if start.Kind != KindStartEvent || start.Name != "Order received" || len(start.Outputs) != 1 || start.Outputs[0].Target != "order.id" {
		t.Errorf("start = %+v", start)
	} else {
		checkExpr(t, "start output", start.Outputs[0].Source, "=orderId")
	}

	charge := mustElement(t, p, "charge")
	if charge.Kind != KindServiceTask || charge.Type != "serviceTask" || charge.Line != lineOf(t, readFixture(t, "service-task.bpmn"), `id="charge"`) {
		t.Errorf("charge kind=%q type=%q line=%d", charge.Kind, charge.Type, charge.Line)
	}
	if charge.Task == nil {
		t.Fatal("charge: no task definition")
	}
	checkExpr(t, "charge type", charge.Task.Type, "payment-service")
	checkExpr(t, "charge retries", charge.Task.Retries, "5")
	if want := []Header{{"method", "VISA"}, {"currency", "EUR"}}; !slices.Equal(charge.Headers, want) {
		t.Errorf("charge headers = %v, want %v", charge.Headers, want)
	}
	if want := []Property{{"team", "payments"}}; !slices.Equal(charge.Properties, want) {
		t.Errorf("charge properties = %v, want %v", charge.Properties, want)
	}
	inputs := []struct{ target, source string }{{"iban", "=customer.iban"}, {"reset", ""}, {"alsoReset", ""}, {"note", "literal text"}}
	if len(charge.Inputs) != len(inputs) {
		t.Fatalf("charge inputs = %+v", charge.Inputs)
	}
	for i, w := range inputs {
		in := charge.Inputs[i]
		if in.Target != w.target {
			t.Errorf("input %d target = %q, want %q", i, in.Target, w.target)
		}
		if w.source == "" {
			checkNil(t, "input "+w.target, in.Source)
		} else {
			checkExpr(t, "input "+w.target, in.Source, w.source)
		}
	}
	if len(charge.Outputs) != 1 || charge.Outputs[0].Target != "paymentStatus" {
		t.Errorf("charge outputs = %+v", charge.Outputs)
	}
	if len(charge.Unsupported) != 0 {
		t.Errorf("charge unsupported = %v", charge.Unsupported)
	}

	ship := mustElement(t, p, "ship")
	checkExpr(t, "ship type", ship.Task.Type, `="ship-" + region`)
	checkExpr(t, "ship retries default", ship.Task.Retries, "3")

	sum := mustElement(t, p, "sum")
	if sum.Kind != KindScriptTask || sum.Script == nil || sum.Script.ResultVariable != "total" || sum.Task != nil {
		t.Errorf("sum = %+v", sum)
	} else {
		checkExpr(t, "script", sum.Script.Expression, "=a + b")
	}

	callDefault := mustElement(t, p, "callDefault")
	if ce := callDefault.CalledElement; callDefault.Kind != KindCallActivity || ce == nil {
		t.Errorf("callDefault = %+v", callDefault)
	} else {
		checkExpr(t, "callDefault processId", ce.ProcessID, "child-process")
		if !ce.PropagateAllChildVariables || !ce.PropagateAllParentVariables || ce.BindingType != "latest" || ce.VersionTag != "" {
			t.Errorf("callDefault called element = %+v, want both propagations true and binding latest", ce)
		}
	}
	callPinned := mustElement(t, p, "callPinned")
	if ce := callPinned.CalledElement; ce == nil {
		t.Error("callPinned: no called element")
	} else {
		checkExpr(t, "callPinned processId", ce.ProcessID, "=childId")
		if ce.PropagateAllChildVariables || ce.PropagateAllParentVariables || ce.BindingType != "versionTag" || ce.VersionTag != "v7" {
			t.Errorf("callPinned called element = %+v", ce)
		}
	}
	if len(callPinned.Inputs) != 1 || len(callPinned.Outputs) != 1 {
		t.Errorf("callPinned mappings = %+v / %+v", callPinned.Inputs, callPinned.Outputs)
	}

	unsupported := map[string][]string{
		"rules": {"zeebe:calledDecision", "zeebe:executionListeners"},
		"each":  {"standardLoopCharacteristics"},
	}
	if undo := mustElement(t, p, "undo"); !undo.ForCompensation || len(undo.Unsupported) != 0 {
		t.Errorf("undo: ForCompensation = %v, unsupported = %v", undo.ForCompensation, undo.Unsupported)
	}
	for id, want := range unsupported {
		if got := mustElement(t, p, id).Unsupported; !slices.Equal(got, want) {
			t.Errorf("%s unsupported = %v, want %v", id, got, want)
		}
	}

	// A multi-instance activity is a body in its scope wrapping the activity.
	body := mustElement(t, p, "notify")
	notify := body.Wrapped()
	if body.Kind != KindMultiInstanceBody || notify == nil || notify.Parent != body || body.Loop == nil || len(notify.Unsupported) != 0 {
		t.Fatalf("notify body = %+v", body)
	}
	if l := body.Loop; l.Sequential || l.InputElement != "item" || l.OutputCollection != "" || l.OutputElement != nil || l.CompletionCondition != nil {
		t.Errorf("notify loop = %+v", l)
	}
	checkExpr(t, "notify inputCollection", body.Loop.InputCollection, "=items")
	if notify.Kind != KindSendTask || notify.Message == nil || notify.Message != defs.Messages["Message_done"] {
		t.Errorf("notify = %+v", notify)
	}
	checkExpr(t, "notify retries", notify.Task.Retries, "=retryCount")
	msg := defs.Messages["Message_done"]
	checkExpr(t, "message name", msg.Name, "order-done")
	checkExpr(t, "correlation key", msg.CorrelationKey, "=orderId")

	for id, want := range map[string]Kind{"rules": KindBusinessRuleTask, "each": KindTask, "end": KindEndEvent} {
		if got := mustElement(t, p, id).Kind; got != want {
			t.Errorf("%s kind = %q, want %q", id, got, want)
		}
	}

	wantFlows := []string{"toCharge", "toShip", "toSum", "toCallDefault", "toCallPinned", "toRules", "toNotify", "toEach", "toEnd"}
	if len(p.Flows) != len(wantFlows) {
		t.Errorf("%d flows, want %d", len(p.Flows), len(wantFlows))
	}
	chain := []string{"start", "charge", "ship", "sum", "callDefault", "callPinned", "rules", "notify", "each", "end"}
	for i, id := range wantFlows {
		f := p.Flows[id]
		if f == nil {
			t.Errorf("no flow %s", id)
			continue
		}
		if f.Source.ID != chain[i] || f.Target.ID != chain[i+1] || f.Condition != nil || f.IsDefault {
			t.Errorf("flow %s = %s -> %s", id, f.Source.ID, f.Target.ID)
		}
		if !slices.Contains(f.Source.Outgoing, f) || !slices.Contains(f.Target.Incoming, f) {
			t.Errorf("flow %s is not linked to its ends", id)
		}
	}
	if undo := mustElement(t, p, "undo"); len(undo.Incoming)+len(undo.Outgoing) != 0 {
		t.Errorf("undo has flows")
	}
}

func TestParseUserTasks(t *testing.T) {
	defs := parseValid(t, "user-tasks.bpmn")
	p := defs.Process("approval")
	if p == nil {
		t.Fatal("no process approval")
	}
	if body := p.Forms["userTaskForm_1"]; body != `{ "components": [ { "key": "approved", "type": "checkbox" } ] }` {
		t.Errorf("form body = %q", body)
	}

	approve := mustElement(t, p, "approve")
	ut := approve.UserTask
	if approve.Kind != KindUserTask || ut == nil || !ut.Native {
		t.Fatalf("approve = %+v", approve)
	}
	checkExpr(t, "assignee", ut.Assignee, "=initiator")
	checkExpr(t, "candidateGroups", ut.CandidateGroups, "sales, ops")
	checkExpr(t, "candidateUsers", ut.CandidateUsers, "=reviewers")
	checkExpr(t, "dueDate", ut.DueDate, `=now() + duration("P2D")`)
	checkExpr(t, "followUpDate", ut.FollowUpDate, "2025-03-01T09:00:00Z")
	checkExpr(t, "priority", ut.Priority, "75")
	if ut.FormID != "approve-form" || ut.FormBindingType != "versionTag" || ut.FormVersionTag != "v3" || ut.FormKey != "" || ut.ExternalReference != "" {
		t.Errorf("approve form = %+v", ut)
	}
	if want := []Header{{"kind", "approval"}}; !slices.Equal(approve.Headers, want) {
		t.Errorf("approve headers = %v", approve.Headers)
	}

	review := mustElement(t, p, "review").UserTask
	if review == nil || review.Native || review.FormKey != "camunda-forms:bpmn:userTaskForm_1" {
		t.Fatalf("review = %+v", review)
	}
	checkExpr(t, "review assignee", review.Assignee, "demo")
	checkNil(t, "review candidateGroups (empty)", review.CandidateGroups)
	checkNil(t, "review candidateUsers (absent)", review.CandidateUsers)
	checkNil(t, "review priority (absent)", review.Priority)

	plain := mustElement(t, p, "plain")
	if plain.UserTask == nil || !plain.UserTask.Native || plain.UserTask.ExternalReference != "https://forms.example.com/plain" {
		t.Errorf("plain = %+v", plain.UserTask)
	}
	if want := []string{"zeebe:taskListeners"}; !slices.Equal(plain.Unsupported, want) {
		t.Errorf("plain unsupported = %v, want %v", plain.Unsupported, want)
	}

	bare := mustElement(t, p, "bare")
	if bare.UserTask == nil || *bare.UserTask != (UserTask{}) {
		t.Errorf("bare user task = %+v, want an empty job-based user task", bare.UserTask)
	}
	if end := mustElement(t, p, "end"); end.UserTask != nil {
		t.Errorf("end event got user task settings %+v", end.UserTask)
	}
}

func TestParseExclusiveGatewayFlowsInDocumentOrder(t *testing.T) {
	defs := parseValid(t, "exclusive-gateway.bpmn")
	p := defs.Process("routing")
	gw := mustElement(t, p, "amountGateway")
	if gw.Kind != KindExclusiveGateway || !gw.IsGateway() || gw.IsActivity() {
		t.Errorf("gateway kind = %q", gw.Kind)
	}
	// The <bpmn:outgoing> children say big, medium, otherwise, small; the
	// sequence flow elements come as otherwise, small, big, medium.
	if got, want := flowIDs(gw.Outgoing), []string{"otherwise", "small", "big", "medium"}; !slices.Equal(got, want) {
		t.Errorf("outgoing = %v, want %v", got, want)
	}
	if gw.Default == nil || gw.Default.ID != "otherwise" || !gw.Default.IsDefault || gw.Default.Condition != nil {
		t.Errorf("default = %+v", gw.Default)
	}
	for _, id := range []string{"small", "big", "medium", "toGateway", "emptyCondition"} {
		if p.Flows[id].IsDefault && id != "emptyCondition" {
			t.Errorf("flow %s marked default", id)
		}
	}
	checkExpr(t, "small", p.Flows["small"].Condition, "=amount < 10 and vip = false")
	checkExpr(t, "big (trimmed)", p.Flows["big"].Condition, "=amount > 1000")
	checkExpr(t, "medium (CDATA)", p.Flows["medium"].Condition, "=amount >= 100 and amount <= 1000")
	checkNil(t, "blank condition", p.Flows["emptyCondition"].Condition)
	if p.Flows["small"].Name != "small" {
		t.Errorf("flow name = %q", p.Flows["small"].Name)
	}

	auto := mustElement(t, p, "auto")
	if auto.Default == nil || auto.Default.ID != "emptyCondition" || !auto.Default.IsDefault {
		t.Errorf("task default = %+v", auto.Default)
	}
	if got, want := flowIDs(mustElement(t, p, "manual").Incoming), []string{"otherwise", "big"}; !slices.Equal(got, want) {
		t.Errorf("manual incoming = %v, want %v", got, want)
	}
	if got, want := flowIDs(mustElement(t, p, "join").Incoming), []string{"emptyCondition", "manualDone"}; !slices.Equal(got, want) {
		t.Errorf("join incoming = %v, want %v", got, want)
	}
	if mustElement(t, p, "manual").Kind != KindManualTask {
		t.Error("manual task kind")
	}
}

func TestParseParallelForkJoin(t *testing.T) {
	defs := parseValid(t, "parallel.bpmn")
	p := defs.Process("fanout")
	fork, join := mustElement(t, p, "fork"), mustElement(t, p, "join")
	if fork.Kind != KindParallelGateway || join.Kind != KindParallelGateway {
		t.Errorf("kinds = %q, %q", fork.Kind, join.Kind)
	}
	if got, want := flowIDs(fork.Outgoing), []string{"toA", "toB"}; !slices.Equal(got, want) {
		t.Errorf("fork outgoing = %v, want %v", got, want)
	}
	// fromB is declared before fromA.
	if got, want := flowIDs(join.Incoming), []string{"fromB", "fromA"}; !slices.Equal(got, want) {
		t.Errorf("join incoming = %v, want %v", got, want)
	}
	if got := flowIDs(join.Outgoing); !slices.Equal(got, []string{"toEnd"}) {
		t.Errorf("join outgoing = %v", got)
	}
	checkExpr(t, "b retries", mustElement(t, p, "b").Task.Retries, "1")
	checkExpr(t, "a retries", mustElement(t, p, "a").Task.Retries, "3")
}

func TestParseSubprocessScopesAndBoundaries(t *testing.T) {
	data := readFixture(t, "subprocess.bpmn")
	defs := parseValid(t, "subprocess.bpmn")
	p := defs.Process("shipping")
	root := p.Root
	if got, want := elementIDs(root.Children), []string{"start", "pack", "reminder", "deadline", "remind", "end", "onCancel"}; !slices.Equal(got, want) {
		t.Errorf("top-level children = %v, want %v", got, want)
	}
	pack := mustElement(t, p, "pack")
	if pack.Kind != KindSubProcess || !pack.IsContainer() || !pack.IsActivity() || pack.Parent != root {
		t.Errorf("pack = kind %q container %v", pack.Kind, pack.IsContainer())
	}
	if got, want := elementIDs(pack.Children), []string{"packStart", "pick", "outOfStock", "anyError", "restock", "packEnd"}; !slices.Equal(got, want) {
		t.Errorf("pack children = %v, want %v", got, want)
	}
	for _, c := range pack.Children {
		if c.Parent != pack {
			t.Errorf("%s: parent = %s, want pack", c.ID, c.Parent.ID)
		}
	}
	if len(pack.Inputs) != 1 || pack.Inputs[0].Target != "toPack" {
		t.Errorf("pack inputs = %+v", pack.Inputs)
	}
	if len(p.Elements) != 15 {
		t.Errorf("%d elements, want 15: %v", len(p.Elements), p.Elements)
	}
	if len(p.Flows) != 9 {
		t.Errorf("%d flows, want 9", len(p.Flows))
	}
	for _, ignored := range []string{"Lane_1", "TextAnnotation_1", "Association_1", "DataObject_1", "DataObjectReference_1", "Group_1"} {
		if p.Element(ignored) != nil {
			t.Errorf("%s should be ignored", ignored)
		}
	}
	if f := p.Flows["toPackEnd"]; f.Source.ID != "pick" || f.Target.ID != "packEnd" {
		t.Errorf("nested flow = %+v", f)
	}

	if got, want := elementIDs(pack.Boundaries), []string{"reminder", "deadline"}; !slices.Equal(got, want) {
		t.Errorf("pack boundaries = %v, want %v", got, want)
	}
	reminder := mustElement(t, p, "reminder")
	if reminder.Kind != KindTimerBoundaryEvent || reminder.CancelActivity || reminder.AttachedTo != pack || reminder.Parent != root {
		t.Errorf("reminder = kind %q cancel %v", reminder.Kind, reminder.CancelActivity)
	}
	if reminder.Timer == nil || reminder.Timer.Kind != TimerCycle {
		t.Errorf("reminder timer = %+v", reminder.Timer)
	} else {
		checkExpr(t, "cycle", reminder.Timer.Value, "R/P1D")
	}
	deadline := mustElement(t, p, "deadline")
	if !deadline.CancelActivity || deadline.Timer == nil || deadline.Timer.Kind != TimerDate {
		t.Errorf("deadline = cancel %v timer %+v", deadline.CancelActivity, deadline.Timer)
	} else {
		checkExpr(t, "date", deadline.Timer.Value, "2025-10-01T12:00:00Z")
	}

	pick := mustElement(t, p, "pick")
	if got, want := elementIDs(pick.Boundaries), []string{"outOfStock", "anyError"}; !slices.Equal(got, want) {
		t.Errorf("pick boundaries = %v, want %v", got, want)
	}
	outOfStock := mustElement(t, p, "outOfStock")
	if outOfStock.Kind != KindErrorBoundaryEvent || outOfStock.Error != defs.Errors["Error_stock"] || outOfStock.Error == nil || outOfStock.Parent != pack {
		t.Errorf("outOfStock = %+v", outOfStock)
	}
	checkExpr(t, "error code", defs.Errors["Error_stock"].Code, "OUT_OF_STOCK")
	if defs.Errors["Error_stock"].Name != "Out of stock" || defs.Errors["Error_stock"].Line != lineOf(t, data, `<bpmn:error id="Error_stock"`) {
		t.Errorf("error = %+v", defs.Errors["Error_stock"])
	}
	if anyError := mustElement(t, p, "anyError"); anyError.Kind != KindErrorBoundaryEvent || anyError.Error != nil {
		t.Errorf("catch-all error boundary = %+v", anyError.Error)
	}

	onCancel := mustElement(t, p, "onCancel")
	if onCancel.Kind != KindEventSubProcess || onCancel.Type != "subProcess" || !onCancel.IsContainer() {
		t.Errorf("event subprocess = kind %q type %q", onCancel.Kind, onCancel.Type)
	}
	cancelStart := mustElement(t, p, "cancelStart")
	if cancelStart.Kind != KindMessageStartEvent || cancelStart.Parent != onCancel || cancelStart.Message != defs.Messages["Message_cancel"] {
		t.Errorf("cancelStart = %+v", cancelStart)
	}
	if c := mustElement(t, p, "cancelled"); c.Kind != KindTerminateEndEvent {
		t.Errorf("cancelled kind = %q", c.Kind)
	}
	if remind := mustElement(t, p, "remind"); remind.Kind != KindIntermediateThrowEvent {
		t.Errorf("remind kind = %q", remind.Kind)
	}
}

func TestParseEventKinds(t *testing.T) {
	defs := parseValid(t, "events.bpmn")
	p := defs.Process("events")
	tests := []struct {
		id     string
		kind   Kind
		parent string
	}{
		{"timerStart", KindTimerStartEvent, "events"},
		{"messageStart", KindMessageStartEvent, "events"},
		{"signalStart", KindSignalStartEvent, "events"},
		{"wait", KindTimerIntermediateCatchEvent, "events"},
		{"paid", KindMessageIntermediateCatchEvent, "events"},
		{"go", KindSignalIntermediateCatchEvent, "events"},
		{"announce", KindSignalIntermediateThrowEvent, "events"},
		{"publish", KindMessageIntermediateThrowEvent, "events"},
		{"escalate", KindEscalationIntermediateThrowEvent, "events"},
		{"compensate", KindCompensationIntermediateThrowEvent, "events"},
		{"jump", KindLinkIntermediateThrowEvent, "events"},
		{"land", KindLinkIntermediateCatchEvent, "events"},
		{"when", KindConditionalIntermediateCatchEvent, "events"},
		{"either", KindMultipleIntermediateCatchEvent, "events"},
		{"work", KindServiceTask, "events"},
		{"workFailed", KindErrorBoundaryEvent, "events"},
		{"workCancelled", KindMessageBoundaryEvent, "events"},
		{"workSignal", KindSignalBoundaryEvent, "events"},
		{"workTimeout", KindTimerBoundaryEvent, "events"},
		{"done", KindEndEvent, "events"},
		{"failed", KindErrorEndEvent, "events"},
		{"stop", KindTerminateEndEvent, "events"},
		{"notifyEnd", KindMessageEndEvent, "events"},
		{"signalEnd", KindSignalEndEvent, "events"},
		{"receive", KindReceiveTask, "events"},
		{"race", KindEventBasedGateway, "events"},
		{"complex", KindComplexGateway, "events"},
		{"inclusive", KindInclusiveGateway, "events"},
		{"tx", KindTransaction, "events"},
		{"txStart", KindStartEvent, "tx"},
		{"txCancel", KindCancelEndEvent, "tx"},
		{"txCancelled", KindCancelBoundaryEvent, "events"},
		{"adhoc", KindAdHocSubProcess, "events"},
		{"adhocTask", KindTask, "adhoc"},
		{"choreo", Kind("callChoreography"), "events"},
	}
	for _, tt := range tests {
		el := p.Element(tt.id)
		if el == nil {
			t.Errorf("%s: missing", tt.id)
			continue
		}
		if el.Kind != tt.kind || el.Parent == nil || el.Parent.ID != tt.parent {
			t.Errorf("%s: kind %q parent %v, want %q in %s", tt.id, el.Kind, el.Parent, tt.kind, tt.parent)
		}
	}
	if len(p.Elements) != len(tests) {
		t.Errorf("%d elements, want %d", len(p.Elements), len(tests))
	}

	timerStart := mustElement(t, p, "timerStart")
	if timerStart.Timer == nil || timerStart.Timer.Kind != TimerCycle {
		t.Errorf("timer start = %+v", timerStart.Timer)
	}
	wait := mustElement(t, p, "wait")
	if wait.Timer == nil || wait.Timer.Kind != TimerDuration {
		t.Fatalf("wait timer = %+v", wait.Timer)
	}
	checkExpr(t, "duration (trimmed)", wait.Timer.Value, "PT10M")
	if timeout := mustElement(t, p, "workTimeout").Timer; timeout == nil || timeout.Kind != TimerDuration {
		t.Errorf("workTimeout timer = %+v", timeout)
	} else {
		checkExpr(t, "FEEL duration", timeout.Value, "=timeout")
	}

	paid := defs.Messages["Message_paid"]
	for _, id := range []string{"paid", "workCancelled", "receive"} {
		if m := mustElement(t, p, id).Message; m != paid || m == nil {
			t.Errorf("%s: message = %v, want Message_paid", id, m)
		}
	}
	either := mustElement(t, p, "either")
	if either.Message != paid || either.Timer == nil {
		t.Errorf("multiple event: message %v timer %v", either.Message, either.Timer)
	}
	checkExpr(t, "message name", paid.Name, `="paid-" + region`)
	checkExpr(t, "start message name", defs.Messages["Message_start"].Name, "start-events")
	checkNil(t, "start message correlation key", defs.Messages["Message_start"].CorrelationKey)
	if mustElement(t, p, "publish").Message != nil || mustElement(t, p, "publish").Task == nil {
		t.Error("publish: message throw without messageRef should have no message and a job")
	}

	sig := defs.Signals["Signal_go"]
	checkExpr(t, "signal name", sig.Name, "go")
	for _, id := range []string{"signalStart", "go", "announce", "workSignal", "signalEnd"} {
		if s := mustElement(t, p, id).Signal; s != sig {
			t.Errorf("%s: signal = %v", id, s)
		}
	}
	failed := defs.Errors["Error_failed"]
	for _, id := range []string{"failed", "workFailed"} {
		if e := mustElement(t, p, id).Error; e != failed || e == nil {
			t.Errorf("%s: error = %v", id, e)
		}
	}
	checkExpr(t, "dynamic error code", defs.Errors["Error_dynamic"].Code, "=code")

	if !mustElement(t, p, "receive").Instantiate || mustElement(t, p, "race").Instantiate {
		t.Error("instantiate flags")
	}
	if mustElement(t, p, "workSignal").CancelActivity || !mustElement(t, p, "workFailed").CancelActivity {
		t.Error("workSignal should be non-interrupting, workFailed interrupting")
	}
	if got := elementIDs(mustElement(t, p, "work").Boundaries); !slices.Equal(got, []string{"workFailed", "workCancelled", "workSignal", "workTimeout"}) {
		t.Errorf("work boundaries = %v", got)
	}
	if got := elementIDs(mustElement(t, p, "tx").Boundaries); !slices.Equal(got, []string{"txCancelled"}) {
		t.Errorf("tx boundaries = %v", got)
	}
	if got := elementIDs(mustElement(t, p, "adhoc").Children); !slices.Equal(got, []string{"adhocTask"}) {
		t.Errorf("adhoc children = %v", got)
	}
}

func TestParseDefaultNamespace(t *testing.T) {
	defs := parseValid(t, "default-namespace.bpmn")
	if len(defs.Processes) != 2 || defs.Processes[0].ID != "plain" || defs.Processes[1].ID != "descriptive" {
		t.Fatalf("processes = %v", defs.Processes)
	}
	if defs.Processes[1].Executable {
		t.Error("descriptive process should not be executable")
	}
	p := defs.Processes[0]
	work := mustElement(t, p, "work")
	if work.Kind != KindServiceTask || work.Task == nil {
		t.Fatalf("work = %+v", work)
	}
	checkExpr(t, "type", work.Task.Type, "work")
	checkExpr(t, "retries", work.Task.Retries, "2")
	if want := []Header{{"scope", "default namespace redeclared"}}; !slices.Equal(work.Headers, want) {
		t.Errorf("headers = %v, want %v", work.Headers, want)
	}
	if got := flowIDs(work.Incoming); !slices.Equal(got, []string{"toWork"}) {
		t.Errorf("incoming = %v", got)
	}
}

func TestLookups(t *testing.T) {
	defs := parseValid(t, "parallel.bpmn")
	p := defs.Process("fanout")
	if p == nil || defs.Process("nope") != nil {
		t.Fatal("Definitions.Process")
	}
	if p.Element("fanout") != p.Root {
		t.Error("the process id should give the root")
	}
	if p.Element("a") == nil || p.Element("nope") != nil {
		t.Error("Process.Element")
	}
	var nilDefs *Definitions
	var nilProc *Process
	if nilDefs.Process("x") != nil || nilProc.Element("x") != nil {
		t.Error("nil receivers should give nil")
	}
	if (&Process{}).Element("") != nil {
		t.Error("empty process")
	}
}

func TestElementCategories(t *testing.T) {
	tests := []struct {
		typ                      string
		activity, event, gateway bool
	}{
		{"serviceTask", true, false, false},
		{"subProcess", true, false, false},
		{"callActivity", true, false, false},
		{"boundaryEvent", false, true, false},
		{"startEvent", false, true, false},
		{"eventBasedGateway", false, false, true},
		{"complexGateway", false, false, true},
		{"process", false, false, false},
		{"unknownThing", false, false, false},
	}
	for _, tt := range tests {
		e := &Element{Type: tt.typ}
		if e.IsActivity() != tt.activity || e.IsEvent() != tt.event || e.IsGateway() != tt.gateway {
			t.Errorf("%s: activity %v event %v gateway %v", tt.typ, e.IsActivity(), e.IsEvent(), e.IsGateway())
		}
	}
}
