package torture

import (
	"sync"
	"time"

	"github.com/anishathalye/porcupine"
)

// history records register operations as clients complete them.
type history struct {
	start time.Time

	mu      sync.Mutex
	ops     []porcupine.Operation
	clients int
}

func newHistory() *history { return &history{start: time.Now()} }

// now is a monotonic timestamp for Call and Return.
func (h *history) now() int64 { return int64(time.Since(h.start)) }

// newClient hands out a porcupine client id: a worker takes a fresh one after every write
// of unknown outcome, because that write stays pending for the rest of the history.
func (h *history) newClient() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.clients++
	return h.clients - 1
}

// pending marks a Return of "never": after every other operation.
const pending = -1

func (h *history) add(op porcupine.Operation) {
	h.mu.Lock()
	h.ops = append(h.ops, op)
	h.mu.Unlock()
}

// operations returns the history with every pending return placed after all others.
func (h *history) operations() []porcupine.Operation {
	h.mu.Lock()
	defer h.mu.Unlock()
	var last int64
	for _, op := range h.ops {
		last = max(last, op.Return, op.Call)
	}
	out := make([]porcupine.Operation, len(h.ops))
	for i, op := range h.ops {
		if op.Return == pending {
			op.Return = last + 1
		}
		out[i] = op
	}
	return out
}
