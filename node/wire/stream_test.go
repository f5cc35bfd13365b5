package wire

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	e := NewEvent("n\"1", EventApply, time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), ApplyData{Index: 7, Digest: "ab"})
	e.Seq = 42
	var got, want map[string]any
	if err := json.Unmarshal(e.AppendJSON(nil), &got); err != nil {
		t.Fatal(err)
	}
	std, _ := json.Marshal(e)
	json.Unmarshal(std, &want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("AppendJSON %v\nencoding/json %v", got, want)
	}
}

// TestEncodeAsRenumbersOnly: an event encoded by one stream, relayed into another, gets
// the bytes it would have been encoded to there.
func TestEncodeAsRenumbersOnly(t *testing.T) {
	e := NewEvent("n1", EventRPC, time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), RPCData{RPC: RPCAppendEntries, Heartbeat: true})
	e.Seq = 7
	e.Encoded = e.AppendJSON(nil)
	relayed := e.EncodeAs(123456)
	e.Seq, e.Encoded = 123456, nil
	if want := e.AppendJSON(nil); string(relayed) != string(want) {
		t.Fatalf("renumbered %s\nwant       %s", relayed, want)
	}
	if fresh := e.EncodeAs(9); string(fresh) != string(withSeq(e, 9)) {
		t.Fatalf("a fresh event encodes as %s", fresh)
	}
}

func withSeq(e Event, seq uint64) []byte {
	e.Seq = seq
	return e.AppendJSON(nil)
}
