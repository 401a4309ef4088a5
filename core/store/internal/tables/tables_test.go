package tables

import (
	"slices"
	"strings"
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

func TestCleanKeepsGoodTextAndReplacesWhatPostgresRefuses(t *testing.T) {
	cases := map[string]string{
		"plain":        "plain",
		"ünïcødé <&>":  "ünïcødé <&>",
		"nul\x00here":  "nul\uFFFDhere",
		"bad\xffutf8":  "bad\uFFFDutf8",
		"":             "",
		"\x00\x00\xfe": "\uFFFD\uFFFD\uFFFD",
	}
	for in, want := range cases {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRowsReportValuesThatDoNotFit(t *testing.T) {
	r := newRows(Log, 1)
	r.s("text where an integer belongs")
	r.end()
	if r.Err() == nil || !strings.Contains(r.Err().Error(), "table log") {
		t.Fatalf("got %v", r.Err())
	}
	r = newRows(Timers, 1)
	r.i(1)
	r.end()
	if r.Err() == nil || !strings.Contains(r.Err().Error(), "1 values for 11 columns") {
		t.Fatalf("got %v", r.Err())
	}
}

func TestUpsertsKeepTheLastRowOfAKey(t *testing.T) {
	rows, err := elementRows([]state.ElementRow{{Key: 1, State: state.ElementActivating}, {Key: 2}, {Key: 1, State: state.ElementCompleted}})
	if err != nil {
		t.Fatal(err)
	}
	if rows.Len() != 2 || rows.cols[0].ints[0] != 2 || rows.cols[0].ints[1] != 1 || rows.cols[1].ints[1] != int64(state.ElementCompleted) {
		t.Fatalf("rows %+v", rows.cols[:2])
	}
}

// Split keeps each side in order; a side that holds every row is the rows
// themselves.
func TestSplitByKey(t *testing.T) {
	rows, err := elementRows([]state.ElementRow{{Key: 5}, {Key: 2}, {Key: 9}, {Key: 3}})
	if err != nil {
		t.Fatal(err)
	}
	keys := func(r *Rows) []int64 { return r.cols[0].ints[:r.Len()] }
	above, rest := rows.Split(4)
	if !slices.Equal(keys(above), []int64{5, 9}) || !slices.Equal(keys(rest), []int64{2, 3}) || above.cols[1].ints[1] != rows.cols[1].ints[2] {
		t.Fatalf("split at 4: above %v, rest %v", keys(above), keys(rest))
	}
	if above, rest := rows.Split(1); above != rows || rest.Len() != 0 {
		t.Fatalf("split at 1: above %v, rest %v", keys(above), keys(rest))
	}
	if above, rest := rows.Split(9); above.Len() != 0 || rest != rows {
		t.Fatalf("split at 9: above %v, rest %v", keys(above), keys(rest))
	}
}

func TestStatementsName(t *testing.T) {
	if got := Timers.InsertValues(2); !strings.Contains(got, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?,") || !strings.Contains(got, "ON CONFLICT (key) DO UPDATE SET live = excluded.live") {
		t.Errorf("sqlite insert: %s", got)
	}
	if got := Log.InsertUnnest(); strings.Contains(got, "ON CONFLICT") || !strings.Contains(got, "$11::bytea[]") {
		t.Errorf("postgres log insert: %s", got)
	}
}

func TestDecodersRefuseCorruptRows(t *testing.T) {
	scan := func(vals ...any) Scan {
		return func(dest ...any) error {
			for i, d := range dest {
				if i >= len(vals) {
					break
				}
				switch p := d.(type) {
				case *int64:
					*p, _ = vals[i].(int64)
				case *string:
					*p, _ = vals[i].(string)
				case *[]byte:
					*p, _ = vals[i].([]byte)
				}
			}
			return nil
		}
	}
	if _, err := ScanRecord(scan(int64(1), int64(0), int64(0), int64(300), int64(1), int64(1), int64(1), int64(0), int64(0), []byte{}, []byte("{}"))); err == nil {
		t.Error("a kind of 300 was read")
	}
	if _, err := ScanRecord(scan(int64(1), int64(0), int64(0), int64(1), int64(999), int64(1), int64(1), int64(0), int64(0), []byte{}, []byte("{}"))); err == nil {
		t.Error("an unknown value type was read")
	}
	if _, err := ScanRecord(scan(int64(1), int64(0), int64(0), int64(1), int64(record.TypeJob), int64(1), int64(1), int64(0), int64(0), []byte{}, []byte(`{"retries":"x"}`))); err == nil {
		t.Error("a bad value was read")
	}
	if _, err := ScanVariable(scan(int64(1), int64(1), int64(1), "v", "{not json")); err == nil {
		t.Error("a bad variable value was read")
	}
	if _, err := ScanProcess(scan(int64(1), "p", "", int64(1)<<40)); err == nil {
		t.Error("an out-of-range version was read")
	}
	if _, err := ScanMessage(scan(int64(1), int64(1), "m", "k", int64(0), int64(0), "", "{", int64(0), "null", "")); err == nil {
		t.Error("bad message variables were read")
	}
}

func TestPreparedEncodesOnceAndRefusesAForeignPreparation(t *testing.T) {
	b := &store.Batch{Records: []*record.Record{{Position: 1, Kind: record.KindEvent, Value: &record.VariableValue{Name: "v"}}},
		Changes: state.Changes{Variables: []state.VariableRow{{Key: 7, Name: "v", Value: "x"}}}}
	var c Chain
	if err := Prepare(b, &c); err != nil {
		t.Fatal(err)
	}
	first := b.Prepared
	e, err := Prepared(b, &c)
	if err != nil || any(e) != first || e.Log.Len() != 1 || len(e.State) != 1 || e.State[0].T != Variables {
		t.Fatalf("prepared rows not reused: %v %+v", err, e)
	}
	b.Prepared = "rows of another store"
	if _, err := Prepared(b, &c); err == nil || !strings.Contains(err.Error(), "another kind of store") {
		t.Fatalf("foreign preparation accepted: %v", err)
	}
	if _, err := Prepared(nil, &c); err == nil {
		t.Fatal("nil batch accepted")
	}
}
