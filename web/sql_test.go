package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

func runSQL(t *testing.T, base string, req wire.SQLRequest) (wire.SQLResponse, clustertest.Response) {
	t.Helper()
	r := clustertest.Do(t, "POST", base+"/v1/sql", req)
	var resp wire.SQLResponse
	if r.Status == http.StatusOK {
		r.JSON(t, &resp)
	}
	return resp, r
}

func rowsJSON(resp wire.SQLResponse, i int) string {
	b, _ := json.Marshal(resp.Results[i].Rows)
	return string(b)
}

func TestSQLThroughAFollower(t *testing.T) {
	c := clustertest.Start(t, 3, clustertest.WithSnapshots(16, 4))
	f := clustertest.URL(c.Followers()[0])
	resp, r := runSQL(t, f, wire.SQLRequest{SQL: `CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL, age int);
		CREATE INDEX people_age ON people (age);
		INSERT INTO people VALUES (1, 'garry', 14), (2, 'ted', 20), (3, 'ava', NULL)`})
	if r.Status != http.StatusOK || resp.Results[2].Command != "INSERT 0 3" || resp.Index == 0 || resp.Node != c.Leader().ID() {
		t.Fatalf("create+insert via follower: %d %s", r.Status, r.Body)
	}
	resp, r = runSQL(t, f, wire.SQLRequest{SQL: "SELECT name, age FROM people WHERE age >= $1 ORDER BY age", Params: []any{14}, Consistency: "linearizable"})
	if r.Status != http.StatusOK || rowsJSON(resp, 0) != `[["garry",14],["ted",20]]` {
		t.Fatalf("select: %d %s", r.Status, r.Body)
	}
	if cols := resp.Results[0].Columns; len(cols) != 2 || cols[1].Type != "integer" {
		t.Fatalf("columns %+v", cols)
	}
	// Errors carry SQLSTATEs and never reach the log.
	before := c.Leader().Status().LastIndex
	for sqlText, state := range map[string]string{
		"SELEC 1":                               "42601",
		"SELECT * FROM nope":                    "42P01",
		"SELECT nope FROM people":               "42703",
		"INSERT INTO people VALUES ('x', 1, 1)": "22P02",
	} {
		_, r := runSQL(t, f, wire.SQLRequest{SQL: sqlText})
		if d := r.Error(t); d.SQLState != state {
			t.Errorf("%q: %d %s, want sqlstate %s", sqlText, r.Status, r.Body, state)
		}
	}
	if after := c.Leader().Status().LastIndex; after != before {
		t.Fatalf("rejected statements reached the log: last index %d -> %d", before, after)
	}
	// A constraint violation aborts the whole entry on every node.
	_, r = runSQL(t, f, wire.SQLRequest{SQL: "INSERT INTO people VALUES (4, 'new', 1); INSERT INTO people VALUES (1, 'dup', 1)"})
	if d := r.Error(t); d.SQLState != "23505" {
		t.Fatalf("duplicate key: %d %s", r.Status, r.Body)
	}
	resp, _ = runSQL(t, f, wire.SQLRequest{SQL: "SELECT count(*) FROM people"})
	if rowsJSON(resp, 0) != `[[3]]` {
		t.Fatalf("a failed batch left rows behind: %s", rowsJSON(resp, 0))
	}
	// A 1 MiB expression is refused before the parser, and the cluster lives on.
	huge := "SELECT " + strings.Repeat("1+", 512<<10) + "1"
	_, r = runSQL(t, c.Play, wire.SQLRequest{SQL: huge})
	if r.Status/100 != 4 {
		t.Fatalf("huge expression: %d %s", r.Status, r.Body[:min(200, len(r.Body))])
	}
	if d := r.Error(t); d.SQLState != "54000" && d.Code != wire.CodeTooLarge {
		t.Fatalf("huge expression: %s", r.Body[:min(200, len(r.Body))])
	}
	c.WaitConverged()

	// A node restarted from its snapshot has the same tables and indexes.
	n := c.Followers()[0]
	clustertest.MustOK(t, "POST", c.Play+"/v1/cluster/snapshot", map[string]string{"node": n.ID()})
	if err := n.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := n.Restart(); err != nil {
		t.Fatal(err)
	}
	c.WaitConverged()
	resp, r = runSQL(t, clustertest.URL(n), wire.SQLRequest{SQL: "EXPLAIN SELECT name FROM people WHERE age = 20", Consistency: "local"})
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "people_age") {
		t.Fatalf("explain after restore does not use the index: %s", r.Body)
	}
	resp, _ = runSQL(t, clustertest.URL(n), wire.SQLRequest{SQL: "SELECT name FROM people WHERE age = 20", Consistency: "local"})
	if rowsJSON(resp, 0) != `[["ted"]]` {
		t.Fatalf("indexed lookup after restore: %s", rowsJSON(resp, 0))
	}
}

// TestFollowerAnswersKeepBigints: a follower forwards a read to the leader and passes the
// answer on without losing a digit of integers past 2^53 (a float64 does).
func TestFollowerAnswersKeepBigints(t *testing.T) {
	c := clustertest.Start(t, 3, clustertest.WithPostgres())
	f := c.Followers()[0]
	clustertest.MustOK(t, "POST", clustertest.URL(f)+"/v1/sql", wire.SQLRequest{SQL: "CREATE TABLE big (id bigint PRIMARY KEY); INSERT INTO big VALUES (9007199254740993), (9223372036854775807)"})
	const q = "SELECT id, id - 1 FROM big WHERE id > 9007199254740992 ORDER BY id"
	r := clustertest.MustOK(t, "POST", clustertest.URL(f)+"/v1/sql", wire.SQLRequest{SQL: q})
	if !strings.Contains(string(r.Body), `"rows":[[9007199254740993,9007199254740992],[9223372036854775807,9223372036854775806]]`) {
		t.Fatalf("HTTP through a follower: %s", r.Body)
	}
	conn, err := pgx.Connect(context.Background(), "postgres://any@"+f.PGAddr()+"/any?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var got []int64
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
		rows, err := conn.Query(context.Background(), q, mode)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a, b int64
			if err := rows.Scan(&a, &b); err != nil {
				t.Fatal(err)
			}
			got = append(got, a, b)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	want := []int64{9007199254740993, 9007199254740992, 9223372036854775807, 9223372036854775806}
	if fmt.Sprint(got) != fmt.Sprint(append(want, want...)) {
		t.Fatalf("Postgres through a follower (simple, then extended binary): %v", got)
	}
}
