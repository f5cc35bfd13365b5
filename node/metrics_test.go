package node

import (
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/raftplay/raftplay/node/wire"
)

func TestRPCLabel(t *testing.T) {
	for _, tc := range []struct {
		d    wire.RPCData
		want string
	}{
		{wire.RPCData{RPC: wire.RPCAppendEntries}, "append_entries"},
		{wire.RPCData{RPC: wire.RPCAppendEntries, Heartbeat: true}, "heartbeat"},
		{wire.RPCData{RPC: wire.RPCRequestVote}, "request_vote"},
		{wire.RPCData{RPC: wire.RPCRequestPreVote}, "request_pre_vote"},
		{wire.RPCData{RPC: wire.RPCInstallSnapshot}, "install_snapshot"},
		{wire.RPCData{RPC: wire.RPCTimeoutNow}, "timeout_now"},
		{wire.RPCData{RPC: "made_up"}, "other"},
	} {
		if got := rpcLabel(tc.d); got != tc.want {
			t.Errorf("rpcLabel(%+v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestMetricsLabelsAreBounded: SQLSTATE labels take only code-shaped values and at most
// maxSQLStates of them, and RPC series stop at maxRPCSeries, whatever is reported.
func TestMetricsLabelsAreBounded(t *testing.T) {
	m := newMetrics("n1")
	for _, code := range []string{"42601", "42601", "not-a-code", "4260", "42P01"} {
		m.pg.Error(code)
	}
	for i := range 2 * maxSQLStates {
		m.pg.Error(fmt.Sprintf("Z%04d", i))
	}
	for _, tc := range []struct {
		code string
		want float64
	}{{"42601", 2}, {"42P01", 1}, {"other", 2 + float64(2*maxSQLStates-(maxSQLStates-2))}} {
		if got := testutil.ToFloat64(m.pg.errors.WithLabelValues(tc.code)); got != tc.want {
			t.Errorf("errors{sqlstate=%s} = %v, want %v", tc.code, got, tc.want)
		}
	}
	if n := testutil.CollectAndCount(m.pg.errors); n != maxSQLStates+1 {
		t.Errorf("%d sqlstate series, want %d (the bound and other)", n, maxSQLStates+1)
	}

	for i := range maxRPCSeries + 10 {
		m.rpc(wire.RPCData{RPC: wire.RPCAppendEntries, To: fmt.Sprintf("p%d", i), LatencyUS: 1500, Error: "x"})
	}
	if n := testutil.CollectAndCount(m.rpcSeconds); n != maxRPCSeries {
		t.Errorf("%d rpc series, want %d", n, maxRPCSeries)
	}
	if got := testutil.ToFloat64(m.rpcFailures.WithLabelValues("p0", "append_entries")); got != 1 {
		t.Errorf("failures of p0: %v", got)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(m)
	if _, err := reg.Gather(); err != nil {
		t.Fatalf("a pedantic registry rejects the node's metrics: %v", err)
	}
}

// TestRPCMetricsDoNotAllocate: once a (peer, rpc) pair has its series, an RPC's metrics
// cost a lookup and an observe, nothing on the heap.
func TestRPCMetricsDoNotAllocate(t *testing.T) {
	m := newMetrics("n1")
	d := wire.RPCData{RPC: wire.RPCAppendEntries, To: "n2", LatencyUS: 300, Heartbeat: true}
	m.rpc(d)
	if n := testing.AllocsPerRun(1000, func() { m.rpc(d) }); n != 0 {
		t.Fatalf("%v allocations per RPC", n)
	}
	if got := testutil.ToFloat64(m.rpcFailures.WithLabelValues("n2", "heartbeat")); got != 0 {
		t.Fatalf("a successful RPC counted as failed: %v", got)
	}
}
