package sql

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/node/wire"
)

// encodingJSON is what the HTTP handler wrote before: json.Encoder's output.
func encodingJSON(t testing.TB, v any) (string, error) {
	t.Helper()
	var b bytes.Buffer
	err := json.NewEncoder(&b).Encode(v)
	return b.String(), err
}

func checkResponseJSON(t *testing.T, resp wire.SQLResponse) {
	t.Helper()
	want, err := encodingJSON(t, resp)
	if err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	prefix := []byte("keep:")
	got, ok := AppendResponseJSON(prefix, resp)
	if !ok {
		t.Fatalf("AppendResponseJSON refused %#v", resp)
	}
	if string(got[:len(prefix)]) != "keep:" {
		t.Fatalf("prefix overwritten: %q", got)
	}
	if string(got[len(prefix):]) != want {
		t.Fatalf("AppendResponseJSON:\n got %q\nwant %q", got[len(prefix):], want)
	}
}

var jsonTestStrings = []string{
	"", "plain", "user1@example.com", `quote " backslash \ slash /`, "<script>&amp;</script>",
	"\x00\x01\x07\x08\x09\x0a\x0b\x0c\x0d\x1f\x20\x7f", "héllo ✓ 日本 😀", "line\u2028para\u2029end",
	"bad \xff utf8 \xe2\x82 cut", "\xed\xa0\x80 surrogate", "tab\tnew\nline\r", strings.Repeat("long ", 200),
}

var jsonTestFloats = []float64{
	0, math.Copysign(0, -1), 1, -1, 0.1, 2.5, 42.5, 1e20, 1e21, -1e21, 123456789012345678, 1e-6, 9.99999e-7,
	1e-7, -1.5e-10, 5e-324, math.MaxFloat64, math.SmallestNonzeroFloat64, 3.141592653589793, 1e100, 12345.678e-9,
}

func TestAppendResponseJSON(t *testing.T) {
	row := []any{nil, true, false, int64(0), int64(-1), int64(math.MaxInt64), int64(math.MinInt64)}
	for _, s := range jsonTestStrings {
		row = append(row, s)
	}
	for _, f := range jsonTestFloats {
		row = append(row, f, -f)
	}
	cols := []wire.SQLColumn{{Name: "id", Type: "integer"}, {Name: "<n&me>", Type: "double precision"}, {Name: "é\u2028", Type: "text"}}
	tests := []struct {
		name string
		resp wire.SQLResponse
	}{
		{name: "zero", resp: wire.SQLResponse{}},
		{name: "empty results", resp: wire.SQLResponse{Results: []wire.SQLResult{}, Node: "n1"}},
		{name: "write", resp: wire.SQLResponse{Results: []wire.SQLResult{{RowsAffected: 3, Command: "INSERT 0 3"}}, Index: 42, Term: 7, Node: "n2"}},
		{name: "transaction statement", resp: wire.SQLResponse{Results: []wire.SQLResult{{RowsAffected: 1, Command: "UPDATE 1"}}, Node: "n1", TxnDigest: "ab12"}},
		{name: "index only", resp: wire.SQLResponse{Results: []wire.SQLResult{{Command: "CREATE TABLE"}}, Index: math.MaxUint64, Node: "n"}},
		{name: "empty select", resp: wire.SQLResponse{Results: []wire.SQLResult{{Columns: cols, Rows: [][]any{}, Command: "SELECT 0"}}, Node: "n1"}},
		{name: "nil rows", resp: wire.SQLResponse{Results: []wire.SQLResult{{Columns: []wire.SQLColumn{}, Rows: nil, Command: "SELECT 0"}}}},
		{name: "every value", resp: wire.SQLResponse{Results: []wire.SQLResult{{Columns: cols, Rows: [][]any{row, {}, nil, {int64(1)}}, RowsAffected: 4, Command: "SELECT 4"}}, Node: "n1"}},
		{name: "several results", resp: wire.SQLResponse{Results: []wire.SQLResult{
			{Command: "BEGIN"},
			{Columns: cols[:1], Rows: [][]any{{int64(1)}, {int64(2)}}, RowsAffected: 2, Command: "SELECT 2"},
			{Command: "COMMIT"},
		}, Index: 1, Term: 1, Node: "<n&1>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkResponseJSON(t, tt.resp) })
	}
}

func TestAppendResponseJSONStrings(t *testing.T) {
	for b := 0; b < 256; b++ {
		s := "a" + string([]byte{byte(b)}) + "z"
		checkResponseJSON(t, wire.SQLResponse{Results: []wire.SQLResult{{Rows: [][]any{{s}}, Command: s}}, Node: s})
	}
	for _, s := range jsonTestStrings {
		checkResponseJSON(t, wire.SQLResponse{Results: []wire.SQLResult{{Rows: [][]any{{s}}}}, Node: s})
	}
}

// TestAppendResponseJSONRefuses lists what the caller must hand to encoding/json.
func TestAppendResponseJSONRefuses(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), math.Inf(-1), 1, int32(1), uint64(1), float32(1.5), json.Number("1"), []any{int64(1)}, map[string]any{}, struct{}{}} {
		resp := wire.SQLResponse{Results: []wire.SQLResult{{Rows: [][]any{{int64(1), v}}}}}
		if b, ok := AppendResponseJSON([]byte("keep"), resp); ok || string(b) != "keep" {
			t.Errorf("%T %v: got %q, %v; want a refusal that leaves the buffer alone", v, v, b, ok)
		}
	}
}

// TestAppendResponseJSONFields fails when a wire type gains a field the encoder does
// not write.
func TestAppendResponseJSONFields(t *testing.T) {
	for _, tc := range []struct {
		v    any
		tags []string
	}{
		{wire.SQLResponse{}, []string{"results", "index,omitempty", "term,omitempty", "node", "txn_digest,omitempty"}},
		{wire.SQLResult{}, []string{"columns,omitempty", "rows,omitempty", "rows_affected", "command"}},
		{wire.SQLColumn{}, []string{"name", "type"}},
	} {
		rt := reflect.TypeOf(tc.v)
		var tags []string
		for i := 0; i < rt.NumField(); i++ {
			tags = append(tags, rt.Field(i).Tag.Get("json"))
		}
		if !reflect.DeepEqual(tags, tc.tags) {
			t.Errorf("%s has JSON fields %q; AppendResponseJSON writes %q", rt, tags, tc.tags)
		}
	}
}

// TestAppendResponseJSONQuery encodes real results of the engine.
func TestAppendResponseJSONQuery(t *testing.T) {
	e := NewEngine(DefaultLimits())
	db := openDB(t)
	mustExec(t, e, db, `CREATE TABLE t (id int PRIMARY KEY, s text, f double precision, r real, n numeric, b boolean, ts timestamptz);
		INSERT INTO t VALUES (1, '<a&b> "q" \ é', 0.1, 1.5, 12.25, true, '2024-05-06 07:08:09Z'), (2, NULL, -1e-7, NULL, NULL, false, NULL),
		(3, E'tab\tnl\n', 1e300, 3.4e38, 1e21, NULL, '1999-12-31 23:59:59.999999+00')`)
	for _, q := range []string{
		"SELECT * FROM t", "SELECT s, id FROM t WHERE id > 1", "SELECT count(*), sum(f), avg(n) FROM t",
		"SELECT * FROM t WHERE false", "EXPLAIN SELECT * FROM t", "SELECT * FROM raftplay_columns",
	} {
		res := mustExec(t, e, db, q)
		checkResponseJSON(t, wire.SQLResponse{Results: res, Node: "n1"})
	}
}

// FuzzAppendResponseJSON compares the encoder with encoding/json on arbitrary strings,
// integers and float bit patterns.
func FuzzAppendResponseJSON(f *testing.F) {
	f.Add("a<b>&c\u2028\xff", int64(-1), math.Float64bits(0.1), uint64(3))
	f.Add("", int64(math.MinInt64), math.Float64bits(1e21), uint64(0))
	f.Fuzz(func(t *testing.T, s string, i int64, fbits uint64, index uint64) {
		fl := math.Float64frombits(fbits)
		resp := wire.SQLResponse{
			Results: []wire.SQLResult{{Columns: []wire.SQLColumn{{Name: s, Type: s}}, Rows: [][]any{{s, i, fl, nil, i%2 == 0}}, RowsAffected: i, Command: s}},
			Index:   index, Term: index / 2, Node: s,
		}
		if math.IsNaN(fl) || math.IsInf(fl, 0) {
			if _, ok := AppendResponseJSON(nil, resp); ok {
				t.Fatalf("%v encoded", fl)
			}
			return
		}
		checkResponseJSON(t, resp)
	})
}
