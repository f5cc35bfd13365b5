package node

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/wire"
)

func roleOf(s raft.RaftState) string {
	switch s {
	case raft.Leader:
		return wire.RoleLeader
	case raft.Candidate:
		return wire.RoleCandidate
	case raft.Follower:
		return wire.RoleFollower
	}
	return wire.RoleDown
}

func suffrageOf(s raft.ServerSuffrage) string {
	switch s {
	case raft.Voter:
		return "voter"
	case raft.Nonvoter:
		return "nonvoter"
	}
	return "staging"
}

func lastSnapshot(inst *instance) (index, term uint64) {
	st := inst.raft.Stats()
	index, _ = strconv.ParseUint(st["last_snapshot_index"], 10, 64)
	term, _ = strconv.ParseUint(st["last_snapshot_term"], 10, 64)
	return index, term
}

// Status describes this node now.
func (n *Node) Status() wire.NodeStatus {
	st := wire.NodeStatus{ID: n.cfg.ID, RaftAddr: n.advertisedRaftAddr(), HTTPAddr: n.cfg.HTTPAddr, PGAddr: n.cfg.PGAddr}
	inst := n.inst.Load()
	if inst == nil {
		st.Role = wire.RoleDown
		st.ElectionTimeoutMS = n.timingInForce().Heartbeat.Milliseconds()
		return st
	}
	r := inst.raft
	st.Role = roleOf(r.State())
	_, lid := r.LeaderWithID()
	st.Leader = string(lid)
	st.Term = r.CurrentTerm()
	st.CommitIndex = r.CommitIndex()
	st.AppliedIndex = r.AppliedIndex()
	st.LastIndex = r.LastIndex()
	st.LastSnapshotIndex, st.LastSnapshotTerm = lastSnapshot(inst)
	rc := r.ReloadableConfig()
	st.ElectionTimeoutMS = rc.HeartbeatTimeout.Milliseconds()
	if st.Role == wire.RoleCandidate {
		st.ElectionTimeoutMS = rc.ElectionTimeout.Milliseconds()
	}
	if st.Role != wire.RoleLeader {
		if lc := r.LastContact(); !lc.IsZero() {
			// Rounded up, so that a follower heard from just now still says so (0 is omitted).
			st.LastContactMS = int64((time.Since(lc) + time.Millisecond - 1) / time.Millisecond)
		}
	}
	if s, ok := n.member(inst, n.cfg.ID); ok {
		st.Suffrage = suffrageOf(s.Suffrage)
	}
	st.Digest = inst.fsm.Digest()
	st.ApplyCount, st.RestoreCount = inst.fsm.Counts()
	return st
}

// RunningReads counts the SQL reads under way on this node.
func (n *Node) RunningReads() int64 { return n.sql.Running() }

// Limits reports what this node allows one request.
func (n *Node) Limits() wire.Limits {
	l := n.sql.Limits()
	return wire.Limits{
		MaxStatementBytes: l.MaxStatementBytes, MaxRequestBytes: l.MaxRequestBytes, MaxStatements: l.MaxStatements,
		MaxRowsExamined: l.Budget.RowsExamined, MaxRowsWritten: l.Budget.RowsWritten,
		MaxValueBytes: l.Budget.ValueBytes, MaxWriteBytes: l.Budget.WriteBytes, MaxHeldBytes: l.Budget.HeldBytes,
		QueryTimeoutMS: max(n.cfg.QueryTimeout.Milliseconds(), 0),
	}
}

// Members lists the raft configuration as this node knows it, with each member's published
// HTTP and Postgres addresses.
func (n *Node) Members() ([]wire.NodeStatus, error) {
	inst, err := n.instance()
	if err != nil {
		return nil, err
	}
	cf := inst.raft.GetConfiguration()
	if err := cf.Error(); err != nil {
		return nil, err
	}
	metas, err := inst.fsm.Nodes()
	if err != nil {
		return nil, err
	}
	var out []wire.NodeStatus
	for _, s := range cf.Configuration().Servers {
		m := metas[string(s.ID)]
		out = append(out, wire.NodeStatus{ID: string(s.ID), RaftAddr: string(s.Address), HTTPAddr: m.HTTPAddr,
			PGAddr: m.PGAddr, Suffrage: suffrageOf(s.Suffrage)})
	}
	return out, nil
}

// Cluster describes every member: this node from its own state, the others by asking their
// HTTP APIs (in parallel, briefly); a member that does not answer is "unreachable".
func (n *Node) Cluster(ctx context.Context) (wire.ClusterStatus, error) {
	members, err := n.Members()
	if err != nil {
		// A node that is down still knows itself.
		self := n.Status()
		return wire.ClusterStatus{Nodes: []wire.NodeStatus{self}}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	out := make([]wire.NodeStatus, len(members))
	var wg sync.WaitGroup
	for i, m := range members {
		if m.ID == n.cfg.ID {
			out[i] = n.Status()
			out[i].Suffrage = m.Suffrage
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if m.HTTPAddr == "" {
				m.Role, m.Error = wire.RoleUnreachable, "address not published yet"
				out[i] = m
				return
			}
			st, err := n.peers.Status(ctx, m.HTTPAddr)
			if err != nil {
				m.Role, m.Error = wire.RoleUnreachable, err.Error()
				out[i] = m
				return
			}
			st.Suffrage = m.Suffrage
			out[i] = st
		}()
	}
	wg.Wait()
	return Summarize(out), nil
}

// Summarize orders nodes by id and names the leader of the highest term any node reports.
func Summarize(nodes []wire.NodeStatus) wire.ClusterStatus {
	sort.Slice(nodes, func(i, j int) bool { return LessID(nodes[i].ID, nodes[j].ID) })
	cs := wire.ClusterStatus{Nodes: nodes}
	for _, s := range nodes {
		if s.Role == wire.RoleLeader && s.Term >= cs.Term {
			cs.Leader, cs.Term = s.ID, s.Term
		}
		if s.Term > cs.Term {
			cs.Term = s.Term
		}
	}
	return cs
}

// LessID orders "n2" before "n10".
func LessID(a, b string) bool {
	ta, na := splitNum(a)
	tb, nb := splitNum(b)
	if ta != tb || na < 0 || nb < 0 {
		return a < b
	}
	return na < nb
}

func splitNum(s string) (string, int) {
	i := strings.IndexAny(s, "0123456789")
	if i < 0 {
		return s, -1
	}
	v, err := strconv.Atoi(s[i:])
	if err != nil {
		return s, -1
	}
	return s[:i], v
}
