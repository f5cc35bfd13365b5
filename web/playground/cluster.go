package playground

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/pgwire"
	"github.com/raftplay/raftplay/node/tlsconfig"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web"
)

// ClusterConfig describes an embedded cluster.
type ClusterConfig struct {
	Nodes   int    // number of nodes when starting fresh (default 3)
	DataDir string // one sub-directory per node
	// Fresh wipes DataDir first; otherwise existing node directories are resumed.
	Fresh bool
	// Host the nodes' listeners bind to (default 127.0.0.1); ports are ephemeral.
	Host string

	// LogStore is every node's kind of durable log (node.LogStoreBolt by default).
	LogStore          string
	Timing            node.Timing
	SnapshotThreshold uint64
	SnapshotInterval  time.Duration
	TrailingLogs      uint64
	// SQL and QueryTimeout bound every node's requests (node.Config has the defaults).
	SQL          node.SQLLimits
	QueryTimeout time.Duration

	API web.Options // options of every node's HTTP API (its AuthToken is also what they send each other)
	// Limits bound the nodes' HTTP servers.
	Limits web.ServerLimits
	// PG gives every node a PostgreSQL listener: on PGPort, PGPort+1, ... when PGPort is
	// set (a port that is taken falls back to an ephemeral one), else on ephemeral ports.
	PG       bool
	PGPort   int
	PGServer pgwire.Options
	// TLS, when set, is every node's: mutual TLS between their raft transports, https on
	// their HTTP APIs (and between them), and TLS required on their Postgres listeners.
	TLS *tlsconfig.Config
	// ScenarioPause is the beat between a scenario's steps (default 1.5 s).
	ScenarioPause time.Duration
	Logger        *slog.Logger
}

// Cluster is a set of nodes in one process, each with its own data directory, raft
// transport and HTTP API listener on loopback.
type Cluster struct {
	cfg ClusterConfig
	log *slog.Logger

	hub   *web.Hub
	addMu sync.Mutex

	mu      sync.RWMutex
	members []*member
}

type member struct {
	node *node.Node
	api  *web.Server
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
	pg   *pgwire.Server
	pgLn net.Listener
}

// StartCluster starts the nodes and returns once they run (not once they have a leader:
// see WaitLeader).
func StartCluster(cfg ClusterConfig) (_ *Cluster, err error) {
	if cfg.Nodes <= 0 {
		cfg.Nodes = 3
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.API.Logger == nil {
		cfg.API.Logger = cfg.Logger
	}
	if cfg.DataDir == "" {
		return nil, errors.New("cluster data dir is required")
	}
	if cfg.Fresh {
		if err := os.RemoveAll(cfg.DataDir); err != nil {
			return nil, fmt.Errorf("wipe data dir: %w", err)
		}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	ids, err := nodeIDs(cfg.DataDir, cfg.Nodes)
	if err != nil {
		return nil, err
	}
	c := &Cluster{cfg: cfg, log: cfg.Logger, hub: web.NewHub()}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	var peers []node.Peer
	for _, id := range ids {
		m, err := c.newMember(id, nil)
		if err != nil {
			return nil, err
		}
		peers = append(peers, node.Peer{ID: id, RaftAddr: m.node.RaftAddr()})
	}
	for _, m := range c.snapshotMembers() {
		if err := m.node.Start(peers...); err != nil {
			return nil, fmt.Errorf("start %s: %w", m.node.ID(), err)
		}
	}
	return c, nil
}

// nodeIDs resumes the node directories already in dir, or names n fresh ones.
func nodeIDs(dir string, n int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read data dir: %w", err)
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "n") {
			if _, err := os.Stat(filepath.Join(dir, e.Name(), "raft.db")); err == nil {
				ids = append(ids, e.Name())
			}
		}
	}
	if len(ids) > 0 {
		sort.Slice(ids, func(i, j int) bool { return node.LessID(ids[i], ids[j]) })
		return ids, nil
	}
	for i := 1; i <= n; i++ {
		ids = append(ids, fmt.Sprintf("n%d", i))
	}
	return ids, nil
}

// pgListener binds the Postgres listener of the index-th node.
func (c *Cluster) pgListener(index int) (net.Listener, error) {
	if c.cfg.PGPort > 0 {
		if ln, err := net.Listen("tcp", net.JoinHostPort(c.cfg.Host, strconv.Itoa(c.cfg.PGPort+index))); err == nil {
			return ln, nil
		}
		c.log.Warn("postgres port taken, using an ephemeral one", "port", c.cfg.PGPort+index)
	}
	return net.Listen("tcp", net.JoinHostPort(c.cfg.Host, "0"))
}

func (c *Cluster) newMember(id string, join []string) (*member, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(c.cfg.Host, "0"))
	if err != nil {
		return nil, fmt.Errorf("listen for %s http: %w", id, err)
	}
	var pgLn net.Listener
	pgAddr := ""
	if c.cfg.PG {
		_, idx := splitID(id)
		if pgLn, err = c.pgListener(max(idx-1, 0)); err != nil {
			ln.Close()
			return nil, fmt.Errorf("listen for %s postgres: %w", id, err)
		}
		pgAddr = pgLn.Addr().String()
	}
	n, err := node.New(node.Config{
		ID:                id,
		RaftAddr:          net.JoinHostPort(c.cfg.Host, "0"),
		HTTPAddr:          ln.Addr().String(),
		PGAddr:            pgAddr,
		DataDir:           filepath.Join(c.cfg.DataDir, id),
		AuthToken:         c.cfg.API.AuthToken,
		Join:              join,
		AddressProvider:   c,
		LogStore:          c.cfg.LogStore,
		Timing:            c.cfg.Timing,
		SnapshotThreshold: c.cfg.SnapshotThreshold,
		SnapshotInterval:  c.cfg.SnapshotInterval,
		TrailingLogs:      c.cfg.TrailingLogs,
		SQL:               c.cfg.SQL,
		QueryTimeout:      c.cfg.QueryTimeout,
		TLS:               c.cfg.TLS,
		Logger:            c.log,
	})
	if err != nil {
		ln.Close()
		if pgLn != nil {
			pgLn.Close()
		}
		return nil, fmt.Errorf("create node %s: %w", id, err)
	}
	c.hub.Attach(n)
	m := &member{node: n, ln: ln, done: make(chan struct{}), pgLn: pgLn}
	if pgLn != nil {
		opts := c.cfg.PGServer
		if opts.Logger == nil {
			opts.Logger = c.log.With("node", id)
		}
		if c.cfg.TLS != nil {
			opts.TLS = c.cfg.TLS.APIListener()
		}
		m.pg = pgwire.New(n, opts)
		go m.pg.Serve(pgLn)
	}
	m.api = web.NewNodeServer(n, c.cfg.API)
	m.srv = web.NewHTTPServer(m.api, c.cfg.Limits, c.log.With("node", id))
	go func() {
		defer close(m.done)
		if err := web.Serve(m.srv, ln, c.cfg.TLS); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.log.Error("node http server stopped", "node", id, "error", err)
		}
	}()
	c.mu.Lock()
	c.members = append(c.members, m)
	c.mu.Unlock()
	return m, nil
}

// ServerAddr implements raft.ServerAddressProvider with the nodes' current raft addresses.
func (c *Cluster) ServerAddr(id raft.ServerID) (raft.ServerAddress, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, m := range c.members {
		if m.node.ID() == string(id) {
			return raft.ServerAddress(m.node.RaftAddr()), nil
		}
	}
	return "", fmt.Errorf("%w: %s", node.ErrUnknownNode, id)
}

func (c *Cluster) snapshotMembers() []*member {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]*member(nil), c.members...)
}

func (c *Cluster) member(id string) (*member, bool) {
	for _, m := range c.snapshotMembers() {
		if m.node.ID() == id {
			return m, true
		}
	}
	return nil, false
}

// Nodes returns the cluster's nodes in id order.
func (c *Cluster) Nodes() []*node.Node {
	ms := c.snapshotMembers()
	out := make([]*node.Node, len(ms))
	for i, m := range ms {
		out[i] = m.node
	}
	return out
}

// Node returns the node with id.
func (c *Cluster) Node(id string) (*node.Node, bool) {
	for _, n := range c.Nodes() {
		if n.ID() == id {
			return n, true
		}
	}
	return nil, false
}

// Leader returns the node that is leader now, if any.
func (c *Cluster) Leader() (*node.Node, bool) {
	for _, n := range c.Nodes() {
		if n.IsLeader() {
			return n, true
		}
	}
	return nil, false
}

// Entry is the node data requests go to: the leader, or else any running node (which
// forwards to the leader once there is one).
func (c *Cluster) Entry() (*node.Node, error) {
	if l, ok := c.Leader(); ok {
		return l, nil
	}
	for _, n := range c.Nodes() {
		if n.Up() {
			return n, nil
		}
	}
	return nil, fmt.Errorf("%w: every node is down", node.ErrNodeDown)
}

// Status describes every node.
func (c *Cluster) Status() wire.ClusterStatus {
	nodes := c.Nodes()
	st := make([]wire.NodeStatus, len(nodes))
	for i, n := range nodes {
		st[i] = n.Status()
	}
	return node.Summarize(st)
}

// Ready reports whether the cluster has a leader that is ready to serve and every member
// has published its address (so any node can forward to any other).
func (c *Cluster) Ready() error {
	l, ok := c.Leader()
	if !ok {
		return node.ErrNoLeader
	}
	if err := l.Ready(); err != nil {
		return err
	}
	ms, err := l.Members()
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.HTTPAddr == "" {
			return fmt.Errorf("%w: %s has not published its address yet", node.ErrNoLeader, m.ID)
		}
	}
	return nil
}

// WaitReady waits until Ready succeeds.
func (c *Cluster) WaitReady(ctx context.Context) error {
	for {
		err := c.Ready()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for cluster: %w (last: %v)", ctx.Err(), err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// AddNode starts a new node and has it join the cluster through the leader's API.
func (c *Cluster) AddNode(ctx context.Context) (*node.Node, error) {
	c.addMu.Lock()
	defer c.addMu.Unlock()
	l, err := c.Entry()
	if err != nil {
		return nil, err
	}
	next := 0
	for _, n := range c.Nodes() {
		if _, v := splitID(n.ID()); v > next {
			next = v
		}
	}
	id := fmt.Sprintf("n%d", next+1)
	os.RemoveAll(filepath.Join(c.cfg.DataDir, id)) // leftovers of a removed node
	m, err := c.newMember(id, []string{l.HTTPAddr()})
	if err != nil {
		return nil, err
	}
	if err := m.node.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", id, err)
	}
	for {
		if ms, err := l.Members(); err == nil {
			for _, mm := range ms {
				if mm.ID == id {
					return m.node, nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return m.node, fmt.Errorf("%s started but has not joined yet: %w", id, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func splitID(id string) (string, int) {
	i := strings.IndexAny(id, "0123456789")
	if i < 0 {
		return id, 0
	}
	v := 0
	fmt.Sscanf(id[i:], "%d", &v)
	return id[:i], v
}

// RemoveNode takes a node out of the configuration, stops it and deletes its data.
func (c *Cluster) RemoveNode(ctx context.Context, id string) error {
	m, ok := c.member(id)
	if !ok {
		return fmt.Errorf("%w: %s", node.ErrUnknownNode, id)
	}
	l, err := c.Entry()
	if err != nil {
		return err
	}
	if l == m.node {
		// Hand leadership over first, so the removal is committed by a node that stays.
		if err := l.TransferLeadership(ctx, ""); err != nil {
			return err
		}
		if l, err = c.Entry(); err != nil {
			return err
		}
	}
	if err := l.Remove(ctx, id); err != nil {
		return err
	}
	c.mu.Lock()
	for i, mm := range c.members {
		if mm == m {
			c.members = append(c.members[:i], c.members[i+1:]...)
			break
		}
	}
	c.mu.Unlock()
	c.closeMember(m)
	return os.RemoveAll(filepath.Join(c.cfg.DataDir, id))
}

func (c *Cluster) closeMember(m *member) error {
	if m.pg != nil {
		m.pg.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	m.srv.Shutdown(ctx)
	cancel()
	m.api.Close()
	<-m.done
	return m.node.Close()
}

// Hub is the cluster's merged event stream.
func (c *Cluster) Hub() *web.Hub { return c.hub }

// Close stops every node and its HTTP API.
func (c *Cluster) Close() error {
	var errs []error
	defer c.hub.Close()
	for _, m := range c.snapshotMembers() {
		if err := c.closeMember(m); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", m.node.ID(), err))
		}
	}
	return errors.Join(errs...)
}
