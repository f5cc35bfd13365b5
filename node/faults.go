package node

import (
	"sync"
	"time"

	"github.com/raftplay/raftplay/node/netfault"
)

// faultState is the node's network faults. It outlives kills so a restarted node comes
// back with the same faults on its new transport.
type faultState struct {
	mu        sync.Mutex
	links     []netfault.Link
	isolated  bool
	baseDelay time.Duration
}

func (f *faultState) apply(t *netfault.Transport) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t.SetLinks(f.links)
	t.Isolate(f.isolated)
	t.SetBaseDelay(f.baseDelay)
}
