package web_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// TestUpgradeFromPreviousRelease starts a cluster on a data directory the previous
// release wrote (testdata/upgrade, see its README): a snapshot on every node and log
// entries after it. The stored rows, keys, indexes and digests must mean what they meant
// then: every node replays the old log to the same digest, every read answers what the old
// release answered, on the leader and on each follower, old keys are found by value, and
// the data survives new writes, a new snapshot and a restart.
func TestUpgradeFromPreviousRelease(t *testing.T) {
	g := readGolden(t)
	dir := t.TempDir()
	unpack(t, filepath.Join(fixtureDir, fixtureArchive), dir)
	c := clustertest.Start(t, len(g.Nodes), clustertest.WithDataDir(dir))
	var ids []string
	for _, n := range c.Nodes() {
		ids = append(ids, n.ID())
		if !n.Up() {
			t.Fatalf("%s did not start", n.ID())
		}
	}
	if fmt.Sprint(ids) != fmt.Sprint(g.Nodes) {
		t.Fatalf("nodes %v, the fixture has %v", ids, g.Nodes)
	}

	// Each node restores its snapshot and applies the rest of the old log, all reaching
	// one digest.
	for _, n := range c.Nodes() {
		c.Eventually(20*time.Second, n.ID()+" applying the fixture's last entry", func() bool {
			_, ok := appliedAt(n, g.LastIndex)
			return ok
		})
		checkReplay(t, n, g)
	}
	checkReplayDigests(t, c, g)
	// The published HTTP addresses are the old run's until each node announces its own.
	c.Eventually(15*time.Second, "every node's address published", func() bool { return addressesCurrent(c) })
	c.WaitConverged()

	checkGoldenQueries(t, c, g.Queries, "")
	for _, n := range c.Nodes() {
		if got := kvItems(t, clustertest.URL(n)); !sameJSON(got, g.KV) {
			t.Errorf("%s: key/value pairs %s, want %s", n.ID(), got, g.KV)
		}
	}

	leader := clustertest.URL(c.Leader())
	upgradeWrites(t, leader)
	c.WaitConverged()
	after := answers(t, leader, g.Queries)
	checkGoldenQueries(t, c, after, "after new writes")
	kv := kvItems(t, leader)

	// A snapshot the new code takes of the old data, and a node restarted from it.
	for _, n := range c.Nodes() {
		if _, err := n.Snapshot(context.Background()); err != nil {
			t.Fatalf("snapshot %s: %v", n.ID(), err)
		}
	}
	f := c.Followers()[0]
	if err := f.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := f.Restart(); err != nil {
		t.Fatalf("restart %s: %v", f.ID(), err)
	}
	c.WaitReady()
	c.Eventually(15*time.Second, f.ID()+" restoring its snapshot", func() bool { return f.Status().RestoreCount > 0 })
	c.WaitConverged()
	checkGoldenQueries(t, c, after, "after a snapshot and a restart of "+f.ID())
	for _, n := range c.Nodes() {
		if got := kvItems(t, clustertest.URL(n)); !sameJSON(got, kv) {
			t.Errorf("%s after the restart: key/value pairs %s, want %s", n.ID(), got, kv)
		}
	}
}

// checkReplay checks what a node did on the fixture: it restored the snapshot the old
// release took, applied every later entry of the old log without an error, and after the
// last one holds the state digest the old release had.
func checkReplay(t *testing.T, n *node.Node, g upgradeGolden) {
	t.Helper()
	restored := false
	for _, ev := range n.Events().Recent(1 << 16) {
		switch ev.Type {
		case wire.EventSnapshot:
			var s wire.SnapshotData
			if json.Unmarshal(ev.Data, &s) == nil && s.Action == "restored" {
				if s.Index != g.SnapshotIndex[n.ID()] {
					t.Errorf("%s restored a snapshot at %d, the fixture's is at %d", n.ID(), s.Index, g.SnapshotIndex[n.ID()])
				}
				restored = true
			}
		case wire.EventApply:
			var a wire.ApplyData
			if json.Unmarshal(ev.Data, &a) == nil && a.Index <= g.LastIndex && a.Error != "" {
				t.Errorf("%s: old entry %d (%s) failed: %s", n.ID(), a.Index, a.Summary, a.Error)
			}
		}
	}
	if !restored {
		t.Errorf("%s did not restore the fixture's snapshot", n.ID())
	}
}

// checkReplayDigests: every node reaches the same digest after the old log. It is not the
// previous release's: restoring its snapshot re-keys the numeric-keyed tables, and numerics
// are now stored with their own digits (1E+21 where a double's text was 1e+21).
func checkReplayDigests(t *testing.T, c *clustertest.Cluster, g upgradeGolden) {
	t.Helper()
	want := ""
	for _, n := range c.Nodes() {
		a, _ := appliedAt(n, g.LastIndex)
		if want == "" {
			want = a.Digest
		}
		if a.Digest != want {
			t.Errorf("%s: digest after the fixture's last entry %d is %s, another node's %s", n.ID(), g.LastIndex, a.Digest, want)
		}
	}
}

// addressesCurrent reports whether the leader's state lists every node at its own address.
func addressesCurrent(c *clustertest.Cluster) bool {
	l, ok := c.Cluster.Leader()
	if !ok {
		return false
	}
	ms, err := l.Members()
	if err != nil {
		return false
	}
	for _, m := range ms {
		n, ok := c.Node(m.ID)
		if !ok || n.HTTPAddr() != m.HTTPAddr {
			return false
		}
	}
	return true
}

// checkGoldenQueries runs every query through the leader (at leader consistency) and on
// each follower's own state, and compares the answers with want; queries that name an
// access path must still take it.
func checkGoldenQueries(t *testing.T, c *clustertest.Cluster, want []goldenQuery, when string) {
	t.Helper()
	if when != "" {
		when = " (" + when + ")"
	}
	leader := c.Leader()
	targets := []struct {
		n           *node.Node
		consistency string
	}{{leader, ""}}
	for _, f := range c.Followers() {
		targets = append(targets, struct {
			n           *node.Node
			consistency string
		}{f, wire.ConsistencyLocal})
	}
	for _, q := range want {
		if q.Uses != "" {
			if plan := explain(t, clustertest.URL(leader), q.SQL); !strings.Contains(plan, q.Uses) {
				t.Errorf("%s%s: plan %q does not use %q", q.SQL, when, plan, q.Uses)
			}
		}
		for _, tg := range targets {
			if got := goldenSQL(t, clustertest.URL(tg.n), q.SQL, tg.consistency); !sameJSON(got, q.Result) {
				t.Errorf("%s on %s%s:\n got %s\nwant %s", q.SQL, tg.n.ID(), when, got, q.Result)
			}
		}
	}
}

// answers runs the queries through base and returns them with its answers.
func answers(t *testing.T, base string, qs []goldenQuery) []goldenQuery {
	t.Helper()
	out := make([]goldenQuery, len(qs))
	for i, q := range qs {
		q.Result = goldenSQL(t, base, q.SQL, "")
		out[i] = q
	}
	return out
}

// upgradeWrites writes over the old data through base: new keys next to old ones, old
// keys looked up, updated and deleted by value, and duplicates of old keys refused.
func upgradeWrites(t *testing.T, base string) {
	t.Helper()
	// The numeric primary key: old keys are found by their value, whether they came from
	// the old snapshot or only from the old log, and a new key cannot repeat an old one.
	wantRows(t, base, "SELECT label FROM prices WHERE k = 12.5", `[["twelve fifty"]]`)
	wantRows(t, base, "SELECT label FROM prices WHERE k = 12.50", `[["twelve fifty"]]`)
	wantRows(t, base, "SELECT label FROM prices WHERE k = -1e21", `[["large negative"]]`)
	wantRows(t, base, "SELECT label FROM prices WHERE k = 7.25", `[["after snapshot"]]`)
	wantState(t, base, "INSERT INTO prices (k, amount, label) VALUES (12.50, 1, 'duplicate')", "23505")
	wantState(t, base, "INSERT INTO prices (k, amount, label) VALUES (0.1, 1, 'duplicate')", "23505")
	wantTag(t, base, "INSERT INTO prices (k, amount, label) VALUES (2.5, 2.5, 'after upgrade')", "INSERT 0 1")
	wantTag(t, base, "UPDATE prices SET amount = 1 WHERE k = 1e21", "UPDATE 1")
	wantTag(t, base, "DELETE FROM prices WHERE k = 0.000001", "DELETE 1")
	wantTag(t, base, "DELETE FROM prices WHERE k = 7.25", "DELETE 1")
	wantTag(t, base, "DELETE FROM prices WHERE k = -3.75", "DELETE 0")
	wantRows(t, base, "SELECT k FROM prices ORDER BY k",
		`[["-1000000000000000000000"],["-12.5"],["-0.5"],["0.1"],["2"],["2.5"],["3"],["12.5"],["100"],["123456789.125"],["1000000000000000000000"]]`)
	wantRows(t, base, "SELECT k FROM prices ORDER BY k DESC LIMIT 3", `[["1000000000000000000000"],["123456789.125"],["100"]]`)
	wantRows(t, base, "SELECT k, fee FROM prices WHERE k = 2.5", `[["2.5","0.25"]]`)
	// The secondary index on a numeric column, old entries and new.
	wantRows(t, base, "SELECT k FROM prices WHERE amount = 12.5 ORDER BY k", `[["-0.5"],["12.5"]]`)
	wantRows(t, base, "SELECT k FROM prices WHERE amount = 1", `[["1000000000000000000000"]]`)
	wantRows(t, base, "SELECT k, amount FROM prices WHERE amount BETWEEN 0.1 AND 3 ORDER BY amount",
		`[["-12.5","0.1"],["0.1","0.2"],["123456789.125","0.30000000000000004"],["1000000000000000000000","1"],["2.5","2.5"]]`)
	// A unique index on a numeric column refuses an old value.
	wantState(t, base, "INSERT INTO codes VALUES (7, 2.5, 'duplicate')", "23505")
	wantState(t, base, "INSERT INTO codes VALUES (7, 0.2, 'duplicate')", "23505")
	wantTag(t, base, "INSERT INTO codes VALUES (7, 0.3, 'g')", "INSERT 0 1")
	// Serial counters and defaults come from the old catalog.
	wantRows(t, base, "INSERT INTO seqs (v) VALUES (7) RETURNING id, v, flag", `[[6,"7",true]]`)
	// Integer keys and indexes beyond 2^53.
	wantTag(t, base, "INSERT INTO ints VALUES (11, 0, 0, 9007199254740993)", "INSERT 0 1")
	wantRows(t, base, "SELECT id FROM ints WHERE big = 9007199254740993 ORDER BY id", `[[4],[11]]`)
	wantRows(t, base, "SELECT note FROM happenings WHERE id = 9007199254740993", `[["key beyond 2^53"]]`)
	// Composite keys with text and numeric parts.
	wantTag(t, base, "DELETE FROM ledger WHERE acct = 'alice' AND seq = 2", "DELETE 1")
	wantTag(t, base, "INSERT INTO ledger VALUES ('alice', 2, 5, NULL)", "INSERT 0 1")
	wantState(t, base, "INSERT INTO ledger VALUES ('bob', 1, 5, NULL)", "23505")
	wantRows(t, base, "SELECT rate FROM rates WHERE cur = 'EUR' AND tier = 2.75", `[[1.75]]`)
	wantState(t, base, "INSERT INTO rates VALUES ('USD', 0.30000000000000004, 1)", "23505")
	wantTag(t, base, "INSERT INTO rates VALUES ('USD', 0.3, 1)", "INSERT 0 1")
	wantTag(t, base, "UPDATE rates SET rate = 9 WHERE cur = 'EUR' AND tier = -1", "UPDATE 1")
	// Text keys.
	wantTag(t, base, "UPDATE words SET note = 'updated after upgrade' WHERE w = 'naïve'", "UPDATE 1")
	wantRows(t, base, "SELECT note FROM words WHERE w = 'naïve'", `[["updated after upgrade"]]`)
	// The key/value API.
	if kv, r := clustertest.Get(t, base, "config/limit", wire.ConsistencyLeader); r.Status != http.StatusOK || kv.Value != "13.75" {
		t.Errorf("old key config/limit: %d %s", r.Status, r.Body)
	}
	clustertest.Put(t, base, "after/upgrade", "new")
	clustertest.Put(t, base, "config/name", "raftplay upgraded")
}

// upgradeSQL runs q through base and returns the raw answer.
func upgradeSQL(t *testing.T, base, q string) clustertest.Response {
	t.Helper()
	return clustertest.Do(t, "POST", base+"/v1/sql", wire.SQLRequest{SQL: q})
}

// wantRows checks the rows q answers, by their JSON text (numbers exactly as sent).
func wantRows(t *testing.T, base, q, rows string) {
	t.Helper()
	r := upgradeSQL(t, base, q)
	if r.Status != http.StatusOK {
		t.Errorf("%s: %d %s", q, r.Status, r.Body)
		return
	}
	var resp struct {
		Results []struct {
			Rows json.RawMessage `json:"rows"`
		} `json:"results"`
	}
	r.JSON(t, &resp)
	got := json.RawMessage("[]")
	if len(resp.Results) == 1 && len(resp.Results[0].Rows) > 0 {
		got = resp.Results[0].Rows
	}
	if !sameJSON(canonicalJSON(t, got), canonicalJSON(t, []byte(rows))) {
		t.Errorf("%s:\n got %s\nwant %s", q, got, rows)
	}
}

// wantTag checks the command tag of a write.
func wantTag(t *testing.T, base, q, tag string) {
	t.Helper()
	r := upgradeSQL(t, base, q)
	var resp wire.SQLResponse
	if r.Status == http.StatusOK {
		r.JSON(t, &resp)
	}
	if r.Status != http.StatusOK || len(resp.Results) != 1 || resp.Results[0].Command != tag {
		t.Errorf("%s: %d %s, want %s", q, r.Status, r.Body, tag)
	}
}

// wantState checks that q fails with the SQLSTATE state.
func wantState(t *testing.T, base, q, state string) {
	t.Helper()
	r := upgradeSQL(t, base, q)
	if r.Status == http.StatusOK || r.Error(t).SQLState != state {
		t.Errorf("%s: %d %s, want SQLSTATE %s", q, r.Status, r.Body, state)
	}
}

func readGolden(t *testing.T) upgradeGolden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, fixtureGolden))
	if err != nil {
		t.Fatal(err)
	}
	var g upgradeGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("%s: %v", fixtureGolden, err)
	}
	if len(g.Nodes) == 0 || g.LastIndex == 0 || g.Digest == "" || len(g.Queries) == 0 || len(g.KV) == 0 {
		t.Fatalf("%s is incomplete", fixtureGolden)
	}
	// Compact, so that failures print the answers the way they print what they got.
	for i := range g.Queries {
		g.Queries[i].Result = canonicalJSON(t, g.Queries[i].Result)
	}
	g.KV = canonicalJSON(t, g.KV)
	return g
}

// unpack extracts a gzipped tar of plain files and directories into dir.
func unpack(t *testing.T, archive, dir string) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", archive, err)
		}
		name := filepath.FromSlash(strings.TrimSuffix(h.Name, "/"))
		if !filepath.IsLocal(name) {
			t.Fatalf("%s: entry %q leaves the directory", archive, h.Name)
		}
		path := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(path, 0o755)
		case tar.TypeReg:
			var out *os.File
			if out, err = os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644); err == nil {
				_, err = io.Copy(out, tr)
				err = firstError(err, out.Close())
			}
		default:
			t.Fatalf("%s: entry %q is neither a file nor a directory", archive, h.Name)
		}
		if err != nil {
			t.Fatalf("extract %s: %v", h.Name, err)
		}
	}
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
