package node

import (
	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/store"
	"github.com/raftplay/raftplay/node/wire"
)

// maxSummarised bounds how many entries of one append get a readable summary; a large batch
// still reports every index and term.
const maxSummarised = 64

// observedLogs reports what raft stores in and deletes from the node's log.
type observedLogs struct {
	raft.LogStore
	n   *Node
	fsm *store.FSM
}

// IsMonotonic passes on the wrapped store's answer (see isMonotonic).
func (o *observedLogs) IsMonotonic() bool { return isMonotonic(o.LogStore) }

func (o *observedLogs) StoreLog(l *raft.Log) error { return o.StoreLogs([]*raft.Log{l}) }

func (o *observedLogs) StoreLogs(logs []*raft.Log) error {
	if err := o.LogStore.StoreLogs(logs); err != nil {
		return err
	}
	if len(logs) == 0 {
		return nil
	}
	d := wire.LogAppendData{First: logs[0].Index, Last: logs[len(logs)-1].Index, Term: logs[len(logs)-1].Term,
		Entries: make([]wire.LogEntry, len(logs))}
	for i, l := range logs {
		d.Entries[i] = o.entry(l, i < maxSummarised)
	}
	o.n.emit(wire.EventLogAppend, d)
	return nil
}

func (o *observedLogs) entry(l *raft.Log, summarise bool) wire.LogEntry {
	e := wire.LogEntry{Index: l.Index, Term: l.Term, Type: logType(l.Type)}
	if summarise && l.Type == raft.LogCommand {
		e.Summary = o.fsm.Summarize(l.Data)
	}
	return e
}

func (o *observedLogs) DeleteRange(min, max uint64) error {
	first, _ := o.LogStore.FirstIndex()
	if err := o.LogStore.DeleteRange(min, max); err != nil {
		return err
	}
	if first == 0 {
		return nil // the log was empty: nothing was deleted
	}
	reason := "truncated" // a new leader overwrote a conflicting suffix
	if min <= first {
		reason = "compacted" // a snapshot made the prefix unnecessary
	}
	o.n.emit(wire.EventLogDelete, wire.LogDeleteData{Min: min, Max: max, Reason: reason})
	return nil
}

func logType(t raft.LogType) string {
	switch t {
	case raft.LogCommand:
		return "command"
	case raft.LogNoop:
		return "noop"
	case raft.LogConfiguration:
		return "configuration"
	case raft.LogBarrier:
		return "barrier"
	}
	return t.String()
}

// RecentLog returns up to n of the latest entries of the node's log, oldest first.
func (n *Node) RecentLog(count int) []wire.LogEntry {
	inst := n.inst.Load()
	if inst == nil {
		return nil
	}
	last, err := inst.logs.LastIndex()
	if err != nil || last == 0 {
		return nil
	}
	first, _ := inst.logs.FirstIndex()
	from := max(first, 1)
	if last >= uint64(count) && last-uint64(count)+1 > from {
		from = last - uint64(count) + 1
	}
	o := &observedLogs{n: n, fsm: inst.fsm}
	var out []wire.LogEntry
	var l raft.Log
	for i := from; i <= last; i++ {
		if inst.logs.GetLog(i, &l) == nil {
			out = append(out, o.entry(&l, true))
		}
	}
	return out
}
