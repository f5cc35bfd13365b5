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
