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
	// flightLinger is how long, in wall time, a message that arrived (or was dropped) stays
	// where it ended: loopback RPCs take a millisecond, far less than a frame, so without it
	// a realtime message would never be seen at all. It only marks where a message went;
	// the model never moves one after its outcome.
	flightLinger = 400 * time.Millisecond
	maxFlights   = 48
	// heartbeatGap: at most one empty append per link is drawn this often (picture time).
	heartbeatGap = 300 * time.Millisecond
)

// Flight is one message between two nodes, drawn from the moment it was really sent to the
// moment its outcome was known (the reply arrived, or it failed or was dropped).
type Flight struct {
	ID      uint64 // the seq of the event it comes from
	Kind    string
	RPC     string
	Term    uint64
	From    string
	To      string
	Label   string
	Outcome string
	Sent    time.Time     // real time it was sent
	Done    time.Time     // real time its outcome was known
	Offset  time.Duration // how far along it already was when first drawn (arrived late)
	Landed  bool          // its outcome has been drawn
}

// Reply reports whether the flight animates an answer travelling back.
func (f Flight) Reply() bool {
	return (f.Kind == KindVote || f.Kind == KindPreVote) && (f.Outcome == OutcomeGranted || f.Outcome == OutcomeDenied)
}

// Dur is the real duration of the flight (both ways for one with a reply).
func (f Flight) Dur() time.Duration { return max(f.Done.Sub(f.Sent), 0) }

// Flights is the bounded set of messages in flight.
type Flights struct {
	List   []Flight
	lastHB map[[2]string]time.Time
}

func (fs *Flights) add(f Flight) {
	for i := range fs.List {
		if fs.List[i].ID == f.ID && f.ID != 0 {
			return // already drawn (its send was released before)
		}
	}
	fs.List = append(fs.List, f)
	if len(fs.List) > maxFlights {
		fs.List = append(fs.List[:0:0], fs.List[len(fs.List)-maxFlights:]...)
	}
}

// find returns the flight from the event with seq, if it is drawn.
func (fs *Flights) find(seq uint64) *Flight {
	for i := range fs.List {
		if fs.List[i].ID == seq {
			return &fs.List[i]
		}
	}
	return nil
}

// removeFrom drops every message the node sent: a node that died sends nothing more, and
// what it had in flight is not drawn past its death.
func (fs *Flights) removeFrom(id string) []Flight {
	keep, gone := fs.List[:0], []Flight(nil)
	for _, f := range fs.List {
		if f.From == id {
			gone = append(gone, f)
			continue
		}
		keep = append(keep, f)
	}
	fs.List = keep
	return gone
}

// flightOf describes the message of an rpc event; sent is when it left.
func flightOf(seq uint64, at time.Time, d wire.RPCData, sent time.Time) Flight {
	f := Flight{ID: seq, RPC: d.RPC, Term: d.Term, From: d.From, To: d.To, Sent: sent, Done: at, Outcome: OutcomeOK}
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
	return f
}

// heartbeatDue thins idle traffic: tens of empty appends a second per link would be a smear.
func (fs *Flights) heartbeatDue(from, to string, at time.Time) bool {
	if fs.lastHB == nil {
		fs.lastHB = map[[2]string]time.Time{}
	}
	k := [2]string{from, to}
	if last, ok := fs.lastHB[k]; ok && at.Sub(last) < heartbeatGap && !at.Before(last) {
		return false
	}
	fs.lastHB[k] = at
	return true
}

// Prune drops the flights that ended (and lingered) by the picture time at, where linger
// is the wall-time linger expressed in picture time; it reports whether any went.
func (fs *Flights) Prune(at time.Time) bool { return fs.prune(at, flightLinger) }

func (fs *Flights) prune(at time.Time, linger time.Duration) bool {
	keep := fs.List[:0]
	for _, f := range fs.List {
		if at.Before(f.Done.Add(linger)) {
			keep = append(keep, f)
		}
	}
	changed := len(keep) != len(fs.List)
	fs.List = keep
	return changed
}
