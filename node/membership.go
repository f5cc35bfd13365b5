package node

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/store"
	"github.com/raftplay/raftplay/node/wire"
)

// Join adds a node to the cluster as a voter (or non-voter) and records its metadata. A
// member re-joining with the same id and address is a no-op; a changed address replaces the
// old entry. On a follower the request is forwarded to the leader.
func (n *Node) Join(ctx context.Context, req wire.JoinRequest) error {
	if req.ID == "" || req.RaftAddr == "" {
		return fmt.Errorf("%w: join needs id and raft_addr", ErrBadRequest)
	}
	return n.retry(ctx, func() error {
		err := n.join(ctx, req)
		if errors.Is(err, ErrNotLeader) && canForward(ctx) {
			return n.forward(ctx, func(addr string) error { return n.peers.Join(ctx, addr, req) })
		}
		return err
	})
}

func (n *Node) join(ctx context.Context, req wire.JoinRequest) error {
	inst, err := n.instance()
	if err != nil {
		return err
	}
	r := inst.raft
	if r.State() != raft.Leader {
		return ErrNotLeader
	}
	cf := r.GetConfiguration()
	if err := cf.Error(); err != nil {
		return fmt.Errorf("read configuration: %w", err)
	}
	voter := req.Voter == nil || *req.Voter
	member := false
	for _, s := range cf.Configuration().Servers {
		sameID, sameAddr := s.ID == raft.ServerID(req.ID), s.Address == raft.ServerAddress(req.RaftAddr)
		switch {
		case sameID && sameAddr && (s.Suffrage == raft.Voter) == voter:
			member = true
		case sameID || sameAddr:
			if err := inst.call(func() raft.Future { return r.RemoveServer(s.ID, 0, n.cfg.ApplyTimeout) }); err != nil {
				return fmt.Errorf("remove stale member %s: %w", s.ID, applyError(err))
			}
		}
	}
	if !member {
		err := inst.call(func() raft.Future {
			if voter {
				return r.AddVoter(raft.ServerID(req.ID), raft.ServerAddress(req.RaftAddr), 0, n.cfg.ApplyTimeout)
			}
			return r.AddNonvoter(raft.ServerID(req.ID), raft.ServerAddress(req.RaftAddr), 0, n.cfg.ApplyTimeout)
		})
		if err != nil {
			return fmt.Errorf("add %s: %w", req.ID, applyError(err))
		}
		n.log.Info("node joined", "id", req.ID, "raft_addr", req.RaftAddr, "voter", voter)
	}
	if req.HTTPAddr == "" {
		return nil
	}
	_, err = n.propose(ctx, store.Command{V: store.CommandVersion, Op: store.OpNodeMeta,
		Node: &store.NodeMeta{ID: req.ID, HTTPAddr: req.HTTPAddr, PGAddr: req.PGAddr}})
	return err
}

// Remove takes a node out of the cluster configuration and forgets its metadata.
func (n *Node) Remove(ctx context.Context, id string) error {
	return n.retry(ctx, func() error {
		err := n.remove(ctx, id)
		if errors.Is(err, ErrNotLeader) && canForward(ctx) {
			return n.forward(ctx, func(addr string) error { return n.peers.Remove(ctx, addr, id) })
		}
		return err
	})
}

func (n *Node) remove(ctx context.Context, id string) error {
	inst, err := n.instance()
	if err != nil {
		return err
	}
	r := inst.raft
	if r.State() != raft.Leader {
		return ErrNotLeader
	}
	if _, ok := n.member(inst, id); !ok {
		return fmt.Errorf("%w: %s", ErrUnknownNode, id)
	}
	if err := inst.call(func() raft.Future { return r.RemoveServer(raft.ServerID(id), 0, n.cfg.ApplyTimeout) }); err != nil {
		return fmt.Errorf("remove %s: %w", id, applyError(err))
	}
	n.log.Info("node removed", "id", id)
	if id == n.cfg.ID {
		return nil // we are no longer in the cluster; a successor forgets our metadata
	}
	_, err = n.propose(ctx, store.Command{V: store.CommandVersion, Op: store.OpNodeGone, Key: id})
	if errors.Is(err, ErrNotLeader) {
		return nil
	}
	return err
}

func (n *Node) member(inst *instance, id string) (raft.Server, bool) {
	cf := inst.raft.GetConfiguration()
	if cf.Error() != nil {
		return raft.Server{}, false
	}
	for _, s := range cf.Configuration().Servers {
		if string(s.ID) == id {
			return s, true
		}
	}
	return raft.Server{}, false
}

// TransferLeadership hands leadership to the node id (or, with an empty id, to the most
// up-to-date follower) and waits for the transfer to finish.
func (n *Node) TransferLeadership(ctx context.Context, id string) error {
	return n.retry(ctx, func() error {
		err := n.transfer(id)
		if errors.Is(err, ErrNotLeader) && canForward(ctx) {
			return n.forward(ctx, func(addr string) error { return n.peers.Transfer(ctx, addr, id) })
		}
		return err
	})
}

func (n *Node) transfer(id string) error {
	inst, err := n.instance()
	if err != nil {
		return err
	}
	r := inst.raft
	if r.State() != raft.Leader {
		return ErrNotLeader
	}
	if id == n.cfg.ID {
		return nil // already the leader
	}
	var request func() raft.Future
	if id == "" {
		inst.lease.revoke(true)
		request = r.LeadershipTransfer
	} else {
		s, ok := n.member(inst, id)
		if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownNode, id)
		}
		if s.Suffrage != raft.Voter {
			return fmt.Errorf("%w: %s is not a voter", ErrBadRequest, id)
		}
		inst.lease.revoke(true)
		request = func() raft.Future { return r.LeadershipTransferToServer(s.ID, s.Address) }
	}
	err = inst.call(request)
	inst.lease.revoke(false)
	if err != nil {
		return fmt.Errorf("transfer leadership: %w", err)
	}
	return nil
}

// Snapshot takes a snapshot of this node's state now and compacts its log.
func (n *Node) Snapshot(context.Context) (wire.SnapshotData, error) {
	inst, err := n.instance()
	if err != nil {
		return wire.SnapshotData{}, err
	}
	var f raft.SnapshotFuture
	if err := inst.call(func() raft.Future { f = inst.raft.Snapshot(); return f }); err != nil {
		if errors.Is(err, raft.ErrNothingNewToSnapshot) {
			idx, term := lastSnapshot(inst)
			return wire.SnapshotData{Action: "unchanged", Index: idx, Term: term}, nil
		}
		return wire.SnapshotData{}, fmt.Errorf("snapshot: %w", err)
	}
	meta, rc, err := f.Open()
	if err != nil {
		return wire.SnapshotData{}, fmt.Errorf("open snapshot: %w", err)
	}
	rc.Close()
	return wire.SnapshotData{Action: "taken", Index: meta.Index, Term: meta.Term, Size: meta.Size}, nil
}

// joinLoop asks the Join members to add this node until one accepts or the node closes.
func (n *Node) joinLoop() {
	defer n.wg.Done()
	req := wire.JoinRequest{ID: n.cfg.ID, RaftAddr: n.advertisedRaftAddr(), HTTPAddr: n.cfg.HTTPAddr, PGAddr: n.cfg.PGAddr}
	backoff := 100 * time.Millisecond
	for {
		for _, addr := range n.cfg.Join {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := n.peers.JoinVia(ctx, strings.TrimSpace(addr), req)
			cancel()
			if err == nil {
				n.log.Info("joined cluster", "via", addr)
				return
			}
			n.log.Warn("join failed, will retry", "via", addr, "error", err)
		}
		select {
		case <-n.stop:
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 2*time.Second)
	}
}

func (n *Node) advertisedRaftAddr() string {
	if n.cfg.RaftAdvertise != "" {
		return n.cfg.RaftAdvertise
	}
	return n.raftAddr
}

// announceLoop keeps this node's metadata (its HTTP and Postgres addresses) current in the
// replicated state, so that every node can forward to it. Addresses change when a node
// restarts on ephemeral ports.
func (n *Node) announceLoop() {
	defer n.wg.Done()
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
		}
		inst := n.inst.Load()
		if inst == nil || n.cfg.HTTPAddr == "" {
			continue
		}
		if _, lid := inst.raft.LeaderWithID(); lid == "" {
			continue
		}
		if _, ok := n.member(inst, n.cfg.ID); !ok {
			continue
		}
		metas, err := inst.fsm.Nodes()
		if err != nil {
			continue
		}
		want := store.NodeMeta{ID: n.cfg.ID, HTTPAddr: n.cfg.HTTPAddr, PGAddr: n.cfg.PGAddr}
		if metas[n.cfg.ID] == want {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = n.publishMeta(ctx, want)
		cancel()
		if err != nil {
			n.log.Debug("publish node metadata", "error", err)
		}
	}
}

func (n *Node) publishMeta(ctx context.Context, m store.NodeMeta) error {
	_, err := n.propose(ctx, store.Command{V: store.CommandVersion, Op: store.OpNodeMeta, Node: &m})
	if !errors.Is(err, ErrNotLeader) {
		return err
	}
	inst, err := n.instance()
	if err != nil {
		return err
	}
	s, ok := n.member(inst, m.ID)
	if !ok {
		return fmt.Errorf("%w: %s is not a member", ErrUnknownNode, m.ID)
	}
	// Re-joining with the same id, address and suffrage only records the metadata.
	voter := s.Suffrage == raft.Voter
	req := wire.JoinRequest{ID: m.ID, RaftAddr: string(s.Address), HTTPAddr: m.HTTPAddr, PGAddr: m.PGAddr, Voter: &voter}
	return n.forward(ctx, func(addr string) error { return n.peers.Join(ctx, addr, req) })
}
