package torture

import (
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/raftplay/raftplay/node/wire"
)

// The checks must be able to fail: these feed them histories with known answers.

func op(client int, in regInput, call int64, out regOutput, ret int64) porcupine.Operation {
	return porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret}
}

func TestRegisterModel(t *testing.T) {
	put := func(v string) regInput { return regInput{Op: "put", Key: "k", Value: v} }
	get := regInput{Op: "get", Key: "k"}
	cas := func(old, v string) regInput { return regInput{Op: "cas", Key: "k", Old: old, Value: v} }
	tests := []struct {
		name string
		ops  []porcupine.Operation
		want porcupine.CheckResult
	}{
		{"read after write", []porcupine.Operation{
			op(0, put("a"), 0, regOutput{}, 10),
			op(1, get, 20, regOutput{Value: "a"}, 30),
		}, porcupine.Ok},
		{"stale read", []porcupine.Operation{
			op(0, put("a"), 0, regOutput{}, 10),
			op(0, put("b"), 11, regOutput{}, 19),
			op(1, get, 20, regOutput{Value: "a"}, 30),
		}, porcupine.Illegal},
		{"unknown write seen later", []porcupine.Operation{
			op(0, put("a"), 0, regOutput{Unknown: true}, 100),
			op(1, get, 20, regOutput{Value: ""}, 30),
			op(1, get, 40, regOutput{Value: "a"}, 50),
		}, porcupine.Ok},
		{"unknown write never applied", []porcupine.Operation{
			op(0, put("a"), 0, regOutput{Unknown: true}, 100),
			op(1, get, 40, regOutput{Value: ""}, 50),
		}, porcupine.Ok},
		{"value from nowhere", []porcupine.Operation{
			op(1, get, 40, regOutput{Value: "z"}, 50),
		}, porcupine.Illegal},
		{"two successful CAS from the same value", []porcupine.Operation{
			op(0, put("a"), 0, regOutput{}, 10),
			op(1, cas("a", "b"), 20, regOutput{OK: true}, 30),
			op(2, cas("a", "c"), 40, regOutput{OK: true}, 50),
		}, porcupine.Illegal},
		{"failed CAS reporting the wrong current value", []porcupine.Operation{
			op(0, put("a"), 0, regOutput{}, 10),
			op(1, cas("x", "b"), 20, regOutput{Current: "q", HasCurrent: true}, 30),
		}, porcupine.Illegal},
		{"failed CAS although the value matched", []porcupine.Operation{
			op(0, put("a"), 0, regOutput{}, 10),
			op(1, cas("a", "b"), 20, regOutput{}, 30),
		}, porcupine.Illegal},
	}
	for _, tt := range tests {
		if got := porcupine.CheckOperations(registerModel, tt.ops); (got && tt.want != porcupine.Ok) || (!got && tt.want == porcupine.Ok) {
			t.Errorf("%s: linearizable=%v, want %s", tt.name, got, tt.want)
		}
	}
}

func TestSetCheck(t *testing.T) {
	l := newSetLog()
	l.note(1, applied)
	l.note(2, unknown)
	l.note(3, failed)
	l.note(4, applied)
	var rep Report
	l.check([]int64{1, 3, 9}, &rep) // 4 lost, 3 refused yet present, 9 never attempted
	if rep.LostWrites != 1 || rep.Violations != 3 || rep.SetAdds != 2 {
		t.Fatalf("%+v", rep)
	}
	rep = Report{}
	l.check([]int64{1, 2, 4}, &rep)
	if rep.Violations != 0 {
		t.Fatalf("%+v", rep)
	}
}

func TestAnswerOutcome(t *testing.T) {
	body := func(code string) []byte { return []byte(`{"error":{"code":"` + code + `"}}`) }
	tests := []struct {
		a    answer
		want outcome
	}{
		{answer{status: 200, sent: true}, applied},
		{answer{status: 412, body: body("cas_mismatch"), sent: true}, failed},
		{answer{status: 400, body: body("bad_request"), sent: true}, failed},
		{answer{status: 503, body: body("not_leader"), sent: true}, failed},
		{answer{status: 503, body: body("no_leader"), sent: true}, failed},
		{answer{status: 503, body: body("unavailable"), sent: true}, failed},
		{answer{status: 503, body: body("indeterminate"), sent: true}, unknown},
		{answer{status: 504, body: body("timeout"), sent: true}, unknown},
		{answer{status: 500, body: body("internal"), sent: true}, unknown},
		{answer{err: errTest, sent: true}, unknown},
		{answer{err: errTest, sent: false}, failed},
	}
	for _, tt := range tests {
		if got := tt.a.outcome(); got != tt.want {
			t.Errorf("%v: %d, want %d", tt.a, got, tt.want)
		}
	}
}

var errTest = errorString("connection reset")

type errorString string

func (e errorString) Error() string { return string(e) }

func TestWatcherFindsSplitBrainAndDivergence(t *testing.T) {
	w := &watcher{leaders: map[uint64]map[string]string{}, applied: map[uint64]appliedAt{}, logs: map[string]map[uint64]uint64{}}
	events := []wire.Event{
		wire.NewEvent("n1", wire.EventState, time.Now(), wire.StateData{Role: wire.RoleLeader, Term: 3}),
		wire.NewEvent("n2", wire.EventRPC, time.Now(), wire.RPCData{RPC: wire.RPCAppendEntries, From: "n2", To: "n3", Term: 3}),
		wire.NewEvent("n1", wire.EventApply, time.Now(), wire.ApplyData{Index: 7, Term: 3, Digest: "aa"}),
		wire.NewEvent("n2", wire.EventApply, time.Now(), wire.ApplyData{Index: 7, Term: 3, Digest: "bb"}),
		wire.NewEvent("n1", wire.EventLogAppend, time.Now(), wire.LogAppendData{Entries: []wire.LogEntry{{Index: 8, Term: 3}}}),
		wire.NewEvent("n2", wire.EventLogAppend, time.Now(), wire.LogAppendData{Entries: []wire.LogEntry{{Index: 8, Term: 4}}}),
	}
	for i, ev := range events {
		ev.Seq = uint64(i + 1)
		w.handle(ev)
	}
	var rep Report
	w.check([]string{"n1", "n2"}, &rep)
	if rep.Violations != 3 {
		t.Fatalf("%d violations, want 3: %v", rep.Violations, rep.Problems)
	}
	// A removed node's log is forgotten, so a new node with the same id starts afresh.
	w.forgetNode("n2", w.seq)
	rep = Report{}
	w.mu.Lock()
	w.errs = nil
	w.leaders = map[uint64]map[string]string{}
	w.mu.Unlock()
	w.check([]string{"n1", "n2"}, &rep)
	if rep.Violations != 0 {
		t.Fatalf("after forgetting n2: %v", rep.Problems)
	}
}
