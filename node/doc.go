// Package node runs one raftplay node: a hashicorp/raft server over TCP with a raft-boltdb
// log, a file snapshot store and the BuntDB state machine of package store. It owns the
// node's life (start, kill, restart on the same disk), cluster membership, reads at the
// requested consistency, forwarding of writes to the leader, and the node's event source.
//
// Front ends (HTTP, Postgres wire, WebSocket) call the methods of *Node; every write tries
// the local raft first and, on a follower, is forwarded to the leader's HTTP API, so a
// client never has to find the leader itself.
package node
