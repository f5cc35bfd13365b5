// Package playground is the embedded cluster that `raftplay play` runs: its nodes, each
// with its own data directory, raft transport and HTTP API on loopback; the merged event
// stream of all of them; the scripted scenarios; and the API (a web.API) that acts on the
// whole cluster at once, which web.Server serves like any other.
package playground
