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

	"github.com/raftplay/raftplay/node/pgwire"
	"github.com/raftplay/raftplay/web"
)

func runPlay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("play", "Run an embedded cluster (each node with its own data directory, raft transport and\nHTTP API on loopback) and serve the playground API and browser app.", stderr)
	nodes := fs.Int("nodes", 3, "number of nodes when starting fresh")
	httpAddr := fs.String("http-addr", "127.0.0.1:8080", "playground listen address (port 0 picks a free port)")
	dataDir := fs.String("data", "./raftplay-data", "data directory (one sub-directory per node)")
	fresh := fs.Bool("fresh", false, "wipe the data directory and start an empty cluster")
	maxBody := fs.Int64("max-body", 1<<20, "largest request body in bytes")
	cors := fs.String("cors-origin", "", "allow browser calls from this origin (off by default)")
	pprofOn := fs.Bool("pprof", false, "serve net/http/pprof under /debug/pprof/ on the HTTP listeners")
	allowOrigin := fs.String("allow-origin", "", "comma-separated extra origin host patterns allowed to open WebSockets (same-origin and localhost always are)")
	pgPort := fs.Int("pg-port", 5433, "first Postgres port: node n1 listens on it, n2 on the next, ... (0: ephemeral)")
	pgPassword := fs.String("pg-password", "", "require this password from Postgres clients (SCRAM-SHA-256; default: trust)")
	scenario := fs.String("scenario", "", "run a named scenario once the cluster is ready: "+scenarioNames())
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	tlsf := addTLSFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, err := newLogger(stderr, *logLevel)
	if err != nil {
		return err
	}
	// Every node of the playground uses the same certificate, so it must name the host
	// they all listen on (127.0.0.1).
	tlsCfg, err := tlsf.load()
	if err != nil {
		return err
	}
	api := web.Options{MaxBodyBytes: *maxBody, CORSOrigin: *cors, AllowOrigins: splitList(*allowOrigin), Pprof: *pprofOn, Logger: log}
	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *httpAddr, err)
	}
	c, err := web.StartCluster(web.ClusterConfig{Nodes: *nodes, DataDir: *dataDir, Fresh: *fresh, API: api, Logger: log,
		PG: true, PGPort: *pgPort, PGServer: pgwire.Options{Password: *pgPassword}, TLS: tlsCfg})
	if err != nil {
		ln.Close()
		return err
	}
	defer c.Close()

	play := web.NewPlayground(c, api)
	defer play.Close()
	srv := &http.Server{Handler: play, ReadHeaderTimeout: 10 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- web.Serve(srv, ln, tlsCfg, log) }()

	scheme := "http"
	if tlsCfg != nil {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "raftplay playground on %s://%s\n", scheme, ln.Addr())
	for _, n := range c.Nodes() {
		fmt.Fprintf(stdout, "  node %-4s %-29s raft %-21s postgres %s\n", n.ID(), n.URL(), n.RaftAddr(), n.PGAddr())
	}
	fmt.Fprintf(stdout, "data in %s; Ctrl-C stops\n", *dataDir)
	if *scenario != "" {
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := c.WaitReady(rctx)
		cancel()
		if err == nil {
			err = play.StartScenario(*scenario)
		}
		if err != nil {
			return fmt.Errorf("scenario %s: %w", *scenario, err)
		}
		fmt.Fprintf(stdout, "running scenario %s\n", *scenario)
	}

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve playground: %w", err)
		}
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	return c.Close()
}

func scenarioNames() string {
	var names []string
	for _, s := range web.Scenarios() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}
