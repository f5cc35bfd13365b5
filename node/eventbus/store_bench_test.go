package eventbus

import (
	"strings"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// The two benchmarks below use only what the bus has always had (New, Subscribe, Read,
// Publish), so that they can be run on an earlier build as they are, for an A/B of the
// store against the ring it replaced (docs/benchmarks.md, "Event history").

// BenchmarkReadWindow is one subscriber reading a window of 1,000 events (per op).
func BenchmarkReadWindow(b *testing.B) {
	bus := New(8192)
	s, _ := bus.Subscribe(8192, 0)
	e := wire.NewEvent("n1", wire.EventRPC, time.Now(), map[string]string{"pad": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
	var buf []wire.Event
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		for range 1000 {
			bus.Publish(e)
		}
		b.StartTimer()
		buf = s.Read(buf[:0], 0)
	}
}

// BenchmarkPublishOnly is Publish with no subscriber.
func BenchmarkPublishOnly(b *testing.B) {
	bus := New(8192)
	e := wire.NewEvent("n1", wire.EventRPC, time.Now(), map[string]string{"pad": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
	b.ReportAllocs()
	for b.Loop() {
		bus.Publish(e)
	}
}

// benchEventData makes an event of about 300 bytes.
var benchEventData = map[string]string{"pad": strings.Repeat("x", 200)}
