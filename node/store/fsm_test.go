package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/hashicorp/raft"
)

func apply(t *testing.T, f *FSM, index uint64, c Command) *Result {
	t.Helper()
	b, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	res, ok := f.Apply(&raft.Log{Index: index, Term: 1, Type: raft.LogCommand, Data: b}).(*Result)
	if !ok {
		t.Fatalf("apply returned %T", res)
	}
	return res
}

func newFSM(t *testing.T) *FSM {
	t.Helper()
	f, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func str(s string) *string { return &s }

func TestApplyKV(t *testing.T) {
	f := newFSM(t)
	no := false
	tests := []struct {
		name    string
		cmd     Command
		swapped bool
		found   bool
		want    string // value of "k" afterwards; "" = absent
	}{
		{"put", PutCommand("k", []byte("1")), true, false, "1"},
		{"overwrite", PutCommand("k", []byte("2")), true, true, "2"},
		{"cas mismatch", Command{Op: OpPut, Key: "k", Value: "3", Prev: str("1")}, false, true, "2"},
		{"cas match", Command{Op: OpPut, Key: "k", Value: "3", Prev: str("2")}, true, true, "3"},
		{"create if absent on existing", Command{Op: OpPut, Key: "k", Value: "4", PrevExists: &no}, false, true, "3"},
		{"delete", Command{Op: OpDelete, Key: "k"}, true, true, ""},
		{"delete missing", Command{Op: OpDelete, Key: "k"}, true, false, ""},
		{"create if absent", Command{Op: OpPut, Key: "k", Value: "5", PrevExists: &no}, true, false, "5"},
	}
	for i, tt := range tests {
		res := apply(t, f, uint64(i+1), tt.cmd)
		if res.Err != nil {
			t.Fatalf("%s: %v", tt.name, res.Err)
		}
		oc := res.Value.(KVOutcome)
		if oc.Swapped != tt.swapped || oc.Found != tt.found {
			t.Fatalf("%s: outcome %+v", tt.name, oc)
		}
		v, found, _ := f.Get("k")
		if (tt.want == "") == found || v != tt.want {
			t.Fatalf("%s: k = %q (found %v), want %q", tt.name, v, found, tt.want)
		}
	}
	if f.AppliedIndex() != uint64(len(tests)) {
		t.Fatalf("applied index %d", f.AppliedIndex())
	}
}

func TestBadCommandsFailWithoutChangingState(t *testing.T) {
	f := newFSM(t)
	apply(t, f, 1, PutCommand("a", []byte("x")))
	before := f.Digest()
	for i, data := range [][]byte{
		nil, []byte("{"), []byte(`{"v":1,"op":"kv.put"}`), []byte(`{"v":99,"op":"kv.put","key":"a"}`),
		[]byte(`{"v":1,"op":"launch"}`), []byte(`{"v":1,"op":"kv.put","key":"a","value_b64":"!!"}`),
		[]byte(`{"v":1,"op":"sql","sql":"{}"}`),                                                 // no SQL engine in this FSM
		[]byte(`{"v":1,"op":"sql.txn","sql":"{}"}`),                                             // no expected digest
		[]byte(`{"v":1,"op":"sql.txn","expect":"ab"}`),                                          // no statements
		[]byte(`{"v":1,"op":"sql.txn","sql":"{}","expect":"` + strings.Repeat("a", 200) + `"}`), // digest too long
		[]byte(`{"v":1,"op":"sql.txn","sql":"{}","expect":"ab"}`),                               // no SQL engine
		[]byte(`{"v":1,"op":"kv.put","key":"` + strings.Repeat("k", MaxKeyBytes+1) + `","value":"x"}`),
		[]byte(`{"v":1,"op":"kv.put","key":"big","value":"` + strings.Repeat("v", MaxValueBytes+1) + `"}`),
	} {
		res := f.Apply(&raft.Log{Index: uint64(i + 2), Term: 1, Type: raft.LogCommand, Data: data}).(*Result)
		if res.Err == nil {
			t.Fatalf("%q applied without error", data)
		}
		if !errors.Is(res.Err, ErrBadCommand) && !errors.Is(res.Err, ErrUnknownCommand) {
			t.Fatalf("%q: error %v is neither ErrBadCommand nor ErrUnknownCommand", data, res.Err)
		}
	}
	if f.Digest() != before {
		t.Fatal("a failed command changed the state")
	}
}

func TestDigestDependsOnDataNotHistory(t *testing.T) {
	a, b := newFSM(t), newFSM(t)
	apply(t, a, 1, PutCommand("x", []byte("1")))
	apply(t, a, 2, PutCommand("y", []byte("2")))
	apply(t, b, 1, PutCommand("y", []byte("0")))
	apply(t, b, 2, PutCommand("x", []byte("1")))
	if a.Digest() == b.Digest() {
		t.Fatal("different states, same digest")
	}
	apply(t, b, 3, PutCommand("y", []byte("2")))
	if a.Digest() != b.Digest() {
		t.Fatalf("same data, digests %s and %s", a.Digest(), b.Digest())
	}
	apply(t, b, 4, Command{Op: OpDelete, Key: "y"})
	apply(t, b, 5, PutCommand("y", []byte("2")))
	if a.Digest() != b.Digest() {
		t.Fatal("delete and re-put changed the digest")
	}
}

type memSink struct {
	bytes.Buffer
	cancelled bool
}

func (s *memSink) ID() string    { return "mem" }
func (s *memSink) Cancel() error { s.cancelled = true; return nil }
func (s *memSink) Close() error  { return nil }

func TestSnapshotRestoreReplacesState(t *testing.T) {
	src := newFSM(t)
	for i := range 100 {
		apply(t, src, uint64(i+1), PutCommand(fmt.Sprintf("k%03d", i), []byte{byte(i), 0xff}))
	}
	snap, err := src.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var sink memSink
	if err := snap.Persist(&sink); err != nil {
		t.Fatal(err)
	}
	dst := newFSM(t)
	apply(t, dst, 1, PutCommand("stale", []byte("gone after restore")))
	if err := dst.Restore(io.NopCloser(bytes.NewReader(sink.Bytes()))); err != nil {
		t.Fatal(err)
	}
	if dst.Digest() != src.Digest() || dst.AppliedIndex() != 100 {
		t.Fatalf("restored digest %s index %d, want %s 100", dst.Digest(), dst.AppliedIndex(), src.Digest())
	}
	if _, found, _ := dst.Get("stale"); found {
		t.Fatal("restore kept a key the snapshot does not have")
	}
	v, _, _ := dst.Get("k042")
	if v != string([]byte{42, 0xff}) {
		t.Fatalf("k042 = %q", v)
	}
	if _, restores := dst.Counts(); restores != 1 {
		t.Fatalf("restores = %d", restores)
	}
	// A corrupted snapshot is refused and leaves the state alone.
	bad := bytes.Replace(sink.Bytes(), []byte("k042"), []byte("k999"), 1)
	if err := dst.Restore(io.NopCloser(bytes.NewReader(bad))); err == nil {
		t.Fatal("restore accepted a snapshot whose digest does not match")
	}
	if dst.Digest() != src.Digest() {
		t.Fatal("failed restore changed the state")
	}
}

func TestCommandRoundTripAndSummary(t *testing.T) {
	c := PutCommand("bin", []byte{0, 1, 2, 0xfe})
	b, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	d, err := DecodeCommand(b)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := d.Bytes()
	if !bytes.Equal(v, []byte{0, 1, 2, 0xfe}) {
		t.Fatalf("value %v", v)
	}
	if s := PutCommand("k", []byte("hello")).Summary(); s != "PUT k = hello" {
		t.Fatalf("summary %q", s)
	}
}

func FuzzDecodeCommand(f *testing.F) {
	f.Add([]byte(`{"v":1,"op":"kv.put","key":"a","value":"b"}`))
	f.Add([]byte(`{"v":1,"op":"node.meta","node":{"id":"n1"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeCommand(data)
		if err == nil {
			_ = c.Summary()
			_, _ = c.Bytes()
		}
	})
}

func TestBatchCommandsHaveIndependentFates(t *testing.T) {
	f := newFSM(t)
	batch := Command{V: CommandVersion, Op: OpBatch, Cmds: []Command{
		PutCommand("a", []byte("1")),
		{Op: OpPut, Key: "b", ValueB64: "!!not base64"},
		PutCommand("c", []byte("3")),
	}}
	res := apply(t, f, 1, batch)
	subs, ok := res.Value.([]*Result)
	if res.Err != nil || !ok || len(subs) != 3 {
		t.Fatalf("batch result %+v", res)
	}
	if subs[0].Err != nil || subs[1].Err == nil || subs[2].Err != nil {
		t.Fatalf("sub results: %v %v %v", subs[0].Err, subs[1].Err, subs[2].Err)
	}
	for k, want := range map[string]bool{"a": true, "b": false, "c": true} {
		if _, found, _ := f.Get(k); found != want {
			t.Fatalf("%s found=%v after the batch", k, found)
		}
	}
	nested := Command{V: CommandVersion, Op: OpBatch, Cmds: []Command{{Op: OpBatch, Cmds: []Command{PutCommand("x", nil)}}}}
	if res := apply(t, f, 2, nested); !errors.Is(res.Err, ErrBadCommand) {
		t.Fatalf("nested batch: %v", res.Err)
	}
}
