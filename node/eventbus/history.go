package eventbus

import (
	"bytes"
	"slices"
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

// RecordBytes is what keeping an event costs besides its encoding: its record in the
// store's index.
const RecordBytes = int64(unsafe.Sizeof(record{}))

const (
	// chunkEvents is the most events one chunk holds, and chunkBuffer the bytes of
	// encodings (a chunk of an event larger than that holds it alone).
	chunkEvents = 1024
	chunkBuffer = 256 << 10
)

// record is where one event lives in its chunk. It holds no pointers, nor does the chunk's
// buffer, so the collector never scans what a long history keeps: 200,000 events as
// structs of strings and slices cost every collection a walk through them all.
type record struct {
	at        int64  // the event's time, in Unix nanoseconds
	off, n    uint32 // the encoding, in the chunk's buffer
	dOff, dN  uint32 // the data
	typ, node uint16 // in the chunk's names
	heartbeat bool
}

// chunk is a run of consecutive events: their encodings back to back in buf, which is
// never reallocated, an index of records, and the names (types and node ids) the records
// refer to. What is written is never changed, so a reader that took the slices under the
// bus's lock may read them after releasing it (appends write only past them, or into a new
// array); an evicted chunk is dropped, never reused.
type chunk struct {
	first  uint64 // sequence number of idx[0]
	idx    []record
	buf    []byte
	names  []string
	byName map[string]uint16
	bytes  int64 // held: the buffer's and the index's capacity
}

// view is a chunk's records from..to-1 as they were when the view was taken.
type view struct {
	first    uint64
	idx      []record
	buf      []byte
	names    []string
	from, to int
}

func (v view) event(i int) wire.Event {
	var ev wire.Event
	v.fill(&ev, i)
	return ev
}

// fill makes *ev the event at i, in place: a reader rebuilding thousands of them copies
// each once.
func (v view) fill(ev *wire.Event, i int) {
	r := &v.idx[i]
	// Field by field: a composite literal is built aside and then copied whole.
	ev.Seq = v.first + uint64(i)
	ev.Node, ev.Type = v.names[r.node], v.names[r.typ]
	ev.Time = time.Unix(0, r.at)
	ev.Encoded = v.buf[r.off : r.off+r.n : r.off+r.n]
	ev.Data = nil
	if r.dN > 0 {
		ev.Data = v.buf[r.dOff : r.dOff+r.dN : r.dOff+r.dN]
	}
	ev.Heartbeat = r.heartbeat
}

// store is a bus's events, oldest first, in chunks, and the keyframes beside them. Count
// and age evict single events (oldest moves), and their memory goes with their chunk once
// all of it is evicted. The byte limit bounds the memory held, evicted events included: it
// drops whole chunks, each at most a sixteenth of it, so it never evicts much more than it
// must.
type store struct {
	lim        Limits
	chunkLen   int
	bufCap     int
	chunks     []*chunk
	oldest     uint64 // sequence number of the oldest event kept (last+1 when none)
	last       uint64 // sequence number of the newest event
	bytes      int64  // held by every chunk, evicted events included
	frames     []Keyframe
	frameBytes int64
}

func newStore(lim Limits) *store {
	lim.Events = max(lim.Events, 1)
	s := &store{lim: lim, oldest: 1, chunkLen: min(chunkEvents, max(16, lim.Events/8)), bufCap: chunkBuffer}
	if lim.Bytes > 0 {
		s.bufCap = int(min(int64(chunkBuffer), max(lim.Bytes/16, 1<<10)))
	}
	return s
}

// add encodes ev as event seq into the store, evicts what the limits no longer allow, and
// returns ev as kept: numbered, its encoding and data in the store.
func (s *store) add(ev wire.Event, seq uint64) wire.Event {
	c := s.tail()
	if c == nil || len(c.idx) == s.chunkLen {
		c = s.newChunk(seq, s.bufCap)
	}
	start := len(c.buf)
	enc := ev.AppendEncodedAs(c.buf[start:start:cap(c.buf)], seq)
	if cap(enc) != cap(c.buf)-start { // it did not fit: the chunk is full
		if len(c.idx) > 0 {
			c = s.newChunk(seq, max(s.bufCap, len(enc)))
		} else {
			s.grow(c, len(enc))
		}
		start = 0
		c.buf = append(c.buf[:0], enc...)
	} else {
		c.buf = c.buf[:start+len(enc)]
	}
	r := record{at: ev.Time.UnixNano(), off: uint32(start), n: uint32(len(enc)), heartbeat: ev.Heartbeat,
		typ: c.name(ev.Type), node: c.name(ev.Node)}
	// The data is the tail of the encoding (AppendJSON), unless it came from elsewhere.
	if n := len(ev.Data); n > 0 {
		if len(enc) > n && bytes.Equal(enc[len(enc)-1-n:len(enc)-1], ev.Data) {
			r.dOff, r.dN = uint32(start+len(enc)-1-n), uint32(n)
		} else if len(c.buf)+n <= cap(c.buf) {
			r.dOff, r.dN = uint32(len(c.buf)), uint32(n)
			c.buf = append(c.buf, ev.Data...)
		}
	}
	oldCap := cap(c.idx)
	c.idx = append(c.idx, r)
	if grown := int64(cap(c.idx)-oldCap) * RecordBytes; grown > 0 {
		c.bytes += grown
		s.bytes += grown
	}
	s.last = seq
	s.evict(ev.Time)
	return view{first: c.first, idx: c.idx, buf: c.buf, names: c.names}.event(len(c.idx) - 1)
}

func (s *store) newChunk(first uint64, bufCap int) *chunk {
	c := &chunk{first: first, buf: make([]byte, 0, bufCap), byName: map[string]uint16{}}
	c.bytes = int64(bufCap)
	s.bytes += c.bytes
	s.chunks = append(s.chunks, c)
	return c
}

// grow gives an empty chunk a buffer that holds n bytes.
func (s *store) grow(c *chunk, n int) {
	s.bytes += int64(n - cap(c.buf))
	c.bytes += int64(n - cap(c.buf))
	c.buf = make([]byte, 0, n)
}

// name is the index of name in the chunk's names, added if new.
func (c *chunk) name(name string) uint16 {
	if i, ok := c.byName[name]; ok {
		return i
	}
	i := uint16(len(c.names)) // a chunk holds at most chunkEvents events, so fewer names
	c.names = append(c.names, name)
	c.byName[name] = i
	return i
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
		cutoff := now.Add(-s.lim.Age).UnixNano()
		for s.oldest <= s.last {
			c := s.chunks[s.find(s.oldest)]
			if c.idx[s.oldest-c.first].at >= cutoff {
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
		if c.first+uint64(len(c.idx)) > s.oldest {
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

// appendViews appends the events of views to dst.
func appendViews(dst []wire.Event, views []view) []wire.Event {
	n := 0
	for _, v := range views {
		n += v.to - v.from
	}
	k := len(dst)
	dst = slices.Grow(dst, n)[:k+n]
	for _, v := range views {
		for i := v.from; i < v.to; i++ {
			v.fill(&dst[k], i)
			k++
		}
	}
	return dst
}

// views appends to out the kept events from..to (inclusive), chunk by chunk, as slices that
// stay valid (and unchanged) after the lock is released.
func (s *store) views(out []view, from, to uint64) []view {
	if from < s.oldest || to > s.last || from > to {
		return out
	}
	for i := s.find(from); i < len(s.chunks) && from <= to; i++ {
		c := s.chunks[i]
		end := min(to, c.first+uint64(len(c.idx))-1)
		out = append(out, view{first: c.first, idx: c.idx, buf: c.buf, names: c.names,
			from: int(from - c.first), to: int(end-c.first) + 1})
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
