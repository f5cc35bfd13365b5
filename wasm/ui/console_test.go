package ui

import (
	"encoding/json"
	"testing"

	"github.com/raftplay/raftplay/node/wire"
)

func TestSQLRoundTrip(t *testing.T) {
	s := started(t)
	cmds := s.Handle(Msg{Kind: "click", Action: "sql-run", Fields: map[string]string{"sql": " SELECT * FROM t ", "sql-node": "n2", "sql-consistency": "linearizable"}}, t0)
	if len(cmds) != 1 {
		t.Fatalf("commands %v", cmds)
	}
	c := cmds[0]
	if c.Op != "sql" || c.SQL != "SELECT * FROM t" || c.Node != "n2" || c.Consistency != "linearizable" || c.ID == "" {
		t.Fatalf("command %+v", c)
	}
	resp := wire.SQLResponse{Node: "n1", Index: 7, Term: 2, Results: []wire.SQLResult{{
		Command: "SELECT", Columns: []wire.SQLColumn{{Name: "id", Type: "integer"}, {Name: "name", Type: "text"}},
		Rows: [][]any{{1.0, "ann"}, {2.0, nil}},
	}}}
	s.Apply(result(c.ID, 200, resp, nil), t0)
	v := s.View()
	res := one(t, v, A{"data-testid": "sql-result"})
	ths := res.Find(A{"scope": "col"})
	if len(ths) != 2 || ths[0].TextContent() != "idinteger" || ths[1].Attrs["data-type"] != "text" {
		t.Fatalf("headers %v", ths)
	}
	if got := len(res.Find(A{"class": "null"})); got != 1 {
		t.Fatalf("%d NULL cells", got)
	}
	if res.Attrs["data-node"] != "n1" || res.Attrs["data-index"] != "7" {
		t.Fatalf("answered by %v", res.Attrs)
	}
	if len(v.Find(A{"data-testid": "sql-error"})) != 0 {
		t.Fatal("error shown with a result")
	}
}

func TestSQLErrorShowsSQLState(t *testing.T) {
	s := started(t)
	c := s.Handle(Msg{Kind: "key", Action: "sql-run", Fields: map[string]string{"sql": "selec 1"}}, t0)[0]
	s.Apply(result(c.ID, 400, nil, &wire.ErrorDetail{Code: wire.CodeSQL, Message: `syntax error at or near "selec"`, SQLState: "42601", Position: 1}), t0)
	e := one(t, s.View(), A{"data-testid": "sql-error"})
	if e.Attrs["data-sqlstate"] != "42601" {
		t.Fatalf("error attrs %v", e.Attrs)
	}
	if got := e.TextContent(); got != `ERROR 42601: syntax error at or near "selec"sql_error · at position 1` {
		t.Fatalf("error text %q", got)
	}
}

func TestSQLHistoryRecall(t *testing.T) {
	s := started(t)
	for _, q := range []string{"SELECT 1", "SELECT 2", "SELECT 2"} {
		s.Handle(Msg{Kind: "click", Action: "sql-run", Fields: map[string]string{"sql": q}}, t0)
	}
	if len(s.Console.History) != 2 {
		t.Fatalf("history %v", s.Console.History)
	}
	s.Handle(Msg{Kind: "key", Action: "sql-prev"}, t0)
	first := s.Console.SQLValue
	if first.Text != "SELECT 2" {
		t.Fatalf("up recalls %q", first.Text)
	}
	s.Handle(Msg{Kind: "key", Action: "sql-prev"}, t0)
	s.Handle(Msg{Kind: "key", Action: "sql-prev"}, t0)
	if s.Console.SQLValue.Text != "SELECT 1" {
		t.Fatalf("up twice recalls %q", s.Console.SQLValue.Text)
	}
	s.Handle(Msg{Kind: "key", Action: "sql-next"}, t0)
	s.Handle(Msg{Kind: "key", Action: "sql-next"}, t0)
	if v := s.Console.SQLValue; v.Text != "" || v.Rev <= first.Rev {
		t.Fatalf("down past the end gives %+v", v)
	}
	in := one(t, s.View(), A{"data-testid": "sql-input"})
	if in.Value == nil || *in.Value != s.Console.SQLValue {
		t.Fatalf("textarea value %+v", in.Value)
	}
}

func TestKeyAction(t *testing.T) {
	cases := []struct {
		box, key      string
		mod           bool
		before, after string
		want          string
	}{
		{"sql", "Enter", true, "x", "", "sql-run"},
		{"sql", "Enter", false, "x", "", ""},
		{"sql", "ArrowUp", false, "select", " 1", "sql-prev"},
		{"sql", "ArrowUp", false, "select\n1", "", ""},
		{"sql", "ArrowDown", false, "select", "\n1", ""},
		{"sql", "ArrowDown", false, "select 1", "", "sql-next"},
		{"token", "Enter", false, "s3cret", "", "token-save"},
		{"token", "ArrowUp", false, "s3cret", "", ""},
	}
	for _, c := range cases {
		if got := KeyAction(c.box, c.key, c.mod, c.before, c.after); got != c.want {
			t.Errorf("KeyAction(%q, %q, %v, %q, %q) = %q, want %q", c.box, c.key, c.mod, c.before, c.after, got, c.want)
		}
	}
}

// TestTokenPrompt: refused for want of a token, the page asks for one; what the user
// enters goes to the app once, and the page goes back to connecting.
func TestTokenPrompt(t *testing.T) {
	s := started(t)
	if got := s.View().Find(A{"data-testid": "token-prompt"}); len(got) != 0 {
		t.Fatal("a token prompt on a live page")
	}
	s.SetConn(ConnUnauthorized, "the token was refused")
	one(t, s.View(), A{"data-testid": "token-prompt", "data-reason": "the token was refused"})
	one(t, s.View(), A{"data-testid": "token-input", "type": "password"})
	s.Handle(Msg{Kind: "click", Action: "token-save", Fields: map[string]string{"token": "  "}}, t0)
	if _, ok := s.TakeToken(); ok || s.Conn != ConnUnauthorized {
		t.Fatalf("a blank token was taken (conn %s)", s.Conn)
	}
	s.Handle(Msg{Kind: "key", Action: "token-save", Fields: map[string]string{"token": " s3cret "}}, t0)
	if tok, ok := s.TakeToken(); !ok || tok != "s3cret" {
		t.Fatalf("TakeToken = %q, %v, want s3cret", tok, ok)
	}
	if _, ok := s.TakeToken(); ok {
		t.Fatal("the token was taken twice")
	}
	if s.Conn != ConnConnecting || len(s.View().Find(A{"data-testid": "token-prompt"})) != 0 {
		t.Fatalf("after a token: conn %s, prompt still shown", s.Conn)
	}
}

func TestKVAndControlCommands(t *testing.T) {
	s := started(t)
	put := s.Handle(Msg{Kind: "click", Action: "kv-put", Fields: map[string]string{"kv-key": "k", "kv-value": "v"}}, t0)[0]
	if put.Op != "kv.put" || put.Key != "k" || put.Value != "v" {
		t.Fatalf("put %+v", put)
	}
	found := false
	s.Apply(result(put.ID, 200, wire.KVWriteResult{WriteResult: wire.WriteResult{Index: 9, Term: 2, Node: "n1"}, Key: "k", Found: &found}, nil), t0)
	if r := one(t, s.View(), A{"data-testid": "kv-result"}); r.Attrs["data-ok"] != "true" || r.TextContent() != "k stored · index 9, term 2 on n1" {
		t.Fatalf("kv result %v %q", r.Attrs, r.TextContent())
	}
	get := s.Handle(Msg{Kind: "click", Action: "kv-get", Fields: map[string]string{"kv-key": "missing"}}, t0)[0]
	s.Apply(result(get.ID, 404, nil, &wire.ErrorDetail{Code: wire.CodeNotFound, Message: "no such key"}), t0)
	if r := one(t, s.View(), A{"data-testid": "kv-result"}); r.Attrs["data-ok"] != "false" || r.Attrs["data-code"] != "not_found" {
		t.Fatalf("kv error %v", r.Attrs)
	}

	for action, op := range map[string]string{"kill": "control.kill", "transfer": "control.transfer-leadership", "remove": "control.remove-node"} {
		c := s.Handle(Msg{Kind: "click", Action: "node:" + action + ":n2"}, t0)[0]
		var body map[string]string
		json.Unmarshal(c.Body, &body)
		if c.Op != op || body["node"] != "n2" {
			t.Errorf("%s: %+v body %s", action, c, c.Body)
		}
	}
	sp := s.Handle(Msg{Kind: "change", Action: "speed", Value: "slow"}, t0)[0]
	if sp.Op != "control.speed" || string(sp.Body) != `{"preset":"slow"}` {
		t.Fatalf("speed %+v %s", sp, sp.Body)
	}
	heal := s.Handle(Msg{Kind: "click", Action: "heal"}, t0)[0]
	s.Apply(result(heal.ID, 500, nil, &wire.ErrorDetail{Code: wire.CodeInternal, Message: "boom"}), t0)
	if n := one(t, s.View(), A{"data-testid": "notice"}); n.Attrs["data-level"] != "error" {
		t.Fatalf("notice %v", n.Attrs)
	}
}

func TestDisconnectFailsPendingCommands(t *testing.T) {
	s := started(t)
	s.Handle(Msg{Kind: "click", Action: "sql-run", Fields: map[string]string{"sql": "SELECT 1"}}, t0)
	s.SetConn(ConnReconnecting, "closed")
	if s.Console.SQLBusy || s.Console.SQL == nil || s.Console.SQL.Err.Code != wire.CodeUnavailable {
		t.Fatalf("pending SQL after disconnect: %+v", s.Console.SQL)
	}
	if c := one(t, s.View(), A{"data-testid": "conn"}); c.Attrs["data-state"] != ConnReconnecting {
		t.Fatalf("conn %v", c.Attrs)
	}
}
