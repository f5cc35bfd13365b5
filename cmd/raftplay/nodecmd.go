package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/pgwire"
	"github.com/raftplay/raftplay/web"
)

func runNode(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("node", "Run one raftplay node. The first node of a cluster starts alone (or from --peers);\nothers start with --join pointing at any member's HTTP API. Restarting with the same\n--data resumes from the node's snapshot and log.", stderr)
	id := fs.String("id", "", "node id, unique in the cluster (required)")
	raftAddr := fs.String("raft-addr", "127.0.0.1:7001", "raft transport listen address")
	raftAdv := fs.String("raft-advertise", "", "raft address peers dial, if not --raft-addr")
	httpAddr := fs.String("http-addr", "127.0.0.1:8001", "HTTP API listen address (port 0 picks a free port)")
	httpAdv := fs.String("http-advertise", "", "HTTP address other nodes use, if not --http-addr")
	dataDir := fs.String("data", "", "data directory (required)")
	pgAddr := fs.String("pg-addr", "", "Postgres wire protocol listen address (off unless given)")
	pgAdv := fs.String("pg-advertise", "", "Postgres address clients use, if not --pg-addr")
	pgPassword := fs.String("pg-password", "", "require this password from Postgres clients (SCRAM-SHA-256; default: trust)")
	join := fs.String("join", "", "comma-separated HTTP addresses of members to join through (any member; forwarded to the leader)")
	peers := fs.String("peers", "", "static bootstrap members, id=raft-addr,... (used once, when --data holds no state)")
	maxBody := fs.Int64("max-body", 1<<20, "largest request body in bytes")
	cors := fs.String("cors-origin", "", "allow browser calls from this origin: it gets CORS headers and may change state like the server's own pages (* for any; off by default)")
	pprofOn := fs.Bool("pprof", false, "serve net/http/pprof under /debug/pprof/ on the HTTP listeners")
	allowOrigin := fs.String("allow-origin", "", "comma-separated more origins allowed to change state and open WebSockets, as host patterns (app.example.com:*) or origins (https://*.example.com); the server's own origin always is")
	guard := addServerGuard(fs)
	snapThreshold := fs.Uint64("snapshot-threshold", 8192, "log entries between snapshots")
	trailing := fs.Uint64("trailing-logs", 10240, "log entries kept after a snapshot")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	limits := addLimitFlags(fs)
	tlsf := addTLSFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *id == "" || *dataDir == "" {
		fs.Usage()
		return errors.New("--id and --data are required")
	}
	if *join != "" && *peers != "" {
		return errors.New("--join and --peers are exclusive")
	}
	staticPeers, err := parsePeers(*peers)
	if err != nil {
		return err
	}
	log, err := newLogger(stderr, *logLevel)
	if err != nil {
		return err
	}
	token, err := guard.token()
	if err != nil {
		return err
	}
	if err := guard.checkExposed("the HTTP API", *httpAddr, token != "", "--auth-token"); err != nil {
		return err
	}
	if *pgAddr != "" {
		if err := guard.checkExposed("Postgres", *pgAddr, *pgPassword != "", "--pg-password"); err != nil {
			return err
		}
	}
	tlsCfg, err := tlsf.load()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *httpAddr, err)
	}
	defer ln.Close()
	adv := ln.Addr().String()
	if *httpAdv != "" {
		adv = *httpAdv
	}
	var pgLn net.Listener
	pgAdvertised := ""
	if *pgAddr != "" {
		if pgLn, err = net.Listen("tcp", *pgAddr); err != nil {
			return fmt.Errorf("listen on %s: %w", *pgAddr, err)
		}
		defer pgLn.Close()
		pgAdvertised = pgLn.Addr().String()
		if *pgAdv != "" {
			pgAdvertised = *pgAdv
		}
	}
	var joins []string
	if *join != "" {
		joins = strings.Split(*join, ",")
	}
	n, err := node.New(node.Config{
		ID: *id, RaftAddr: *raftAddr, RaftAdvertise: *raftAdv, HTTPAddr: adv, PGAddr: pgAdvertised, DataDir: *dataDir,
		Peers: staticPeers, Join: joins, SnapshotThreshold: *snapThreshold, TrailingLogs: *trailing, TLS: tlsCfg, Logger: log,
		SQL: limits.sql(), QueryTimeout: limits.timeout(), AuthToken: token,
	})
	if err != nil {
		return err
	}
	defer n.Close()
	api := web.NewNodeServer(n, web.Options{MaxBodyBytes: *maxBody, CORSOrigin: *cors, AllowOrigins: splitList(*allowOrigin),
		AuthToken: token, Addrs: []string{ln.Addr().String()}, AllowedHosts: splitList(*guard.allowedHosts), Pprof: *pprofOn, Logger: log})
	srv := web.NewHTTPServer(api, web.ServerLimits{}, log)
	serveErr := make(chan error, 1)
	go func() { serveErr <- web.Serve(srv, ln, tlsCfg) }()
	if pgLn != nil {
		pgOpts := pgwire.Options{Password: *pgPassword, Logger: log}
		if tlsCfg != nil {
			pgOpts.TLS = tlsCfg.APIListener()
		}
		pg := pgwire.New(n, pgOpts)
		defer pg.Close()
		go pg.Serve(pgLn)
	}
	if err := n.Start(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "raftplay node %s: %s raft %s data %s", *id, n.URL(), n.RaftAddr(), *dataDir)
	if tlsCfg != nil {
		fmt.Fprint(stdout, " tls")
	}
	if pgAdvertised != "" {
		fmt.Fprintf(stdout, " postgres %s", pgAdvertised)
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
