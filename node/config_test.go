package node

import (
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// longestGapUnderLoad is the longest a follower went without a heartbeat on an idle
// playground while four busy loops and a build shared its two cores (docs/benchmarks.md,
// "Elections without a cause"), with the 1 s profile: a regular gap of up to 200 ms plus
// the scheduling stall.
const longestGapUnderLoad = 798 * time.Millisecond

// failoverTarget is what a crashed leader may cost at the median (issue #16).
const failoverTarget = 800 * time.Millisecond

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

// TestRealtimeRidesOutStalls states the reasons for the default profile.
func TestRealtimeRidesOutStalls(t *testing.T) {
	rt := Realtime()
	// A follower starts an election after Heartbeat without contact, and a leader steps
	// down after LeaderLease without a quorum: both must outlast the gaps a busy machine
	// makes, with room for a worse hour.
	if rt.Heartbeat < 3*longestGapUnderLoad/2 || rt.LeaderLease < 3*longestGapUnderLoad/2 {
		t.Errorf("heartbeat %v and lease %v leave too little room over a %v gap", rt.Heartbeat, rt.LeaderLease, longestGapUnderLoad)
	}
	// A crashed leader is found by the first survivor after Probe without contact plus
	// one probe tick; the rest of the target is for the election (a round trip and the
	// candidate's writes) and the write that waited for it.
	tick := rt.Probe/16 + rt.Probe/8
	if first := rt.Probe + tick; first > failoverTarget*2/3 {
		t.Errorf("the first survivor finds a crashed leader after %v, too close to the %v target", first, failoverTarget)
	}
	// When the first cannot campaign (it restarted and knows no leader yet, or its log is
	// behind), the second's turn still comes before raft's own timeout would.
	if second := rt.Probe + tick + turn(rt); second >= rt.Heartbeat {
		t.Errorf("the second survivor's turn comes after %v, no sooner than raft's own timeout %v", second, rt.Heartbeat)
	}
	// A turn gives the one before a full Probe even when its last heartbeat came a gap later.
	if turn(rt)-rt.longestHeartbeatGap() < rt.Probe {
		t.Errorf("turn %v leaves less than a probe beyond the heartbeat gap %v", turn(rt), rt.longestHeartbeatGap())
	}
}

func TestValidateRejectsWhatRaftOrTheProbeCannotUse(t *testing.T) {
	bad := map[string]Timing{
		"lease over heartbeat":        {Heartbeat: time.Second, Election: time.Second, LeaderLease: 2 * time.Second, Commit: time.Millisecond},
		"election under heartbeat":    {Heartbeat: time.Second, Election: 500 * time.Millisecond, LeaderLease: time.Second, Commit: time.Millisecond},
		"probe within heartbeat gaps": {Heartbeat: time.Second, Election: time.Second, LeaderLease: time.Second, Commit: time.Millisecond, Probe: time.Second / 5},
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
