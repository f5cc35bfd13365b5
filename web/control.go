package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
)

// Control requests (POST /v1/control/{action}). The handlers check a request and say what
// it does to a node (a Change); the API carries it out wherever the nodes run: on the
// playground's embedded nodes, or on a node and the peers it concerns.
type nodeRequest struct {
	Node string `json:"node"`
}

type partitionRequest struct {
	Groups [][]string `json:"groups"`
}

type speedRequest struct {
	Preset        string `json:"preset,omitempty"`
	HeartbeatMS   int64  `json:"heartbeat_ms,omitempty"`
	ElectionMS    int64  `json:"election_ms,omitempty"`
	LeaderLeaseMS int64  `json:"leader_lease_ms,omitempty"`
	RPCDelayMS    int64  `json:"rpc_delay_ms,omitempty"`
}

func (s *Server) controlRoutes() []route {
	return []route{
		{"GET", "/v1/control/faults", s.handleFaults},
		{"POST", "/v1/control/kill", s.nodeAction("kill", func(n *node.Node) error { return n.Kill() })},
		{"POST", "/v1/control/restart", s.nodeAction("restart", func(n *node.Node) error { return n.Restart() })},
		{"POST", "/v1/control/isolate", s.nodeAction("isolate", func(n *node.Node) error {
			if !n.Up() {
				return fmt.Errorf("%w: cannot isolate a node that is down", errConflict)
			}
			n.Isolate(true)
			return nil
		})},
		{"POST", "/v1/control/partition", s.handlePartition},
		{"POST", "/v1/control/heal", s.handleHeal},
		{"POST", "/v1/control/link", s.handleLink},
		{"POST", "/v1/control/speed", s.handleSpeed},
		{"POST", "/v1/control/add-node", s.handleAddNode},
		{"POST", "/v1/control/remove-node", s.handleRemoveNode},
		{"POST", "/v1/control/transfer-leadership", s.handleTransfer},
		{"POST", "/v1/control/snapshot", s.handleSnapshot},
		{"GET", "/v1/control/scenarios", s.handleScenarios},
		{"POST", "/v1/control/scenario", s.handleScenario},
	}
}

// nodeAction runs fn on the named node, wherever it runs.
func (s *Server) nodeAction(action string, fn func(*node.Node) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req nodeRequest
		if err := decodeJSON(r, &req); err != nil {
			writeError(w, err)
			return
		}
		if req.Node == "" {
			writeError(w, fmt.Errorf("%w: name the node", errBadRequest))
			return
		}
		apply := func(n *node.Node) error {
			err := fn(n)
			if errors.Is(err, node.ErrNodeDown) || errors.Is(err, node.ErrAlreadyUp) {
				err = fmt.Errorf("%w: %v", errConflict, err)
			}
			return err
		}
		s.control(w, r, Change{Action: action, Node: req.Node, Target: req.Node, Body: req, Apply: apply})
	}
}

// control carries out c and answers with the faults after it.
func (s *Server) control(w http.ResponseWriter, r *http.Request, c Change) {
	f, err := s.api.Control(r.Context(), c)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

// knownMembers are the ids a control request may name.
func (s *Server) knownMembers() map[string]bool {
	known := map[string]bool{}
	for _, id := range s.api.Members() {
		known[id] = true
	}
	return known
}

func (s *Server) handlePartition(w http.ResponseWriter, r *http.Request) {
	var req partitionRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	known := s.knownMembers()
	named := map[string]bool{}
	for _, g := range req.Groups {
		if len(g) == 0 {
			writeError(w, fmt.Errorf("%w: empty group", errBadRequest))
			return
		}
		for _, id := range g {
			if !known[id] {
				writeError(w, fmt.Errorf("%w: %s", node.ErrUnknownNode, id))
				return
			}
			if named[id] {
				writeError(w, fmt.Errorf("%w: %s is named twice", errBadRequest, id))
				return
			}
			named[id] = true
		}
	}
	groups := req.Groups
	var rest []string
	for _, id := range s.api.Members() {
		if !named[id] {
			rest = append(rest, id)
		}
	}
	if len(rest) > 0 {
		groups = append(append([][]string(nil), groups...), rest) // the unnamed form one more group
	}
	if len(groups) < 2 {
		writeError(w, fmt.Errorf("%w: a partition needs at least two groups", errBadRequest))
		return
	}
	s.control(w, r, Change{Action: "partition", Body: partitionRequest{Groups: groups},
		Apply: func(n *node.Node) error { return n.SetPartition(groups) }})
}

func (s *Server) handleHeal(w http.ResponseWriter, r *http.Request) {
	if err := decodeOptionalJSON(r, &struct{}{}); err != nil {
		writeError(w, err)
		return
	}
	s.control(w, r, Change{Action: "heal", Body: struct{}{}, Apply: func(n *node.Node) error { n.Heal(); return nil }})
}

func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) {
	var l wire.Link
	if err := decodeJSON(r, &l); err != nil {
		writeError(w, err)
		return
	}
	known := s.knownMembers()
	for _, id := range []string{l.From, l.To} {
		if id != "" && !known[id] {
			writeError(w, fmt.Errorf("%w: %s", node.ErrUnknownNode, id))
			return
		}
	}
	s.control(w, r, Change{Action: "link", Target: l.From, Body: l, Apply: func(n *node.Node) error { return n.SetLink(l) }})
}

func (s *Server) handleSpeed(w http.ResponseWriter, r *http.Request) {
	var req speedRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	t := node.Timing{Heartbeat: ms(req.HeartbeatMS), Election: ms(req.ElectionMS), LeaderLease: ms(req.LeaderLeaseMS)}
	s.control(w, r, Change{Action: "speed", Body: req,
		Apply: func(n *node.Node) error { return n.SetSpeed(req.Preset, t, ms(req.RPCDelayMS)) }})
}

func ms(v int64) time.Duration { return time.Duration(v) * time.Millisecond }

func (s *Server) handleAddNode(w http.ResponseWriter, r *http.Request) {
	if err := decodeOptionalJSON(r, &struct{}{}); err != nil {
		writeError(w, err)
		return
	}
	n, err := s.api.AddNode(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, n.Status())
}

func (s *Server) handleRemoveNode(w http.ResponseWriter, r *http.Request) {
	var req nodeRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	if err := s.api.RemoveNode(r.Context(), req.Node); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"removed": req.Node})
}

func (s *Server) handleFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.api.Faults())
}

type scenarioRequest struct {
	Name string `json:"name"`
}

func (s *Server) handleScenario(w http.ResponseWriter, r *http.Request) {
	var req scenarioRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	sc, err := s.api.StartScenario(req.Name)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"started": sc.Name, "description": sc.Description})
}

func (s *Server) handleScenarios(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"scenarios": s.api.Scenarios()})
}
