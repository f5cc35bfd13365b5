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
	"github.com/hashicorp/raft-wal/metadb"
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
		meta := &metadb.BoltMetaDB{}
		w, err := raftwal.Open(path, raftwal.WithLogger(hl), raftwal.WithMetaStore(meta))
		if err != nil {
			meta.Close()
			return nil, fmt.Errorf("open wal log: %w", err)
		}
		return &walLog{WAL: w, meta: meta}, nil
	}
	return nil, fmt.Errorf("unknown log store %q (want %s or %s)", kind, LogStoreBolt, LogStoreWAL)
}

// walLog closes what raft-wal's Close leaves open: its meta store (a bbolt file holding the
// stable state and the segment list) keeps its file lock until closed, so a node restarted
// in the same process would wait on it for ever.
type walLog struct {
	*raftwal.WAL
	meta *metadb.BoltMetaDB
}

func (l *walLog) Close() error {
	return errors.Join(l.WAL.Close(), l.meta.Close())
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
