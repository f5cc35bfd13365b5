package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/wire"
)

// leaseState lets a leader answer "leader" reads without a quorum round trip for a while
// after one succeeded. Followers that answered a heartbeat at time T will not vote for
// anyone else before T + HeartbeatTimeout (hashicorp/raft rejects votes while a leader is
// known), so no other leader can exist before then, except through a leadership transfer,
// which this node starts itself and which ends the lease, or through a follower's probe
// (leaderprobe.go), which starts an election early only once this node's raft port
// refuses connections, that is once this raft has shut down and serves nothing.
type leaseState struct {
	mu           sync.Mutex
	term         uint64
	until        time.Time
	transferring bool
}

func (l *leaseState) valid(term uint64, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.transferring && l.term == term && now.Before(l.until)
}

func (l *leaseState) extend(term uint64, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.transferring {
		return
	}
	if l.term != term || until.After(l.until) {
		l.term, l.until = term, until
	}
}

func (l *leaseState) revoke(transferring bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.until = time.Time{}
	l.transferring = transferring
}

// ErrBadConsistency is returned for an unknown consistency level.
var ErrBadConsistency = fmt.Errorf("%w: consistency must be local, leader or linearizable", ErrBadRequest)

// readable returns the instance to read from once the requested consistency holds:
//   - local: this node's state as it is (may be stale);
//   - leader: this node is the leader (confirmed by a quorum within its lease) and has
//     applied everything committed when the read arrived;
//   - linearizable: the same, with a fresh quorum confirmation for this very read.
//
// On a follower, leader and linearizable fail with ErrNotLeader so the caller forwards.
func (n *Node) readable(ctx context.Context, consistency string) (*instance, error) {
	inst, err := n.instance()
	if err != nil {
		return nil, err
	}
	switch consistency {
	case wire.ConsistencyLocal:
		return inst, nil
	case "", wire.ConsistencyLeader, wire.ConsistencyLinearizable:
	default:
		return nil, ErrBadConsistency
	}
	r := inst.raft
	if r.State() != raft.Leader {
		return nil, ErrNotLeader
	}
	term := r.CurrentTerm()
	commit := r.CommitIndex()
	now := time.Now()
	if consistency == wire.ConsistencyLinearizable || !inst.lease.valid(term, now) {
		if err := inst.leaderCheck.confirm(ctx, func() error { return inst.call(r.VerifyLeader) }); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, ErrNotLeader
		}
		inst.lease.extend(term, now.Add(n.currentHeartbeat()/2))
	}
	if inst.readyTerm.Load() != term {
		// A new leader may not yet have applied what its predecessors committed; a barrier
		// through the log makes sure it has, once per term.
		if err := inst.call(func() raft.Future { return r.Barrier(n.cfg.ApplyTimeout) }); err != nil {
			return nil, applyError(err)
		}
		if r.CurrentTerm() != term {
			return nil, ErrNotLeader
		}
		inst.readyTerm.Store(term)
		commit = max(commit, r.CommitIndex())
	}
	if err := n.waitApplied(ctx, inst, commit); err != nil {
		return nil, err
	}
	return inst, nil
}

// readOrForward waits until this node may serve a read at consistency or, on a follower,
// runs forward (the same read sent to the leader) instead, riding out elections like a write.
// It reports which of the two happened.
func (n *Node) readOrForward(ctx context.Context, consistency string, forward func() error) (inst *instance, forwarded bool, err error) {
	err = n.retry(ctx, func() error {
		var err error
		forwarded = false
		inst, err = n.readable(ctx, consistency)
		if errors.Is(err, ErrNotLeader) && canForward(ctx) {
			forwarded = true
			return forward()
		}
		return err
	})
	return inst, forwarded, err
}

// currentHeartbeat is the heartbeat timeout raft runs with now (it can be changed live).
func (n *Node) currentHeartbeat() time.Duration {
	inst := n.inst.Load()
	if inst == nil {
		return n.cfg.Timing.Heartbeat
	}
	return inst.raft.ReloadableConfig().HeartbeatTimeout
}

// waitApplied waits until the state machine has applied every entry up to index. The FSM
// only sees commands and configuration entries, so when raft reports the index applied but
// the FSM's own counter lags, the entries in between are checked: no-ops and barriers never
// reach the FSM.
func (n *Node) waitApplied(ctx context.Context, inst *instance, index uint64) error {
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		applied, changed := inst.fsm.AppliedChanged()
		if applied >= index {
			return nil
		}
		if inst.raft.AppliedIndex() >= index && n.noFSMEntries(inst, applied+1, index) {
			return nil
		}
		select {
		case <-changed:
		case <-tick.C:
		case <-inst.done:
			return ErrNodeDown
		case <-ctx.Done():
			return fmt.Errorf("wait for index %d to apply: %w", index, ctx.Err())
		}
	}
}

func (n *Node) noFSMEntries(inst *instance, from, to uint64) bool {
	if to-from > 64 {
		return false
	}
	var l raft.Log
	for i := from; i <= to; i++ {
		if err := inst.logs.GetLog(i, &l); err != nil {
			continue // compacted: covered by a snapshot of the FSM
		}
		if l.Type == raft.LogCommand || l.Type == raft.LogConfiguration {
			return false
		}
	}
	return true
}
