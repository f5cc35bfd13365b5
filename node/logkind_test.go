package node

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
)

// TestADataDirKeepsItsKindOfLog: a node asked for the other kind of log than its data
// directory holds must not start on an empty log beside the real one (it would forget its
// term, its vote and its entries); it says which flag to use instead.
func TestADataDirKeepsItsKindOfLog(t *testing.T) {
	for _, tc := range []struct{ made, asked, want string }{
		{LogStoreBolt, LogStoreWAL, "holds a boltdb log: start with --log-store boltdb"},
		{LogStoreWAL, LogStoreBolt, "holds a wal log: start with --log-store wal"},
		{"", "rocksdb", `unknown log store "rocksdb"`},
	} {
		t.Run(tc.made+"-then-"+tc.asked, func(t *testing.T) {
			dir := t.TempDir()
			if tc.made != "" {
				l, err := openDurableLog(dir, tc.made, hclog.NewNullLogger())
				if err != nil {
					t.Fatal(err)
				}
				if err := l.SetUint64([]byte("CurrentTerm"), 7); err != nil {
					t.Fatal(err)
				}
				l.Close()
			}
			_, err := openDurableLog(dir, tc.asked, hclog.NewNullLogger())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("open %s over %s: %v; want an error containing %q", tc.asked, tc.made, err, tc.want)
			}
			if tc.made == "" {
				return
			}
			again, err := openDurableLog(dir, tc.made, hclog.NewNullLogger())
			if err != nil {
				t.Fatalf("reopen %s: %v", tc.made, err)
			}
			defer again.Close()
			if term, err := again.GetUint64([]byte("CurrentTerm")); err != nil || term != 7 {
				t.Fatalf("%s kept term %d (%v); want 7", tc.made, term, err)
			}
		})
	}
}

func TestConfigRefusesAnUnknownLogStore(t *testing.T) {
	c := Config{ID: "n1", DataDir: t.TempDir(), LogStore: "rocksdb"}
	if err := c.setDefaults(); err == nil || !strings.Contains(err.Error(), "unknown log store") {
		t.Fatalf("setDefaults: %v; want unknown log store", err)
	}
	c = Config{ID: "n1", DataDir: t.TempDir()}
	if err := c.setDefaults(); err != nil || c.LogStore != LogStoreBolt {
		t.Fatalf("default log store %q (%v); want boltdb", c.LogStore, err)
	}
}

// TestEitherLogForgetsWhatWasCompacted: after raft compacts a prefix, both kinds of log
// answer ErrLogNotFound for it (raft sends a lagging follower a snapshot on exactly that),
// and raft, through the wrappers the node puts around the log, learns whether the store
// refuses gaps (it then clears the log after installing a snapshot instead of leaving one).
func TestEitherLogForgetsWhatWasCompacted(t *testing.T) {
	for _, kind := range LogStores {
		t.Run(kind, func(t *testing.T) {
			l, err := openDurableLog(t.TempDir(), kind, hclog.NewNullLogger())
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			var logs []*raft.Log
			for i := uint64(1); i <= 100; i++ {
				logs = append(logs, &raft.Log{Index: i, Term: 1, Type: raft.LogCommand, Data: []byte("x")})
			}
			if err := l.StoreLogs(logs); err != nil {
				t.Fatal(err)
			}
			if err := l.DeleteRange(1, 80); err != nil {
				t.Fatal(err)
			}
			var e raft.Log
			if err := l.GetLog(50, &e); !errors.Is(err, raft.ErrLogNotFound) {
				t.Fatalf("compacted entry 50: %v; want ErrLogNotFound", err)
			}
			if err := l.GetLog(81, &e); err != nil || e.Index != 81 {
				t.Fatalf("kept entry 81: %v %+v", err, e)
			}
			cache, err := raft.NewLogCache(512, &observedLogs{LogStore: &timedLogs{LogStore: l}})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := cache.IsMonotonic(), kind == LogStoreWAL; got != want {
				t.Fatalf("raft sees IsMonotonic %v through the wrappers; want %v", got, want)
			}
		})
	}
}

// unreadableLog has entries it cannot read back, as a damaged data directory does.
type unreadableLog struct{ *raft.InmemStore }

func (unreadableLog) GetLog(uint64, *raft.Log) error { return errors.New("checksum mismatch") }

// TestADamagedLogIsAnErrorNotACrash: raft.NewRaft panics when it cannot read its own last
// entry; the node turns that into an error, so one damaged node does not end the process
// (and, on a playground, every other node in it).
func TestADamagedLogIsAnErrorNotACrash(t *testing.T) {
	store := raft.NewInmemStore()
	if err := store.StoreLog(&raft.Log{Index: 1, Term: 1, Type: raft.LogCommand}); err != nil {
		t.Fatal(err)
	}
	_, trans := raft.NewInmemTransport("")
	rc := raft.DefaultConfig()
	rc.LocalID = "n1"
	rc.Logger = hclog.NewNullLogger()
	_, err := newRaft(rc, &raft.MockFSM{}, unreadableLog{store}, store, raft.NewInmemSnapshotStore(), trans)
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("newRaft over an unreadable log: %v; want an error naming the cause", err)
	}
}
