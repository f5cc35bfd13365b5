package ui

import (
	"sort"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// appendLog stores entries: raft writes at an index only after deleting what was there, but
// the model replaces any overlap anyway so a repeated or reordered report cannot duplicate.
func (n *Node) appendLog(d wire.LogAppendData) {
	if len(d.Entries) == 0 {
		return
	}
	first := d.Entries[0].Index
	keep := n.Log[:0:0]
	for _, e := range n.Log {
		if e.Index < first {
			keep = append(keep, e)
		}
	}
	n.Log = append(keep, d.Entries...)
	sort.SliceStable(n.Log, func(i, j int) bool { return n.Log[i].Index < n.Log[j].Index })
	n.LastIndex = n.Log[len(n.Log)-1].Index
	n.trimLog()
}

// deleteLog removes [Min, Max]: a compacted prefix moves the snapshot boundary, a
// truncated suffix is remembered so the view can show what a new leader overwrote.
func (n *Node) deleteLog(d wire.LogDeleteData, now time.Time) {
	keep := n.Log[:0:0]
	for _, e := range n.Log {
		if e.Index < d.Min || e.Index > d.Max {
			keep = append(keep, e)
		}
	}
	n.Log = keep
	if d.Reason == "compacted" {
		return
	}
	n.Cut, n.CutAt = Range{d.Min, d.Max}, now
	if d.Min > 0 && n.LastIndex >= d.Min {
		n.LastIndex = d.Min - 1
	}
}

func (n *Node) trimLog() {
	if len(n.Log) > maxLog {
		n.Log = append(n.Log[:0:0], n.Log[len(n.Log)-maxLog:]...)
	}
}

// Entry returns the node's entry at index.
func (n *Node) Entry(index uint64) (wire.LogEntry, bool) {
	i := sort.Search(len(n.Log), func(i int) bool { return n.Log[i].Index >= index })
	if i < len(n.Log) && n.Log[i].Index == index {
		return n.Log[i], true
	}
	return wire.LogEntry{}, false
}
