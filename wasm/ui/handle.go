package ui

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// Msg is one thing the user did. Action is the element's data-click (or data-change,
// data-input, data-key) value, e.g. "node:kill:n1"; Value is the element's value for
// change and input; Fields are the current values of the page's named inputs
// (data-field), read when the action happened so that whatever filled them (typing,
// autofill, a test driver) counts.
type Msg struct {
	Kind   string // "click", "change", "input" or "key"
	Action string
	Value  string
	Fields map[string]string
}

// Handle applies a user action at now and returns the commands to send to the server.
func (s *State) Handle(m Msg, now time.Time) []wire.Command {
	s.Now = now
	name, arg, _ := strings.Cut(m.Action, ":")
	switch name {
	case "token-save":
		if tok := strings.TrimSpace(m.Fields["token"]); tok != "" {
			s.token = tok
			s.Conn, s.ConnError = ConnConnecting, ""
		}
	case "sql-run", "sql-prev", "sql-next", "sql-history":
		return s.handleSQL(name, arg, m, now)
	case "kv-put", "kv-get", "kv-delete", "kv-cas":
		return s.handleKV(name, m, now)
	case "node", "add-node", "heal", "partition-apply", "part", "scenario-run", "speed":
		return s.handleControl(name, arg, m, now)
	case "tl-pause", "tl-resume", "tl-scrub", "tl-select", "tl-noise", "tl-step", "hist-scrub":
		s.handleTimeline(name, arg, m)
	case "replay":
		s.handleReplay(arg, m)
	case "data-toggle":
		s.DataOpen = !s.DataOpen
		if s.DataOpen {
			s.refreshData()
		}
	case "pick":
		s.handlePick(arg)
	case "link":
		return s.handleLink(arg)
	case "entry":
		s.selectEntry(arg)
	case "entry-close":
		s.Selected = EntryRef{}
	case "notice-close":
		s.Notice = Notice{}
	}
	return nil
}

// handleSQL runs the SQL box's statement or moves through its history.
func (s *State) handleSQL(name, arg string, m Msg, now time.Time) []wire.Command {
	c := &s.Console
	switch name {
	case "sql-run":
		sql := strings.TrimSpace(m.Fields["sql"])
		if sql == "" {
			return nil
		}
		c.Target, c.Consistency = m.Fields["sql-node"], m.Fields["sql-consistency"]
		c.remember(sql)
		c.SQLBusy = true
		return []wire.Command{c.send(pending{kind: "sql", what: sql},
			wire.Command{Op: "sql", SQL: sql, Node: c.Target, Consistency: c.Consistency}, now)}
	case "sql-prev":
		c.recall(-1)
	case "sql-next":
		c.recall(+1)
	case "sql-history":
		if i, err := strconv.Atoi(arg); err == nil && i >= 0 && i < len(c.History) {
			c.histPos = i
			c.setSQL(c.History[i])
		}
	}
	return nil
}

// handleKV sends a key/value command ("kv-put", "kv-get", "kv-delete", "kv-cas").
func (s *State) handleKV(name string, m Msg, now time.Time) []wire.Command {
	c := &s.Console
	key := m.Fields["kv-key"]
	op := "kv." + strings.TrimPrefix(name, "kv-")
	if key == "" {
		c.KV = &KVAnswer{Op: op, Err: &wire.ErrorDetail{Code: wire.CodeBadRequest, Message: "enter a key"}}
		return nil
	}
	what := op + " " + key
	cmd := wire.Command{Op: op, Key: key, Node: m.Fields["sql-node"]}
	switch op {
	case "kv.put":
		cmd.Value = m.Fields["kv-value"]
	case "kv.cas":
		// Compare-and-set: a put that happens only if the key holds the expected value;
		// an empty expectation means the key must not exist yet.
		cmd.Op, cmd.Value = "kv.put", m.Fields["kv-value"]
		if prev := m.Fields["kv-prev"]; prev != "" {
			cmd.Prev = &prev
		} else {
			no := false
			cmd.PrevExists = &no
		}
	case "kv.get":
		cmd.Consistency = m.Fields["sql-consistency"]
	}
	c.KVBusy = true
	return []wire.Command{c.send(pending{kind: "kv", what: what, key: key}, cmd, now)}
}

// handleControl sends a fault or cluster control: node buttons, add node, heal, the
// partition builder, scenarios and the speed.
func (s *State) handleControl(name, arg string, m Msg, now time.Time) []wire.Command {
	switch name {
	case "node":
		action, id, _ := strings.Cut(arg, ":")
		op, ok := nodeOps[action]
		if !ok || id == "" {
			return nil
		}
		return []wire.Command{s.control(action+" "+id, op, map[string]string{"node": id})}
	case "add-node":
		return []wire.Command{s.control("add node", "control.add-node", map[string]string{})}
	case "heal":
		s.PartPick = nil // the builder starts over from the (healed) partition
		return []wire.Command{s.control("heal all", "control.heal", map[string]string{})}
	case "partition-apply":
		groups, err := s.partitionGroups(m.Fields)
		if err != "" {
			s.notice("error", err)
			return nil
		}
		return []wire.Command{s.control("partition "+groupsText(groups), "control.partition", map[string]any{"groups": groups})}
	case "part":
		if id := arg; id != "" && m.Value != "" {
			if s.PartPick == nil {
				s.PartPick = map[string]string{}
			}
			s.PartPick[id] = m.Value
		}
	case "scenario-run":
		scenario := m.Fields["scenario"]
		if scenario == "" {
			scenario = m.Value
		}
		if scenario == "" {
			return nil
		}
		b, _ := json.Marshal(map[string]string{"name": scenario})
		s.notice("busy", "scenario "+scenario+"…")
		return []wire.Command{s.Console.send(pending{kind: "scenario", what: "scenario " + scenario, key: scenario}, wire.Command{Op: "control.scenario", Body: b}, now)}
	case "speed":
		if m.Value == "" {
			return nil
		}
		return []wire.Command{s.control("speed "+m.Value, "control.speed", map[string]string{"preset": m.Value})}
	}
	return nil
}

// handleTimeline pauses, resumes, scrubs, selects in or filters the timeline.
func (s *State) handleTimeline(name, arg string, m Msg) {
	switch name {
	case "tl-pause":
		s.pause()
		s.askRange()
	case "tl-resume":
		s.resume()
	case "tl-step":
		dir := 1
		if arg == "back" {
			dir = -1
		}
		s.Timeline.Cursor, s.past = 0, nil
		s.step(dir)
	case "tl-scrub":
		if pos, err := strconv.Atoi(m.Value); err == nil {
			s.pause()
			s.Timeline.Scrub(pos)
		}
	case "tl-select":
		if seq, err := strconv.ParseUint(arg, 10, 64); err == nil {
			s.pause()
			s.Timeline.Select(seq)
		}
	case "hist-scrub":
		if seq, err := strconv.ParseUint(m.Value, 10, 64); err == nil && seq > 0 {
			s.scrubTo(seq)
		}
	case "tl-noise":
		s.Timeline.ShowNoise = m.Value == "true"
	}
}

// handleReplay starts, stops or configures the instant replay.
func (s *State) handleReplay(arg string, m Msg) {
	switch arg {
	case "start":
		s.startReplay()
	case "again":
		if s.Player != nil {
			ep := s.Player.Ep
			s.Offer = &ep
			s.startReplay()
		}
	case "stop":
		s.stopReplay()
	case "auto":
		s.AutoReplay = m.Value == "true"
	}
}

// selectEntry opens the details of the log entry "<node>:<index>", or closes them when
// it is the one already open.
func (s *State) selectEntry(arg string) {
	id, idx, _ := strings.Cut(arg, ":")
	i, err := strconv.ParseUint(idx, 10, 64)
	if err != nil {
		return
	}
	ref := EntryRef{Node: id, Index: i}
	if s.Selected == ref {
		ref = EntryRef{}
	}
	s.Selected = ref
}

// nodeOps maps a node button to its control op.
var nodeOps = map[string]string{
	"kill":     "control.kill",
	"restart":  "control.restart",
	"isolate":  "control.isolate",
	"transfer": "control.transfer-leadership",
	"remove":   "control.remove-node",
}

func (s *State) control(what, op string, body any) wire.Command {
	b, _ := json.Marshal(body)
	s.notice("busy", what+"…")
	return s.Console.send(pending{kind: "control", what: what}, wire.Command{Op: op, Body: b}, s.Now)
}

// PartitionLetters are the groups the partition builder offers.
var PartitionLetters = []string{"A", "B", "C"}

// partitionGroups reads the builder's choices (fields "part:<node>") into groups, in
// letter order, leaving out empty ones.
func (s *State) partitionGroups(fields map[string]string) ([][]string, string) {
	var groups [][]string
	for _, l := range PartitionLetters {
		var g []string
		for _, id := range s.NodeIDs() {
			pick := fields["part:"+id]
			if pick == "" {
				pick = s.PartitionPick(id)
			}
			if pick == l {
				g = append(g, id)
			}
		}
		if len(g) > 0 {
			groups = append(groups, g)
		}
	}
	if len(groups) < 2 {
		return nil, "partition: put the nodes in at least two groups"
	}
	return groups, ""
}

// PartitionPick is the group letter the builder shows for a node: the user's last choice,
// else the node's group in the active partition, else A.
func (s *State) PartitionPick(id string) string {
	if p := s.PartPick[id]; p != "" {
		return p
	}
	if g := s.Group(id); g > 0 && g <= len(PartitionLetters) {
		return PartitionLetters[g-1]
	}
	return PartitionLetters[0]
}

func groupsText(groups [][]string) string {
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = "{" + strings.Join(g, " ") + "}"
	}
	return strings.Join(parts, " | ")
}

// KeyAction maps a key pressed in a box (its data-key: "sql" or "token") to an action, or
// "" to let the browser have it; before and after are the box's text on either side of
// the caret. In the SQL box, up and down recall history only from the first or last line,
// so editing a multi-line statement still works.
func KeyAction(box, key string, ctrlOrMeta bool, before, after string) string {
	if box == "token" {
		if key == "Enter" {
			return "token-save"
		}
		return ""
	}
	switch {
	case key == "Enter" && ctrlOrMeta:
		return "sql-run"
	case key == "ArrowUp" && !ctrlOrMeta && !strings.Contains(before, "\n"):
		return "sql-prev"
	case key == "ArrowDown" && !ctrlOrMeta && !strings.Contains(after, "\n"):
		return "sql-next"
	}
	return ""
}
