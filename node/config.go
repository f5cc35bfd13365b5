package node

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/sql"
	"github.com/raftplay/raftplay/node/tlsconfig"
)

// Timing is the raft timing profile. Raft needs broadcast time << election timeout << MTBF;
// on loopback a round trip is ~10 µs and an fsync ~0.3 ms, so a few hundred milliseconds
// leaves two orders of magnitude of headroom while keeping failover well under a second.
type Timing struct {
	Heartbeat   time.Duration // follower waits this long without contact before an election
	Election    time.Duration // candidate waits this long for votes
	LeaderLease time.Duration // leader steps down after this long without a quorum
	Commit      time.Duration // longest wait before the leader tells followers the commit index
}

// Realtime is the default profile.
func Realtime() Timing {
	return Timing{Heartbeat: 300 * time.Millisecond, Election: 300 * time.Millisecond,
		LeaderLease: 300 * time.Millisecond, Commit: 20 * time.Millisecond}
}

// Scaled returns t slowed down by factor (for watching an election in slow motion).
func (t Timing) Scaled(factor float64) Timing {
	s := func(d time.Duration) time.Duration { return time.Duration(float64(d) * factor) }
	return Timing{Heartbeat: s(t.Heartbeat), Election: s(t.Election), LeaderLease: s(t.LeaderLease), Commit: s(t.Commit)}
}

// DefaultQueryTimeout bounds reads unless a node is told otherwise.
const DefaultQueryTimeout = 30 * time.Second

// Peer is a member of a static bootstrap configuration.
type Peer struct {
	ID       string
	RaftAddr string
}

// Config describes one node.
type Config struct {
	ID string
	// RaftAddr is where the raft transport listens (port 0 picks one; a restart keeps it).
	RaftAddr string
	// RaftAdvertise is the address peers dial, if different from the listening one.
	RaftAdvertise string
	// HTTPAddr and PGAddr are this node's API addresses as others should reach them; they
	// are published in the replicated node metadata.
	HTTPAddr string
	PGAddr   string
	DataDir  string
	// AuthToken, when set, is sent as a bearer token on every call to another node's HTTP
	// API (forwarded writes, passed-on control requests, status of the peers).
	AuthToken string

	// Peers, when set, bootstraps a cluster of exactly these members if the data directory
	// holds no raft state yet. Every member may be given the same list.
	Peers []Peer
	// Join lists HTTP addresses of existing members to ask for membership when the data
	// directory holds no raft state. With neither Peers nor Join, a node with no state
	// bootstraps a single-node cluster.
	Join []string

	// AddressProvider, when set, resolves a peer's raft address by id at dial time (an
	// embedded cluster uses it: its nodes' ephemeral ports change across restarts while the
	// raft configuration in their logs keeps the old ones).
	AddressProvider raft.ServerAddressProvider

	// TLS, when set, makes the raft transport mutual TLS (only peers with a certificate the
	// cluster CA signed get through) and makes this node speak https to its peers' HTTP
	// APIs. A cluster is all TLS or not at all: a node with TLS dials every peer with it.
	TLS *tlsconfig.Config

	Timing            Timing
	SnapshotThreshold uint64
	SnapshotInterval  time.Duration
	TrailingLogs      uint64
	// ApplyTimeout bounds how long a write waits to enter the log.
	ApplyTimeout time.Duration
	// SQL bounds what one SQL request may contain and do; zero fields take the defaults.
	SQL sql.Limits
	// QueryTimeout stops any read that runs longer (57014); negative: no timeout.
	QueryTimeout time.Duration

	Logger *slog.Logger
}

func (c *Config) setDefaults() error {
	if c.ID == "" {
		return errors.New("node id is required")
	}
	if c.DataDir == "" {
		return fmt.Errorf("node %s: data dir is required", c.ID)
	}
	if c.RaftAddr == "" {
		c.RaftAddr = "127.0.0.1:0"
	}
	if c.Timing == (Timing{}) {
		c.Timing = Realtime()
	}
	if c.SnapshotThreshold == 0 {
		c.SnapshotThreshold = 8192
	}
	if c.SnapshotInterval == 0 {
		c.SnapshotInterval = 30 * time.Second
	}
	if c.TrailingLogs == 0 {
		c.TrailingLogs = 10240
	}
	if c.ApplyTimeout == 0 {
		c.ApplyTimeout = 10 * time.Second
	}
	if c.QueryTimeout == 0 {
		c.QueryTimeout = DefaultQueryTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}
