package netfault

import (
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/wire"
)

// isHeartbeat matches the requests raft's heartbeat loop sends, by the same test
// NetworkTransport uses to route them to the heartbeat fast path on the receiving side.
func isHeartbeat(a *raft.AppendEntriesRequest) bool {
	return a.Term != 0 && len(a.Entries) == 0 &&
		a.PrevLogEntry == 0 && a.PrevLogTerm == 0 && a.LeaderCommitIndex == 0
}

// appendData describes an AppendEntries; resp is read only when ok (it is not valid after
// a failed call).
func appendData(a *raft.AppendEntriesRequest, resp *raft.AppendEntriesResponse, ok bool) wire.RPCData {
	d := wire.RPCData{
		RPC:          wire.RPCAppendEntries,
		Term:         a.Term,
		Entries:      len(a.Entries),
		PrevIndex:    a.PrevLogEntry,
		PrevTerm:     a.PrevLogTerm,
		LeaderCommit: a.LeaderCommitIndex,
		Heartbeat:    isHeartbeat(a),
	}
	if ok && resp != nil {
		d.Success, d.RespTerm, d.LastIndex = resp.Success, resp.Term, resp.LastLog
	}
	return d
}

// emit completes d with what every RPC has and hands it to the observer.
func (t *Transport) emit(d *wire.RPCData, to raft.ServerID, start time.Time, delay time.Duration, dropped bool, err error) {
	d.From, d.To = string(t.self), string(to)
	d.Sent = start
	d.LatencyUS = time.Since(start).Microseconds()
	d.DelayMS = delay.Milliseconds()
	d.Dropped = dropped
	if err != nil {
		d.Success = false
		d.Error = err.Error()
	}
	t.obs(*d)
}

// learn records the address raft uses for a peer. Reads take a shared lock and the map is
// written only when something changed, so the steady state costs one lookup.
func (t *Transport) learn(id raft.ServerID, addr raft.ServerAddress) {
	if id == "" || addr == "" {
		return
	}
	t.peersMu.RLock()
	known := t.peers[string(addr)] == id
	t.peersMu.RUnlock()
	if known {
		return
	}
	t.peersMu.Lock()
	t.peers[string(addr)] = id
	t.peersMu.Unlock()
}

// learnBytes is learn for the byte slices of an incoming RPC header, without converting
// them to strings unless something is new.
func (t *Transport) learnBytes(id, addr []byte) {
	if len(id) == 0 || len(addr) == 0 {
		return
	}
	t.peersMu.RLock()
	known := string(t.peers[string(addr)]) == string(id)
	t.peersMu.RUnlock()
	if known {
		return
	}
	t.peersMu.Lock()
	t.peers[string(addr)] = raft.ServerID(id)
	t.peersMu.Unlock()
}

// PeerID returns the server ID last seen using addr, from this node's outgoing calls and
// the headers of incoming RPCs.
func (t *Transport) PeerID(addr raft.ServerAddress) (raft.ServerID, bool) {
	t.peersMu.RLock()
	defer t.peersMu.RUnlock()
	id, ok := t.peers[string(addr)]
	return id, ok
}
