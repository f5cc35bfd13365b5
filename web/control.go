package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
)

// Control requests (POST /v1/control/{action}). On the playground they act on the embedded
// nodes; on a node they act on the node itself, and a request naming another node, or
// changing the network of the whole cluster, is passed on to the peers it concerns.
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

// localNodes are the nodes this server acts on directly.
func (s *Server) localNodes() []*node.Node {
	if s.self != nil {
		return []*node.Node{s.self}
	}
	return s.cluster.Nodes()
}

// memberIDs are every member this server knows of.
func (s *Server) memberIDs() []string {
	var ids []string
	if s.self != nil {
		ms, err := s.self.Members()
		if err != nil {
			return []string{s.self.ID()}
		}
		for _, m := range ms {
			ids = append(ids, m.ID)
		}
		return ids
	}
	for _, n := range s.cluster.Nodes() {
		ids = append(ids, n.ID())
	}
	return ids
}

// nodeAction runs fn on the named node, here or (on a node process) on the peer that is it.
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
		if s.self != nil && req.Node != s.self.ID() {
			s.passOn(w, r, req.Node, action, req)
			return
		}
		n, err := s.nodeFor(req.Node)
		if err == nil {
			err = fn(n)
		}
		if errors.Is(err, node.ErrNodeDown) || errors.Is(err, node.ErrAlreadyUp) {
			err = fmt.Errorf("%w: %v", errConflict, err)
		}
		if err != nil {
			writeError(w, err)
			return
		}
		s.faultChanged(r.Context(), action, req.Node)
		writeJSON(w, http.StatusOK, s.faults(r.Context()))
	}
}

// passOn sends a control request to the peer that must carry it out.
func (s *Server) passOn(w http.ResponseWriter, r *http.Request, id, action string, body any) {
	addr, err := s.peerAddr(id)
	if err == nil {
		var out wire.Faults
		if out, err = s.self.Peers().PassOn(r.Context(), addr, action, body); err == nil {
			writeJSON(w, http.StatusOK, out)
			return
		}
	}
	writeError(w, err)
}

// peerAddr is the HTTP address of the member id.
func (s *Server) peerAddr(id string) (string, error) {
	ms, _ := s.self.Members()
	for _, m := range ms {
		if m.ID == id && m.HTTPAddr != "" {
			return m.HTTPAddr, nil
		}
	}
	return "", fmt.Errorf("%w: %s", node.ErrUnknownNode, id)
}

// broadcast passes a cluster-wide network change on to every peer of a node process (each
// applies its own share of it). The peers get it marked as forwarded, so they do not
// broadcast again.
func (s *Server) broadcast(ctx context.Context, action string, body any) error {
	if s.self == nil || !canBroadcast(ctx) {
		return nil
	}
	ms, err := s.self.Members()
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range ms {
		if m.ID == s.self.ID() || m.HTTPAddr == "" {
			continue
		}
		if err := s.self.Peers().Share(ctx, m.HTTPAddr, action, body); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", m.ID, err))
		}
	}
	return errors.Join(errs...)
}

func canBroadcast(ctx context.Context) bool { return !node.Forwarded(ctx) }

func (s *Server) handlePartition(w http.ResponseWriter, r *http.Request) {
	var req partitionRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	known := map[string]bool{}
	for _, id := range s.memberIDs() {
		known[id] = true
	}
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
	for _, id := range s.memberIDs() {
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
	for _, n := range s.localNodes() {
		if err := n.SetPartition(groups); err != nil {
			writeError(w, err)
			return
		}
	}
	if err := s.broadcast(r.Context(), "partition", partitionRequest{Groups: groups}); err != nil {
		writeError(w, err)
		return
	}
	s.faultChanged(r.Context(), "partition", "")
	writeJSON(w, http.StatusOK, s.faults(r.Context()))
}

func (s *Server) handleHeal(w http.ResponseWriter, r *http.Request) {
	if err := decodeOptionalJSON(r, &struct{}{}); err != nil {
		writeError(w, err)
		return
	}
	for _, n := range s.localNodes() {
		n.Heal()
	}
	if err := s.broadcast(r.Context(), "heal", struct{}{}); err != nil {
		writeError(w, err)
		return
	}
	s.faultChanged(r.Context(), "heal", "")
	writeJSON(w, http.StatusOK, s.faults(r.Context()))
}

func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) {
	var l wire.Link
	if err := decodeJSON(r, &l); err != nil {
		writeError(w, err)
		return
	}
	known := map[string]bool{}
	for _, id := range s.memberIDs() {
		known[id] = true
	}
	for _, id := range []string{l.From, l.To} {
		if id != "" && !known[id] {
			writeError(w, fmt.Errorf("%w: %s", node.ErrUnknownNode, id))
			return
		}
	}
	for _, n := range s.localNodes() {
		if err := n.SetLink(l); err != nil {
			writeError(w, err)
			return
		}
	}
	if err := s.broadcast(r.Context(), "link", l); err != nil {
		writeError(w, err)
		return
	}
	s.faultChanged(r.Context(), "link", l.From)
	writeJSON(w, http.StatusOK, s.faults(r.Context()))
}

func (s *Server) handleSpeed(w http.ResponseWriter, r *http.Request) {
	var req speedRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	t := node.Timing{Heartbeat: ms(req.HeartbeatMS), Election: ms(req.ElectionMS), LeaderLease: ms(req.LeaderLeaseMS)}
	for _, n := range s.localNodes() {
		if err := n.SetSpeed(req.Preset, t, ms(req.RPCDelayMS)); err != nil {
			writeError(w, err)
			return
		}
	}
	if err := s.broadcast(r.Context(), "speed", req); err != nil {
		writeError(w, err)
		return
	}
	s.faultChanged(r.Context(), "speed", "")
	writeJSON(w, http.StatusOK, s.faults(r.Context()))
}

func ms(v int64) time.Duration { return time.Duration(v) * time.Millisecond }

func (s *Server) handleAddNode(w http.ResponseWriter, r *http.Request) {
	if err := decodeOptionalJSON(r, &struct{}{}); err != nil {
		writeError(w, err)
		return
	}
	if s.cluster == nil {
		writeError(w, fmt.Errorf("%w: a node process cannot start another; start `raftplay node --join` and it joins by address", errBadRequest))
		return
	}
	n, err := s.cluster.AddNode(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	s.faultChanged(r.Context(), "add-node", n.ID())
	writeJSON(w, http.StatusOK, n.Status())
}

func (s *Server) handleRemoveNode(w http.ResponseWriter, r *http.Request) {
	var req nodeRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	var err error
	if s.cluster != nil {
		err = s.cluster.RemoveNode(r.Context(), req.Node)
	} else {
		err = s.self.Remove(r.Context(), req.Node)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	s.faultChanged(r.Context(), "remove-node", req.Node)
	writeJSON(w, http.StatusOK, map[string]string{"removed": req.Node})
}

func (s *Server) handleFaults(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.faults(r.Context()))
}

// faults describes the active faults of the nodes this server acts on.
func (s *Server) faults(context.Context) wire.Faults {
	f := wire.Faults{Down: []string{}, Isolated: []string{}, Links: []wire.Link{}, Speed: node.SpeedRealtime}
	seen := map[[2]string]bool{}
	for _, n := range s.localNodes() {
		nf := n.Faults()
		if !n.Up() {
			f.Down = append(f.Down, n.ID())
		}
		if nf.Isolated {
			f.Isolated = append(f.Isolated, n.ID())
		}
		if len(nf.Partition) > 0 {
			f.Partition = nf.Partition
		}
		for _, l := range nf.Links {
			if k := [2]string{l.From, l.To}; !seen[k] {
				seen[k] = true
				f.Links = append(f.Links, l)
			}
		}
		f.Speed = nf.Speed
		t := nf.Timing
		f.Timing = &t
	}
	sort.Strings(f.Down)
	sort.Strings(f.Isolated)
	return f
}

// FaultEvent is the data of a "fault" event: what changed, and all faults after it.
type FaultEvent struct {
	wire.Faults
	Action string `json:"action"`
	Target string `json:"target,omitempty"`
}

func (s *Server) faultChanged(ctx context.Context, action, target string) {
	ev := FaultEvent{Faults: s.faults(ctx), Action: action, Target: target}
	if s.cluster != nil {
		s.cluster.Hub().Bus().Publish(wire.NewEvent("", wire.EventFault, time.Now(), ev))
		return
	}
	s.self.EmitFault(ev)
}
