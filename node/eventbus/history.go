package eventbus

import (
	"bytes"
	"sort"
	"time"
	"unsafe"

	"github.com/raftplay/raftplay/node/wire"
)

// Limits bound what a bus keeps, for resuming subscribers and for reading back (Range):
// the oldest events go first once there are more than Events, once they are older than Age,
// or once the kept events take more than Bytes. A bus's subscribers may fall at most Events
// behind.
type Limits struct {
	Events int           // at least 1
	Age    time.Duration // 0: no limit
	Bytes  int64         // each event's encoding plus its record (RecordBytes); 0: no limit
	// Keyframes and KeyframeBytes bound the pictures kept beside the events (PutKeyframe);
	// 0: none are kept.
	Keyframes     int
	KeyframeBytes int64
}

// History is the limits of a stream that can be read back as far as a page scrubs: at
// least the smaller of 10 minutes and 200,000 events, never more than 128 MiB, and a
// picture every 2 s over it (with room to spare).
var History = Limits{Events: 200_000, Age: 10 * time.Minute, Bytes: 128 << 20, Keyframes: 1024, KeyframeBytes: 32 << 20}

// RecordBytes is what keeping an event costs besides its encoding: the event itself, whose
// data is re-sliced out of the encoding rather than kept twice.
const RecordBytes = int64(unsafe.Sizeof(wire.Event{}))

// chunkEvents is the most events one chunk holds.
const chunkEvents = 1024

// chunk is a run of consecutive events. Its first len(evs) elements never change once
// written, so a reader that took the slice under the bus's lock may read them after
// releasing it; appending writes only past them, and a chunk that is evicted is dropped,
// never reused.
type chunk struct {
	first uint64 // sequence number of evs[0]
	evs   []wire.Event
	bytes int64
}

// store is a bus's events, oldest first, in chunks, and the keyframes beside them. Count
// and age evict single events (oldest moves), and their memory goes with their chunk once
// all of it is evicted. The byte limit bounds the memory held, evicted events included: it
// drops whole chunks, which are sealed early once they hold a sixteenth of it, so it never
// evicts more than a sixteenth beyond what it must.
type store struct {
	lim        Limits
	chunkLen   int
	chunkBytes int64
	chunks     []*chunk
	oldest     uint64 // sequence number of the oldest event kept (last+1 when none)
	last       uint64 // sequence number of the newest event
	bytes      int64  // of every chunk held, evicted events included
	frames     []Keyframe
	frameBytes int64
}

func newStore(lim Limits) *store {
	lim.Events = max(lim.Events, 1)
	s := &store{lim: lim, oldest: 1, chunkLen: min(chunkEvents, max(16, lim.Events/8))}
	if lim.Bytes > 0 {
		s.chunkBytes = max(lim.Bytes/16, 1)
	}
	return s
}

// size is what keeping ev costs.
func size(ev wire.Event) int64 { return int64(len(ev.Encoded)) + RecordBytes }

// add keeps ev (numbered last+1) and evicts what the limits no longer allow.
func (s *store) add(ev wire.Event) {
	// The data is the tail of the encoding: keep it once.
	if n := len(ev.Data); n > 0 && len(ev.Encoded) > n && bytes.Equal(ev.Encoded[len(ev.Encoded)-1-n:len(ev.Encoded)-1], ev.Data) {
		ev.Data = ev.Encoded[len(ev.Encoded)-1-n : len(ev.Encoded)-1 : len(ev.Encoded)-1]
	}
	c := s.tail()
	if c == nil || len(c.evs) == cap(c.evs) || (s.chunkBytes > 0 && c.bytes >= s.chunkBytes) {
		c = &chunk{first: ev.Seq, evs: make([]wire.Event, 0, s.chunkLen)}
		s.chunks = append(s.chunks, c)
	}
	sz := size(ev)
	c.evs = append(c.evs, ev)
	c.bytes += sz
	s.bytes += sz
	s.last = ev.Seq
	s.evict(ev.Time)
}

func (s *store) tail() *chunk {
	if len(s.chunks) == 0 {
		return nil
	}
	return s.chunks[len(s.chunks)-1]
}

// evict applies the limits; now is the newest event's time, against which age is judged.
func (s *store) evict(now time.Time) {
	if n := s.last - s.oldest + 1; n > uint64(s.lim.Events) {
		s.oldest = s.last - uint64(s.lim.Events) + 1
	}
	if s.lim.Age > 0 {
		cutoff := now.Add(-s.lim.Age)
		for s.oldest <= s.last {
			ev, _ := s.at(s.oldest)
			if !ev.Time.Before(cutoff) {
				break
			}
			s.oldest++
		}
	}
	for len(s.chunks) > 1 && s.lim.Bytes > 0 && s.bytes > s.lim.Bytes {
		s.dropFront()
		s.oldest = max(s.oldest, s.chunks[0].first)
	}
	for len(s.chunks) > 0 {
		c := s.chunks[0]
		if c.first+uint64(len(c.evs)) > s.oldest {
			break
		}
		s.dropFront()
	}
	s.evictFrames()
}

func (s *store) dropFront() {
	s.bytes -= s.chunks[0].bytes
	s.chunks[0] = nil
	s.chunks = s.chunks[1:]
}

// find is the index of the chunk holding seq (which must be kept).
func (s *store) find(seq uint64) int {
	return sort.Search(len(s.chunks), func(i int) bool { return s.chunks[i].first > seq }) - 1
}

// at is the kept event seq.
func (s *store) at(seq uint64) (wire.Event, bool) {
	if seq < s.oldest || seq > s.last {
		return wire.Event{}, false
	}
	c := s.chunks[s.find(seq)]
	return c.evs[seq-c.first], true
}

// appendRange appends the kept events from..to (inclusive) to dst.
func (s *store) appendRange(dst []wire.Event, from, to uint64) []wire.Event {
	if from < s.oldest || to > s.last || from > to {
		return dst
	}
	for i := s.find(from); i < len(s.chunks) && from <= to; i++ {
		c := s.chunks[i]
		end := min(to, c.first+uint64(len(c.evs))-1)
		dst = append(dst, c.evs[from-c.first:end-c.first+1]...)
		from = end + 1
	}
	return dst
}

// views are the chunks' kept events from..to, as slices that stay valid (and unchanged)
// after the lock is released.
func (s *store) views(from, to uint64) [][]wire.Event {
	if from < s.oldest || to > s.last || from > to {
		return nil
	}
	var out [][]wire.Event
	for i := s.find(from); i < len(s.chunks) && from <= to; i++ {
		c := s.chunks[i]
		end := min(to, c.first+uint64(len(c.evs))-1)
		out = append(out, c.evs[from-c.first:end-c.first+1:end-c.first+1])
		from = end + 1
	}
	return out
}

// Keyframe is a picture of the stream when it was at Seq (Data is its encoding).
type Keyframe struct {
	Seq  uint64
	Time time.Time
	Data []byte
}

// putFrame keeps a keyframe; a keyframe older than the newest one kept is ignored.
func (s *store) putFrame(k Keyframe) {
	if s.lim.Keyframes <= 0 {
		return
	}
	if n := len(s.frames); n > 0 && s.frames[n-1].Seq > k.Seq {
		return
	}
	s.frames = append(s.frames, k)
	s.frameBytes += int64(len(k.Data))
	s.evictFrames()
}

// evictFrames drops the keyframes that can no longer be replayed forward (an event after
// them is gone) and those beyond the limits.
func (s *store) evictFrames() {
	drop := 0
	for drop < len(s.frames) {
		k := s.frames[drop]
		over := len(s.frames)-drop > s.lim.Keyframes || (s.lim.KeyframeBytes > 0 && s.frameBytes > s.lim.KeyframeBytes)
		if k.Seq+1 >= s.oldest && !over {
			break
		}
		s.frameBytes -= int64(len(k.Data))
		drop++
	}
	if drop > 0 {
		clear(s.frames[:drop])
		s.frames = s.frames[drop:]
	}
}

// dropFrames forgets every keyframe.
func (s *store) dropFrames() {
	s.frames, s.frameBytes = nil, 0
}

// frame is the newest keyframe at or before at whose following events are all kept from
// oldest on.
func (s *store) frame(at, oldest uint64) (Keyframe, bool) {
	i := sort.Search(len(s.frames), func(i int) bool { return s.frames[i].Seq > at }) - 1
	if i < 0 || s.frames[i].Seq+1 < oldest {
		return Keyframe{}, false
	}
	return s.frames[i], true
}
