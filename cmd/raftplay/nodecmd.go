package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/pgwire"
	"github.com/raftplay/raftplay/node/tlsconfig"
	"github.com/raftplay/raftplay/web"
)

// nodeFlags are the flags of "raftplay node".
type nodeFlags struct {
	id, raftAddr, raftAdv, httpAddr, httpAdv, dataDir *string
	pgAddr, pgAdv, pgPassword, join, peers            *string
	cors, allowOrigin, logLevel                       *string
	maxBody                                           *int64
	pprofOn                                           *bool
	snapThreshold, trailing                           *uint64
	logStore                                          *string
	guard                                             *serverGuard
	limits                                            *limitFlags
	tls                                               tlsFlags
}

func addNodeFlags(fs *flag.FlagSet) *nodeFlags {
	return &nodeFlags{
		id:            fs.String("id", "", "node id, unique in the cluster (required)"),
		raftAddr:      fs.String("raft-addr", "127.0.0.1:7001", "raft transport listen address"),
		raftAdv:       fs.String("raft-advertise", "", "raft address peers dial, if not --raft-addr"),
		httpAddr:      fs.String("http-addr", "127.0.0.1:8001", "HTTP API listen address (port 0 picks a free port)"),
		httpAdv:       fs.String("http-advertise", "", "HTTP address other nodes use, if not --http-addr"),
		dataDir:       fs.String("data", "", "data directory (required)"),
		pgAddr:        fs.String("pg-addr", "", "Postgres wire protocol listen address (off unless given)"),
		pgAdv:         fs.String("pg-advertise", "", "Postgres address clients use, if not --pg-addr"),
		pgPassword:    fs.String("pg-password", "", "require this password from Postgres clients (SCRAM-SHA-256; default: trust)"),
		join:          fs.String("join", "", "comma-separated HTTP addresses of members to join through (any member; forwarded to the leader)"),
		peers:         fs.String("peers", "", "static bootstrap members, id=raft-addr,... (used once, when --data holds no state)"),
		maxBody:       fs.Int64("max-body", 1<<20, "largest request body in bytes"),
		cors:          fs.String("cors-origin", "", "allow browser calls from this origin: it gets CORS headers and may change state like the server's own pages (* for any; off by default)"),
		pprofOn:       fs.Bool("pprof", false, "serve net/http/pprof under /debug/pprof/ on the HTTP listeners"),
		allowOrigin:   fs.String("allow-origin", "", "comma-separated more origins allowed to change state and open WebSockets, as host patterns (app.example.com:*) or origins (https://*.example.com); the server's own origin always is"),
		guard:         addServerGuard(fs),
		snapThreshold: fs.Uint64("snapshot-threshold", 8192, "log entries between snapshots"),
		trailing:      fs.Uint64("trailing-logs", 10240, "log entries kept after a snapshot"),
		logStore:      addLogStoreFlag(fs),
		logLevel:      fs.String("log-level", "info", "log level: debug, info, warn, error"),
		limits:        addLimitFlags(fs),
		tls:           addTLSFlags(fs),
	}
}

// nodeListeners are a node's listening sockets and the addresses it publishes for them.
type nodeListeners struct {
	http, pg       net.Listener
	httpAdv, pgAdv string
}

func (l *nodeListeners) Close() {
	l.http.Close()
	if l.pg != nil {
		l.pg.Close()
	}
}

// listen opens the HTTP listener and, when asked for, the Postgres one.
func (f *nodeFlags) listen() (*nodeListeners, error) {
	ln, err := net.Listen("tcp", *f.httpAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", *f.httpAddr, err)
	}
	l := &nodeListeners{http: ln, httpAdv: cmp.Or(*f.httpAdv, ln.Addr().String())}
	if *f.pgAddr != "" {
		if l.pg, err = net.Listen("tcp", *f.pgAddr); err != nil {
			ln.Close()
			return nil, fmt.Errorf("listen on %s: %w", *f.pgAddr, err)
		}
		l.pgAdv = cmp.Or(*f.pgAdv, l.pg.Addr().String())
	}
	return l, nil
}

// checkExposure refuses to serve beyond loopback without the credentials that requires.
func (f *nodeFlags) checkExposure(token string) error {
	if err := f.guard.checkExposed("the HTTP API", *f.httpAddr, token != "", "--auth-token"); err != nil {
		return err
	}
	if *f.pgAddr != "" {
		return f.guard.checkExposed("Postgres", *f.pgAddr, *f.pgPassword != "", "--pg-password")
	}
	return nil
}

func runNode(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("node", "Run one raftplay node. The first node of a cluster starts alone (or from --peers);\nothers start with --join pointing at any member's HTTP API. Restarting with the same\n--data resumes from the node's snapshot and log.", stderr)
	f := addNodeFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *f.id == "" || *f.dataDir == "" {
		fs.Usage()
		return errors.New("--id and --data are required")
	}
	if *f.join != "" && *f.peers != "" {
		return errors.New("--join and --peers are exclusive")
	}
	staticPeers, err := parsePeers(*f.peers)
	if err != nil {
		return err
	}
	log, err := newLogger(stderr, *f.logLevel)
	if err != nil {
		return err
	}
	token, err := f.guard.token()
	if err != nil {
		return err
	}
	if err := f.checkExposure(token); err != nil {
		return err
	}
	tlsCfg, err := f.tls.load()
	if err != nil {
		return err
	}
	l, err := f.listen()
	if err != nil {
		return err
	}
	defer l.Close()
	n, err := node.New(node.Config{
		ID: *f.id, RaftAddr: *f.raftAddr, RaftAdvertise: *f.raftAdv, HTTPAddr: l.httpAdv, PGAddr: l.pgAdv, DataDir: *f.dataDir,
		Peers: staticPeers, Join: splitList(*f.join), SnapshotThreshold: *f.snapThreshold, TrailingLogs: *f.trailing, TLS: tlsCfg, Logger: log,
		LogStore: *f.logStore,
		SQL:      f.limits.sql(), QueryTimeout: f.limits.timeout(), AuthToken: token,
	})
	if err != nil {
		return err
	}
	defer n.Close()
	return f.serve(ctx, n, l, tlsCfg, token, stdout, log)
}

// serve runs the node's HTTP API and Postgres port until ctx ends or the API fails.
func (f *nodeFlags) serve(ctx context.Context, n *node.Node, l *nodeListeners, tlsCfg *tlsconfig.Config, token string, stdout io.Writer, log *slog.Logger) error {
	api := web.NewNodeServer(n, web.Options{MaxBodyBytes: *f.maxBody, CORSOrigin: *f.cors, AllowOrigins: splitList(*f.allowOrigin),
		AuthToken: token, Addrs: []string{l.http.Addr().String()}, AllowedHosts: splitList(*f.guard.allowedHosts), Pprof: *f.pprofOn, Logger: log})
	srv := web.NewHTTPServer(api, web.ServerLimits{}, log)
	serveErr := make(chan error, 1)
	go func() { serveErr <- web.Serve(srv, l.http, tlsCfg) }()
	if l.pg != nil {
		pgOpts := pgwire.Options{Password: *f.pgPassword, Logger: log}
		if tlsCfg != nil {
			pgOpts.TLS = tlsCfg.APIListener()
		}
		pg := pgwire.New(n, pgOpts)
		defer pg.Close()
		go pg.Serve(l.pg)
	}
	if err := n.Start(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "raftplay node %s: %s raft %s data %s", *f.id, n.URL(), n.RaftAddr(), *f.dataDir)
	if tlsCfg != nil {
		fmt.Fprint(stdout, " tls")
	}
	if l.pgAdv != "" {
		fmt.Fprintf(stdout, " postgres %s", l.pgAdv)
	}
	fmt.Fprintln(stdout)
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve http: %w", err)
		}
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	return n.Close()
}

// parsePeers reads "n1=127.0.0.1:7001,n2=127.0.0.1:7002".
func parsePeers(s string) ([]node.Peer, error) {
	if s == "" {
		return nil, nil
	}
	var out []node.Peer
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		id, addr, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || id == "" || addr == "" {
			return nil, fmt.Errorf("--peers: %q is not id=raft-addr", part)
		}
		if seen[id] {
			return nil, fmt.Errorf("--peers: %s named twice", id)
		}
		seen[id] = true
		out = append(out, node.Peer{ID: id, RaftAddr: addr})
	}
	return out, nil
}

// addLogStoreFlag is --log-store, the same on every command that starts nodes.
func addLogStoreFlag(fs *flag.FlagSet) *string {
	return fs.String("log-store", node.LogStoreBolt, "where raft keeps its log: "+node.LogStoreBolt+
		" (raft-boltdb, two syncs per append) or "+node.LogStoreWAL+" (hashicorp/raft-wal, one sync per append); a data directory keeps the kind it was made with")
}
