package web_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	raftboltdb "github.com/hashicorp/raft-boltdb"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
	"github.com/raftplay/raftplay/web/playground"
)

// writeFixtureEnv names the variable that makes TestWriteUpgradeFixture rewrite the
// upgrade fixture (testdata/upgrade) with the code of the current checkout. Run it only at
// the commit of the release being captured: a later release must test against the data
// the earlier one wrote, never against data it wrote itself.
const writeFixtureEnv = "RAFTPLAY_WRITE_UPGRADE_FIXTURE"

// Where the fixture lives, relative to this package.
const (
	fixtureDir     = "testdata/upgrade"
	fixtureArchive = "data.tar.gz"
	fixtureGolden  = "golden.json"
)

// upgradeGolden is what the release that wrote the fixture answered about it.
type upgradeGolden struct {
	// Release is the commit whose code wrote the fixture.
	Release string `json:"release"`
	// Nodes are the node directories in the archive.
	Nodes []string `json:"nodes"`
	// LastIndex is the last log entry the writing release applied (a SQL or KV command);
	// every node must apply it again, from its log, when it starts on the fixture.
	LastIndex uint64 `json:"last_index"`
	// Digest is every node's state digest after applying LastIndex.
	Digest string `json:"digest"`
	// SnapshotIndex is, per node, the index of the snapshot it starts from; the entries
	// after it up to LastIndex are only in its log.
	SnapshotIndex map[string]uint64 `json:"snapshot_index"`
	// FirstLogIndex is, per node, the oldest entry left in its log: everything before it
	// is in the snapshot only.
	FirstLogIndex map[string]uint64 `json:"first_log_index"`
	Queries       []goldenQuery     `json:"queries"`
	// KV is GET /v1/kv?limit=1000 (items only).
	KV json.RawMessage `json:"kv"`
}

// goldenQuery is one read and its answer.
type goldenQuery struct {
	SQL string `json:"sql"`
	// Uses, when set, is the access path the plan must take (a substring of EXPLAIN), so
	// that the answer is known to come from that index or key.
	Uses string `json:"uses,omitempty"`
	// Result is the statement's result object, exactly as POST /v1/sql answered it
	// (columns, rows, rows_affected, command).
	Result json.RawMessage `json:"result"`
}

// Data written before the snapshot. Every SQL type the engine stores, the edges of the
// integer types, numeric values that float64 holds inexactly or prints in exponent form,
// a numeric primary key, numeric parts of composite keys, secondary (and unique) indexes
// on every kind of column, and NULLs everywhere they may go.
var fixtureSchema = []string{
	`CREATE TABLE ints (id int PRIMARY KEY, small smallint, i int, big bigint);
	CREATE INDEX ints_big ON ints (big);
	CREATE INDEX ints_i ON ints (i);
	INSERT INTO ints VALUES
		(1, 0, 0, 0),
		(2, 32767, 2147483647, 9223372036854775807),
		(3, -32768, -2147483648, -9223372036854775808),
		(4, 1, 1, 9007199254740993),
		(5, -1, -1, -9007199254740993),
		(6, NULL, NULL, 9007199254740992),
		(7, 7, 42, 123456789012345678),
		(8, 8, NULL, NULL)`,

	`CREATE TABLE prices (k numeric PRIMARY KEY, amount numeric, label text, fee numeric DEFAULT 0.25);
	CREATE INDEX prices_amount ON prices (amount);
	INSERT INTO prices (k, amount, label) VALUES
		(0.1, 0.1, 'tenth'),
		(12.50, 12.50, 'twelve fifty'),
		(-3.75, -3.75, 'negative'),
		(1e21, 1e21, 'large'),
		(-1e21, -1e21, 'large negative'),
		(0, 0, 'zero'),
		(100, 99.99, 'hundred'),
		(2, NULL, 'no amount'),
		(3, 1234567890123456789, 'integral beyond 2^53'),
		(0.000001, 0.000001, 'millionth'),
		(123456789.125, 0.30000000000000004, 'seventeen digits'),
		(-0.5, 12.5, 'same amount as twelve fifty')`,

	`CREATE TABLE floats (id int PRIMARY KEY, r real, d double precision);
	CREATE INDEX floats_d ON floats (d);
	CREATE INDEX floats_r ON floats (r);
	INSERT INTO floats VALUES
		(1, 0.1, 0.1),
		(2, 1e30, 1e300),
		(3, -2.5, -2.5),
		(4, 3.4028235e38, 1.7976931348623157e308),
		(5, NULL, 5e-324),
		(6, 1.5, 0.30000000000000004),
		(7, -0.000123, NULL)`,

	`CREATE TABLE words (w text PRIMARY KEY, v varchar(20), c char(5), note text);
	CREATE INDEX words_v ON words (v);
	CREATE INDEX words_c ON words (c);
	INSERT INTO words VALUES
		('apple', 'fruit', 'ab', 'plain'),
		('Zebra', 'animal', 'z', 'capital first'),
		('', 'empty', NULL, 'empty key'),
		('naïve', 'word', 'ï', 'two-byte letter'),
		('quote''s', 'punct', '''', 'a quote'),
		('emoji 🙂', NULL, 'x', 'four-byte letter'),
		('a<b>&c', 'html', '<&>', 'html characters'),
		('tab	and
newline', 'space', ' ', NULL)`,

	`CREATE TABLE happenings (id bigint PRIMARY KEY, at timestamp, atz timestamptz, ok boolean, note text);
	CREATE INDEX happenings_atz ON happenings (atz);
	CREATE INDEX happenings_at ON happenings (at);
	CREATE INDEX happenings_ok ON happenings (ok);
	INSERT INTO happenings VALUES
		(1, '2024-02-29 12:34:56.789012', '2024-02-29 12:34:56.789012+05:30', true, 'leap day'),
		(2, '1999-12-31 23:59:59', '1999-12-31 23:59:59-08', false, 'millennium eve'),
		(3, '2000-01-01', '2000-01-01 00:00:00+00', NULL, 'midnight'),
		(4, NULL, NULL, true, 'no time'),
		(9007199254740993, '2038-01-19 03:14:08', '2038-01-19T03:14:08Z', false, 'key beyond 2^53')`,

	`CREATE TABLE ledger (acct text, seq int, amount numeric, posted timestamptz, PRIMARY KEY (acct, seq));
	CREATE INDEX ledger_amount ON ledger (amount);
	CREATE INDEX ledger_acct_amount ON ledger (acct, amount);
	INSERT INTO ledger VALUES
		('alice', 1, 100.25, '2024-01-01 09:00:00+00'),
		('alice', 2, -0.1, '2024-01-02 09:00:00+00'),
		('alice', 10, 7, NULL),
		('bob', 1, 0.1, '2024-01-01 10:00:00+01'),
		('bob', 2, NULL, '2024-01-03 10:00:00+01'),
		('al', 1, 1e-7, '2024-01-04 00:00:00+00')`,

	`CREATE TABLE rates (cur text, tier numeric, rate double precision, PRIMARY KEY (cur, tier));
	INSERT INTO rates VALUES
		('EUR', 0.5, 1.25),
		('EUR', 10, 1.5),
		('EUR', -1, 0.1),
		('USD', 0.5, 2),
		('USD', 1e15, 3.5),
		('USD', 0.30000000000000004, NULL)`,

	`CREATE TABLE codes (id int PRIMARY KEY, code numeric UNIQUE, name text);
	INSERT INTO codes VALUES (1, 0.1, 'a'), (2, 2.5, 'b'), (3, 1e20, 'c'), (4, NULL, 'd'), (5, NULL, 'e')`,

	`CREATE TABLE seqs (id serial PRIMARY KEY, v numeric NOT NULL, flag boolean DEFAULT true);
	INSERT INTO seqs (v) VALUES (1.5), (-2), (0.1);
	INSERT INTO seqs (v, flag) VALUES (1e-3, false)`,

	// No primary key: rows are keyed by the hidden rowid.
	`CREATE TABLE notes (body text, n numeric, at timestamptz);
	CREATE INDEX notes_n ON notes (n);
	INSERT INTO notes VALUES ('first', 1.1, '2024-06-01 00:00:00+00'), ('second', NULL, NULL), ('third', -1.1, '2024-06-02 00:00:00+02')`,

	// An UPDATE and a DELETE before the snapshot, by numeric key and by index.
	`UPDATE prices SET amount = 13.25 WHERE k = 100;
	DELETE FROM prices WHERE k = 0;
	UPDATE ledger SET amount = 8 WHERE acct = 'alice' AND seq = 10`,
}

// fixtureKV is written through the key/value API before the snapshot.
var fixtureKV = []struct{ key, value string }{
	{"config/name", "raftplay"},
	{"config/limit", "12.50"},
	{"numbers/big", "9007199254740993"},
	{"unicode/ключ", "значение 🙂"},
	{"empty", ""},
	{"binary", "\x00\xff\xfe binary"},
}

// Data written after the snapshot (so only in the log), with plain literal values.
var fixtureAfterSnapshot = []string{
	`INSERT INTO prices (k, amount, label) VALUES (7.25, 7.25, 'after snapshot'), (-12.5, 0.1, 'after snapshot, negative')`,
	`UPDATE prices SET label = 'updated after snapshot', amount = 0.2 WHERE k = 0.1`,
	`DELETE FROM prices WHERE k = -3.75`,
	`INSERT INTO ints VALUES (9, 9, 9, -9007199254740993), (10, NULL, NULL, 4611686018427387904)`,
	`INSERT INTO ledger VALUES ('bob', 3, 0.3, '2024-01-05 10:00:00+00'), ('carol', 1, 12.50, NULL)`,
	`INSERT INTO rates VALUES ('EUR', 2.75, 1.75)`,
	`INSERT INTO codes VALUES (6, 0.2, 'f')`,
	`INSERT INTO seqs (v) VALUES (99.5)`,
	`INSERT INTO words VALUES ('after', 'log only', 'abc', 'after snapshot')`,
	`INSERT INTO happenings VALUES (5, '2024-03-01 00:00:00', '2024-03-01 00:00:00+00', true, 'after snapshot')`,
	`UPDATE floats SET d = 2.5 WHERE id = 3`,
}

var fixtureKVAfterSnapshot = []struct{ key, value string }{
	{"config/limit", "13.75"},
	{"after/snapshot", "log only"},
}

// fixtureQueries are the reads whose answers the fixture pins: every table in key order,
// lookups by every kind of primary key (numeric and composite ones included), range
// scans and ordered scans on the secondary indexes, and counts.
var fixtureQueries = []goldenQuery{
	// Every table, in key order.
	{SQL: "SELECT * FROM ints ORDER BY id", Uses: "Primary Key Scan on ints (ordered)"},
	{SQL: "SELECT * FROM prices ORDER BY k", Uses: "Primary Key Scan on prices (ordered)"},
	{SQL: "SELECT * FROM prices ORDER BY k DESC", Uses: "Primary Key Scan Backward on prices (ordered)"},
	{SQL: "SELECT * FROM floats ORDER BY id"},
	{SQL: "SELECT * FROM words ORDER BY w", Uses: "Primary Key Scan on words (ordered)"},
	{SQL: "SELECT * FROM happenings ORDER BY id", Uses: "Primary Key Scan on happenings (ordered)"},
	{SQL: "SELECT * FROM ledger ORDER BY acct, seq"},
	{SQL: "SELECT * FROM rates ORDER BY cur, tier"},
	{SQL: "SELECT * FROM codes ORDER BY id"},
	{SQL: "SELECT * FROM seqs ORDER BY id"},
	{SQL: "SELECT * FROM notes ORDER BY body"},
	// Point lookups by primary key.
	{SQL: "SELECT * FROM ints WHERE id = 4", Uses: "Primary Key Lookup on ints"},
	{SQL: "SELECT * FROM prices WHERE k = 0.1", Uses: "Primary Key Lookup on prices"},
	{SQL: "SELECT * FROM prices WHERE k = 12.5", Uses: "Primary Key Lookup on prices"},
	{SQL: "SELECT * FROM prices WHERE k = 12.50", Uses: "Primary Key Lookup on prices"},
	{SQL: "SELECT * FROM prices WHERE k = 1e21", Uses: "Primary Key Lookup on prices"},
	{SQL: "SELECT * FROM prices WHERE k = -1e21", Uses: "Primary Key Lookup on prices"},
	{SQL: "SELECT * FROM prices WHERE k = 0.000001", Uses: "Primary Key Lookup on prices"},
	{SQL: "SELECT * FROM prices WHERE k = 123456789.125", Uses: "Primary Key Lookup on prices"},
	{SQL: "SELECT * FROM prices WHERE k = 3", Uses: "Primary Key Lookup on prices"},
	{SQL: "SELECT * FROM prices WHERE k = 7.25", Uses: "Primary Key Lookup on prices"},
	{SQL: "SELECT * FROM prices WHERE k = -3.75", Uses: "Primary Key Lookup on prices"},
	{SQL: "SELECT * FROM prices WHERE k = 0", Uses: "Primary Key Lookup on prices"},
	{SQL: "SELECT k, label FROM prices WHERE k IN (0.1, 2, 7.25, 100, 5)", Uses: "Primary Key Lookup on prices"},
	{SQL: "SELECT k, label FROM prices WHERE k BETWEEN -1 AND 100 ORDER BY k", Uses: "Primary Key Scan on prices"},
	{SQL: "SELECT k FROM prices WHERE k > 3 ORDER BY k DESC", Uses: "Primary Key Scan Backward on prices"},
	{SQL: "SELECT * FROM words WHERE w = 'naïve'", Uses: "Primary Key Lookup on words"},
	{SQL: "SELECT * FROM words WHERE w = ''", Uses: "Primary Key Lookup on words"},
	{SQL: "SELECT * FROM happenings WHERE id = 9007199254740993", Uses: "Primary Key Lookup on happenings"},
	{SQL: "SELECT * FROM ledger WHERE acct = 'alice' AND seq = 2", Uses: "Primary Key Scan on ledger"},
	{SQL: "SELECT * FROM ledger WHERE acct = 'alice' ORDER BY seq", Uses: "Primary Key Scan on ledger"},
	{SQL: "SELECT * FROM rates WHERE cur = 'EUR' AND tier = 0.5", Uses: "Primary Key Scan on rates"},
	{SQL: "SELECT * FROM rates WHERE cur = 'USD' AND tier = 0.30000000000000004", Uses: "Primary Key Scan on rates"},
	{SQL: "SELECT * FROM rates WHERE cur = 'EUR' ORDER BY tier", Uses: "Primary Key Scan on rates"},
	// Secondary indexes: equality, ranges, order.
	{SQL: "SELECT id, big FROM ints WHERE big = 9007199254740993", Uses: "Index Scan using ints_big on ints"},
	{SQL: "SELECT id, big FROM ints WHERE big > 9007199254740992 ORDER BY big", Uses: "Index Scan using ints_big on ints"},
	{SQL: "SELECT id, big FROM ints WHERE big BETWEEN -9007199254740993 AND 0 ORDER BY big", Uses: "Index Scan using ints_big on ints"},
	{SQL: "SELECT id, big FROM ints ORDER BY big", Uses: "Index Scan using ints_big on ints (ordered)"},
	{SQL: "SELECT id, i FROM ints WHERE i < 0 ORDER BY i", Uses: "Index Scan using ints_i on ints"},
	{SQL: "SELECT k, amount FROM prices WHERE amount = 12.5 ORDER BY k", Uses: "Index Scan using prices_amount on prices"},
	{SQL: "SELECT k, amount FROM prices WHERE amount >= 0.1 AND amount < 100 ORDER BY amount, k", Uses: "Index Scan using prices_amount on prices"},
	{SQL: "SELECT k, amount FROM prices WHERE amount > 1e20", Uses: "Index Scan using prices_amount on prices"},
	{SQL: "SELECT k, amount FROM prices WHERE amount < 0 ORDER BY amount", Uses: "Index Scan using prices_amount on prices"},
	{SQL: "SELECT k, amount FROM prices ORDER BY amount", Uses: "Index Scan using prices_amount on prices (ordered)"},
	{SQL: "SELECT k, amount FROM prices ORDER BY amount DESC LIMIT 4", Uses: "Index Scan Backward using prices_amount on prices (ordered)"},
	{SQL: "SELECT id, d FROM floats WHERE d > 0 ORDER BY d", Uses: "Index Scan using floats_d on floats"},
	{SQL: "SELECT id, r FROM floats WHERE r <= 1.5 ORDER BY r", Uses: "Index Scan using floats_r on floats"},
	{SQL: "SELECT w, v FROM words WHERE v >= 'f' ORDER BY v", Uses: "Index Scan using words_v on words"},
	{SQL: "SELECT w, c FROM words WHERE c = 'ab'"},
	{SQL: "SELECT w, c FROM words ORDER BY c", Uses: "Index Scan using words_c on words (ordered)"},
	{SQL: "SELECT id, atz FROM happenings WHERE atz >= '2000-01-01 00:00:00+00' ORDER BY atz", Uses: "Index Scan using happenings_atz on happenings"},
	{SQL: "SELECT id, at FROM happenings WHERE at < '2024-01-01' ORDER BY at", Uses: "Index Scan using happenings_at on happenings"},
	{SQL: "SELECT id FROM happenings WHERE ok = true ORDER BY id", Uses: "Index Scan using happenings_ok on happenings"},
	{SQL: "SELECT acct, seq, amount FROM ledger WHERE amount >= 0.1 ORDER BY amount, acct, seq", Uses: "Index Scan using ledger_amount on ledger"},
	{SQL: "SELECT acct, seq, amount FROM ledger WHERE amount < 0.1 ORDER BY amount", Uses: "Index Scan using ledger_amount on ledger"},
	{SQL: "SELECT id, code FROM codes WHERE code = 0.1", Uses: "Index Scan using codes_code_key on codes"},
	{SQL: "SELECT id, code FROM codes WHERE code > 0.1 ORDER BY code", Uses: "Index Scan using codes_code_key on codes"},
	{SQL: "SELECT body, n FROM notes WHERE n > 0", Uses: "Index Scan using notes_n on notes"},
	// Counts and extremes (no arithmetic on stored values).
	{SQL: "SELECT count(*) FROM ints"},
	{SQL: "SELECT count(*), count(amount) FROM prices"},
	{SQL: "SELECT count(*) FROM prices WHERE amount IS NULL"},
	{SQL: "SELECT count(*) FROM floats"},
	{SQL: "SELECT count(*) FROM words"},
	{SQL: "SELECT count(*) FROM happenings"},
	{SQL: "SELECT count(*) FROM ledger"},
	{SQL: "SELECT count(*) FROM rates"},
	{SQL: "SELECT count(*), count(code) FROM codes"},
	{SQL: "SELECT count(*) FROM seqs"},
	{SQL: "SELECT count(*) FROM notes"},
	{SQL: "SELECT min(k), max(k), min(amount), max(amount) FROM prices"},
	{SQL: "SELECT min(big), max(big) FROM ints"},
	{SQL: "SELECT min(atz), max(atz) FROM happenings"},
}

// fixtureOptions keep almost no log behind a snapshot, so what came before it is in the
// snapshot only, and take no snapshot of their own.
func fixtureOptions(dir string) []clustertest.Option {
	return []clustertest.Option{clustertest.WithDataDir(dir), func(c *playground.ClusterConfig) {
		c.SnapshotThreshold, c.TrailingLogs = 1<<30, 2
	}}
}

// TestWriteUpgradeFixture writes testdata/upgrade with this checkout's code (see
// testdata/upgrade/README.md). It only runs when RAFTPLAY_WRITE_UPGRADE_FIXTURE=1.
func TestWriteUpgradeFixture(t *testing.T) {
	if os.Getenv(writeFixtureEnv) != "1" {
		t.Skip("set " + writeFixtureEnv + "=1 to rewrite " + fixtureDir)
	}
	data := filepath.Join(t.TempDir(), "data")
	g := upgradeGolden{Release: os.Getenv("RAFTPLAY_FIXTURE_RELEASE"), SnapshotIndex: map[string]uint64{}, FirstLogIndex: map[string]uint64{}}
	if g.Release == "" {
		t.Fatal("set RAFTPLAY_FIXTURE_RELEASE to the commit being captured (git rev-parse HEAD)")
	}
	t.Run("write", func(t *testing.T) {
		c := clustertest.Start(t, 3, fixtureOptions(data)...)
		c.WaitConverged()
		leader := clustertest.URL(c.Leader())
		for _, q := range fixtureSchema {
			fixtureSQL(t, leader, q)
		}
		for _, kv := range fixtureKV {
			clustertest.Put(t, leader, kv.key, kv.value)
		}
		c.WaitConverged()
		for _, n := range c.Nodes() {
			s, err := n.Snapshot(context.Background())
			if err != nil || s.Action != "taken" {
				t.Fatalf("snapshot %s: %+v %v", n.ID(), s, err)
			}
			g.SnapshotIndex[n.ID()] = s.Index
		}
		var last uint64
		for _, q := range fixtureAfterSnapshot {
			last = fixtureSQL(t, leader, q)
		}
		for _, kv := range fixtureKVAfterSnapshot {
			last = clustertest.Put(t, leader, kv.key, kv.value).Index
		}
		c.WaitConverged()
		g.LastIndex = last
		for _, n := range c.Nodes() {
			g.Nodes = append(g.Nodes, n.ID())
			ap, ok := appliedAt(n, last)
			if !ok {
				t.Fatalf("%s has no apply event for index %d", n.ID(), last)
			}
			if g.Digest == "" {
				g.Digest = ap.Digest
			}
			if ap.Digest != g.Digest || n.Status().Digest != g.Digest {
				t.Fatalf("%s: digest %s at %d, now %s; want %s", n.ID(), ap.Digest, last, n.Status().Digest, g.Digest)
			}
			if g.SnapshotIndex[n.ID()] >= last {
				t.Fatalf("%s: snapshot at %d covers the last write %d", n.ID(), g.SnapshotIndex[n.ID()], last)
			}
		}
		for _, q := range fixtureQueries {
			q.Result = goldenSQL(t, leader, q.SQL, "")
			if q.Uses != "" {
				if plan := explain(t, leader, q.SQL); !strings.Contains(plan, q.Uses) {
					t.Fatalf("%s: plan %q does not use %q", q.SQL, plan, q.Uses)
				}
			}
			for _, f := range c.Followers() {
				if got := goldenSQL(t, clustertest.URL(f), q.SQL, wire.ConsistencyLocal); !sameJSON(got, q.Result) {
					t.Fatalf("%s on %s: %s, leader %s", q.SQL, f.ID(), got, q.Result)
				}
			}
			g.Queries = append(g.Queries, q)
		}
		g.KV = kvItems(t, leader)
	})
	if t.Failed() {
		return
	}
	for _, id := range g.Nodes {
		logs, err := raftboltdb.NewBoltStore(filepath.Join(data, id, "raft.db"))
		if err != nil {
			t.Fatal(err)
		}
		first, err := logs.FirstIndex()
		logs.Close()
		if err != nil {
			t.Fatal(err)
		}
		if first <= 1 || first > g.SnapshotIndex[id]+1 {
			t.Fatalf("%s: log starts at %d, snapshot at %d", id, first, g.SnapshotIndex[id])
		}
		g.FirstLogIndex[id] = first
	}
	if err := os.MkdirAll(fixtureDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fixtureDir, fixtureArchive), packDir(t, data), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fixtureDir, fixtureGolden), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fixtureSQL runs a write through base and returns its log index.
func fixtureSQL(t *testing.T, base, q string) uint64 {
	t.Helper()
	resp, r := runSQL(t, base, wire.SQLRequest{SQL: q})
	if r.Status != http.StatusOK {
		t.Fatalf("%s: %d %s", q, r.Status, r.Body)
	}
	return resp.Index
}

// goldenSQL runs a single-statement read through base and returns its result object as
// the server sent it (numbers keep their text: bigints above 2^53 stay exact).
func goldenSQL(t testing.TB, base, q, consistency string) json.RawMessage {
	t.Helper()
	r := clustertest.Do(t, "POST", base+"/v1/sql", wire.SQLRequest{SQL: q, Consistency: consistency})
	if r.Status != http.StatusOK {
		t.Fatalf("%s on %s: %d %s", q, base, r.Status, r.Body)
	}
	var resp struct {
		Results []json.RawMessage `json:"results"`
	}
	r.JSON(t, &resp)
	if len(resp.Results) != 1 {
		t.Fatalf("%s: %d results", q, len(resp.Results))
	}
	return canonicalJSON(t, resp.Results[0])
}

// explain is the plan of q, one line per row.
func explain(t testing.TB, base, q string) string {
	t.Helper()
	var res struct {
		Rows [][]string `json:"rows"`
	}
	if err := json.Unmarshal(goldenSQL(t, base, "EXPLAIN "+q, ""), &res); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range res.Rows {
		lines = append(lines, strings.Join(r, " "))
	}
	return strings.Join(lines, "\n")
}

// kvItems is every key/value pair as GET /v1/kv lists them, without the index of the read.
func kvItems(t testing.TB, base string) json.RawMessage {
	t.Helper()
	var l struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	clustertest.MustOK(t, "GET", base+"/v1/kv?limit=1000&consistency=local", nil).JSON(t, &l)
	for _, it := range l.Items {
		delete(it, "index")
	}
	b, err := json.Marshal(l.Items)
	if err != nil {
		t.Fatal(err)
	}
	return canonicalJSON(t, b)
}

// canonicalJSON re-encodes a JSON value with sorted keys and one escaping, keeping every
// number's text exactly.
func canonicalJSON(t testing.TB, raw []byte) json.RawMessage {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sameJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	return json.Compact(&ca, a) == nil && json.Compact(&cb, b) == nil && bytes.Equal(ca.Bytes(), cb.Bytes())
}

// appliedAt finds the apply event for index in the node's recent events.
func appliedAt(n *node.Node, index uint64) (wire.ApplyData, bool) {
	for _, ev := range slices.Backward(n.Events().Recent(1 << 16)) {
		if ev.Type != wire.EventApply {
			continue
		}
		var a wire.ApplyData
		if json.Unmarshal(ev.Data, &a) == nil && a.Index == index {
			return a, true
		}
	}
	return wire.ApplyData{}, false
}

// packDir archives dir as a gzipped tar with fixed times and owners, in name order.
func packDir(t *testing.T, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(zw)
	epoch := time.Unix(0, 0).UTC()
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		h := &tar.Header{Name: filepath.ToSlash(rel), ModTime: epoch, Format: tar.FormatPAX}
		switch {
		case d.IsDir():
			h.Typeflag, h.Name, h.Mode = tar.TypeDir, h.Name+"/", 0o755
			return tw.WriteHeader(h)
		case info.Mode().IsRegular():
			h.Typeflag, h.Mode, h.Size = tar.TypeReg, 0o644, info.Size()
		default:
			return nil
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatalf("pack %s: %v", dir, err)
	}
	return buf.Bytes()
}
