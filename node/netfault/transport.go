package netfault

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/wire"
)

// Observer is called for every RPC this node sends, after its outcome is known. It runs on
// raft's own goroutines, so it must be cheap and must not block (publish to a bounded queue
// and drop or summarise when it is full), and it must not call back into the Transport.
type Observer func(wire.RPCData)

// Transport is a raft.Transport over a raft.NetworkTransport that observes every outgoing
// RPC and enforces this node's fault rules. Give it to raft.NewRaft in place of the inner
// transport; raft.Shutdown closes it (raft.WithClose), which also closes the inner one.
type Transport struct {
	inner *raft.NetworkTransport
	self  raft.ServerID
	obs   Observer

	rulesMu sync.Mutex // serialises rule changes, not reads
	rules   atomic.Pointer[rules]

	peersMu sync.RWMutex
	peers   map[string]raft.ServerID // address -> server ID, learned from traffic

	pipesMu sync.Mutex
	pipes   map[*pipeline]struct{}

	rpcCh       chan raft.RPC // incoming RPCs that passed the rules, for raft
	closeCh     chan struct{}
	closeOnce   sync.Once
	quiesceCh   chan struct{}
	quiesceOnce sync.Once
	wg          sync.WaitGroup
}

var (
	_ raft.Transport   = (*Transport)(nil)
	_ raft.WithPreVote = (*Transport)(nil)
	_ raft.WithClose   = (*Transport)(nil)
)

// New wraps inner for the node self. obs may be nil. It starts one goroutine that screens
// incoming RPCs on their way to raft; Close stops it.
func New(inner *raft.NetworkTransport, self raft.ServerID, obs Observer) *Transport {
	t := &Transport{
		inner:     inner,
		self:      self,
		obs:       obs,
		peers:     make(map[string]raft.ServerID),
		pipes:     make(map[*pipeline]struct{}),
		rpcCh:     make(chan raft.RPC),
		closeCh:   make(chan struct{}),
		quiesceCh: make(chan struct{}),
	}
	t.rules.Store(newRules(string(self), nil, false, 0))
	t.wg.Add(1)
	go t.screenIncoming()
	return t
}

// Close stops the wrapper and closes the inner transport. It is safe to call more than once.
func (t *Transport) Close() error {
	var err error
	t.closeOnce.Do(func() {
		close(t.closeCh) // wakes RPCs sleeping out a delay
		t.pipesMu.Lock()
		pipes := make([]*pipeline, 0, len(t.pipes))
		for p := range t.pipes {
			pipes = append(pipes, p)
		}
		t.pipesMu.Unlock()
		for _, p := range pipes {
			_ = p.Close()
		}
		// NetworkTransport.Close stops the listener but leaves pooled connections open,
		// which would keep the peers' connection handlers (and their goroutines) alive.
		t.inner.CloseStreams()
		if cerr := t.inner.Close(); cerr != nil {
			err = fmt.Errorf("netfault: close transport: %w", cerr)
		}
		t.wg.Wait()
	})
	return err
}

// Inner returns the wrapped transport.
func (t *Transport) Inner() *raft.NetworkTransport { return t.inner }

// LocalAddr implements raft.Transport.
func (t *Transport) LocalAddr() raft.ServerAddress { return t.inner.LocalAddr() }

// EncodePeer implements raft.Transport.
func (t *Transport) EncodePeer(id raft.ServerID, addr raft.ServerAddress) []byte {
	return t.inner.EncodePeer(id, addr)
}

// DecodePeer implements raft.Transport.
func (t *Transport) DecodePeer(buf []byte) raft.ServerAddress { return t.inner.DecodePeer(buf) }

// AppendEntries implements raft.Transport.
func (t *Transport) AppendEntries(id raft.ServerID, target raft.ServerAddress, args *raft.AppendEntriesRequest, resp *raft.AppendEntriesResponse) error {
	t.learn(id, target)
	start := time.Now()
	var delay time.Duration
	dropped := false
	err := t.untilReachable(func() error {
		var err error
		if delay, err = t.gate(wire.RPCAppendEntries, id, nil); err != nil {
			dropped = true
			return err
		}
		dropped = false
		return fromRemote(t.inner.AppendEntries(id, target, args, resp))
	})
	if t.obs != nil {
		d := appendData(args, resp, err == nil)
		t.emit(&d, id, start, delay, dropped, err)
	}
	return err
}

// RequestVote implements raft.Transport.
func (t *Transport) RequestVote(id raft.ServerID, target raft.ServerAddress, args *raft.RequestVoteRequest, resp *raft.RequestVoteResponse) error {
	t.learn(id, target)
	start := time.Now()
	delay, err := t.gate(wire.RPCRequestVote, id, nil)
	dropped := err != nil
	if !dropped {
		err = fromRemote(votingCall(func() error { return t.inner.RequestVote(id, target, args, resp) }))
	}
	if t.obs != nil {
		d := wire.RPCData{RPC: wire.RPCRequestVote, Term: args.Term, LastIndex: args.LastLogIndex}
		if err == nil {
			granted := resp.Granted
			d.Success, d.Granted, d.RespTerm = granted, &granted, resp.Term
		}
		t.emit(&d, id, start, delay, dropped, err)
	}
	return err
}

// RequestPreVote implements raft.WithPreVote.
func (t *Transport) RequestPreVote(id raft.ServerID, target raft.ServerAddress, args *raft.RequestPreVoteRequest, resp *raft.RequestPreVoteResponse) error {
	t.learn(id, target)
	start := time.Now()
	delay, err := t.gate(wire.RPCRequestPreVote, id, nil)
	dropped := err != nil
	if !dropped {
		err = fromRemote(votingCall(func() error { return t.inner.RequestPreVote(id, target, args, resp) }))
	}
	if t.obs != nil {
		d := wire.RPCData{RPC: wire.RPCRequestPreVote, Term: args.Term, LastIndex: args.LastLogIndex}
		if err == nil {
			granted := resp.Granted
			d.Success, d.Granted, d.RespTerm = granted, &granted, resp.Term
		}
		t.emit(&d, id, start, delay, dropped, err)
	}
	return err
}

// InstallSnapshot implements raft.Transport.
func (t *Transport) InstallSnapshot(id raft.ServerID, target raft.ServerAddress, args *raft.InstallSnapshotRequest, resp *raft.InstallSnapshotResponse, data io.Reader) error {
	t.learn(id, target)
	start := time.Now()
	var delay time.Duration
	dropped := false
	err := t.untilReachable(func() error {
		var err error
		if delay, err = t.gate(wire.RPCInstallSnapshot, id, nil); err != nil {
			dropped = true
			return err
		}
		dropped = false
		return fromRemote(t.inner.InstallSnapshot(id, target, args, resp, data))
	})
	if t.obs != nil {
		d := wire.RPCData{RPC: wire.RPCInstallSnapshot, Term: args.Term, LastIndex: args.LastLogIndex}
		if err == nil {
			d.Success, d.RespTerm = resp.Success, resp.Term
		}
		t.emit(&d, id, start, delay, dropped, err)
	}
	return err
}

// TimeoutNow implements raft.Transport.
func (t *Transport) TimeoutNow(id raft.ServerID, target raft.ServerAddress, args *raft.TimeoutNowRequest, resp *raft.TimeoutNowResponse) error {
	t.learn(id, target)
	start := time.Now()
	delay, err := t.gate(wire.RPCTimeoutNow, id, nil)
	dropped := err != nil
	if !dropped {
		err = fromRemote(t.inner.TimeoutNow(id, target, args, resp))
	}
	if t.obs != nil {
		// TimeoutNow carries no term: the target starts an election at its own term + 1.
		d := wire.RPCData{RPC: wire.RPCTimeoutNow}
		d.Success = err == nil
		t.emit(&d, id, start, delay, dropped, err)
	}
	return err
}

// AppendEntriesPipeline implements raft.Transport. The returned pipeline applies this
// node's faults to every request and reports each one when its response arrives.
func (t *Transport) AppendEntriesPipeline(id raft.ServerID, target raft.ServerAddress) (raft.AppendPipeline, error) {
	t.learn(id, target)
	if t.rules.Load().sendBlocked(string(id)) {
		return nil, fmt.Errorf("append_entries pipeline to %s: %w", id, ErrBlocked)
	}
	inner, err := t.inner.AppendEntriesPipeline(id, target)
	if err != nil {
		// Unwrapped: raft compares against raft.ErrPipelineReplicationNotSupported with ==.
		return nil, err
	}
	p, err := t.startPipeline(id, inner)
	if err != nil {
		return nil, err
	}
	return p, nil
}
