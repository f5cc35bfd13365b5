package ui

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/raftplay/raftplay/node/wire"
)

// summarize is the one-line text of an event in the timeline, and whether it is noise.
func summarize(ev wire.Event) (string, bool) {
	switch ev.Type {
	case wire.EventState:
		var d wire.StateData
		json.Unmarshal(ev.Data, &d)
		return fmt.Sprintf("%s → %s (term %d)", orDash(d.Prev), d.Role, d.Term), false
	case wire.EventLeader:
		var d wire.LeaderData
		json.Unmarshal(ev.Data, &d)
		if d.Leader == "" {
			return fmt.Sprintf("knows no leader (term %d)", d.Term), false
		}
		return fmt.Sprintf("leader is %s (term %d)", d.Leader, d.Term), false
	case wire.EventRPC:
		var d wire.RPCData
		json.Unmarshal(ev.Data, &d)
		return rpcText(d), d.RPC == wire.RPCAppendEntries && d.Entries == 0 && d.Success
	case wire.EventHeartbeats:
		var d wire.HeartbeatsData
		json.Unmarshal(ev.Data, &d)
		s := fmt.Sprintf("%d heartbeats %s→%s", d.Count, d.From, d.To)
		if d.Failed > 0 {
			s += fmt.Sprintf(", %d failed", d.Failed)
		}
		return s, d.Failed == 0
	case wire.EventVote:
		var d wire.VoteData
		json.Unmarshal(ev.Data, &d)
		kind := "vote"
		if d.PreVote {
			kind = "pre-vote"
		}
		return fmt.Sprintf("asked for %s by %s (term %d)", kind, d.Candidate, d.Term), false
	case wire.EventLogAppend:
		var d wire.LogAppendData
		json.Unmarshal(ev.Data, &d)
		s := fmt.Sprintf("log +%d..%d (term %d)", d.First, d.Last, d.Term)
		if d.First == d.Last {
			s = fmt.Sprintf("log +%d (term %d)", d.First, d.Term)
		}
		if len(d.Entries) == 1 && d.Entries[0].Summary != "" {
			s += ": " + d.Entries[0].Summary
		}
		return s, false
	case wire.EventLogDelete:
		var d wire.LogDeleteData
		json.Unmarshal(ev.Data, &d)
		return fmt.Sprintf("log %s %d..%d", orDash(d.Reason), d.Min, d.Max), false
	case wire.EventCommit:
		var d wire.CommitData
		json.Unmarshal(ev.Data, &d)
		return fmt.Sprintf("commit → %d", d.Index), false
	case wire.EventApply:
		var d wire.ApplyData
		json.Unmarshal(ev.Data, &d)
		s := fmt.Sprintf("apply %d: %s [%s]", d.Index, orDash(d.Summary), short(d.Digest))
		if d.Error != "" {
			s += " error: " + d.Error
		}
		return s, false
	case wire.EventStatus:
		var d wire.NodeStatus
		json.Unmarshal(ev.Data, &d)
		return fmt.Sprintf("%s term %d commit %d applied %d", d.Role, d.Term, d.CommitIndex, d.AppliedIndex), true
	case wire.EventSnapshot:
		var d wire.SnapshotData
		json.Unmarshal(ev.Data, &d)
		return fmt.Sprintf("snapshot %s at %d (term %d)", d.Action, d.Index, d.Term), false
	case wire.EventMembership:
		var d wire.MembershipData
		json.Unmarshal(ev.Data, &d)
		ids := make([]string, len(d.Servers))
		for i, s := range d.Servers {
			ids[i] = s.ID
		}
		return fmt.Sprintf("membership %s %s: [%s]", orDash(d.Change), d.Node, strings.Join(ids, " ")), false
	case wire.EventFault:
		var d wire.FaultData
		json.Unmarshal(ev.Data, &d)
		return strings.TrimSpace(fmt.Sprintf("fault %s %s", orDash(d.Action), d.Target)), false
	case wire.EventPeer:
		// A leader's own view of its heartbeats to one follower.
		var d wire.PeerData
		json.Unmarshal(ev.Data, &d)
		return fmt.Sprintf("heartbeats to %s %s", d.Peer, d.State), d.State == wire.PeerFailed
	case wire.EventLeaderDown:
		var d wire.LeaderDownData
		json.Unmarshal(ev.Data, &d)
		return fmt.Sprintf("leader %s is down (nothing listens on its raft port after %d ms without a heartbeat): starting an election", d.Leader, d.QuietMS), false
	case wire.EventError:
		var d wire.ErrorDetail
		json.Unmarshal(ev.Data, &d)
		return "error: " + d.Message, false
	}
	return string(ev.Data), false
}

func rpcText(d wire.RPCData) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s→%s t%d", d.RPC, d.From, d.To, d.Term)
	if d.RPC == wire.RPCAppendEntries {
		if d.Entries > 0 {
			fmt.Fprintf(&b, " +%d after %d", d.Entries, d.PrevIndex)
		} else {
			b.WriteString(" (empty)")
		}
	}
	switch {
	case d.Dropped:
		b.WriteString(" DROPPED")
	case d.Error != "":
		b.WriteString(" failed: " + d.Error)
	case d.Granted != nil && *d.Granted:
		b.WriteString(" granted")
	case d.Granted != nil:
		b.WriteString(" denied")
	case !d.Success:
		b.WriteString(" rejected")
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func short(digest string) string {
	if len(digest) > 8 {
		return digest[:8]
	}
	return digest
}
