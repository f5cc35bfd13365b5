package node

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConcurrentReadsShareLeaderChecks: reads that arrive while a confirmation is in flight
// do not take its answer (it started before them) but share the next one, so 50 reads cost
// two confirmations, and each gets the outcome of a round that began after it arrived.
func TestConcurrentReadsShareLeaderChecks(t *testing.T) {
	var c leaderCheck
	var calls atomic.Int32
	release := make(chan struct{})
	check := func() error {
		n := calls.Add(1)
		if n == 1 {
			<-release
			return errors.New("first round: deposed")
		}
		return nil
	}
	first := make(chan error, 1)
	go func() { first <- c.confirm(context.Background(), check) }()
	waitFor(t, "the first round to start", func() bool { return calls.Load() == 1 })

	const readers = 50
	var wg sync.WaitGroup
	errs := make(chan error, readers)
	for range readers {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- c.confirm(context.Background(), check) }()
	}
	waitFor(t, "every reader to wait for the next round", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.next != nil && c.next.readers == readers
	})
	close(release)
	wg.Wait()
	close(errs)
	if err := <-first; err == nil {
		t.Fatal("the first reader got no error from its failed round")
	}
	for err := range errs {
		if err != nil {
			t.Fatalf("a later reader got %v: the answer of a round that started before it", err)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("%d confirmations for %d reads; want 2", n, readers+1)
	}
	// Idle again: the next read starts a round of its own at once.
	if err := c.confirm(context.Background(), check); err != nil || calls.Load() != 3 {
		t.Fatalf("after the rounds: %v with %d calls; want a third round", err, calls.Load())
	}
}

func TestACancelledReadStopsWaiting(t *testing.T) {
	var c leaderCheck
	release := make(chan struct{})
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.confirm(ctx, func() error { <-release; return nil }) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("confirm after cancel: %v; want context.Canceled", err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
