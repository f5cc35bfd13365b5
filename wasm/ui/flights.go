package ui

import (
	"strconv"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// Kinds of messages drawn in flight; the view colours them.
const (
	KindAppend    = "append"
	KindHeartbeat = "heartbeat"
	KindVote      = "vote"
	KindPreVote   = "prevote"
	KindSnapshot  = "snapshot"
	KindTimeout   = "timeout"
)

// Outcomes of a message.
const (
	OutcomeOK      = "ok"
	OutcomeGranted = "granted"
	OutcomeDenied  = "denied"
	OutcomeFailed  = "failed"  // the call errored (peer down, connection cut)
	OutcomeDropped = "dropped" // a fault dropped it on purpose
)

const (
	flightBase    = 500 * time.Millisecond
	flightMax     = 4 * time.Second
	flightLinger  = 300 * time.Millisecond // a dropped or answered message stays visible
	maxFlights    = 48
	heartbeatGap  = 300 * time.Millisecond // at most one empty append drawn per link this often
	replyFraction = 1                      // a vote's reply travels as long as its request
)

// Flight is one message being animated from one node to another. Events arrive after the
// sender saw the outcome, so the animation replays the call: request out, and for votes the
// answer back.
type Flight struct {
	ID      uint64
	Kind    string
	From    string
	To      string
	Label   string
	Outcome string
	Start   time.Time
	Dur     time.Duration // one way
}

// Reply reports whether the flight animates an answer travelling back.
func (f Flight) Reply() bool {
	return (f.Kind == KindVote || f.Kind == KindPreVote) && (f.Outcome == OutcomeGranted || f.Outcome == OutcomeDenied)
}

// End is when the flight disappears.
func (f Flight) End() time.Time {
	d := f.Dur + flightLinger
	if f.Reply() {
		d += f.Dur * replyFraction
	}
	return f.Start.Add(d)
}

// Flights is the bounded set of messages in flight.
type Flights struct {
	List   []Flight
	next   uint64
	lastHB map[[2]string]time.Time
}

func (fs *Flights) add(f Flight) {
	fs.next++
	f.ID = fs.next
	fs.List = append(fs.List, f)
	if len(fs.List) > maxFlights {
		fs.List = append(fs.List[:0:0], fs.List[len(fs.List)-maxFlights:]...)
	}
}

func (fs *Flights) addRPC(d wire.RPCData, now time.Time) {
	f := Flight{From: d.From, To: d.To, Start: now, Outcome: OutcomeOK}
	f.Dur = min(flightBase+time.Duration(d.LatencyUS)*time.Microsecond+time.Duration(d.DelayMS)*time.Millisecond, flightMax)
	switch d.RPC {
	case wire.RPCAppendEntries:
		f.Kind = KindAppend
		if d.Entries == 0 {
			f.Kind = KindHeartbeat
		} else {
			f.Label = strconv.Itoa(d.Entries)
		}
	case wire.RPCRequestVote, wire.RPCRequestPreVote:
		f.Kind = KindVote
		if d.RPC == wire.RPCRequestPreVote {
			f.Kind = KindPreVote
		}
		if d.Granted != nil {
			f.Outcome = OutcomeDenied
			if *d.Granted {
				f.Outcome = OutcomeGranted
			}
		}
	case wire.RPCInstallSnapshot:
		f.Kind = KindSnapshot
	default:
		f.Kind = KindTimeout
	}
	switch {
	case d.Dropped:
		f.Outcome = OutcomeDropped
	case d.Error != "":
		f.Outcome = OutcomeFailed
	case !d.Success && f.Kind != KindVote && f.Kind != KindPreVote:
		f.Outcome = OutcomeFailed
	}
	if f.Kind == KindHeartbeat && f.Outcome == OutcomeOK && !fs.heartbeatDue(d.From, d.To, now) {
		return // tens per second per link: draw a steady trickle, not a smear
	}
	fs.add(f)
}

func (fs *Flights) addHeartbeats(d wire.HeartbeatsData, now time.Time) {
	if d.Count == 0 {
		return
	}
	f := Flight{Kind: KindHeartbeat, From: d.From, To: d.To, Start: now, Dur: flightBase, Outcome: OutcomeOK, Label: "×" + strconv.Itoa(d.Count)}
	if d.Failed > 0 {
		f.Outcome = OutcomeFailed
	}
	fs.heartbeatDue(d.From, d.To, now)
	fs.add(f)
}

func (fs *Flights) heartbeatDue(from, to string, now time.Time) bool {
	if fs.lastHB == nil {
		fs.lastHB = map[[2]string]time.Time{}
	}
	k := [2]string{from, to}
	if last, ok := fs.lastHB[k]; ok && now.Sub(last) < heartbeatGap && !now.Before(last) {
		return false
	}
	fs.lastHB[k] = now
	return true
}

// Prune drops the flights that have ended by now and reports whether any did.
func (fs *Flights) Prune(now time.Time) bool {
	keep := fs.List[:0]
	for _, f := range fs.List {
		if now.Before(f.End()) {
			keep = append(keep, f)
		}
	}
	changed := len(keep) != len(fs.List)
	fs.List = keep
	return changed
}
