package node

import (
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

func raftAccepts(t *testing.T, tm Timing) error {
	t.Helper()
	rc := raft.DefaultConfig()
	rc.LocalID = "n1"
	rc.HeartbeatTimeout, rc.ElectionTimeout = tm.Heartbeat, tm.Election
	rc.LeaderLeaseTimeout, rc.CommitTimeout = tm.LeaderLease, tm.Commit
	return raft.ValidateConfig(rc)
}

func TestTimingProfiles(t *testing.T) {
	rt := Realtime()
	for name, tm := range map[string]Timing{"realtime": rt, "slow": rt.Scaled(slowFactor), "quick": rt.Scaled(0.5)} {
		if err := tm.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if err := raftAccepts(t, tm); err != nil {
			t.Errorf("%s: hashicorp/raft refuses it: %v", name, err)
		}
	}
	if slow := rt.Scaled(slowFactor); 2*slowRPCDelay > slow.Heartbeat {
		t.Errorf("slow motion's rpc delay %v leaves no room in its heartbeat timeout %v", slowRPCDelay, slow.Heartbeat)
	}
}

func TestValidateRejectsWhatRaftOrTheProbeCannotUse(t *testing.T) {
	rt := Realtime()
	bad := map[string]Timing{
		"lease over heartbeat":        {Heartbeat: time.Second, Election: time.Second, LeaderLease: 2 * time.Second, Commit: time.Millisecond},
		"election under heartbeat":    {Heartbeat: time.Second, Election: 500 * time.Millisecond, LeaderLease: time.Second, Commit: time.Millisecond},
		"probe within heartbeat gaps": {Heartbeat: time.Second, Election: time.Second, LeaderLease: time.Second, Commit: time.Millisecond, Probe: rt.Heartbeat / 5},
		"probe after raft's timeout":  {Heartbeat: time.Second, Election: time.Second, LeaderLease: time.Second, Commit: time.Millisecond, Probe: time.Second},
		"no commit timeout":           {Heartbeat: time.Second, Election: time.Second, LeaderLease: time.Second},
	}
	for name, tm := range bad {
		if err := tm.Validate(); err == nil {
			t.Errorf("%s: %+v accepted", name, tm)
		}
	}
}

func TestProbeTickStaysWithinAnEighthOfTheProbe(t *testing.T) {
	p := 250 * time.Millisecond
	for range 1000 {
		if d := probeTick(p); d < p/16 || d >= p/16+p/8 {
			t.Fatalf("tick %v outside [%v, %v)", d, p/16, p/16+p/8)
		}
	}
	if d := probeTick(0); d != time.Second {
		t.Fatalf("tick with the probe off = %v", d)
	}
}
