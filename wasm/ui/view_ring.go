package ui

import (
	"math"
	"strconv"

	"github.com/raftplay/raftplay/node/wire"
)

// Ring geometry in SVG user units.
const (
	ringW, ringH = 440.0, 400.0
	ringR        = 140.0
	nodeR        = 38.0
)

type point struct{ X, Y float64 }

// positions places the nodes on a circle, the first at the top, clockwise.
func positions(ids []string) map[string]point {
	m := make(map[string]point, len(ids))
	for i, id := range ids {
		a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(max(len(ids), 1))
		m[id] = point{ringW/2 + ringR*math.Cos(a), ringH/2 + ringR*math.Sin(a)}
	}
	return m
}

func (s *State) viewRing() *V {
	ids := s.NodeIDs()
	pos := positions(ids)
	var links, nodes, flights []*V
	for i, a := range ids {
		for _, b := range ids[i+1:] {
			cls := "link"
			cut := s.Cut(a, b)
			if cut != "" {
				cls += " cut cut-" + cut
			}
			links = append(links, S("line", A{"class": cls, "data-testid": "link", "data-a": a, "data-b": b, "data-cut": orDash(cut), "x1": f(pos[a].X), "y1": f(pos[a].Y), "x2": f(pos[b].X), "y2": f(pos[b].Y)}).Keyed(a+"-"+b))
		}
	}
	for _, id := range ids {
		nodes = append(nodes, s.viewRingNode(s.Nodes[id], pos[id]).Keyed(id))
	}
	for _, fl := range s.Flights.List {
		from, ok1 := pos[fl.From]
		to, ok2 := pos[fl.To]
		if ok1 && ok2 {
			flights = append(flights, viewFlight(fl, from, to, s.Scale(), s.Frozen)...)
		}
	}
	empty := (*V)(nil)
	if len(ids) == 0 {
		msg := "waiting for the cluster…"
		if s.Conn != ConnLive {
			msg = s.Conn + "…"
		}
		empty = S("text", A{"x": f(ringW / 2), "y": f(ringH / 2), "class": "empty", "text-anchor": "middle"}, T(msg))
	}
	return El("div", A{"class": "ring-wrap"},
		S("svg", A{"class": "ring", "viewBox": "0 0 " + f(ringW) + " " + f(ringH), "role": "img",
			"aria-label": "Cluster of " + strconv.Itoa(len(ids)) + " nodes, leader " + orDash(s.Leader)},
			S("g", A{"class": "links"}, links...),
			S("g", A{"class": "flights"}, flights...),
			S("g", A{"class": "nodes"}, nodes...),
			empty,
		),
	)
}

func (s *State) viewRingNode(n *Node, p point) *V {
	role := s.displayRole(n)
	label := role
	if n.Role == wire.RoleUnreachable {
		label = "unreachable"
	}
	if c := n.catchingUp(); c != "" {
		label = c
	}
	cls := "node role-" + role
	if n.Diverged {
		cls += " diverged"
	}
	var marks []*V
	if s.Isolated(n.ID) {
		cls += " isolated"
		marks = append(marks, S("circle", A{"class": "iso-ring", "r": f(nodeR + 8)}),
			S("text", A{"class": "mark", "y": f(nodeR + 22), "text-anchor": "middle"}, T("isolated")))
	}
	if g := s.Group(n.ID); g != 0 {
		marks = append(marks, S("text", A{"class": "mark group g" + strconv.Itoa(g), "x": f(nodeR - 4), "y": f(-nodeR + 6)}, T("P"+strconv.Itoa(g))))
	}
	if n.Diverged {
		marks = append(marks, S("text", A{"class": "mark bad", "y": f(-nodeR - 8), "text-anchor": "middle"}, T("≠ state")))
	}
	if role == wire.RoleFollower || role == wire.RoleCandidate {
		marks = append(marks, s.viewTimer(n.ID)...)
	}
	if role == wire.RoleLeader {
		marks = append(marks, S("text", A{"class": "crown", "y": f(-nodeR - 6), "text-anchor": "middle", "aria-hidden": "true"}, T("♛")))
	}
	kids := []*V{
		S("title", nil, T(n.ID+" "+label+", term "+u(n.Term)+", commit "+u(n.Commit)+", applied "+u(n.Applied))),
		S("circle", A{"class": "body", "r": f(nodeR)}),
		S("text", A{"class": "id", "y": "-8", "text-anchor": "middle"}, T(n.ID)),
		S("text", A{"class": "role", "y": "8", "text-anchor": "middle"}, T(label)),
		S("text", A{"class": "nums", "y": "22", "text-anchor": "middle"}, T("t"+u(n.Term)+" c"+u(n.Commit)+" a"+u(n.Applied))),
	}
	return S("g", A{
		"class": cls, "transform": "translate(" + f(p.X) + "," + f(p.Y) + ")",
		"data-testid": "node", "data-node-id": n.ID, "data-role": role,
		"data-term": u(n.Term), "data-commit": u(n.Commit), "data-applied": u(n.Applied),
		"data-isolated": strconv.FormatBool(s.Isolated(n.ID)), "data-diverged": strconv.FormatBool(n.Diverged),
		"data-catching-up": strconv.FormatBool(n.CatchingUp),
	}, append(kids, marks...)...)
}

// viewFlight draws a message from edge to edge of the two nodes. The movement is a CSS
// animation started when the element appears, so the page animates without a render per
// frame; the model only adds and removes flights.
func viewFlight(fl Flight, from, to point, scale float64, frozen bool) []*V {
	dx, dy := to.X-from.X, to.Y-from.Y
	d := math.Hypot(dx, dy)
	if d < 2*nodeR {
		return nil
	}
	ux, uy := dx/d, dy/d
	sx, sy := from.X+ux*nodeR, from.Y+uy*nodeR
	mx, my := dx-2*ux*nodeR, dy-2*uy*nodeR
	r := "7"
	if fl.Kind == KindHeartbeat {
		r = "4"
	}
	anim := "fly"
	if fl.Outcome == OutcomeDropped || fl.Outcome == OutcomeFailed {
		anim = "drop"
	}
	// Real durations in the picture's proportion: one way is the whole call, or half of it
	// for a call whose answer is drawn coming back. A message that was already on its way
	// when first drawn starts partway (a negative delay), and a frozen picture holds it.
	oneWay := fl.Dur()
	if fl.Reply() {
		oneWay /= 2
	}
	durMS := float64(oneWay.Microseconds()) / 1000 * scale
	offMS := float64(fl.Offset.Microseconds()) / 1000 * scale
	play := ""
	if frozen {
		play = ";animation-play-state:paused"
	}
	style := "--dx:" + f(mx) + "px;--dy:" + f(my) + "px;--dur:" + f(durMS) + "ms;animation-delay:" + f(-offMS) + "ms" + play
	id := strconv.FormatUint(fl.ID, 10)
	kids := []*V{S("circle", A{"cx": f(sx), "cy": f(sy), "r": r})}
	if fl.Label != "" {
		kids = append(kids, S("text", A{"class": "flabel", "x": f(sx + 9), "y": f(sy - 8)}, T(fl.Label)))
	}
	if anim == "drop" {
		kids = append(kids, S("text", A{"class": "xmark", "x": f(sx), "y": f(sy + 5), "text-anchor": "middle"}, T("✕")))
	}
	out := []*V{S("g", A{
		"class": "flight " + anim + " k-" + fl.Kind + " o-" + fl.Outcome, "style": style,
		"data-testid": "rpc", "data-kind": fl.Kind, "data-from": fl.From, "data-to": fl.To, "data-outcome": fl.Outcome,
		"data-seq": u(fl.ID), "data-rpc": fl.RPC,
	}, kids...).Keyed("f" + id)}
	if fl.Reply() {
		back := "--dx:" + f(-mx) + "px;--dy:" + f(-my) + "px;--dur:" + f(durMS) + "ms;animation-delay:" + f(durMS-offMS) + "ms" + play
		out = append(out, S("g", A{"class": "flight reply o-" + fl.Outcome, "style": back},
			S("circle", A{"cx": f(sx + mx), "cy": f(sy + my), "r": "6"}),
		).Keyed("r"+id))
	}
	return out
}

func f(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// viewTimer draws a follower's election timer as an arc around it: full when it just
// heard from the leader, draining to nothing over the heartbeat timeout.
func (s *State) viewTimer(id string) []*V {
	left, ok := s.TimerLeft(id, s.pictureTime())
	if !ok {
		return nil
	}
	r := nodeR + 5
	c := 2 * math.Pi * r
	cls := "etimer"
	if left < 0.34 {
		cls += " low"
	}
	timeout := s.ElectionTimeout(id)
	return []*V{
		S("circle", A{"class": "etimer-track", "r": f(r)}),
		S("circle", A{"class": cls, "r": f(r), "transform": "rotate(-90)",
			"stroke-dasharray": f(c), "stroke-dashoffset": f(c * (1 - left)),
			"data-testid": "election-timer", "data-node-id": id, "data-remaining": strconv.FormatFloat(math.Round(left*100)/100, 'f', -1, 64),
			"data-timeout-ms": strconv.FormatInt(timeout.Milliseconds(), 10)},
			S("title", nil, T("election timer: "+strconv.Itoa(int(math.Round(left*100)))+"% of the "+ms(timeout)+" election timeout left (raft waits a random 1–2× of it)"))),
	}
}
