package node

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/sql"
	"github.com/raftplay/raftplay/node/tlsconfig"
)

// SQLLimits bound what one SQL request may contain and do (the engine's limits), so that
// front ends can configure a node without reaching into its SQL engine.
type SQLLimits = sql.Limits

// Timing is the raft timing profile. Raft needs broadcast time << election timeout << MTBF;
// on loopback a round trip is ~10 µs and an fsync ~0.3 ms, but the timeouts are set by
// something else: on a busy machine the kernel can leave a runnable thread waiting for a
// few hundred milliseconds, and a follower that does not hear a heartbeat through such a
// stall starts an election nobody caused. docs/architecture.md ("Timing") has the numbers.
type Timing struct {
	// Heartbeat is how long a follower waits without contact before an election (raft
	// waits a random time between it and twice it); the leader sends heartbeats every
	// tenth to fifth of it.
	Heartbeat   time.Duration
	Election    time.Duration // candidate waits this long for votes (at least Heartbeat)
	LeaderLease time.Duration // leader steps down after this long without a quorum
	Commit      time.Duration // longest wait before the leader tells followers the commit index
	// Probe is how long a follower goes without contact before it checks whether its
	// leader's raft port still accepts connections. A refused connection means the
	// leader's raft has shut down, and the follower starts an election at once instead of
	// waiting out Heartbeat; any other answer changes nothing. 0 turns the check off.
	Probe time.Duration
}

// Realtime is the default profile: a heartbeat timeout long enough to ride out scheduling
// stalls, and the probe to keep failover after a crash quick.
func Realtime() Timing {
	return Timing{Heartbeat: 1500 * time.Millisecond, Election: 1500 * time.Millisecond,
		LeaderLease: 1500 * time.Millisecond, Commit: 20 * time.Millisecond, Probe: 350 * time.Millisecond}
}

// NamedTiming is the profile called name: "default" (Realtime), or "fixed-<duration>",
// whose heartbeat, election and lease timeouts are all that long, with no probe
// ("fixed-300ms" was the default before the probe). Benchmarks and soak runs use it to
// compare profiles.
func NamedTiming(name string) (Timing, error) {
	if name == "default" {
		return Realtime(), nil
	}
	d, err := time.ParseDuration(strings.TrimPrefix(name, "fixed-"))
	if !strings.HasPrefix(name, "fixed-") || err != nil {
		return Timing{}, fmt.Errorf("%w: timing %q is neither default nor fixed-<duration>", ErrBadRequest, name)
	}
	t := Timing{Heartbeat: d, Election: d, LeaderLease: d, Commit: 20 * time.Millisecond}
	if err := t.Validate(); err != nil {
		return Timing{}, fmt.Errorf("timing %s: %w", name, err)
	}
	return t, nil
}

// Scaled returns t slowed down by factor (for watching an election in slow motion).
func (t Timing) Scaled(factor float64) Timing {
	s := func(d time.Duration) time.Duration { return time.Duration(float64(d) * factor) }
	return Timing{Heartbeat: s(t.Heartbeat), Election: s(t.Election), LeaderLease: s(t.LeaderLease),
		Commit: s(t.Commit), Probe: s(t.Probe)}
}

// longestHeartbeatGap is the longest a healthy leader leaves a follower without a
// heartbeat: raft sends one after a random wait of Heartbeat/10 to Heartbeat/5.
func (t Timing) longestHeartbeatGap() time.Duration { return t.Heartbeat / 5 }

// Validate checks the relations the profile depends on: hashicorp/raft's own
// (LeaderLease <= Heartbeat <= Election), and a probe that a healthy leader's heartbeat
// gaps do not set off and that comes before raft's own timeout.
func (t Timing) Validate() error {
	switch {
	case t.Heartbeat < 5*time.Millisecond || t.Commit < time.Millisecond:
		return fmt.Errorf("%w: heartbeat needs at least 5 ms and commit 1 ms", ErrBadRequest)
	case t.LeaderLease < 5*time.Millisecond || t.LeaderLease > t.Heartbeat:
		return fmt.Errorf("%w: leader lease %v must be at least 5 ms and at most the heartbeat timeout %v", ErrBadRequest, t.LeaderLease, t.Heartbeat)
	case t.Election < t.Heartbeat:
		return fmt.Errorf("%w: election timeout %v must be at least the heartbeat timeout %v", ErrBadRequest, t.Election, t.Heartbeat)
	case t.Probe != 0 && (t.Probe <= t.longestHeartbeatGap() || t.Probe >= t.Heartbeat):
		return fmt.Errorf("%w: probe %v must be longer than the longest heartbeat gap %v and shorter than the heartbeat timeout %v",
			ErrBadRequest, t.Probe, t.longestHeartbeatGap(), t.Heartbeat)
	}
	return nil
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

	// LogStore is the kind of durable log: LogStoreBolt (the default) or LogStoreWAL.
	LogStore          string
	Timing            Timing
	SnapshotThreshold uint64
	SnapshotInterval  time.Duration
	TrailingLogs      uint64
	// ApplyTimeout bounds how long a write waits to enter the log.
	ApplyTimeout time.Duration
	// SQL bounds what one SQL request may contain and do; zero fields take the defaults.
	SQL SQLLimits
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
	if c.LogStore == "" {
		c.LogStore = LogStoreBolt
	}
	if !slices.Contains(LogStores, c.LogStore) {
		return fmt.Errorf("node %s: unknown log store %q (want %s)", c.ID, c.LogStore, strings.Join(LogStores, " or "))
	}
	if c.Timing == (Timing{}) {
		c.Timing = Realtime()
	}
	if err := c.Timing.Validate(); err != nil {
		return fmt.Errorf("node %s: timing: %w", c.ID, err)
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
