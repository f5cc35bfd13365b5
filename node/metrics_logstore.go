package node

import (
	"time"

	"github.com/hashicorp/raft"
)

// timedLogs times the writes to the raft log on disk (raft-boltdb commits, and so fsyncs,
// on every StoreLogs) and counts the entry bytes written.
type timedLogs struct {
	raft.LogStore
	m *Metrics
}

// IsMonotonic passes on the wrapped store's answer (see isMonotonic).
func (t *timedLogs) IsMonotonic() bool { return isMonotonic(t.LogStore) }

func (t *timedLogs) StoreLog(l *raft.Log) error {
	start := time.Now()
	if err := t.LogStore.StoreLog(l); err != nil {
		return err
	}
	t.m.logStore.Observe(time.Since(start).Seconds())
	t.m.logBytes.Add(float64(len(l.Data)))
	return nil
}

func (t *timedLogs) StoreLogs(logs []*raft.Log) error {
	start := time.Now()
	if err := t.LogStore.StoreLogs(logs); err != nil {
		return err
	}
	t.m.logStore.Observe(time.Since(start).Seconds())
	n := 0
	for _, l := range logs {
		n += len(l.Data)
	}
	t.m.logBytes.Add(float64(n))
	return nil
}
