package node

import (
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
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
