package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// TestLimitFlagsBoundRequestsAndShowInStatus: the limits a node is started with are the
// ones it reports and the ones its writes meet.
func TestLimitFlagsBoundRequestsAndShowInStatus(t *testing.T) {
	p := &proc{id: "n1", httpAddr: freeAddr(t), raftAddr: freeAddr(t), dir: filepath.Join(t.TempDir(), "n1")}
	startNode(t, p, "--max-rows-written", "3", "--query-timeout", "2s")
	base := "http://" + p.httpAddr
	var st wire.NodeStatus
	clustertest.MustOK(t, "GET", base+"/v1/status", nil).JSON(t, &st)
	if st.Limits == nil || st.Limits.MaxRowsWritten != 3 || st.Limits.QueryTimeoutMS != 2000 || st.Limits.MaxRowsExamined != 1_000_000 {
		t.Fatalf("status limits: %+v", st.Limits)
	}
	clustertest.MustOK(t, "POST", base+"/v1/sql", wire.SQLRequest{SQL: "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3)"})
	r := clustertest.Do(t, "POST", base+"/v1/sql", wire.SQLRequest{SQL: "INSERT INTO t SELECT id + 10 FROM t; INSERT INTO t VALUES (100)"})
	if d := r.Error(t); r.Status != http.StatusRequestEntityTooLarge || d.SQLState != "54000" || !strings.Contains(d.Message, "rows_written") {
		t.Fatalf("over the row limit: %d %+v", r.Status, d)
	}
}
