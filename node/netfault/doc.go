// Package netfault wraps a raft transport to observe every RPC and to inject network faults.
//
// It owns the boundary between a raft server and its raft.NetworkTransport: every RPC the
// node sends is reported to an Observer once its outcome is known, and per-link rules
// (block, random drop, added delay) plus whole-node isolation are enforced on the way out
// and on the way in. Faults look to raft like a real network failure: calls fail with an
// error or arrive late, and connections are cut when a link goes down, so the real library
// runs its real timeouts, elections and retries.
//
// The wrapper keeps the optional capabilities raft probes for with type assertions
// (raft.WithPreVote, raft.WithClose and pipelined AppendEntries); without them raft would
// silently stop using pre-vote and pipelining.
//
// In the reported wire.RPCData, Dropped means this node never put the RPC on the wire (a
// blocked link, an isolated node or a random drop). An RPC that was sent and refused by the
// receiver's rules has Dropped false and an Error carrying ErrBlocked's text; the returned
// error matches ErrBlocked with errors.Is on both paths. LatencyUS includes any injected
// delay, which DelayMS reports on its own.
package netfault
