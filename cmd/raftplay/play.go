package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/raftplay/raftplay/node/pgwire"
	"github.com/raftplay/raftplay/web"
	"github.com/raftplay/raftplay/web/playground"
)

func runPlay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("play", "Run an embedded cluster (each node with its own data directory, raft transport and\nHTTP API on loopback) and serve the playground API and browser app.", stderr)
	nodes := fs.Int("nodes", 3, "number of nodes when starting fresh")
	httpAddr := fs.String("http-addr", "127.0.0.1:8080", "playground listen address (port 0 picks a free port)")
	dataDir := fs.String("data", "./raftplay-data", "data directory (one sub-directory per node)")
	fresh := fs.Bool("fresh", false, "wipe the data directory and start an empty cluster")
	maxBody := fs.Int64("max-body", 1<<20, "largest request body in bytes")
	cors := fs.String("cors-origin", "", "allow browser calls from this origin: it gets CORS headers and may change state like the server's own pages (* for any; off by default)")
	pprofOn := fs.Bool("pprof", false, "serve net/http/pprof under /debug/pprof/ on the HTTP listeners")
	allowOrigin := fs.String("allow-origin", "", "comma-separated more origins allowed to change state and open WebSockets, as host patterns (app.example.com:*) or origins (https://*.example.com); the server's own origin always is")
	guard := addServerGuard(fs)
	pgPort := fs.Int("pg-port", 5433, "first Postgres port: node n1 listens on it, n2 on the next, ... (0: ephemeral)")
	pgPassword := fs.String("pg-password", "", "require this password from Postgres clients (SCRAM-SHA-256; default: trust)")
	scenario := fs.String("scenario", "", "run a named scenario once the cluster is ready: "+scenarioNames())
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	limits := addLimitFlags(fs)
	tlsf := addTLSFlags(fs)
	logStore := addLogStoreFlag(fs)
	if err := parseFlags(fs, args); err != nil {
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
	if err := guard.checkExposed("the playground", *httpAddr, token != "", "--auth-token"); err != nil {
		return err
	}
	// Every node of the playground uses the same certificate, so it must name the host
	// they all listen on (127.0.0.1).
	tlsCfg, err := tlsf.load()
	if err != nil {
		return err
	}
	opts := web.Options{MaxBodyBytes: *maxBody, CORSOrigin: *cors, AllowOrigins: splitList(*allowOrigin), AuthToken: token,
		AllowedHosts: splitList(*guard.allowedHosts), Pprof: *pprofOn, Logger: log}
	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *httpAddr, err)
	}
	c, err := playground.StartCluster(playground.ClusterConfig{Nodes: *nodes, DataDir: *dataDir, Fresh: *fresh, API: opts, Logger: log,
		PG: true, PGPort: *pgPort, PGServer: pgwire.Options{Password: *pgPassword}, TLS: tlsCfg,
		SQL: limits.sql(), QueryTimeout: limits.timeout(), LogStore: *logStore})
	if err != nil {
		ln.Close()
		return err
	}
	defer c.Close()

	playOpts := opts
	playOpts.Addrs = []string{ln.Addr().String()}
	play := playground.New(c)
	api := web.New(play, playOpts)
	defer api.Close()
	srv := web.NewHTTPServer(api, web.ServerLimits{}, log)
	serveErr := make(chan error, 1)
	go func() { serveErr <- web.Serve(srv, ln, tlsCfg) }()

	fmt.Fprintf(stdout, "raftplay playground on %s\n", pageURL(ln.Addr(), token, tlsCfg != nil))
	for _, n := range c.Nodes() {
		fmt.Fprintf(stdout, "  node %-4s %-29s raft %-21s postgres %s\n", n.ID(), n.URL(), n.RaftAddr(), n.PGAddr())
	}
	fmt.Fprintf(stdout, "data in %s; Ctrl-C stops\n", *dataDir)
	if *scenario != "" {
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := c.WaitReady(rctx)
		cancel()
		if err == nil {
			_, err = play.StartScenario(*scenario)
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
	for _, s := range playground.Scenarios() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

// pageURL is the address to open the playground at. With a token it carries the token in
// the fragment, which the browser never sends to a server: the page moves it to its
// session storage and drops it from the address bar.
func pageURL(addr net.Addr, token string, https bool) string {
	host := addr.String()
	if ta, ok := addr.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		host = net.JoinHostPort("localhost", strconv.Itoa(ta.Port))
	}
	scheme := "http"
	if https {
		scheme = "https"
	}
	u := scheme + "://" + host + "/"
	if token != "" {
		u += "#token=" + url.QueryEscape(token)
	}
	return u
}
