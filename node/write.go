package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/store"
)

type ctxKey int

const noForwardKey ctxKey = 1

// NoForward marks ctx as serving a request another node already forwarded here: this node
// answers itself or fails with ErrNotLeader, so a request never bounces between nodes.
func NoForward(ctx context.Context) context.Context {
	return context.WithValue(ctx, noForwardKey, true)
}

// Forwarded reports whether ctx serves a request another node forwarded.
func Forwarded(ctx context.Context) bool { return !canForward(ctx) }

func canForward(ctx context.Context) bool {
	v, _ := ctx.Value(noForwardKey).(bool)
	return !v
}

// propose puts cmd through the local raft. It fails with ErrNotLeader (never applied) when
// this node is not the leader, and with ErrIndeterminate when leadership was lost after the
// entry may have entered the log.
func (n *Node) propose(ctx context.Context, cmd store.Command) (*store.Result, error) {
	inst, err := n.instance()
	if err != nil {
		return nil, err
	}
	if inst.raft.State() != raft.Leader {
		return nil, ErrNotLeader
	}
	size := len(cmd.Key) + len(cmd.Value) + len(cmd.ValueB64) + len(cmd.SQL) + 64
	return n.proposeGrouped(ctx, inst, cmd, size)
}

// applyError tells "certainly not applied" (safe to retry anywhere) from "may have been".
func applyError(err error) error {
	switch {
	case errors.Is(err, raft.ErrNotLeader), errors.Is(err, raft.ErrLeadershipTransferInProgress):
		return ErrNotLeader
	case errors.Is(err, raft.ErrEnqueueTimeout):
		return fmt.Errorf("%w: %v", ErrNoLeader, err)
	case errors.Is(err, raft.ErrLeadershipLost), errors.Is(err, raft.ErrRaftShutdown):
		return fmt.Errorf("%w (%v)", ErrIndeterminate, err)
	}
	return fmt.Errorf("apply: %w", err)
}

// leaderHTTP returns the leader's id and HTTP API address from the replicated metadata.
func (n *Node) leaderHTTP() (id, addr string, err error) {
	inst, err := n.instance()
	if err != nil {
		return "", "", err
	}
	_, lid := inst.raft.LeaderWithID()
	if lid == "" {
		return "", "", ErrNoLeader
	}
	metas, err := inst.fsm.Nodes()
	if err != nil {
		return "", "", err
	}
	m, ok := metas[string(lid)]
	if !ok || m.HTTPAddr == "" {
		return string(lid), "", fmt.Errorf("%w: leader %s has not published its address yet", ErrNoLeader, lid)
	}
	if string(lid) == n.cfg.ID {
		return "", "", ErrNotLeader // we were leader a moment ago; let the caller retry
	}
	return string(lid), m.HTTPAddr, nil
}

// Leader returns the id of the leader this node knows, if any.
func (n *Node) Leader() string {
	inst, err := n.instance()
	if err != nil {
		return ""
	}
	_, id := inst.raft.LeaderWithID()
	return string(id)
}

// IsLeader reports whether this node is the leader right now.
func (n *Node) IsLeader() bool {
	inst, err := n.instance()
	return err == nil && inst.raft.State() == raft.Leader
}

// retry runs op again while it fails only because there is no leader to take it (an
// election is under way), for up to a few election rounds, so clients ride out a failover
// instead of seeing it. Outcomes that may have been applied are never retried.
func (n *Node) retry(ctx context.Context, op func() error) error {
	t := n.cfg.Timing
	deadline := time.Now().Add(max(5*(t.Heartbeat+t.Election), 2*time.Second))
	for {
		err := op()
		if err == nil || !canForward(ctx) || time.Now().After(deadline) ||
			errors.Is(err, ErrIndeterminate) || !(errors.Is(err, ErrNoLeader) || errors.Is(err, ErrNotLeader) || errors.Is(err, ErrUnreachable)) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-n.stop:
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}
