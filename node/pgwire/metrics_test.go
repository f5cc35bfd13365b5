package pgwire_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/pgwire"
	"github.com/raftplay/raftplay/web/clustertest"
)

const pgxSimple = pgx.QueryExecModeSimpleProtocol

// pgMetric is the value of one of n's Postgres series, selected by its labels besides node.
func pgMetric(t *testing.T, n *node.Node, name, labels string) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(n.PGMetrics())
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.Metric {
			var got []string
			for _, l := range m.Label {
				if l.GetName() != "node" {
					got = append(got, l.GetName()+"="+l.GetValue())
				}
			}
			if strings.Join(got, ",") == labels {
				return m.GetCounter().GetValue() + m.GetGauge().GetValue()
			}
		}
	}
	return -1
}

// TestServerCountsConnectionsQueriesAndErrors: the server reports to the node's PGMetrics —
// connections while open and in total, one query per Query message and per Execute, and
// every error response by SQLSTATE, a refused connection (53300) included.
func TestServerCountsConnectionsQueriesAndErrors(t *testing.T) {
	cl := clustertest.Start(t, 1)
	n := cl.Nodes()[0]
	_, addr := serve(t, n, pgwire.Options{MaxConns: 1})
	c := connect(t, addr)
	if _, err := c.Exec(ctx(t), "CREATE TABLE t (id int PRIMARY KEY)", pgxSimple); err != nil {
		t.Fatal(err)
	}
	var one int
	if err := c.QueryRow(ctx(t), "SELECT 1").Scan(&one); err != nil { // extended: one Execute
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx(t), "SELEC 1", pgxSimple); err == nil {
		t.Fatal("a syntax error succeeded")
	}
	if _, err := pgxConnect(ctx(t), connString(addr)); err == nil || !strings.Contains(err.Error(), "53300") {
		t.Fatalf("a connection past MaxConns: %v", err)
	}
	for _, tc := range []struct {
		name, labels string
		want         float64
	}{
		{"raftplay_pg_connections", "", 1},
		{"raftplay_pg_connections_total", "", 1},
		{"raftplay_pg_queries_total", "", 3},
		{"raftplay_pg_errors_total", "sqlstate=42601", 1},
		{"raftplay_pg_errors_total", "sqlstate=53300", 1},
	} {
		if got := pgMetric(t, n, tc.name, tc.labels); got != tc.want {
			t.Errorf("%s{%s} = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	c.Close(ctx(t))
	deadline := time.Now().Add(10 * time.Second)
	for pgMetric(t, n, "raftplay_pg_connections", "") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("raftplay_pg_connections did not return to 0 after the client left")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
