package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb"
	"github.com/jackc/pgx/v5"
	"github.com/tidwall/buntdb"

	"github.com/raftplay/raftplay/node/sql"
	"github.com/raftplay/raftplay/node/store"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

const (
	limitTables  = "CREATE TABLE a (id int PRIMARY KEY, v text); CREATE TABLE b (id bigint PRIMARY KEY, v text); CREATE TABLE g (id int PRIMARY KEY, v text)"
	crossInsert  = "INSERT INTO b SELECT x.id*4000000+y.id*2000+z.id, x.v FROM a x, a y, a z"
	crossSelect  = "SELECT count(*) FROM a x, a y, a z"
	limitARows   = 2000
	limitGInsert = "INSERT INTO g VALUES (1, 'ab')"
)

// limitRows are the INSERTs that fill table a, in statements under the size guard.
func limitRows() []string {
	var out []string
	for lo := 1; lo <= limitARows; lo += 500 {
		var vals []string
		for i := lo; i < lo+500 && i <= limitARows; i++ {
			vals = append(vals, fmt.Sprintf("(%d, 'v%d')", i, i))
		}
		out = append(out, "INSERT INTO a VALUES "+strings.Join(vals, ", "))
	}
	return out
}

func limitCluster(t *testing.T, opts ...clustertest.Option) *clustertest.Cluster {
	c := clustertest.Start(t, 3, opts...)
	for _, q := range append(append([]string{limitTables}, limitRows()...), limitGInsert) {
		clustertest.MustOK(t, "POST", c.Play+"/v1/sql", wire.SQLRequest{SQL: q})
	}
	return c
}

func sqlError(t *testing.T, base, q string) (int, wire.ErrorDetail) {
	t.Helper()
	r := clustertest.Do(t, "POST", base+"/v1/sql", wire.SQLRequest{SQL: q})
	if r.Status == http.StatusOK {
		t.Fatalf("%.60s: accepted", q)
	}
	return r.Status, r.Error(t)
}

// TestRunawayWritesNeverEnterTheLog: the statements that once took every node down for
// good are refused on the leader with 54000 naming the limit, nothing of them is in any
// log, and the cluster goes on.
func TestRunawayWritesNeverEnterTheLog(t *testing.T) {
	c := limitCluster(t)
	cases := []struct{ sql, limit string }{
		{crossInsert, "rows_examined"},
		{strings.Repeat("UPDATE g SET v = v || v; ", 40), "value_bytes"},
	}
	for _, tc := range cases {
		for _, n := range c.Nodes() { // through the leader and through followers
			status, d := sqlError(t, clustertest.URL(n), tc.sql)
			if d.SQLState != sql.StateLimitExceeded || !strings.Contains(d.Message, tc.limit) || status != http.StatusRequestEntityTooLarge {
				t.Fatalf("%s via %s: %d %+v, want 413 54000 naming %s", tc.limit, n.ID(), status, d, tc.limit)
			}
		}
	}
	for _, n := range c.Nodes() {
		for _, e := range n.RecentLog(1000) {
			if strings.Contains(e.Summary, "INSERT INTO b") || strings.Contains(e.Summary, "UPDATE g") {
				t.Fatalf("%s holds a refused write at %d: %s", n.ID(), e.Index, e.Summary)
			}
		}
	}
	clustertest.Put(t, c.Play, "after", "ok")
	c.WaitConverged()
}

// TestOverLimitEntryInTheLogFailsAlikeAndNodesStart writes an entry the leader would have
// refused straight into every node's log and restarts them all: each applies it as a
// failure, from the data alone, and the digests stay equal.
func TestOverLimitEntryInTheLogFailsAlikeAndNodesStart(t *testing.T) {
	dir := t.TempDir()
	c := limitCluster(t, clustertest.WithDataDir(dir))
	payload := offlineBatch(t, crossInsert)
	c.WaitConverged()
	for _, n := range c.Nodes() {
		if err := n.Kill(); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range c.Nodes() {
		appendToLog(t, filepath.Join(dir, n.ID(), "raft.db"), payload)
	}
	for _, n := range c.Nodes() {
		if err := n.Restart(); err != nil {
			t.Fatalf("restart %s: %v", n.ID(), err)
		}
	}
	c.WaitReady()
	clustertest.Put(t, c.Play, "after", "ok") // commits the injected entry with the new term's first
	c.WaitConverged()
	for _, n := range c.Nodes() {
		var res wire.SQLResponse
		clustertest.MustOK(t, "POST", clustertest.URL(n)+"/v1/sql",
			wire.SQLRequest{SQL: "SELECT count(*) FROM b", Consistency: wire.ConsistencyLocal}).JSON(t, &res)
		if got := fmt.Sprint(res.Results[0].Rows); got != "[[0]]" {
			t.Fatalf("%s: b has %s rows after the over-limit entry", n.ID(), got)
		}
		found := false
		for _, e := range n.RecentLog(100) {
			found = found || strings.Contains(e.Summary, "INSERT INTO b")
		}
		if !found {
			t.Fatalf("%s: the injected entry is not in its log", n.ID())
		}
	}
}

// offlineBatch prepares q against the same schema outside the cluster, with the default
// budget a leader would have written into it, and returns its log command.
func offlineBatch(t *testing.T, q string) []byte {
	t.Helper()
	db, err := buntdb.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e := sql.NewEngine(sql.Limits{})
	var b *sql.Batch
	err = db.Update(func(tx *buntdb.Tx) error {
		setup, err := e.Prepare(sql.PlainTx(tx), limitTables, nil, time.Now())
		if err != nil {
			return err
		}
		if _, err := e.Execute(sql.PlainTx(tx), setup); err != nil {
			return err
		}
		b, err = e.Prepare(sql.PlainTx(tx), q, nil, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := json.Marshal(store.Command{V: store.CommandVersion, Op: store.OpSQL, SQL: p})
	if err != nil {
		t.Fatal(err)
	}
	return cmd
}

// appendToLog adds one command entry after the last entry of a stopped node's log, in
// that entry's term.
func appendToLog(t *testing.T, path string, data []byte) {
	t.Helper()
	logs, err := raftboltdb.NewBoltStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	last, err := logs.LastIndex()
	if err != nil {
		t.Fatal(err)
	}
	var prev raft.Log
	if err := logs.GetLog(last, &prev); err != nil {
		t.Fatal(err)
	}
	entry := &raft.Log{Index: last + 1, Term: prev.Term, Type: raft.LogCommand, Data: data, AppendedAt: time.Now()}
	if err := logs.StoreLog(entry); err != nil {
		t.Fatal(err)
	}
}

// TestRunawaySelectNeitherStopsWritesNorOutlivesItsClient: a cross join of 8·10⁹ rows on
// the leader, over HTTP and over the Postgres protocol, while writes keep committing; a
// client that goes away, a statement_timeout and a CancelRequest each stop it with 57014.
func TestRunawaySelectNeitherStopsWritesNorOutlivesItsClient(t *testing.T) {
	c := limitCluster(t, clustertest.WithPostgres())
	leader := c.Leader()
	reads := func() int64 {
		var n int64
		for _, x := range c.Nodes() {
			n += x.RunningReads()
		}
		return n
	}

	ctx, cancel := context.WithCancel(context.Background())
	httpDone := make(chan struct{})
	go func() {
		defer close(httpDone)
		body, _ := json.Marshal(wire.SQLRequest{SQL: crossSelect})
		req, _ := http.NewRequestWithContext(ctx, "POST", clustertest.URL(leader)+"/v1/sql", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	c.Eventually(10*time.Second, "the cross join to start", func() bool { return reads() == 1 })
	for i := range 20 {
		clustertest.Put(t, c.Play, fmt.Sprintf("k%d", i), "v")
	}
	if reads() != 1 {
		t.Fatal("the cross join ended by itself")
	}
	cancel()
	<-httpDone
	c.Eventually(5*time.Second, "the abandoned read to stop", func() bool { return reads() == 0 })

	conn, err := pgx.Connect(context.Background(), "postgres://any@"+leader.PGAddr()+"/any?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "SET statement_timeout = 300"); err != nil {
		t.Fatal(err)
	}
	var n int64
	err = conn.QueryRow(context.Background(), crossSelect).Scan(&n)
	if !strings.Contains(fmt.Sprint(err), "57014") || !strings.Contains(fmt.Sprint(err), "statement timeout") {
		t.Fatalf("statement_timeout: got %v, want 57014", err)
	}
	if _, err := conn.Exec(context.Background(), "SET statement_timeout = 0"); err != nil {
		t.Fatal(err)
	}
	qctx, qcancel := context.WithCancel(context.Background())
	qerr := make(chan error, 1)
	go func() { qerr <- conn.QueryRow(qctx, crossSelect).Scan(&n) }()
	c.Eventually(10*time.Second, "the psql cross join to start", func() bool { return reads() == 1 })
	qcancel() // pgx sends a CancelRequest
	if err := <-qerr; err == nil {
		t.Fatal("a cancelled query answered")
	}
	c.Eventually(5*time.Second, "the cancelled read to stop", func() bool { return reads() == 0 })

	// Through a follower, which forwards the read: a timeout is still 57014, not an
	// "outcome unknown" about leadership, and the leader's read stops with it.
	fconn, err := pgx.Connect(context.Background(), "postgres://any@"+c.Followers()[0].PGAddr()+"/any?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer fconn.Close(context.Background())
	if _, err := fconn.Exec(context.Background(), "SET statement_timeout = 300"); err != nil {
		t.Fatal(err)
	}
	err = fconn.QueryRow(context.Background(), crossSelect).Scan(&n)
	if !strings.Contains(fmt.Sprint(err), "57014") {
		t.Fatalf("statement_timeout through a follower: got %v, want 57014", err)
	}
	c.Eventually(5*time.Second, "the forwarded read to stop", func() bool { return reads() == 0 })
	c.WaitConverged()
}

// TestFollowerRefusesOversizedSQLWithoutForwarding: the size guard runs on the follower,
// before the request is sent on. With the rest of the cluster down the follower has no
// leader to forward to, so an answer of 54000 (instead of "no leader") shows the request
// never needed one.
func TestFollowerRefusesOversizedSQLWithoutForwarding(t *testing.T) {
	c := clustertest.Start(t, 3)
	survivor := c.Followers()[0]
	for _, n := range c.Nodes() {
		if n != survivor {
			if err := n.Kill(); err != nil {
				t.Fatal(err)
			}
		}
	}
	huge := "INSERT INTO t VALUES ('" + strings.Repeat("x", 20<<10) + "')"
	r := clustertest.Do(t, "POST", clustertest.URL(survivor)+"/v1/sql", wire.SQLRequest{SQL: huge})
	if d := r.Error(t); r.Status != http.StatusRequestEntityTooLarge || d.SQLState != "54000" {
		t.Fatalf("oversized statement on a follower without a leader: %d %+v", r.Status, d)
	}
}
