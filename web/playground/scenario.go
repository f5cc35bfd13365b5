package playground

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
)

// A Scenario is a scripted sequence of faults that runs live on the embedded cluster, for
// a person to watch in the browser app. Each step is announced as a fault event.
type Scenario struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	run         func(ctx context.Context, r *scenarioRun) error
}

// Info is the scenario as the API lists it.
func (s Scenario) Info() wire.Scenario {
	return wire.Scenario{Name: s.Name, Description: s.Description}
}

// Scenarios lists the scenarios `raftplay play --scenario` and POST /v1/control/scenario know.
func Scenarios() []Scenario {
	return []Scenario{
		{"leader-failover", "kill the leader, watch an election, write through the new leader, restart the old one and watch it catch up", runFailover},
		{"minority-partition", "cut the leader off with a minority, watch the majority elect a new leader and commit, then heal and watch the old leader's log get truncated", runMinorityPartition},
		{"slow-election", "slow raft down ten times and kill the leader, so every pre-vote, vote and heartbeat can be followed", runSlowElection},
		{"snapshot-install", "keep a follower down while the leader writes and compacts its log, then bring it back: it catches up with InstallSnapshot", runSnapshotInstall},
		{"one-way-loss", "drop everything the leader sends to one follower, which still reaches the leader, then heal", runOneWayLoss},
	}
}

func findScenario(name string) (Scenario, bool) {
	for _, s := range Scenarios() {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// scenarioRun is one running scenario.
type scenarioRun struct {
	p    *Playground
	c    *Cluster
	name string
}

// step announces what happens next and pauses so a person can see it.
func (r *scenarioRun) step(ctx context.Context, what string) error {
	r.p.announce("scenario:"+r.name+": "+what, "")
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(r.pause()):
		return nil
	}
}

// pause is a beat between steps: long enough to watch, scaled with the speed.
func (r *scenarioRun) pause() time.Duration {
	p := r.c.cfg.ScenarioPause
	if p <= 0 {
		p = 1500 * time.Millisecond
	}
	for _, n := range r.c.Nodes() {
		if f := n.Faults(); f.Speed == node.SpeedSlow {
			return 4 * p
		}
	}
	return p
}

func (r *scenarioRun) leader(ctx context.Context, not *node.Node) (*node.Node, error) {
	for {
		if l, ok := r.c.Leader(); ok && l != not {
			return l, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no leader: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (r *scenarioRun) follower(ctx context.Context) (*node.Node, error) {
	l, err := r.leader(ctx, nil)
	if err != nil {
		return nil, err
	}
	for _, n := range r.c.Nodes() {
		if n != l && n.Up() {
			return n, nil
		}
	}
	return nil, errors.New("no follower is up")
}

func (r *scenarioRun) writes(ctx context.Context, prefix string, count int) error {
	for i := range count {
		n, err := r.c.Entry()
		if err != nil {
			return err
		}
		if _, err := n.Put(ctx, fmt.Sprintf("%s%d", prefix, i), []byte(time.Now().Format(time.TimeOnly)), node.Cond{}); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	return nil
}

func runFailover(ctx context.Context, r *scenarioRun) error {
	old, err := r.leader(ctx, nil)
	if err != nil {
		return err
	}
	if err := r.step(ctx, "kill the leader "+old.ID()); err != nil {
		return err
	}
	if err := old.Kill(); err != nil {
		return err
	}
	nl, err := r.leader(ctx, old)
	if err != nil {
		return err
	}
	if err := r.step(ctx, nl.ID()+" leads; write through it"); err != nil {
		return err
	}
	if err := r.writes(ctx, "failover-", 5); err != nil {
		return err
	}
	if err := r.step(ctx, "restart "+old.ID()); err != nil {
		return err
	}
	return old.Restart()
}

func runMinorityPartition(ctx context.Context, r *scenarioRun) error {
	l, err := r.leader(ctx, nil)
	if err != nil {
		return err
	}
	ids := []string{l.ID()}
	var rest []string
	for _, n := range r.c.Nodes() {
		if n != l {
			if len(ids) < (len(r.c.Nodes())-1)/2 {
				ids = append(ids, n.ID())
			} else {
				rest = append(rest, n.ID())
			}
		}
	}
	if err := r.step(ctx, fmt.Sprintf("partition %v | %v", ids, rest)); err != nil {
		return err
	}
	for _, n := range r.c.Nodes() {
		if err := n.SetPartition([][]string{ids, rest}); err != nil {
			return err
		}
	}
	go l.Put(ctx, "minority-write", []byte("never committed"), node.Cond{}) // stays uncommitted
	nl, err := r.leader(ctx, l)
	if err != nil {
		return err
	}
	if err := r.step(ctx, nl.ID()+" leads the majority; write through it"); err != nil {
		return err
	}
	if err := r.writes(ctx, "majority-", 5); err != nil {
		return err
	}
	if err := r.step(ctx, "heal: "+l.ID()+" truncates its uncommitted entry"); err != nil {
		return err
	}
	for _, n := range r.c.Nodes() {
		n.Heal()
	}
	return nil
}

func runSlowElection(ctx context.Context, r *scenarioRun) error {
	if err := r.step(ctx, "slow motion"); err != nil {
		return err
	}
	for _, n := range r.c.Nodes() {
		if err := n.SetSpeed(node.SpeedSlow, node.Timing{}, 0); err != nil {
			return err
		}
	}
	r.p.announce("speed", "")
	return runFailover(ctx, r)
}

func runSnapshotInstall(ctx context.Context, r *scenarioRun) error {
	f, err := r.follower(ctx)
	if err != nil {
		return err
	}
	if err := r.step(ctx, "kill follower "+f.ID()); err != nil {
		return err
	}
	if err := f.Kill(); err != nil {
		return err
	}
	if err := r.step(ctx, "write and snapshot the leader (its log is compacted)"); err != nil {
		return err
	}
	if err := r.writes(ctx, "snap-", 20); err != nil {
		return err
	}
	l, err := r.leader(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := l.Snapshot(ctx); err != nil {
		return err
	}
	if err := r.step(ctx, "restart "+f.ID()+": it needs entries the leader no longer has"); err != nil {
		return err
	}
	return f.Restart()
}

func runOneWayLoss(ctx context.Context, r *scenarioRun) error {
	l, err := r.leader(ctx, nil)
	if err != nil {
		return err
	}
	f, err := r.follower(ctx)
	if err != nil {
		return err
	}
	link := wire.Link{From: l.ID(), To: f.ID(), Block: true}
	if err := r.step(ctx, fmt.Sprintf("block %s -> %s (the other way still works)", l.ID(), f.ID())); err != nil {
		return err
	}
	for _, n := range r.c.Nodes() {
		if err := n.SetLink(link); err != nil {
			return err
		}
	}
	r.p.announce("link", l.ID())
	if err := r.writes(ctx, "oneway-", 5); err != nil {
		return err
	}
	if err := r.step(ctx, "heal"); err != nil {
		return err
	}
	for _, n := range r.c.Nodes() {
		n.Heal()
	}
	return nil
}

// scenarios runs at most one scenario at a time.
type scenarios struct {
	mu      sync.Mutex
	running string
	cancel  context.CancelFunc
	done    chan struct{}
}

// StartScenario starts the named scenario in the background. It fails if another runs.
func (p *Playground) StartScenario(name string) (wire.Scenario, error) {
	sc, ok := findScenario(name)
	if !ok {
		return wire.Scenario{}, fmt.Errorf("%w: no scenario %q", node.ErrBadRequest, name)
	}
	p.scen.mu.Lock()
	defer p.scen.mu.Unlock()
	if p.scen.running != "" {
		return wire.Scenario{}, fmt.Errorf("%w: scenario %s is running", node.ErrConflict, p.scen.running)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	p.scen.running, p.scen.cancel, p.scen.done = name, cancel, make(chan struct{})
	go func() {
		defer close(p.scen.done)
		defer cancel()
		err := sc.run(ctx, &scenarioRun{p: p, c: p.c, name: name})
		outcome := "done"
		if err != nil {
			outcome = "stopped: " + err.Error()
			p.c.log.Warn("scenario stopped", "scenario", name, "error", err)
		}
		p.announce("scenario:"+name+": "+outcome, "")
		p.scen.mu.Lock()
		p.scen.running = ""
		p.scen.mu.Unlock()
	}()
	return sc.Info(), nil
}

// stopScenario cancels a running scenario and waits for it.
func (p *Playground) stopScenario() {
	p.scen.mu.Lock()
	cancel, done := p.scen.cancel, p.scen.done
	p.scen.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}
