package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"path"
	"strings"
	"sync/atomic"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/static"
	"github.com/raftplay/raftplay/web/httpguard"
)

// Options configure a Server.
type Options struct {
	// MaxBodyBytes bounds request bodies (default 1 MiB); larger ones get 413.
	MaxBodyBytes int64
	// CORSOrigin, when set, is allowed to call the API from a browser ("*" for any): it
	// gets CORS headers, and may change state like the server's own origin.
	CORSOrigin string
	// AllowOrigins are more origins allowed to change state and open WebSockets, as
	// patterns (httpguard.NewOrigins). Pages of any other origin may only read, and only
	// where CORS lets them.
	AllowOrigins []string
	// AuthToken, when set, must come with every request as "Authorization: Bearer
	// <token>", except /healthz, /readyz and the browser app's files; a WebSocket upgrade
	// may carry it as a Sec-WebSocket-Protocol entry instead (wire.TokenProtocol).
	AuthToken string
	// Addrs are the addresses the server listens on and is reached at, for the Host check;
	// an unspecified one (0.0.0.0, ::) stands for every address of the machine. A node's
	// server adds the address it publishes.
	Addrs []string
	// AllowedHosts are more names the Host header may give besides loopback names and
	// Addrs ("*": any).
	AllowedHosts []string
	// Pprof serves net/http/pprof under /debug/pprof/ (off by default).
	Pprof  bool
	Logger *slog.Logger
}

// Server serves the HTTP API of an API: one node (NewNodeServer) or a whole playground
// (playground.NewServer). Both speak the same routes.
type Server struct {
	opts   Options
	log    *slog.Logger
	api    API
	mux    *http.ServeMux
	routes []route
	// hosts, origins and token admit requests (admit).
	hosts   *httpguard.Hosts
	origins httpguard.Origins
	token   httpguard.Token
	metrics *metrics
	// keyRoutes serve /v1/kv/{key...} by method, outside the mux (see ServeHTTP).
	keyRoutes map[string]http.HandlerFunc

	// groups serves the batched event streams (streamgroup.go).
	groups streamGroups
	// batchedStreams counts live ?batch=true event streams (see batchWindow).
	batchedStreams atomic.Int64
}

type route struct {
	method, pattern string
	handler         http.HandlerFunc
}

// New serves api.
func New(api API, opts Options) *Server {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: opts, log: opts.Logger, api: api, mux: http.NewServeMux(),
		hosts:   httpguard.NewHosts(opts.Addrs, opts.AllowedHosts),
		origins: httpguard.NewOrigins(append([]string{opts.CORSOrigin}, opts.AllowOrigins...)...),
		token:   httpguard.NewToken(opts.AuthToken),
	}
	s.register()
	return s
}

func (s *Server) register() {
	s.routes = []route{
		{"GET", "/healthz", s.handleHealth},
		{"GET", "/readyz", s.handleReady},
		{"GET", "/v1/openapi.json", s.handleOpenAPI},
		{"GET", "/v1/status", s.handleStatus},
		{"GET", "/v1/cluster", s.handleCluster},
		{"POST", "/v1/cluster/join", s.handleJoin},
		{"DELETE", "/v1/cluster/nodes/{id}", s.handleRemove},
		{"POST", "/v1/cluster/transfer-leadership", s.handleTransfer},
		{"POST", "/v1/cluster/snapshot", s.handleSnapshot},
		{"GET", "/v1/kv", s.handleKVList},
		{"GET", "/v1/kv/{key...}", s.handleKVGet},
		{"PUT", "/v1/kv/{key...}", s.handleKVPut},
		{"DELETE", "/v1/kv/{key...}", s.handleKVDelete},
		{"POST", "/v1/sql", s.handleSQL},
		{"GET", "/v1/events", s.handleNodeEvents},
		{"GET", "/v1/cluster/events", s.handleClusterEvents},
		{"GET", "/v1/cluster/events/history", s.handleEventHistory},   // the cluster stream's kept events, by page
		{"GET", "/v1/cluster/events/keyframe", s.handleEventKeyframe}, // the cluster stream's picture at or before a seq
	}
	s.routes = append(s.routes, s.controlRoutes()...)
	s.routes = append(s.routes, route{"GET", "/metrics", func(w http.ResponseWriter, r *http.Request) { s.metrics.handler().ServeHTTP(w, r) }})
	s.metrics = newMetrics(s)
	s.keyRoutes = map[string]http.HandlerFunc{}
	for _, rt := range s.routes {
		h := rt.handler
		if rt.method == http.MethodPost {
			h = requireJSON(h) // every POST takes a JSON body
		}
		h = s.metrics.instrument(rt.pattern, h)
		s.mux.HandleFunc(rt.method+" "+rt.pattern, h)
		if rt.pattern == "/v1/kv/{key...}" {
			s.keyRoutes[rt.method] = h
		}
	}
	if s.opts.Pprof {
		s.mux.HandleFunc("/debug/pprof/", pprof.Index)
		s.mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		s.mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		s.mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		s.mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	// What other nodes ask this one: behind the same admission, with JSON bodies.
	peer := http.HandlerFunc(notFound)
	if h := s.api.PeerService(); h != nil {
		peer = h.ServeHTTP
	}
	s.mux.Handle(node.PeerPrefix, s.metrics.instrument(node.PeerPrefix, requireJSON(peer)))
	app := static.Handler()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/v1/") && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			app.ServeHTTP(w, r) // the browser app
			return
		}
		notFound(w, r)
	})
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, wire.ErrorBody{Error: wire.ErrorDetail{Code: wire.CodeNotFound, Message: "no such endpoint: " + r.Method + " " + r.URL.Path}})
}

// ServeHTTP implements http.Handler: a request is admitted (admit), then routed.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.admit(w, r) {
		s.route(w, r)
	}
}

// admit answers a request that may not reach the API and reports whether r may: its Host
// must name this server, a request that changes state must come from an allowed origin,
// and with a token configured it must carry the token. A CORS preflight is answered here,
// after the Host check: browsers send it without credentials.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) bool {
	if err := s.hosts.Check(r.Host); err != nil {
		s.refuse(w, r, err)
		return false
	}
	if s.opts.CORSOrigin != "" {
		w.Header().Set("Access-Control-Allow-Origin", s.opts.CORSOrigin)
		w.Header().Set("Vary", "Origin")
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Methods", "GET, PUT, POST, DELETE")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
			w.WriteHeader(http.StatusNoContent)
			return false
		}
	}
	if err := s.origins.Check(r); err != nil {
		s.refuse(w, r, err)
		return false
	}
	if !public(r) {
		if err := s.token.Check(r); err != nil {
			s.refuse(w, r, err)
			return false
		}
	}
	return true
}

func (s *Server) refuse(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Debug("request refused", "method", r.Method, "path", r.URL.Path, "host", r.Host,
		"origin", r.Header.Get("Origin"), "remote", r.RemoteAddr, "error", err)
	writeError(w, err)
}

// public reports whether r may come without the token: the health probes, which tell only
// whether the process is up and ready, and the browser app's files, which are the same
// for everybody and must load before the page can ask for a token. The path is judged
// clean, as the mux would route it.
func public(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	switch p := path.Clean("/" + r.URL.Path); {
	case p == "/healthz", p == "/readyz":
		return true
	case p == "/v1", strings.HasPrefix(p, "/v1/"), p == "/metrics", p == "/debug", strings.HasPrefix(p, "/debug/"),
		strings.HasPrefix(p+"/", node.PeerPrefix):
		return false
	}
	return true
}

// route serves an admitted request. Commands on an event stream come in here too: their
// socket was admitted when it opened.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > s.opts.MaxBodyBytes {
		// Refuse before reading a byte of it.
		writeError(w, errTooLarge)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	if r.Header.Get(node.ForwardedHeader) != "" {
		r = r.WithContext(node.NoForward(r.Context()))
	}
	// Keys are opaque: "a/../b" or "." name keys, not paths to clean, and ServeMux would
	// answer them with a redirect.
	if key, ok := strings.CutPrefix(r.URL.Path, "/v1/kv/"); ok {
		if h := s.keyRoutes[r.Method]; h != nil {
			r.SetPathValue("key", key)
			h(w, r)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// Close stops the server's background work (its API's).
func (s *Server) Close() { s.api.Close() }

func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReady(w http.ResponseWriter, _ *http.Request) {
	if err := s.api.Ready(); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) handleStatus(w http.ResponseWriter, _ *http.Request) {
	n, err := s.api.Entry()
	if err != nil {
		writeError(w, err)
		return
	}
	st := n.Status()
	limits := n.Limits()
	st.Limits = &limits
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) handleCluster(w http.ResponseWriter, r *http.Request) {
	cs, err := s.api.Cluster(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, cs)
}

func (s *Server) handleJoin(w http.ResponseWriter, r *http.Request) {
	var req wire.JoinRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	n, err := s.api.Entry()
	if err == nil {
		err = n.Join(r.Context(), req)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"joined": req.ID})
}

func (s *Server) handleRemove(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	n, err := s.api.Entry()
	if err == nil {
		err = n.Remove(r.Context(), id)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"removed": id})
}

// transferRequest names the new leader as "id" (cluster API) or "node" (control API); empty
// lets raft choose.
type transferRequest struct {
	ID   string `json:"id,omitempty"`
	Node string `json:"node,omitempty"`
}

func (s *Server) handleTransfer(w http.ResponseWriter, r *http.Request) {
	var req transferRequest
	if err := decodeOptionalJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	target := req.ID
	if target == "" {
		target = req.Node
	}
	n, err := s.api.Entry()
	if err == nil {
		err = n.TransferLeadership(r.Context(), target)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"leader": leaderAfterTransfer(r.Context(), n)})
}

// handleSnapshot snapshots the named node ({"node": id}), or the node serving the request.
func (s *Server) handleSnapshot(w http.ResponseWriter, r *http.Request) {
	var req nodeRequest
	if err := decodeOptionalJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	snap, err := s.api.Snapshot(r.Context(), req.Node)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, snap)
}

// decodeOptionalJSON is decodeJSON for endpoints whose body may be empty.
func decodeOptionalJSON(r *http.Request, v any) error {
	err := decodeJSON(r, v)
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
