package node

import (
	"io"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb"
)

func TestDropStaleLog(t *testing.T) {
	// Each log is a list of terms for indexes first, first+1, ...
	tests := []struct {
		name        string
		first       uint64
		terms       []uint64
		index, term uint64
		want        []uint64 // indexes left
	}{
		{"empty log", 0, nil, 8, 2, nil},
		{"log agrees at the snapshot index", 1, []uint64{1, 1, 2, 2, 2, 2, 2, 2, 2, 2}, 8, 2, seq(1, 10)},
		{"log ends at the snapshot index and agrees", 5, []uint64{2, 2, 2, 2}, 8, 2, seq(5, 8)},
		{"deposed entries end below the snapshot", 1, []uint64{1, 1, 1, 1, 1}, 8, 2, nil},
		{"deposed entry at the snapshot index", 3, []uint64{1, 1, 1, 1, 1, 1}, 8, 2, nil},
		{"entries past the snapshot are raft's to resolve", 1, []uint64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 8, 2, seq(1, 12)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs, err := raftboltdb.NewBoltStore(filepath.Join(t.TempDir(), "raft.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer logs.Close()
			for i, term := range tt.terms {
				if err := logs.StoreLog(&raft.Log{Index: tt.first + uint64(i), Term: term, Type: raft.LogCommand}); err != nil {
					t.Fatal(err)
				}
			}
			if err := dropStaleLog(logs, tt.index, tt.term); err != nil {
				t.Fatal(err)
			}
			var got []uint64
			first, _ := logs.FirstIndex()
			last, _ := logs.LastIndex()
			var l raft.Log
			for i := first; i <= last && last > 0; i++ {
				if logs.GetLog(i, &l) == nil {
					got = append(got, i)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("left %v, want %v", got, tt.want)
			}
		})
	}
}

func seq(from, to uint64) []uint64 {
	var s []uint64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

func TestTrackedSnapshotsKnowWhatIsBeingRestored(t *testing.T) {
	files, err := raft.NewFileSnapshotStoreWithLogger(t.TempDir(), 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := newTrackedSnapshots(files)
	create := func(index, term uint64) string {
		sink, err := s.Create(raft.SnapshotVersionMax, index, term, raft.Configuration{}, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sink.Write([]byte("state")); err != nil {
			t.Fatal(err)
		}
		if err := sink.Close(); err != nil {
			t.Fatal(err)
		}
		return sink.ID()
	}
	open := func(id string) io.ReadCloser {
		_, rc, err := s.Open(id)
		if err != nil {
			t.Fatal(err)
		}
		return rc
	}
	a, b := create(10, 2), create(20, 3)

	if _, ok := s.restoring(); ok {
		t.Fatal("restoring with nothing open")
	}
	ra := open(a)
	if m, ok := s.restoring(); !ok || m.Index != 10 || m.Term != 2 {
		t.Fatalf("restoring = %+v %v, want 10/2", m, ok)
	}
	ra2 := open(a) // the same snapshot sent to a follower at the same time is no ambiguity
	if m, ok := s.restoring(); !ok || m.Index != 10 {
		t.Fatalf("restoring = %+v %v with one snapshot open twice", m, ok)
	}
	rb := open(b)
	if _, ok := s.restoring(); ok {
		t.Fatal("two different snapshots open, yet restoring named one")
	}
	for _, rc := range []io.ReadCloser{ra, ra2} {
		if err := rc.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if m, ok := s.restoring(); !ok || m.Index != 20 || m.Term != 3 {
		t.Fatalf("restoring = %+v %v, want 20/3", m, ok)
	}
	rb.Close()
	if _, ok := s.restoring(); ok {
		t.Fatal("restoring after every snapshot was closed")
	}
}
