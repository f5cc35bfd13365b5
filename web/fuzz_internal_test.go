package web

import (
	"encoding/json"
	"testing"

	"github.com/raftplay/raftplay/node/wire"
)

// FuzzCommandDecoding feeds arbitrary messages to the WebSocket command decoder: it must
// answer with a request or an error, never panic.
func FuzzCommandDecoding(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","op":"kv.put","key":"a","value":"b"}`,
		`{"id":"2","op":"sql","sql":"SELECT 1","params":[1,"x",null]}`,
		`{"id":"3","op":"control.kill","body":{"node":"n1"}}`,
		`{"id":"4","op":"control./../../x"}`,
		`{"op":"kv.get"}`, `[]`, `{"id":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		var cmd wire.Command
		if json.Unmarshal(msg, &cmd) != nil {
			return
		}
		method, path, _, err := commandRequest(cmd)
		if err == nil && (method == "" || path == "" || path[0] != '/') {
			t.Fatalf("command %q became %q %q", msg, method, path)
		}
	})
}
