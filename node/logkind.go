package node

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb"
	raftwal "github.com/hashicorp/raft-wal"
)

// The kinds of durable log a node can keep its raft log and stable state (term, vote) in.
const (
	// LogStoreBolt is raft-boltdb: one B+tree file, two fsyncs per append (the default).
	LogStoreBolt = "boltdb"
	// LogStoreWAL is hashicorp/raft-wal: append-only segment files and one fsync per append.
	LogStoreWAL = "wal"
)

// LogStores lists the kinds, default first.
var LogStores = []string{LogStoreBolt, LogStoreWAL}

// durableLog is what raft keeps on disk besides snapshots.
type durableLog interface {
	raft.LogStore
	raft.StableStore
	io.Closer
}

// Where each kind lives inside a node's data directory.
const (
	boltFile = "raft.db"
	walDir   = "wal"
)

// openDurableLog opens the kind of log asked for in dir. A directory already holding the
// other kind is refused: opening an empty log of the new kind beside it would start the
// node with no memory of its term, vote or entries.
func openDurableLog(dir, kind string, hl hclog.Logger) (durableLog, error) {
	if other := otherLogStore(dir, kind); other != "" {
		return nil, fmt.Errorf("data directory %s holds a %s log: start with --log-store %s, or move it aside for a fresh node", dir, other, other)
	}
	switch kind {
	case LogStoreBolt:
		s, err := raftboltdb.New(raftboltdb.Options{Path: filepath.Join(dir, boltFile)})
		if err != nil {
			return nil, fmt.Errorf("open boltdb log: %w", err)
		}
		return s, nil
	case LogStoreWAL:
		path := filepath.Join(dir, walDir)
		if err := os.MkdirAll(path, 0o700); err != nil {
			return nil, fmt.Errorf("open wal log: %w", err)
		}
		w, err := raftwal.Open(path, raftwal.WithLogger(hl))
		if err != nil {
			return nil, fmt.Errorf("open wal log: %w", err)
		}
		return &walLog{WAL: w}, nil
	}
	return nil, fmt.Errorf("unknown log store %q (want %s or %s)", kind, LogStoreBolt, LogStoreWAL)
}

// walLog is raft-wal as raft should see it. v0.4.1 is needed: v0.4.0 marked a segment
// sealed on a tail truncation without writing its index, so a node that had a suffix
// overwritten by a new leader could not open its log again, and its Close left the meta
// file locked (both found by the torture test).
type walLog struct {
	*raftwal.WAL
}

// GetLog treats entries before the first index as gone, as raft-boltdb does. raft-wal drops
// a compacted prefix only when a whole segment file (64 MiB) is behind it and keeps serving
// the rest; raft decides to send a lagging follower a snapshot when the entries it needs are
// not found, so without this a compacted log would still replicate from the old entries and
// the two kinds of log would lead raft down different paths.
func (l *walLog) GetLog(index uint64, log *raft.Log) error {
	first, err := l.WAL.FirstIndex()
	if err != nil {
		return err
	}
	if index < first {
		return raft.ErrLogNotFound
	}
	return l.WAL.GetLog(index, log)
}

// isMonotonic says whether s (or the store it wraps) refuses gaps between appends. raft asks
// the store it is given (through its log cache); a wrapper that hides the answer would make
// raft leave a gap after a follower installs a snapshot, which raft-wal refuses to append.
func isMonotonic(s raft.LogStore) bool {
	m, ok := s.(raft.MonotonicLogStore)
	return ok && m.IsMonotonic()
}

// otherLogStore names the kind other than kind that dir already holds, if any.
func otherLogStore(dir, kind string) string {
	has := map[string]bool{
		LogStoreBolt: exists(filepath.Join(dir, boltFile)),
		LogStoreWAL:  exists(filepath.Join(dir, walDir)),
	}
	for _, k := range LogStores {
		if k != kind && has[k] {
			return k
		}
	}
	return ""
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}
