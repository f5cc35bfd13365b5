package netfault_test

import (
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/netfault"
	"github.com/raftplay/raftplay/node/wire"
)

// A node builds its NetworkTransport as usual, wraps it, and gives raft the wrapper.
func ExampleNew() {
	inner, err := raft.NewTCPTransportWithLogger("127.0.0.1:0", nil, 3, 10*time.Second, hclog.NewNullLogger())
	if err != nil {
		return
	}
	events := make(chan wire.RPCData, 1024)
	tr := netfault.New(inner, "n1", func(d wire.RPCData) {
		select {
		case events <- d:
		default: // never hold up raft: drop when the consumer is behind
		}
	})

	conf := raft.DefaultConfig()
	conf.LocalID = "n1"
	conf.Logger = hclog.NewNullLogger()
	store := raft.NewInmemStore()
	r, err := raft.NewRaft(conf, &raft.MockFSM{}, store, store, raft.NewInmemSnapshotStore(), tr)
	if err != nil {
		_ = tr.Close()
		return
	}

	tr.SetLinks([]netfault.Link{{From: "n1", To: "n2", Delay: 50 * time.Millisecond}})
	tr.Isolate(true)
	tr.Isolate(false)

	// Shutdown closes tr, which closes inner and stops the wrapper's goroutines.
	_ = r.Shutdown().Error()
}
