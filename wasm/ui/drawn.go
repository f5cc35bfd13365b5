package ui

import "time"

// maxDrawn bounds the record of what the page drew (window.raftplayDrawn keeps as many).
const maxDrawn = 2000

// Kinds of Drawn records.
const (
	DrawState    = "state"     // a node's role changed (Role says to what)
	DrawRPCSend  = "rpc-send"  // a message left its sender
	DrawRPCReply = "rpc-reply" // its answer arrived
	DrawRPCDrop  = "rpc-drop"  // it failed or a fault dropped it
	DrawLeader   = "leader"    // a node learnt who leads
	DrawAppend   = "append"    // entries stored in a node's log
	DrawDown     = "down"      // a node died
)

// Drawn is one thing the page drew, for tests (docs/ui-testing.md, window.raftplayDrawn):
// T is the page's clock when it drew it and At the real moment it shows, both in ms since
// the epoch; Mode is "live" or "replay".
type Drawn struct {
	T    float64 `json:"t"`
	At   float64 `json:"at"`
	Kind string  `json:"kind"`
	Node string  `json:"node,omitempty"`
	From string  `json:"from,omitempty"`
	To   string  `json:"to,omitempty"`
	RPC  string  `json:"rpc,omitempty"`
	Role string  `json:"role,omitempty"`
	Term uint64  `json:"term,omitempty"`
	Seq  uint64  `json:"seq,omitempty"`
	Mode string  `json:"mode"`
}

// DrawnLog keeps the newest records and hands the app the ones it has not yet published.
// A live picture and a replay share one, so the record is in the order things were drawn.
type DrawnLog struct {
	fresh []Drawn
}

func (l *DrawnLog) add(d Drawn) {
	l.fresh = append(l.fresh, d)
	if len(l.fresh) > maxDrawn {
		l.fresh = append(l.fresh[:0:0], l.fresh[len(l.fresh)-maxDrawn:]...)
	}
}

// TakeDrawn returns what was drawn since the last call, oldest first.
func (s *State) TakeDrawn() []Drawn {
	if s.drawn == nil {
		return nil
	}
	out := s.drawn.fresh
	s.drawn.fresh = nil
	return out
}

func ms64(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixMicro()) / 1000
}

// draw records d as drawn now by this picture.
func (s *State) draw(d Drawn, at time.Time) {
	if s.drawn == nil {
		return
	}
	d.T, d.At, d.Mode = ms64(s.Now), ms64(at), s.mode
	if d.Mode == "" {
		d.Mode = "live"
	}
	s.drawn.add(d)
}
