package ui

import (
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// answer returns the result event for the command, as the server would send it.
func answer(cmd wire.Command, res any) wire.Event { return result(cmd.ID, 200, res, nil) }

func TestDataFetchesEachNodeLocallyAndThrottles(t *testing.T) {
	s := started(t)
	cmds := s.Poll(t0)
	if len(cmds) != 6 {
		t.Fatalf("%d commands, want a table list and a key list per node: %+v", len(cmds), cmds)
	}
	byNode := map[string][]wire.Command{}
	for _, c := range cmds {
		if c.Consistency != wire.ConsistencyLocal || c.Node == "" {
			t.Fatalf("not a local read of one node: %+v", c)
		}
		byNode[c.Node] = append(byNode[c.Node], c)
	}
	if c := byNode["n2"]; c[0].Op != "sql" || c[0].SQL != "SELECT * FROM raftplay_tables" || c[1].Op != "kv.list" {
		t.Fatalf("n2's reads: %+v", c)
	}
	if again := s.Poll(t0.Add(time.Second)); len(again) != 0 {
		t.Fatalf("asked again while the first reads are out: %+v", again)
	}

	// n2 answers: one table, then its rows in a second request.
	tables := wire.SQLResponse{Node: "n2", Index: 3, Results: []wire.SQLResult{{
		Columns: []wire.SQLColumn{{Name: "name", Type: "text"}, {Name: "columns", Type: "integer"}, {Name: "rows", Type: "bigint"}},
		Rows:    [][]any{{"pets", 2.0, 2.0}},
	}}}
	s.Apply(answer(byNode["n2"][0], tables), t0)
	s.Apply(answer(byNode["n2"][1], wire.KVList{Index: 3, Items: []wire.KVPair{{Key: "b", Value: "2"}, {Key: "a", Value: "1"}}}), t0)
	rows := s.Poll(t0.Add(10 * time.Millisecond))
	if len(rows) != 1 || rows[0].SQL != `SELECT * FROM "pets" LIMIT 20` || rows[0].Node != "n2" {
		t.Fatalf("rows request: %+v", rows)
	}
	s.Apply(answer(rows[0], wire.SQLResponse{Node: "n2", Index: 3, Results: []wire.SQLResult{{
		Columns: []wire.SQLColumn{{Name: "id", Type: "integer"}, {Name: "name", Type: "text"}},
		Rows:    [][]any{{1.0, "cat"}, {2.0, "dog"}},
	}}}), t0)
	d := s.Data["n2"]
	if !d.Loaded || len(d.Tables) != 1 || len(d.Tables[0].Rows) != 2 || d.Keys[0].Key != "a" {
		t.Fatalf("n2's data: %+v", d)
	}
	v := s.View()
	nd := one(t, v, A{"data-testid": "node-data", "data-node-id": "n2"})
	one(t, nd, A{"data-testid": "data-table", "data-table": "pets", "data-rows": "2"})
	one(t, nd, A{"data-testid": "data-key", "data-key": "b"})

	// Nothing applied since: no new reads, even after the throttle.
	if again := s.Poll(t0.Add(2 * time.Second)); len(again) != 0 {
		for _, c := range again {
			if c.Node == "n2" {
				t.Fatalf("n2 asked again without a new applied index: %+v", c)
			}
		}
	}
	// A new entry applied on n2: read again, but not before the throttle allows.
	s.Apply(ev(101, "n2", wire.EventApply, wire.ApplyData{Index: 4, Digest: "x"}), t0)
	if again := nodeCmds(s.Poll(t0.Add(100*time.Millisecond)), "n2"); len(again) != 0 {
		t.Fatalf("asked within the throttle: %+v", again)
	}
	if again := nodeCmds(s.Poll(t0.Add(3*time.Second)), "n2"); len(again) != 2 {
		t.Fatalf("no refresh after a new apply: %+v", again)
	}
}

func nodeCmds(cmds []wire.Command, id string) []wire.Command {
	var out []wire.Command
	for _, c := range cmds {
		if c.Node == id {
			out = append(out, c)
		}
	}
	return out
}

func TestDataSkipsDownNodesAndClosedView(t *testing.T) {
	s := started(t)
	s.Apply(ev(101, "", wire.EventFault, wire.Faults{Down: []string{"n3"}}), t0)
	if c := nodeCmds(s.Poll(t0), "n3"); len(c) != 0 {
		t.Fatalf("read a down node: %+v", c)
	}
	s2 := started(t)
	s2.Handle(Msg{Kind: "click", Action: "data-toggle"}, t0)
	if c := s2.Poll(t0); len(c) != 0 || s2.DataOpen {
		t.Fatalf("closed view still reads: %+v", c)
	}
	one(t, s2.View(), A{"data-testid": "data-view", "data-open": "false"})
	s2.Handle(Msg{Kind: "click", Action: "data-toggle"}, t0)
	if c := s2.Poll(t0); len(c) != 6 {
		t.Fatalf("opening the view did not read every node: %+v", c)
	}
}

func TestDataMarksDifferencesFromTheLeader(t *testing.T) {
	s := started(t)
	s.Data = map[string]*NodeData{
		"n1": {Loaded: true, Index: 5, KeysIndex: 5, Keys: []wire.KVPair{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}},
			Tables: []DataTable{{Name: "t", Count: 1, Rows: [][]any{{1.0}}, Columns: []wire.SQLColumn{{Name: "id"}}}}},
		"n2": {Loaded: true, Index: 5, KeysIndex: 5, Keys: []wire.KVPair{{Key: "a", Value: "X"}},
			Tables: []DataTable{{Name: "t", Count: 1, Rows: [][]any{{2.0}}, Columns: []wire.SQLColumn{{Name: "id"}}}}},
		"n3": {Loaded: true, Index: 5, KeysIndex: 5, Keys: []wire.KVPair{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}},
			Tables: []DataTable{{Name: "t", Count: 1, Rows: [][]any{{1.0}}, Columns: []wire.SQLColumn{{Name: "id"}}}}},
	}
	v := s.View()
	n2 := one(t, v, A{"data-testid": "node-data", "data-node-id": "n2"})
	one(t, n2, A{"data-testid": "data-key", "data-key": "a", "data-differs": "true"})
	one(t, n2, A{"data-missing-key": "b"})
	one(t, n2, A{"data-testid": "data-table", "data-table": "t", "data-differs": "true"})
	n3 := one(t, v, A{"data-testid": "node-data", "data-node-id": "n3"})
	if len(n3.Find(A{"data-differs": "true"})) != 0 {
		t.Fatal("n3 holds the leader's data but is marked")
	}
}

func TestDataIgnoresAnswersFromAnotherNode(t *testing.T) {
	s := started(t)
	cmds := nodeCmds(s.Poll(t0), "n3")
	s.Apply(answer(cmds[0], wire.SQLResponse{Node: "n1", Results: []wire.SQLResult{{Columns: []wire.SQLColumn{{Name: "name"}}, Rows: [][]any{{"t"}}}}}), t0)
	if d := s.Data["n3"]; len(d.Tables) != 0 || d.Err == "" {
		t.Fatalf("took the leader's answer as n3's: %+v", d)
	}
}

func TestDataReadsResetOnDisconnect(t *testing.T) {
	s := started(t)
	s.Poll(t0)
	s.SetConn(ConnReconnecting, "gone")
	s.SetConn(ConnLive, "")
	if c := s.Poll(t0.Add(time.Second)); len(c) != 6 {
		t.Fatalf("reads lost with the connection were not asked again: %d", len(c))
	}
}
