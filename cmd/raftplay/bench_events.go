package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"nhooyr.io/websocket"
)

// events runs kv-put with subscribers attached to the merged stream and measures how long
// an apply event takes from the node to a subscriber.
func (b *bencher) events(ctx context.Context) ([]benchResult, error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var tally subscriberTally
	var wg sync.WaitGroup
	for i := range b.cfg.subscribers {
		c, _, err := websocket.Dial(sctx, "ws://"+b.cfg.addrs[0]+"/v1/cluster/events?batch=true&types=apply",
			&websocket.DialOptions{HTTPHeader: authHeader(b.cfg.token)})
		if err != nil {
			return nil, fmt.Errorf("subscriber %d: %w", i, err)
		}
		c.SetReadLimit(64 << 20)
		wg.Go(func() {
			defer c.CloseNow()
			if i == 0 {
				tally.measureLag(sctx, c)
			} else {
				tally.discard(sctx, c)
			}
		})
	}
	tally.msgs.Store(0)
	tally.bytes.Store(0)
	r := b.kvPut(ctx, fmt.Sprintf("events/%d-subscribers", b.cfg.subscribers))
	cancel()
	wg.Wait()
	r.Extra = map[string]float64{"messages_per_s": float64(tally.msgs.Load()) / r.Seconds, "mib_per_s": float64(tally.bytes.Load()) / r.Seconds / (1 << 20)}
	if p := percentiles(tally.lags); p != nil {
		r.Extra["lag_p50_ms"], r.Extra["lag_p99_ms"], r.Extra["lag_max_ms"] = p["p50"], p["p99"], p["max"]
	}
	return []benchResult{r}, nil
}

// subscriberTally is what the events workload's subscribers received, together.
type subscriberTally struct {
	msgs, bytes atomic.Int64
	mu          sync.Mutex
	lags        []time.Duration // node to subscriber, of every event the one decoding subscriber saw
}

// discard reads every byte and decodes nothing, as all subscribers but one do: the cost
// measured is the server's, not this process's JSON decoding, which would compete for the
// same cores. It reads in 64 KiB pieces, as a browser's socket does: io.Discard reads 8 KiB
// at a time, three syscalls for a typical batch, and that alone was as much CPU as the
// server spent sending.
func (t *subscriberTally) discard(ctx context.Context, c *websocket.Conn) {
	buf := make([]byte, 64<<10)
	for {
		_, r, err := c.Reader(ctx)
		if err != nil {
			return
		}
		// Hide io.Discard's ReadFrom, which would bring its own 8 KiB buffer.
		n, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, r, buf)
		if err != nil {
			return
		}
		t.msgs.Add(1)
		t.bytes.Add(n)
	}
}

// measureLag decodes every batch and records how old each event is on arrival.
func (t *subscriberTally) measureLag(ctx context.Context, c *websocket.Conn) {
	for {
		_, msg, err := c.Read(ctx)
		if err != nil {
			return
		}
		t.msgs.Add(1)
		t.bytes.Add(int64(len(msg)))
		now := time.Now()
		var evs []struct {
			Time time.Time `json:"time"`
		}
		if len(msg) == 0 || msg[0] != '[' || json.Unmarshal(msg, &evs) != nil {
			continue
		}
		t.mu.Lock()
		for _, ev := range evs {
			t.lags = append(t.lags, now.Sub(ev.Time))
		}
		t.mu.Unlock()
	}
}
