package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/raft"
	"github.com/tidwall/buntdb"
)

const (
	prefixKV   = "kv/"
	prefixNode = "meta/node/"
)

// Extension applies a kind of command the store does not understand itself (the SQL engine).
type Extension interface {
	// Apply runs payload on tx; an error rolls the whole entry back. It also returns the
	// payload's summary, which it has decoded anyway.
	Apply(tx *Tx, payload []byte) (value any, summary string, err error)
	// ApplyChecked is Apply for a transaction block's COMMIT (OpSQLTxn): it fails, and
	// the entry is rolled back, unless the results' digest is expect.
	ApplyChecked(tx *Tx, payload []byte, expect string) (value any, summary string, err error)
	// Summary is a short readable line for a log view.
	Summary(payload []byte) string
	// AfterRestore rebuilds what a BuntDB snapshot does not keep (indexes) and migrates
	// what an earlier release stored differently, writing through tx.
	AfterRestore(tx *Tx) error
}

// Options configure an FSM.
type Options struct {
	SQL Extension
	// OnApply is called on the FSM goroutine after every applied entry. It must not block.
	OnApply func(Applied)
	// OnRestore is called after a snapshot replaced the state.
	OnRestore func(index, term uint64, digest string)
	// OnSnapshot is called when a snapshot of the state has been taken (before it is
	// written to disk).
	OnSnapshot func(index, term uint64, size int)
	Logger     *slog.Logger
}

// Applied describes one applied log entry.
type Applied struct {
	Index, Term uint64
	Summary     string
	Digest      string
	Err         error
}

// Result is what Apply returns through raft's ApplyFuture.Response().
type Result struct {
	Index, Term uint64
	Value       any
	Err         error
}

// KVOutcome is the Value of a KV write's Result.
type KVOutcome struct {
	Found   bool    // the key existed before the write
	Swapped bool    // the write happened (false only when a compare-and-set did not match)
	Current *string // value found when a compare-and-set did not match (nil: absent)
}

// ErrUnknownCommand is returned when an entry names an op this build has no handler for.
var ErrUnknownCommand = errors.New("no handler for command")

// FSM is the raft state machine over an in-memory BuntDB.
type FSM struct {
	opts Options
	log  *slog.Logger

	mu      sync.RWMutex
	db      *buntdb.DB
	dig     digest
	applied uint64 // last index seen by Apply, StoreConfiguration or Restore
	term    uint64
	waitCh  chan struct{}

	applies  atomic.Uint64 // entries applied since this FSM was created
	restores atomic.Uint64 // snapshots restored since this FSM was created
}

// New returns an FSM with an empty state.
func New(opts Options) (*FSM, error) {
	db, err := openMemory()
	if err != nil {
		return nil, err
	}
	lg := opts.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	return &FSM{opts: opts, log: lg, db: db, waitCh: make(chan struct{})}, nil
}

func openMemory() (*buntdb.DB, error) {
	db, err := buntdb.Open(":memory:")
	if err != nil {
		return nil, fmt.Errorf("open state db: %w", err)
	}
	// The state lives in memory; durability is the raft log. No background shrink either:
	// nothing time-driven should run inside the state machine.
	if err := db.SetConfig(buntdb.Config{SyncPolicy: buntdb.Never, AutoShrinkDisabled: true}); err != nil {
		return nil, fmt.Errorf("configure state db: %w", err)
	}
	return db, nil
}

// Close releases the database.
func (f *FSM) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.db == nil {
		return nil
	}
	err := f.db.Close()
	f.db = nil
	return err
}

// Apply implements raft.FSM.
func (f *FSM) Apply(l *raft.Log) any {
	if l.Type != raft.LogCommand {
		return nil
	}
	f.applies.Add(1)
	res := &Result{Index: l.Index, Term: l.Term}
	cmd, err := DecodeCommand(l.Data)
	summary := ""
	if err != nil {
		res.Err = err
	} else if cmd.Op == OpBatch {
		summary = fmt.Sprintf("BATCH of %d: %s", len(cmd.Cmds), f.summary(cmd.Cmds[0]))
		subs := make([]*Result, len(cmd.Cmds))
		for i, c := range cmd.Cmds {
			subs[i] = &Result{Index: l.Index, Term: l.Term}
			subs[i].Value, subs[i].Err = f.apply(c, nil)
		}
		res.Value = subs
	} else {
		res.Value, res.Err = f.apply(cmd, &summary)
		if summary == "" {
			summary = f.summary(cmd)
		}
	}
	f.mu.Lock()
	f.applied, f.term = l.Index, l.Term
	dg := f.dig.String()
	f.wake()
	f.mu.Unlock()
	if f.opts.OnApply != nil {
		f.opts.OnApply(Applied{Index: l.Index, Term: l.Term, Summary: summary, Digest: dg, Err: res.Err})
	}
	return res
}

func (f *FSM) summary(c Command) string {
	if (c.Op == OpSQL || c.Op == OpSQLTxn) && f.opts.SQL != nil {
		return f.opts.SQL.Summary(c.SQL)
	}
	return c.Summary()
}

// Summarize is a short readable line for the command in a log entry.
func (f *FSM) Summarize(data []byte) string {
	c, err := DecodeCommand(data)
	if err != nil {
		return "undecodable: " + clip(err.Error(), 60)
	}
	return f.summary(c)
}

// StoreConfiguration implements raft.ConfigurationStore so configuration entries advance
// the applied index the FSM reports.
func (f *FSM) StoreConfiguration(index uint64, _ raft.Configuration) {
	f.mu.Lock()
	if index > f.applied {
		f.applied = index
	}
	f.wake()
	f.mu.Unlock()
}

// wake releases everybody waiting for the applied index; f.mu must be held.
func (f *FSM) wake() {
	close(f.waitCh)
	f.waitCh = make(chan struct{})
}

// errClosed is the state after Close.
var errClosed = errors.New("state closed")

// current is the database in use (a restore swaps it).
func (f *FSM) current() (*buntdb.DB, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.db == nil {
		return nil, errClosed
	}
	return f.db, nil
}

// update runs fn in a write transaction and folds its digest change in on commit.
func (f *FSM) update(fn func(tx *Tx) error) error {
	db, err := f.current()
	if err != nil {
		return err
	}
	var t *Tx
	err = db.Update(func(btx *buntdb.Tx) error {
		t = &Tx{tx: btx}
		return fn(t)
	})
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.dig.add(t.delta)
	f.dig.sub(t.neg)
	f.mu.Unlock()
	return nil
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// DryRun runs fn in a write transaction and always rolls it back: the leader uses it to
// measure what a write would do before proposing it. Apply waits while it runs, so fn
// must be bounded.
func (f *FSM) DryRun(fn func(tx *Tx) error) error {
	db, err := f.current()
	if err != nil {
		return err
	}
	err = db.Update(func(btx *buntdb.Tx) error {
		if err := fn(&Tx{tx: btx}); err != nil {
			return err
		}
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

// View runs fn in a read transaction on the current state.
func (f *FSM) View(fn func(tx *Tx) error) error {
	db, err := f.current()
	if err != nil {
		return err
	}
	return db.View(func(btx *buntdb.Tx) error { return fn(&Tx{tx: btx}) })
}

// apply runs one command in its own transaction; summary, if not nil, receives a summary the
// command's handler produced on the way.
func (f *FSM) apply(c Command, summary *string) (value any, err error) {
	defer func() {
		// Last line of defence: user input must never take a node down. A panic here is a
		// bug; the entry fails the same way on every node.
		if r := recover(); r != nil {
			f.log.Error("apply panicked", "op", c.Op, "panic", r)
			value, err = nil, fmt.Errorf("internal error applying %s: %v", c.Op, r)
		}
	}()
	err = f.update(func(tx *Tx) error {
		var e error
		value, e = f.applyTx(tx, c, summary)
		return e
	})
	return value, err
}

func (f *FSM) applyTx(tx *Tx, c Command, summary *string) (any, error) {
	switch c.Op {
	case OpPut:
		return putKV(tx, c)
	case OpDelete:
		k := prefixKV + c.Key
		_, found, err := tx.Get(k)
		if err != nil {
			return nil, err
		}
		if found {
			if err := tx.Delete(k); err != nil {
				return nil, err
			}
		}
		return KVOutcome{Found: found, Swapped: true}, nil
	case OpNodeMeta:
		b, err := json.Marshal(c.Node)
		if err != nil {
			return nil, fmt.Errorf("encode node meta: %w", err)
		}
		return nil, tx.Set(prefixNode+c.Node.ID, string(b))
	case OpNodeGone:
		return nil, tx.Delete(prefixNode + c.Key)
	case OpSQL:
		if f.opts.SQL == nil {
			return nil, fmt.Errorf("%w: sql", ErrUnknownCommand)
		}
		v, s, err := f.opts.SQL.Apply(tx, c.SQL)
		if summary != nil {
			*summary = s
		}
		return v, err
	case OpSQLTxn:
		if f.opts.SQL == nil {
			return nil, fmt.Errorf("%w: sql.txn", ErrUnknownCommand)
		}
		v, s, err := f.opts.SQL.ApplyChecked(tx, c.SQL, c.Expect)
		if summary != nil {
			*summary = "BEGIN; " + s + "; COMMIT"
		}
		return v, err
	}
	return nil, fmt.Errorf("%w: %s", ErrUnknownCommand, c.Op)
}

func putKV(tx *Tx, c Command) (any, error) {
	k := prefixKV + c.Key
	cur, found, err := tx.Get(k)
	if err != nil {
		return nil, err
	}
	out := KVOutcome{Found: found}
	if (c.Prev != nil && (!found || cur != *c.Prev)) || (c.PrevExists != nil && *c.PrevExists != found) {
		if found {
			out.Current = &cur
		}
		return out, nil
	}
	v, err := c.Bytes()
	if err != nil {
		return nil, err
	}
	if err := tx.Set(k, string(v)); err != nil {
		return nil, err
	}
	out.Swapped = true
	return out, nil
}

// Counts reports how many entries this FSM applied and how many snapshots it restored
// since it was created (since the node last started).
func (f *FSM) Counts() (applies, restores uint64) {
	return f.applies.Load(), f.restores.Load()
}

// Digest is the hash of the whole state.
func (f *FSM) Digest() string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.dig.String()
}

// AppliedIndex is the last log index the state machine has seen (commands, configuration
// entries, or a restored snapshot). Raft's own AppliedIndex runs ahead of it: raft counts an
// entry once it is queued for the FSM.
func (f *FSM) AppliedIndex() uint64 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.applied
}

// AppliedChanged returns the current applied index and a channel closed when it next moves.
func (f *FSM) AppliedChanged() (uint64, <-chan struct{}) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.applied, f.waitCh
}

// Get reads one user key.
func (f *FSM) Get(key string) (value string, found bool, err error) {
	err = f.View(func(tx *Tx) error {
		value, found, err = tx.Get(prefixKV + key)
		return err
	})
	return value, found, err
}

// KV is one user key and value.
type KV struct{ Key, Value string }

// List returns up to limit user keys starting with prefix, in key order, and whether more
// exist.
func (f *FSM) List(prefix string, limit int) (items []KV, more bool, err error) {
	err = f.View(func(tx *Tx) error {
		return tx.tx.AscendGreaterOrEqual("", prefixKV+prefix, func(k, v string) bool {
			if !strings.HasPrefix(k, prefixKV+prefix) {
				return false
			}
			if limit > 0 && len(items) == limit {
				more = true
				return false
			}
			items = append(items, KV{Key: k[len(prefixKV):], Value: v})
			return true
		})
	})
	return items, more, err
}

// Nodes returns the node metadata in the state, by id.
func (f *FSM) Nodes() (map[string]NodeMeta, error) {
	out := map[string]NodeMeta{}
	err := f.View(func(tx *Tx) error {
		return tx.tx.AscendGreaterOrEqual("", prefixNode, func(k, v string) bool {
			if !strings.HasPrefix(k, prefixNode) {
				return false
			}
			var m NodeMeta
			if json.Unmarshal([]byte(v), &m) == nil {
				out[m.ID] = m
			}
			return true
		})
	})
	return out, err
}

// snapshotHeader precedes the BuntDB dump in a snapshot.
type snapshotHeader struct {
	V      int    `json:"v"`
	Index  uint64 `json:"index"`
	Term   uint64 `json:"term"`
	Digest string `json:"digest"`
}

// Snapshot implements raft.FSM. Raft calls it on the FSM goroutine, between applies, so the
// dump is consistent; it is written to memory here and to disk later by Persist.
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	f.mu.RLock()
	db, h := f.db, snapshotHeader{V: 1, Index: f.applied, Term: f.term, Digest: f.dig.String()}
	f.mu.RUnlock()
	if db == nil {
		return nil, errors.New("snapshot: state closed")
	}
	var buf bytes.Buffer
	hb, _ := json.Marshal(h)
	buf.Write(hb)
	buf.WriteByte('\n')
	if err := db.Save(&buf); err != nil {
		return nil, fmt.Errorf("snapshot: save state: %w", err)
	}
	if f.opts.OnSnapshot != nil {
		f.opts.OnSnapshot(h.Index, h.Term, buf.Len())
	}
	return &snapshot{data: buf.Bytes()}, nil
}

// Restore implements raft.FSM: the snapshot replaces the whole state.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 1<<16)
	line, err := br.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("restore: read header: %w", err)
	}
	var h snapshotHeader
	if err := json.Unmarshal(line, &h); err != nil || h.V != 1 {
		return fmt.Errorf("restore: bad snapshot header %q", clip(string(line), 80))
	}
	db, err := openMemory()
	if err != nil {
		return err
	}
	if err := db.Load(br); err != nil {
		db.Close()
		return fmt.Errorf("restore: load state: %w", err)
	}
	var d digest
	err = db.Update(func(btx *buntdb.Tx) error {
		if err := btx.Ascend("", func(k, v string) bool { d.add(itemHash(k, v)); return true }); err != nil {
			return err
		}
		if h.Digest != "" && h.Digest != d.String() {
			return fmt.Errorf("digest %s does not match snapshot header %s", d, h.Digest)
		}
		if f.opts.SQL == nil {
			return nil
		}
		// AfterRestore may also migrate what an earlier release stored; its writes count.
		tx := &Tx{tx: btx}
		if err := f.opts.SQL.AfterRestore(tx); err != nil {
			return err
		}
		d.add(tx.delta)
		d.sub(tx.neg)
		return nil
	})
	if err != nil {
		db.Close()
		return fmt.Errorf("restore: rebuild: %w", err)
	}
	f.mu.Lock()
	old := f.db
	f.db, f.dig, f.applied, f.term = db, d, h.Index, h.Term
	f.wake()
	f.mu.Unlock()
	if old != nil {
		old.Close()
	}
	f.restores.Add(1)
	if f.opts.OnRestore != nil {
		f.opts.OnRestore(h.Index, h.Term, d.String())
	}
	return nil
}

type snapshot struct{ data []byte }

func (s *snapshot) Persist(sink raft.SnapshotSink) error {
	if _, err := sink.Write(s.data); err != nil {
		sink.Cancel()
		return fmt.Errorf("persist snapshot: %w", err)
	}
	return sink.Close()
}

func (s *snapshot) Release() {}
