package netfault

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hashicorp/raft"
)

// Link is a fault on the directed link From -> To (server IDs). A Block (or a Drop of 1) is
// enforced on both ends: From refuses to send and To refuses what arrives from From, so the
// rule works when it is set on either node or on both. Drop below 1 and Delay act where the
// RPC is sent, so they apply only on the node named in From; setting them on both ends does
// not apply them twice.
type Link struct {
	From, To string
	Block    bool          // drop everything
	Drop     float64       // probability 0..1 that an RPC is dropped
	Delay    time.Duration // added latency per RPC
}

// linkFault is the merged effect of the rules on one outgoing link.
type linkFault struct {
	block bool
	drop  float64
	delay time.Duration
}

// rules is an immutable snapshot of a node's faults. It is replaced whole on every change
// so the RPC hot path reads it with one atomic load and no lock.
type rules struct {
	links     []Link
	isolated  bool
	baseDelay time.Duration

	out map[string]linkFault // by peer ID: faults on self -> peer
	in  map[string]bool      // by peer ID: peers whose RPCs to self are refused
}

func newRules(self string, links []Link, isolated bool, baseDelay time.Duration) *rules {
	r := &rules{
		links:     make([]Link, 0, len(links)),
		isolated:  isolated,
		baseDelay: max(baseDelay, 0),
		out:       make(map[string]linkFault),
		in:        make(map[string]bool),
	}
	for _, l := range links {
		l = normalize(l)
		r.links = append(r.links, l)
		if l.From == l.To {
			continue
		}
		block := l.Block || l.Drop >= 1
		switch self {
		case l.From:
			f := r.out[l.To]
			f.block = f.block || block
			// Independent losses combine: the RPC survives only if it survives both.
			f.drop = 1 - (1-f.drop)*(1-l.Drop)
			f.delay += l.Delay
			r.out[l.To] = f
		case l.To:
			if block {
				r.in[l.From] = true
			}
		}
	}
	return r
}

func normalize(l Link) Link {
	if !(l.Drop > 0) { // also catches NaN
		l.Drop = 0
	}
	l.Drop = min(l.Drop, 1)
	l.Delay = max(l.Delay, 0)
	return l
}

// outgoing is the fault on self -> peer, including the node-wide base delay.
func (r *rules) outgoing(peer raft.ServerID) linkFault {
	f := r.out[string(peer)]
	f.block = f.block || r.isolated
	f.delay += r.baseDelay
	return f
}

// sendBlocked reports whether nothing may be sent to peer.
func (r *rules) sendBlocked(peer string) bool {
	return r.isolated || r.out[peer].block
}

// cuts reports whether going from r to next takes down a link that was up, in which case
// open connections must be cut so in-flight RPCs fail like on a real outage.
func (r *rules) cuts(next *rules) bool {
	if next.isolated && !r.isolated {
		return true
	}
	for peer, f := range next.out {
		if f.block && !r.sendBlocked(peer) {
			return true
		}
	}
	for peer := range next.in {
		if !r.isolated && !r.in[peer] {
			return true
		}
	}
	return false
}

// SetLinks replaces this node's link rules. Only links where From or To is this node
// matter; the rest are kept (and reported by Faults) so the same list can be given to
// every node.
func (t *Transport) SetLinks(links []Link) {
	t.update(func(r *rules) *rules {
		return newRules(string(t.self), links, r.isolated, r.baseDelay)
	})
}

// Isolate blocks (on) or restores (off) everything in and out of this node.
func (t *Transport) Isolate(on bool) {
	t.update(func(r *rules) *rules {
		return newRules(string(t.self), r.links, on, r.baseDelay)
	})
}

// SetBaseDelay adds d to every outgoing RPC (slow-motion mode); 0 turns it off.
func (t *Transport) SetBaseDelay(d time.Duration) {
	t.update(func(r *rules) *rules {
		return newRules(string(t.self), r.links, r.isolated, d)
	})
}

// Faults returns the current rules.
func (t *Transport) Faults() (links []Link, isolated bool, baseDelay time.Duration) {
	r := t.rules.Load()
	return append([]Link(nil), r.links...), r.isolated, r.baseDelay
}

// update installs the rules built by next and cuts connections if a link went down.
func (t *Transport) update(next func(*rules) *rules) {
	t.rulesMu.Lock()
	defer t.rulesMu.Unlock()
	old := t.rules.Load()
	r := next(old)
	t.rules.Store(r)
	if old.cuts(r) {
		// Pooled connections (to every peer; they are re-dialled on demand) and the
		// handlers of inbound ones. Pipelines hold their own connection outside the pool.
		t.inner.CloseStreams()
		t.cutPipelines(r)
	}
}

// gate applies the outgoing faults to one RPC before it is sent: an error if the link is
// blocked (at once, like a refused dial, so raft is never held up), otherwise the delay,
// then the random drop. stop ends a delay early (a closing pipeline); the transport's own
// close always does. It returns the delay it applied.
func (t *Transport) gate(rpc string, peer raft.ServerID, stop <-chan struct{}) (time.Duration, error) {
	select {
	case <-t.closeCh:
		return 0, fmt.Errorf("%s to %s: %w", rpc, peer, ErrClosed)
	default:
	}
	f := t.rules.Load().outgoing(peer)
	if f.block {
		return 0, fmt.Errorf("%s to %s: %w", rpc, peer, ErrBlocked)
	}
	if f.delay > 0 {
		if !t.sleep(f.delay, stop) {
			return f.delay, fmt.Errorf("%s to %s: %w", rpc, peer, ErrClosed)
		}
		// The link may have gone down while the RPC waited.
		if t.rules.Load().outgoing(peer).block {
			return f.delay, fmt.Errorf("%s to %s: %w", rpc, peer, ErrBlocked)
		}
	}
	if f.drop > 0 && rand.Float64() < f.drop {
		return f.delay, fmt.Errorf("%s to %s: %w", rpc, peer, ErrDropped)
	}
	return f.delay, nil
}

// sleep waits d unless the transport or stop closes first; it reports whether it waited.
func (t *Transport) sleep(d time.Duration, stop <-chan struct{}) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-t.closeCh:
		return false
	case <-stop:
		return false
	}
}

// admit decides whether an incoming RPC may reach raft. It identifies the sender by the
// RPC header raft v1.8 puts on every request, falling back to the address it came from.
func (t *Transport) admit(cmd any) error {
	r := t.rules.Load()
	h, ok := cmd.(raft.WithRPCHeader)
	if !ok {
		if r.isolated {
			return fmt.Errorf("%w: %s is isolated", ErrBlocked, t.self)
		}
		return nil
	}
	hdr := h.GetRPCHeader()
	t.learnBytes(hdr.ID, hdr.Addr)
	if r.isolated {
		return fmt.Errorf("%w: %s is isolated", ErrBlocked, t.self)
	}
	if len(r.in) == 0 {
		return nil
	}
	var from string
	if len(hdr.ID) > 0 {
		if !r.in[string(hdr.ID)] {
			return nil
		}
		from = string(hdr.ID)
	} else {
		id, known := t.PeerID(raft.ServerAddress(hdr.Addr))
		if !known || !r.in[string(id)] {
			return nil
		}
		from = string(id)
	}
	return fmt.Errorf("%w: %s -> %s", ErrBlocked, from, t.self)
}
