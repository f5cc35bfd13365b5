package node

import (
	"io"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/store"
)

// timedFSM is the state machine raft drives, timed: applies, snapshots and restores. Its
// other methods (StoreConfiguration among them, which raft looks for) are the FSM's own.
type timedFSM struct {
	*store.FSM
	m *Metrics
	// live is set once raft has started: a restore before that is the node's own snapshot
	// at start-up, one after it came from the leader.
	live atomic.Bool
}

func (f *timedFSM) Apply(l *raft.Log) any {
	if l.Type != raft.LogCommand {
		return f.FSM.Apply(l)
	}
	start := time.Now()
	r := f.FSM.Apply(l)
	f.m.fsmApply.Observe(time.Since(start).Seconds())
	return r
}

func (f *timedFSM) Snapshot() (raft.FSMSnapshot, error) {
	start := time.Now()
	s, err := f.FSM.Snapshot()
	if err != nil {
		return nil, err
	}
	return &timedSnapshot{FSMSnapshot: s, m: f.m, start: start}, nil
}

func (f *timedFSM) Restore(rc io.ReadCloser) error {
	start := time.Now()
	if err := f.FSM.Restore(rc); err != nil {
		return err
	}
	source := restoreFromDisk
	if f.live.Load() {
		source = restoreFromLeader
	}
	f.m.snapRestore.WithLabelValues(source).Observe(time.Since(start).Seconds())
	return nil
}

// timedSnapshot times a snapshot from the dump (on the FSM goroutine) to the end of its
// write to disk (later, on raft's snapshot goroutine), and measures its size.
type timedSnapshot struct {
	raft.FSMSnapshot
	m     *Metrics
	start time.Time
}

func (s *timedSnapshot) Persist(sink raft.SnapshotSink) error {
	cs := &countingSink{SnapshotSink: sink}
	if err := s.FSMSnapshot.Persist(cs); err != nil {
		return err
	}
	s.m.snapTake.Observe(time.Since(s.start).Seconds())
	s.m.snapSize.Set(float64(cs.n))
	return nil
}

type countingSink struct {
	raft.SnapshotSink
	n int64
}

func (c *countingSink) Write(p []byte) (int, error) {
	n, err := c.SnapshotSink.Write(p)
	c.n += int64(n)
	return n, err
}
