package node

import (
	"context"
	"sync"
)

// leaderCheck shares quorum confirmations of leadership among concurrent linearizable
// reads, as etcd batches its ReadIndex requests. Each confirmation costs a round of
// heartbeats through raft's main loop; a read only needs one that started after it arrived.
// So while a round is in flight, arriving reads wait together for the next one, which starts
// as soon as the current one ends: a read waits for at most two rounds, and N concurrent
// reads cost about two rounds instead of N.
type leaderCheck struct {
	mu      sync.Mutex
	running bool
	next    *checkRound // the round that starts when the running one ends; nil: none asked for
}

// checkRound is one confirmation; err is set before done is closed.
type checkRound struct {
	done    chan struct{}
	err     error
	readers int // how many confirm calls wait on it
}

// confirm returns the outcome of a round of confirm that started after the call, or the
// context's error if it ends first (the round still runs for the others).
func (c *leaderCheck) confirm(ctx context.Context, check func() error) error {
	c.mu.Lock()
	if c.next == nil {
		c.next = &checkRound{done: make(chan struct{})}
	}
	r := c.next
	r.readers++
	if !c.running {
		c.running = true
		c.next = nil
		go c.run(r, check)
	}
	c.mu.Unlock()
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run performs r and then every round asked for meanwhile, one after another.
func (c *leaderCheck) run(r *checkRound, check func() error) {
	for r != nil {
		r.err = check()
		close(r.done)
		c.mu.Lock()
		r, c.next = c.next, nil
		if r == nil {
			c.running = false
		}
		c.mu.Unlock()
	}
}
