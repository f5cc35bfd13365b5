package ui

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// Limits of the per-node data view.
const (
	dataEvery  = 500 * time.Millisecond // at most one refresh per node this often
	dataRows   = 20                     // rows shown per table
	dataKeys   = 50                     // keys shown per node
	dataTables = 12                     // tables fetched per node
)

// NodeData is what one node's state machine holds, as read from that node alone (local
// consistency), so a lagging or diverged node shows its own copy.
type NodeData struct {
	Tables    []DataTable
	Keys      []wire.KVPair
	KeysMore  bool // more keys than shown
	Index     uint64
	KeysIndex uint64
	Err       string
	At        time.Time // when the last answer arrived
	Loaded    bool      // an answer has arrived

	asked        time.Time
	askedApplied uint64
	inflight     int
	force        bool
	rowsWanted   []string // tables whose rows are to be fetched next
	rowsGen      []DataTable
}

// DataTable is one table of a node, with its first rows.
type DataTable struct {
	Name    string
	Count   int64 // rows in the table (raftplay_tables.rows)
	Columns []wire.SQLColumn
	Rows    [][]any
}

// Complete reports whether every row of the table is shown.
func (t DataTable) Complete() bool { return t.Count <= int64(len(t.Rows)) }

func (s *State) nodeData(id string) *NodeData {
	if s.Data == nil {
		s.Data = map[string]*NodeData{}
	}
	d := s.Data[id]
	if d == nil {
		d = &NodeData{}
		s.Data[id] = d
	}
	return d
}

// Poll returns the commands the model wants sent by now without a user action: refreshes
// of each node's data, at most every dataEvery per node and only when its applied index
// moved (or the view was just opened).
func (s *State) Poll(now time.Time) []wire.Command {
	if !s.DataOpen || s.Conn != ConnLive || !s.Ready {
		return nil
	}
	var out []wire.Command
	for _, id := range s.NodeIDs() {
		n := s.Nodes[id]
		d := s.nodeData(id)
		if len(d.rowsWanted) > 0 {
			out = append(out, s.dataCmd("data-rows", id, wire.Command{Op: "sql", SQL: rowsSQL(d.rowsWanted)}, now))
			d.rowsWanted = nil
			continue
		}
		if d.inflight > 0 || s.displayRole(n) == wire.RoleDown {
			continue
		}
		if !d.force && !d.asked.IsZero() && d.askedApplied == n.Applied {
			continue
		}
		if !d.asked.IsZero() && now.Sub(d.asked) < dataEvery && now.After(d.asked) {
			continue
		}
		d.asked, d.askedApplied, d.force = now, n.Applied, false
		out = append(out,
			s.dataCmd("data-tables", id, wire.Command{Op: "sql", SQL: "SELECT * FROM raftplay_tables"}, now),
			s.dataCmd("data-keys", id, wire.Command{Op: "kv.list", Prefix: ""}, now))
	}
	return out
}

func (s *State) dataCmd(kind, id string, cmd wire.Command, now time.Time) wire.Command {
	cmd.Node, cmd.Consistency = id, wire.ConsistencyLocal
	s.nodeData(id).inflight++
	return s.Console.send(pending{kind: kind, key: id}, cmd, now)
}

// rowsSQL reads the first rows of each table in one request (one result per statement).
func rowsSQL(tables []string) string {
	var b strings.Builder
	for i, t := range tables {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString("SELECT * FROM " + quoteIdent(t) + " LIMIT " + strconv.Itoa(dataRows))
	}
	return b.String()
}

func quoteIdent(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// refreshData asks for every node's data again at the next poll.
func (s *State) refreshData() {
	for _, id := range s.NodeIDs() {
		s.nodeData(id).force = true
	}
}

// dataResult stores the answer to one of the data view's reads.
func (s *State) dataResult(p pending, r wire.ResultData) {
	d := s.nodeData(p.key)
	d.inflight = max(d.inflight-1, 0)
	if r.Error != nil {
		d.Err = errorText(r.Error, r.Status)
		d.rowsWanted = nil
		return
	}
	d.At = s.Now
	switch p.kind {
	case "data-keys":
		var l wire.KVList
		if json.Unmarshal(r.Result, &l) != nil {
			d.Err = "unreadable key list"
			return
		}
		sort.Slice(l.Items, func(i, j int) bool { return l.Items[i].Key < l.Items[j].Key })
		d.KeysMore = l.More || len(l.Items) > dataKeys
		if len(l.Items) > dataKeys {
			l.Items = l.Items[:dataKeys]
		}
		d.Keys, d.KeysIndex, d.Loaded, d.Err = l.Items, l.Index, true, ""
	case "data-tables":
		resp, ok := sqlAnswer(r, p.key, d)
		if !ok {
			return
		}
		var tables []DataTable
		if len(resp.Results) > 0 {
			res := resp.Results[0]
			name, count := column(res, "name"), column(res, "rows")
			for _, row := range res.Rows {
				t := DataTable{}
				if name >= 0 && name < len(row) {
					t.Name, _ = row[name].(string)
				}
				if count >= 0 && count < len(row) {
					if c, ok := row[count].(float64); ok {
						t.Count = int64(c)
					}
				}
				if t.Name != "" {
					tables = append(tables, t)
				}
			}
		}
		sort.Slice(tables, func(i, j int) bool { return tables[i].Name < tables[j].Name })
		if len(tables) > dataTables {
			tables = tables[:dataTables]
		}
		d.Index, d.Loaded, d.Err = resp.Index, true, ""
		if len(tables) == 0 {
			d.Tables = nil
			return
		}
		// Keep the rows already shown until the new ones arrive, so the view does not flicker.
		old := map[string]DataTable{}
		for _, t := range d.Tables {
			old[t.Name] = t
		}
		for i, t := range tables {
			if o, ok := old[t.Name]; ok {
				tables[i].Columns, tables[i].Rows = o.Columns, o.Rows
			}
		}
		d.Tables = tables
		d.rowsGen = tables
		d.rowsWanted = make([]string, len(tables))
		for i, t := range tables {
			d.rowsWanted[i] = t.Name
		}
	case "data-rows":
		resp, ok := sqlAnswer(r, p.key, d)
		if !ok {
			return
		}
		tables := append([]DataTable(nil), d.rowsGen...)
		for i := range tables {
			if i < len(resp.Results) {
				tables[i].Columns, tables[i].Rows = resp.Results[i].Columns, resp.Results[i].Rows
			}
		}
		d.Tables, d.Index = tables, resp.Index
	}
}

// sqlAnswer decodes a data read; an answer from another node (a follower forwards what it
// cannot prepare itself, e.g. a table it does not have yet) is not this node's data.
func sqlAnswer(r wire.ResultData, id string, d *NodeData) (wire.SQLResponse, bool) {
	var resp wire.SQLResponse
	if json.Unmarshal(r.Result, &resp) != nil {
		d.Err = "unreadable answer"
		return resp, false
	}
	if resp.Node != "" && resp.Node != id {
		d.Err = "answered by " + resp.Node + ": " + id + " does not have every table yet"
		d.force = true
		return resp, false
	}
	return resp, true
}

func column(res wire.SQLResult, name string) int {
	for i, c := range res.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// DataRef is the node whose data the others are compared with: the leader when it has
// answered, else none.
func (s *State) DataRef() (string, *NodeData) {
	if s.Leader == "" {
		return "", nil
	}
	d := s.Data[s.Leader]
	if d == nil || !d.Loaded {
		return "", nil
	}
	return s.Leader, d
}

// KeyDiffers reports whether the node's copy of a key differs from the reference's.
func KeyDiffers(ref *NodeData, kv wire.KVPair) bool {
	if ref == nil {
		return false
	}
	for _, r := range ref.Keys {
		if r.Key == kv.Key {
			return r.Value != kv.Value || r.Encoding != kv.Encoding
		}
	}
	// Not among the reference's first keys: only a difference if the reference shows all.
	return !ref.KeysMore
}

// MissingKeys are the reference's keys the node does not have (when both lists are whole).
func MissingKeys(ref, d *NodeData) []string {
	if ref == nil || ref.KeysMore || d.KeysMore {
		return nil
	}
	have := map[string]bool{}
	for _, kv := range d.Keys {
		have[kv.Key] = true
	}
	var out []string
	for _, kv := range ref.Keys {
		if !have[kv.Key] {
			out = append(out, kv.Key)
		}
	}
	return out
}

// RowDiffers reports whether a row of a table is absent from the reference's copy; only
// tables shown whole on both sides are compared.
func RowDiffers(ref *NodeData, t DataTable, row []any) bool {
	if ref == nil || !t.Complete() {
		return false
	}
	for _, rt := range ref.Tables {
		if rt.Name != t.Name {
			continue
		}
		if !rt.Complete() || rt.Rows == nil && rt.Count > 0 {
			return false
		}
		key := rowKey(row)
		for _, r := range rt.Rows {
			if rowKey(r) == key {
				return false
			}
		}
		return true
	}
	return true // the reference has no such table
}

func rowKey(row []any) string {
	b, _ := json.Marshal(row)
	return string(b)
}
