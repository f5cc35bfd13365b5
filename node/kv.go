package node

import (
	"context"
	"errors"
	"fmt"

	"github.com/raftplay/raftplay/node/store"
	"github.com/raftplay/raftplay/node/wire"
)

// MaxKeyBytes bounds key length; keys travel in URLs and log records.
const MaxKeyBytes = store.MaxKeyBytes

// Cond makes a put conditional (compare-and-set).
type Cond struct {
	Prev       *string // current value must equal *Prev
	PrevExists *bool   // key must exist (true) or not exist (false)
}

// CASError is a compare-and-set whose condition did not hold. Nothing was written.
type CASError struct {
	Key     string
	Current *string
}

func (e *CASError) Error() string {
	if e.Current == nil {
		return fmt.Sprintf("compare-and-set on %q failed: key does not exist", e.Key)
	}
	return fmt.Sprintf("compare-and-set on %q failed: current value differs", e.Key)
}

func checkKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty key", ErrBadRequest)
	}
	if len(key) > MaxKeyBytes {
		return fmt.Errorf("%w: key longer than %d bytes", ErrBadRequest, MaxKeyBytes)
	}
	return nil
}

// Put writes value under key (conditionally, with cond), on the leader.
func (n *Node) Put(ctx context.Context, key string, value []byte, cond Cond) (out wire.KVWriteResult, err error) {
	if err := checkKey(key); err != nil {
		return wire.KVWriteResult{}, err
	}
	cmd := store.PutCommand(key, value)
	cmd.Prev, cmd.PrevExists = cond.Prev, cond.PrevExists
	err = n.retry(ctx, func() error {
		res, err := n.propose(ctx, cmd)
		if errors.Is(err, ErrNotLeader) && canForward(ctx) {
			return n.forward(ctx, func(addr string) (err error) {
				out, err = n.peers.Put(ctx, addr, key, value, cond)
				return err
			})
		}
		if err != nil {
			return err
		}
		if out, err = n.kvResult(key, res); err != nil {
			return err
		}
		if oc, ok := res.Value.(store.KVOutcome); ok && !oc.Swapped {
			return &CASError{Key: key, Current: oc.Current}
		}
		return nil
	})
	return out, err
}

// Delete removes key, on the leader.
func (n *Node) Delete(ctx context.Context, key string) (out wire.KVWriteResult, err error) {
	if err := checkKey(key); err != nil {
		return wire.KVWriteResult{}, err
	}
	err = n.retry(ctx, func() error {
		res, err := n.propose(ctx, store.Command{V: store.CommandVersion, Op: store.OpDelete, Key: key})
		if errors.Is(err, ErrNotLeader) && canForward(ctx) {
			return n.forward(ctx, func(addr string) (err error) {
				out, err = n.peers.Delete(ctx, addr, key)
				return err
			})
		}
		if err != nil {
			return err
		}
		out, err = n.kvResult(key, res)
		return err
	})
	return out, err
}

func (n *Node) kvResult(key string, res *store.Result) (wire.KVWriteResult, error) {
	out := wire.KVWriteResult{WriteResult: wire.WriteResult{Index: res.Index, Term: res.Term, Node: n.cfg.ID}, Key: key}
	if res.Err != nil {
		return out, res.Err
	}
	if oc, ok := res.Value.(store.KVOutcome); ok {
		found := oc.Found
		out.Found = &found
	}
	return out, nil
}

// Get reads key at the given consistency (see Read). Values come back as raw bytes.
func (n *Node) Get(ctx context.Context, key, consistency string) (value []byte, index uint64, err error) {
	if err := checkKey(key); err != nil {
		return nil, 0, err
	}
	inst, forwarded, err := n.readOrForward(ctx, consistency, func() error {
		return n.forward(ctx, func(addr string) (err error) {
			value, index, err = n.peers.Get(ctx, addr, key, consistency)
			return err
		})
	})
	if err == nil && forwarded {
		return value, index, nil
	}
	if err != nil {
		return nil, 0, err
	}
	index = inst.fsm.AppliedIndex()
	v, found, err := inst.fsm.Get(key)
	if err != nil {
		return nil, 0, err
	}
	if !found {
		return nil, index, ErrKeyNotFound
	}
	return []byte(v), index, nil
}

// List returns up to limit keys with prefix at the given consistency. Values are raw bytes
// in Go strings; the caller chooses their encoding.
func (n *Node) List(ctx context.Context, prefix string, limit int, consistency string) (items []store.KV, more bool, index uint64, err error) {
	inst, forwarded, err := n.readOrForward(ctx, consistency, func() error {
		return n.forward(ctx, func(addr string) (err error) {
			items, more, index, err = n.peers.List(ctx, addr, prefix, limit, consistency)
			return err
		})
	})
	if err == nil && forwarded {
		return items, more, index, nil
	}
	if err != nil {
		return nil, false, 0, err
	}
	index = inst.fsm.AppliedIndex()
	items, more, err = inst.fsm.List(prefix, limit)
	return items, more, index, err
}
