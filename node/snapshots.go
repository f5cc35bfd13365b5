package node

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/hashicorp/raft"
)

// trackedSnapshots is the node's snapshot store. It remembers the snapshots that are open
// so that, when the FSM restores one, the node knows which raft index and term it covers:
// raft hands the FSM only the bytes, and the FSM's own header names the last command it
// applied, which can be below the snapshot's index (no-ops and configuration entries).
type trackedSnapshots struct {
	raft.SnapshotStore
	mu   sync.Mutex
	open map[*trackedReader]raft.SnapshotMeta
}

func newTrackedSnapshots(s raft.SnapshotStore) *trackedSnapshots {
	return &trackedSnapshots{SnapshotStore: s, open: map[*trackedReader]raft.SnapshotMeta{}}
}

func (s *trackedSnapshots) Open(id string) (*raft.SnapshotMeta, io.ReadCloser, error) {
	meta, rc, err := s.SnapshotStore.Open(id)
	if err != nil {
		return nil, nil, err
	}
	r := &trackedReader{ReadCloser: rc, s: s}
	s.mu.Lock()
	s.open[r] = *meta
	s.mu.Unlock()
	return meta, r, nil
}

// restoring returns the snapshot the FSM is restoring: the one that is open. A leader that
// has just stepped down may still be sending a different one; then it is ambiguous and ok
// is false.
func (s *trackedSnapshots) restoring() (meta raft.SnapshotMeta, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.open {
		if ok && (m.Index != meta.Index || m.Term != meta.Term) {
			return raft.SnapshotMeta{}, false
		}
		meta, ok = m, true
	}
	return meta, ok
}

type trackedReader struct {
	io.ReadCloser
	s *trackedSnapshots
}

func (r *trackedReader) Close() error {
	r.s.mu.Lock()
	delete(r.s.open, r)
	r.s.mu.Unlock()
	return r.ReadCloser.Close()
}

// dropStaleLog removes the log entries a restored snapshot of (index, term) proves wrong.
//
// After installing a snapshot raft compacts the log only up to TrailingLogs back from its
// last entry, so a follower that had appended entries from a deposed leader keeps them
// below the snapshot's index. They are never applied, but they are wrong: if the node
// later leads, it would send them to a lagging follower as committed history. The Raft
// paper's rule applies: when the log does not contain the snapshot's last entry, every
// entry up to it is superseded. When entries past the snapshot remain, raft still counts
// them as its log tail, so they are left for raft's conflict handling; deleting them would
// leave raft pointing at entries that no longer exist.
func dropStaleLog(logs raft.LogStore, index, term uint64) error {
	last, err := logs.LastIndex()
	if err != nil {
		return fmt.Errorf("last log index: %w", err)
	}
	if last == 0 || last > index {
		return nil
	}
	var l raft.Log
	switch err := logs.GetLog(index, &l); {
	case err == nil && l.Term == term:
		return nil // the log agrees with the snapshot: raft's compaction keeps what it needs
	case err != nil && !errors.Is(err, raft.ErrLogNotFound):
		return fmt.Errorf("read log entry %d: %w", index, err)
	}
	first, err := logs.FirstIndex()
	if err != nil {
		return fmt.Errorf("first log index: %w", err)
	}
	if err := logs.DeleteRange(first, last); err != nil {
		return fmt.Errorf("delete log entries %d-%d superseded by snapshot %d/%d: %w", first, last, index, term, err)
	}
	return nil
}

// afterRestore runs on raft's FSM goroutine when a snapshot has been restored. Raft waits
// for the restore before it goes on, so it never sees the log between the two steps.
func (n *Node) afterRestore(inst *instance) {
	meta, ok := inst.snaps.restoring()
	if !ok {
		n.log.Warn("restored a snapshot while another was being sent; log entries below it are left to raft")
		return
	}
	if err := dropStaleLog(inst.log, meta.Index, meta.Term); err != nil {
		n.log.Error("drop log entries superseded by a snapshot", "index", meta.Index, "term", meta.Term, "err", err)
	}
}
