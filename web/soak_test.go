package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/eventbus"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// soakWatch is what the soak learns from the playground's event stream.
type soakWatch struct {
	start       time.Time
	elections   []string                 // role changes to leader after the first leader
	leaderDowns int                      // leader_down events (there should be none: nothing is killed)
	lastBeat    map[string]time.Time     // per link, the last heartbeat that got an answer
	longestGap  map[string]time.Duration // per link, the longest time between two of them
}

func (w *soakWatch) add(ev wire.Event) {
	switch ev.Type {
	case wire.EventState:
		var d wire.StateData
		if json.Unmarshal(ev.Data, &d) == nil && d.Role == wire.RoleLeader {
			w.elections = append(w.elections, ev.Time.Sub(w.start).Round(time.Millisecond).String()+": "+ev.Node+" leads term "+strconv.FormatUint(d.Term, 10))
		}
	case wire.EventLeaderDown:
		w.leaderDowns++
	case wire.EventRPC:
		var d wire.RPCData
		if json.Unmarshal(ev.Data, &d) != nil || !d.Heartbeat || !d.Success {
			return
		}
		link := d.From + "→" + d.To
		if last, ok := w.lastBeat[link]; ok {
			w.longestGap[link] = max(w.longestGap[link], ev.Time.Sub(last))
		}
		w.lastBeat[link] = ev.Time
	}
}

// busyLoops starts n shell loops that each keep a core busy until ctx ends; the returned
// function stops them and waits for them.
func busyLoops(t *testing.T, ctx context.Context, n int) func() {
	t.Helper()
	var cmds []*exec.Cmd
	for range n {
		cmd := exec.CommandContext(ctx, "sh", "-c", "while :; do :; done")
		if err := cmd.Start(); err != nil {
			t.Fatalf("start busy loop: %v", err)
		}
		cmds = append(cmds, cmd)
	}
	return func() {
		for _, cmd := range cmds {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}
}

// soakSettings reads the soak's environment: RAFTPLAY_SOAK (how long; unset skips),
// RAFTPLAY_SOAK_BUSY (busy loops, default 4), RAFTPLAY_SOAK_TIMING (default, or
// fixed-<duration>).
func soakSettings(t *testing.T) (time.Duration, int, node.Timing) {
	t.Helper()
	v := os.Getenv("RAFTPLAY_SOAK")
	if v == "" {
		t.Skip("set RAFTPLAY_SOAK=5m (make soak) to run the soak")
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("RAFTPLAY_SOAK: %v", err)
	}
	busy := 4
	if v := os.Getenv("RAFTPLAY_SOAK_BUSY"); v != "" {
		if busy, err = strconv.Atoi(v); err != nil {
			t.Fatalf("RAFTPLAY_SOAK_BUSY: %v", err)
		}
	}
	name := os.Getenv("RAFTPLAY_SOAK_TIMING")
	if name == "" {
		name = "default"
	}
	tm, err := node.NamedTiming(name)
	if err != nil {
		t.Fatalf("RAFTPLAY_SOAK_TIMING: %v", err)
	}
	return d, busy, tm
}

// TestSoakIdleUnderLoad leaves an idle playground cluster alone while busy loops keep
// every core busy, and fails on any leader change: nothing is killed or cut, so an
// election would have no cause a person watching could see.
func TestSoakIdleUnderLoad(t *testing.T) {
	d, busy, tm := soakSettings(t)
	// As the raftplay binary runs (cmd/raftplay/procs.go).
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2 * runtime.NumCPU()))
	c := clustertest.Start(t, 3, clustertest.WithTiming(tm))
	sub, err := c.Hub().Bus().Subscribe(8192, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	defer busyLoops(t, ctx, busy)()
	term := c.Leader().Status().Term
	w := &soakWatch{start: time.Now(), lastBeat: map[string]time.Time{}, longestGap: map[string]time.Duration{}}
	if err := soakRead(ctx, sub, w); err != nil {
		t.Fatalf("event stream: %v", err)
	}
	t.Logf("%v with %d busy loops on %d cores, timing %+v: term %d → %d, longest heartbeat gaps %v",
		d, busy, runtime.NumCPU(), tm, term, c.Leader().Status().Term, w.longestGap)
	if len(w.elections) > 0 || w.leaderDowns > 0 {
		t.Fatalf("%d leader changes without a fault (%d leader_down): %v", len(w.elections), w.leaderDowns, w.elections)
	}
}

// soakRead feeds the playground's events to w until ctx ends.
func soakRead(ctx context.Context, sub *eventbus.Sub, w *soakWatch) error {
	var evs []wire.Event
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.Done():
			return fmt.Errorf("subscription ended: %w", sub.Err())
		case <-sub.Ready():
		}
		evs = sub.Read(evs[:0], 0)
		for _, ev := range evs {
			w.add(ev)
		}
	}
}
