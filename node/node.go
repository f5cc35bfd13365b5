package node

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/eventbus"
	"github.com/raftplay/raftplay/node/netfault"
	"github.com/raftplay/raftplay/node/sql"

	"github.com/raftplay/raftplay/node/store"
)

// Node is one raft node. Its raft can be killed and restarted on the same disk while the
// Node (and the front ends holding it) stays.
type Node struct {
	cfg   Config
	log   *slog.Logger
	peers *PeerClient

	// Counters for operators (web's /metrics): leaders this node has seen elected, and
	// requests it forwarded to a leader. They outlive kills and restarts.
	leaderChanges atomic.Uint64
	forwarded     atomic.Uint64
	metrics       *Metrics

	mu       sync.Mutex // serialises Start, Kill, Restart and Close
	inst     atomic.Pointer[instance]
	raftAddr string // the bound address, reused on restart so peers can find us again
	started  bool
	closed   bool

	sql    *sql.Engine
	bus    *eventbus.Bus
	hb     heartbeats
	faults faultState

	stop chan struct{}
	wg   sync.WaitGroup
}

// instance is one life of the node's raft: everything Kill tears down and Restart rebuilds.
type instance struct {
	raft  *raft.Raft
	fsm   *store.FSM
	trans *netfault.Transport
	inner *raft.NetworkTransport
	logs  durableLog
	log   raft.LogStore // what raft writes through: a cache over logs that reports changes
	snaps *trackedSnapshots
	obs   *raft.Observer
	obsCh chan raft.Observation
	done  chan struct{}
	wg    sync.WaitGroup

	// readyTerm is the term in which this leader has applied everything committed before
	// it took over (a barrier), the precondition for serving reads from its own state.
	readyTerm atomic.Uint64
	// readyTarget is the commit index seen when a leader was first known (see Ready).
	readyTarget atomic.Uint64
	lastCommit  atomic.Uint64
	// leaderCheck shares leadership confirmations among concurrent linearizable reads.
	leaderCheck leaderCheck
	proposals   chan *proposal

	// gate keeps shutdown from cutting into requests raft has queued: raft never answers
	// what is still in its buffered channels (verify, apply, leadership transfer) when it
	// shuts down, so a waiter would hang for good. Waiters hold the read side; shutdown takes
	// the write side, after which nobody starts a request (dead).
	gate  sync.RWMutex
	dead  bool
	lease leaseState
	// voteSeen is when this node last received a vote or pre-vote request (unix ns): an
	// election is under way, and the leader probe leaves it alone.
	voteSeen atomic.Int64
}

// New opens the node's disk and starts its raft, which waits as a follower until Start
// bootstraps or joins a cluster (or finds existing state).
func New(cfg Config) (*Node, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	n := &Node{
		cfg:   cfg,
		log:   cfg.Logger.With("node", cfg.ID),
		peers: newPeerClient(cfg),
		stop:  make(chan struct{}),
		bus:   eventbus.New(8192),
		sql:   sql.NewEngine(cfg.SQL),
		// The node's latency histograms and Postgres counters (metrics.go), for /metrics.
		metrics: newMetrics(cfg.ID),
	}
	inst, err := n.open(cfg.RaftAddr)
	if err != nil {
		return nil, err
	}
	n.raftAddr = string(inst.trans.LocalAddr())
	n.inst.Store(inst)
	n.wg.Add(1)
	go n.statusLoop()
	return n, nil
}

// ID is the node's id.
func (n *Node) ID() string { return n.cfg.ID }

// RaftAddr is the address the raft transport listens on.
func (n *Node) RaftAddr() string { return n.raftAddr }

// HTTPAddr is the node's advertised HTTP API address.
func (n *Node) HTTPAddr() string { return n.cfg.HTTPAddr }

// DataDir is where the node keeps its log, snapshots and stable state.
func (n *Node) DataDir() string { return n.cfg.DataDir }

// PGAddr is the node's advertised Postgres address, if any.
func (n *Node) PGAddr() string { return n.cfg.PGAddr }

// Timing is the node's configured timing profile.
func (n *Node) Timing() Timing { return n.cfg.Timing }

func (n *Node) open(bind string) (inst *instance, err error) {
	hl := newHCLog(n.log, "raft")
	inst = &instance{done: make(chan struct{}), proposals: make(chan *proposal, proposalQueue)}
	defer func() {
		if err != nil {
			inst.release()
		}
	}()

	fsm, err := store.New(n.fsmHooks(inst))
	if err != nil {
		return nil, err
	}
	inst.fsm = fsm

	inst.logs, err = openDurableLog(n.cfg.DataDir, n.cfg.LogStore, hl.Named("log"))
	if err != nil {
		return nil, err
	}
	files, err := raft.NewFileSnapshotStoreWithLogger(n.cfg.DataDir, 2, hl.Named("snapshots"))
	if err != nil {
		return nil, fmt.Errorf("open snapshot store: %w", err)
	}
	inst.snaps = newTrackedSnapshots(files)
	var adv net.Addr
	if n.cfg.RaftAdvertise != "" {
		if adv, err = net.ResolveTCPAddr("tcp", n.cfg.RaftAdvertise); err != nil {
			return nil, fmt.Errorf("raft advertise address: %w", err)
		}
	}
	inst.inner, err = n.listenRaft(bind, adv, hl.Named("transport"))
	if err != nil {
		return nil, fmt.Errorf("listen for raft on %s: %w", bind, err)
	}
	inst.trans = netfault.New(inst.inner, raft.ServerID(n.cfg.ID), n.observeRPC)
	inst.log, err = raft.NewLogCache(512, &observedLogs{LogStore: &timedLogs{LogStore: inst.logs, m: n.metrics}, n: n, fsm: inst.fsm})
	if err != nil {
		return nil, fmt.Errorf("log cache: %w", err)
	}

	rc := n.raftConfig(hl)
	timed := &timedFSM{FSM: inst.fsm, m: n.metrics}
	inst.raft, err = newRaft(rc, timed, inst.log, inst.logs, inst.snaps, inst.trans)
	if err != nil {
		return nil, fmt.Errorf("start raft: %w", err)
	}
	timed.live.Store(true)
	inst.obsCh = make(chan raft.Observation, 256)
	inst.obs = raft.NewObserver(inst.obsCh, false, nil)
	inst.raft.RegisterObserver(inst.obs)
	inst.wg.Add(3)
	go n.observe(inst)
	go n.groupCommit(inst)
	go n.watchLeader(inst)
	return inst, nil
}

// newRaft is raft.NewRaft, which panics when it cannot read the last entry of its own log
// (a damaged data directory); the node answers that with an error instead of taking the
// whole process, and every other node of a playground, down with it.
func newRaft(rc *raft.Config, fsm raft.FSM, logs raft.LogStore, stable raft.StableStore, snaps raft.SnapshotStore, trans raft.Transport) (r *raft.Raft, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("read the raft log: %v", p)
		}
	}()
	return raft.NewRaft(rc, fsm, logs, stable, snaps, trans)
}

const raftLeader = raft.Leader

func (n *Node) raftConfig(hl hclog.Logger) *raft.Config {
	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(n.cfg.ID)
	rc.Logger = hl
	t := n.cfg.Timing
	rc.HeartbeatTimeout, rc.ElectionTimeout = t.Heartbeat, t.Election
	rc.LeaderLeaseTimeout, rc.CommitTimeout = t.LeaderLease, t.Commit
	rc.SnapshotThreshold = n.cfg.SnapshotThreshold
	rc.SnapshotInterval = n.cfg.SnapshotInterval
	rc.TrailingLogs = n.cfg.TrailingLogs
	// Group concurrent Apply calls into one disk write and one AppendEntries.
	rc.BatchApplyCh = true
	return rc
}

// instance returns the running raft, or ErrNodeDown.
func (n *Node) instance() (*instance, error) {
	inst := n.inst.Load()
	if inst == nil {
		if n.isClosed() {
			return nil, ErrClosed
		}
		return nil, ErrNodeDown
	}
	return inst, nil
}

func (n *Node) isClosed() bool {
	select {
	case <-n.stop:
		return true
	default:
		return false
	}
}

// Up reports whether the node's raft is running.
func (n *Node) Up() bool { return n.inst.Load() != nil }

// Start brings the node into a cluster: with existing raft state it simply resumes; without,
// it bootstraps the static peer list (peers, or Config.Peers), asks Config.Join members for
// membership, or bootstraps a single-node cluster. It also starts publishing the node's
// metadata. Start returns without waiting for a leader.
func (n *Node) Start(peers ...Peer) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.started {
		return errors.New("node already started")
	}
	inst, err := n.instance()
	if err != nil {
		return err
	}
	if len(peers) == 0 {
		peers = n.cfg.Peers
	}
	has, err := raft.HasExistingState(inst.logs, inst.logs, inst.snaps)
	if err != nil {
		return fmt.Errorf("inspect raft state: %w", err)
	}
	switch {
	case has:
		n.log.Info("resuming from existing raft state", "dir", n.cfg.DataDir)
	case len(peers) > 0:
		if err := n.bootstrap(inst, peers); err != nil {
			return err
		}
	case len(n.cfg.Join) > 0:
		n.wg.Add(1)
		go n.joinLoop()
	default:
		if err := n.bootstrap(inst, []Peer{{ID: n.cfg.ID, RaftAddr: n.raftAddr}}); err != nil {
			return err
		}
	}
	n.started = true
	n.wg.Add(1)
	go n.announceLoop()
	return nil
}

func (n *Node) bootstrap(inst *instance, peers []Peer) error {
	var cfg raft.Configuration
	self := false
	for _, p := range peers {
		if p.ID == n.cfg.ID {
			self = true
		}
		cfg.Servers = append(cfg.Servers, raft.Server{Suffrage: raft.Voter, ID: raft.ServerID(p.ID), Address: raft.ServerAddress(p.RaftAddr)})
	}
	if !self {
		return fmt.Errorf("bootstrap: peer list does not include this node (%s)", n.cfg.ID)
	}
	if err := inst.raft.BootstrapCluster(cfg).Error(); err != nil {
		return fmt.Errorf("bootstrap cluster: %w", err)
	}
	n.log.Info("bootstrapped cluster", "members", len(peers))
	return nil
}

// Kill stops the node's raft and closes its transport, as if its process died; its disk
// stays, and Restart brings it back.
func (n *Node) Kill() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	inst := n.inst.Swap(nil)
	if inst == nil {
		return ErrNodeDown
	}
	n.log.Info("killing node")
	return inst.shutdown()
}

// Restart starts a new raft over the node's data directory: it recovers from its latest
// snapshot and replays the log after it.
func (n *Node) Restart() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return ErrClosed
	}
	if n.inst.Load() != nil {
		return fmt.Errorf("restart: %w", errAlreadyUp)
	}
	inst, err := n.open(n.raftAddr)
	if err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	n.inst.Store(inst)
	n.applyFaults()
	if err := n.reloadTiming(); err != nil {
		n.log.Warn("restore speed after restart", "error", err)
	}
	n.log.Info("restarted node")
	return nil
}

var errAlreadyUp = errors.New("node is already up")

// ErrAlreadyUp is returned by Restart on a running node.
var ErrAlreadyUp = errAlreadyUp

// Close shuts the node down for good and waits for its goroutines.
func (n *Node) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	close(n.stop)
	inst := n.inst.Swap(nil)
	n.mu.Unlock()
	var err error
	if inst != nil {
		err = inst.shutdown()
	}
	n.wg.Wait()
	n.bus.Close()
	n.peers.http.CloseIdleConnections()
	return err
}

// enter admits one raft request and its wait; false once the instance is shutting down.
// Every successful enter must be followed by leave.
func (inst *instance) enter() bool {
	inst.gate.RLock()
	if inst.dead {
		inst.gate.RUnlock()
		return false
	}
	return true
}

func (inst *instance) leave() { inst.gate.RUnlock() }

// call makes a raft request and waits for its answer (see gate).
func (inst *instance) call(request func() raft.Future) error {
	if !inst.enter() {
		return raft.ErrRaftShutdown
	}
	defer inst.leave()
	return request().Error()
}

func (inst *instance) shutdown() error {
	inst.gate.Lock()
	inst.dead = true
	inst.gate.Unlock()
	var errs []error
	if inst.trans != nil {
		inst.trans.Quiesce()
	}
	if inst.raft != nil {
		if err := inst.raft.Shutdown().Error(); err != nil {
			errs = append(errs, fmt.Errorf("shutdown raft: %w", err))
		}
		inst.raft.DeregisterObserver(inst.obs)
	}
	close(inst.done)
	inst.wg.Wait()
	inst.release()
	return errors.Join(errs...)
}

// release closes what open managed to open.
func (inst *instance) release() {
	if inst.trans != nil {
		inst.trans.Quiesce()
	}
	if inst.raft != nil {
		inst.raft.Shutdown()
	}
	if inst.trans != nil {
		inst.trans.Close()
	} else if inst.inner != nil {
		inst.inner.Close()
	}
	if inst.logs != nil {
		inst.logs.Close()
	}
	if inst.fsm != nil {
		inst.fsm.Close()
	}
}
