package ui

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// Console is the user's side of the app: commands sent and their answers, SQL history.
type Console struct {
	next    int
	pending map[string]pending

	SQLValue    Value // the text the model last put into the SQL box
	History     []string
	histPos     int // len(History) when not recalling
	SQLBusy     bool
	SQL         *SQLAnswer
	KVBusy      bool
	KV          *KVAnswer
	Target      string // node the console sends to ("" = any)
	Consistency string
}

type pending struct {
	kind string // "sql", "kv", "control", "scenario" or "data-*" (the data view's reads)
	what string // human description, e.g. "kill n1" or "get k"
	op   string
	key  string // the key of a KV command; the node of a data read; the scenario's name
	sent time.Time
}

// SQLAnswer is the outcome of one SQL request.
type SQLAnswer struct {
	Statement string
	Status    int
	Resp      *wire.SQLResponse
	Err       *wire.ErrorDetail
}

// KVAnswer is the outcome of one KV request.
type KVAnswer struct {
	Op   string
	Key  string
	Text string
	Err  *wire.ErrorDetail
}

func (c *Console) send(p pending, cmd wire.Command, now time.Time) wire.Command {
	c.next++
	cmd.ID = "c" + strconv.Itoa(c.next)
	if c.pending == nil {
		c.pending = map[string]pending{}
	}
	p.op, p.sent = cmd.Op, now
	c.pending[cmd.ID] = p
	return cmd
}

// result routes a command's answer to where its question was asked.
func (c *Console) result(d wire.ResultData, s *State) {
	p, ok := c.pending[d.ID]
	if !ok {
		return
	}
	delete(c.pending, d.ID)
	if !strings.HasPrefix(p.kind, "data-") && !p.sent.IsZero() {
		s.Metrics.latency(s.Now, s.Now.Sub(p.sent))
	}
	switch p.kind {
	case "data-tables", "data-rows", "data-keys":
		s.dataResult(p, d)
	case "scenario":
		if d.Error != nil {
			s.notice("error", p.what+": "+errorText(d.Error, d.Status))
		} else {
			s.Scenario = Scenario{Name: p.key, Step: "started", Running: true}
			s.notice("ok", "Scenario "+p.key+": started")
		}
	case "sql":
		c.SQLBusy = false
		a := &SQLAnswer{Statement: p.what, Status: d.Status, Err: d.Error}
		if d.Error == nil {
			var r wire.SQLResponse
			if err := json.Unmarshal(d.Result, &r); err != nil {
				a.Err = &wire.ErrorDetail{Code: wire.CodeBadJSON, Message: "unreadable answer: " + err.Error()}
			} else {
				a.Resp = &r
			}
		} else if d.Error.Message == "" {
			a.Err = &wire.ErrorDetail{Code: d.Error.Code, Message: "HTTP " + strconv.Itoa(d.Status)}
		}
		c.SQL = a
	case "kv":
		c.KVBusy = false
		c.KV = kvAnswer(p, d)
	case "control":
		if d.Error != nil {
			s.notice("error", p.what+": "+errorText(d.Error, d.Status))
		} else {
			s.notice("ok", p.what+": done")
		}
	}
}

// failPending answers every outstanding command with an error: their answers would have
// come on the connection that just ended.
func (c *Console) failPending(why string) {
	for id, p := range c.pending {
		delete(c.pending, id)
		e := &wire.ErrorDetail{Code: wire.CodeUnavailable, Message: why}
		switch p.kind {
		case "sql":
			c.SQLBusy = false
			c.SQL = &SQLAnswer{Statement: p.what, Err: e}
		case "kv":
			c.KVBusy = false
			c.KV = &KVAnswer{Op: p.op, Key: p.key, Err: e}
		}
	}
}

func kvAnswer(p pending, d wire.ResultData) *KVAnswer {
	a := &KVAnswer{Op: p.op, Key: p.key}
	if strings.HasPrefix(p.what, "kv.cas ") {
		a.Op = "kv.cas"
	}
	if d.Error != nil {
		a.Err = d.Error
		if d.Error.Message == "" {
			a.Err = &wire.ErrorDetail{Code: d.Error.Code, Message: "HTTP " + strconv.Itoa(d.Status)}
		}
		return a
	}
	switch p.op {
	case "kv.get":
		var kv wire.KVPair
		json.Unmarshal(d.Result, &kv)
		enc := ""
		if kv.Encoding != "" {
			enc = " (" + kv.Encoding + ")"
		}
		a.Text = kv.Key + " = " + kv.Value + enc + " · read at index " + strconv.FormatUint(kv.Index, 10)
	default:
		var w wire.KVWriteResult
		json.Unmarshal(d.Result, &w)
		verb := "stored"
		if a.Op == "kv.cas" {
			verb = "stored (compare-and-set matched)"
		}
		if p.op == "kv.delete" {
			verb = "deleted"
			if w.Found != nil && !*w.Found {
				verb = "was not there"
			}
		}
		a.Text = p.key + " " + verb + " · index " + strconv.FormatUint(w.Index, 10) + ", term " + strconv.FormatUint(w.Term, 10) + " on " + orDash(w.Node)
	}
	return a
}

func errorText(e *wire.ErrorDetail, status int) string {
	if e == nil {
		return "HTTP " + strconv.Itoa(status)
	}
	var b strings.Builder
	b.WriteString(e.Message)
	if e.Code != "" {
		b.WriteString(" (" + e.Code + ")")
	}
	if e.Leader != "" {
		b.WriteString(" · leader " + e.Leader)
	}
	if e.Current != nil {
		b.WriteString(" · current value " + strconv.Quote(*e.Current))
	}
	return b.String()
}

// remember adds a statement to the history (not twice in a row) and ends any recall.
func (c *Console) remember(sql string) {
	if n := len(c.History); n == 0 || c.History[n-1] != sql {
		c.History = append(c.History, sql)
		if len(c.History) > maxHistory {
			c.History = c.History[len(c.History)-maxHistory:]
		}
	}
	c.histPos = len(c.History)
}

// recall moves through the history by delta and puts the statement into the SQL box.
func (c *Console) recall(delta int) {
	if len(c.History) == 0 {
		return
	}
	pos := min(max(c.histPos+delta, 0), len(c.History))
	c.histPos = pos
	text := ""
	if pos < len(c.History) {
		text = c.History[pos]
	}
	c.setSQL(text)
}

func (c *Console) setSQL(text string) {
	c.SQLValue = Value{Text: text, Rev: c.SQLValue.Rev + 1}
}
