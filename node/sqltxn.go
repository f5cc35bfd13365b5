package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/raftplay/raftplay/node/sql"
	"github.com/raftplay/raftplay/node/store"
	"github.com/raftplay/raftplay/node/wire"
)

// Interactive transaction blocks (wire.SQLTxn). Every statement of a block arrives with the
// block's earlier statements and the digests of what their client was told; the block is
// run as a whole on the current state and rolled back (sql.Engine.TxnWrite / TxnRead), so
// the statement sees the block's own writes. COMMIT proposes the block as one OpSQLTxn
// entry, which applies only if its results are still the ones seen.

func (x sqlExtension) ApplyChecked(tx *store.Tx, payload []byte, expect string) (any, string, error) {
	b, err := sql.DecodeBatch(payload)
	if err != nil {
		return nil, "", err
	}
	v, err := x.eng.ExecuteChecked(tx, b, expect)
	return v, b.Summary(), err
}

// sqlTxnOnce answers one statement of a block (or its COMMIT) once: on the leader, or on
// a follower for a read-only block at local consistency; anything else is forwarded.
func (n *Node) sqlTxnOnce(ctx context.Context, inst *instance, req wire.SQLRequest, consistency string) (wire.SQLResponse, error) {
	t := req.Txn
	now, err := time.Parse(time.RFC3339Nano, t.Now)
	if err != nil {
		return wire.SQLResponse{}, &sql.Error{SQLState: sql.StateProtocol, Message: fmt.Sprintf("bad transaction timestamp %q", t.Now)}
	}
	leader := inst.raft.State() == raftLeader
	if !leader && (t.Commit || consistency != wire.ConsistencyLocal) {
		return n.forwardSQL(ctx, inst, req, consistency)
	}
	b, err := n.prepareAt(inst, req.SQL, req.Params, now)
	if err != nil {
		if !leader && !catalogIndependent(err) {
			return n.forwardSQL(ctx, inst, req, consistency)
		}
		return wire.SQLResponse{}, n.txnPrepareError(inst, req, now, err)
	}
	if t.Commit {
		return n.commitTxn(ctx, inst, b, t.Seen)
	}
	var (
		last   wire.SQLResult
		digest string
	)
	if b.ReadOnly() {
		if consistency != wire.ConsistencyLocal {
			if inst, err = n.readable(ctx, consistency); err != nil {
				return wire.SQLResponse{}, err
			}
		}
		ctx, cancel := n.queryContext(ctx)
		defer cancel()
		last, digest, err = n.sql.TxnRead(ctx, func(fn func(sql.Tx) error) error {
			return inst.fsm.View(func(tx *store.Tx) error { return fn(tx) })
		}, b, t.Seen)
	} else {
		if !leader {
			return n.forwardSQL(ctx, inst, req, consistency)
		}
		last, digest, err = n.sql.TxnWrite(ctx, b, t.Seen, func(fn func(sql.Tx) error) error {
			return inst.fsm.DryRun(func(tx *store.Tx) error { return fn(tx) })
		})
	}
	if err != nil {
		return wire.SQLResponse{}, err
	}
	return wire.SQLResponse{Results: []wire.SQLResult{last}, TxnDigest: digest, Node: n.cfg.ID}, nil
}

// txnPrepareError tells a check failure of the block's last statement (reported with its
// position in that statement) from one of an earlier statement, which passed when it was
// sent: the catalog changed under the block, a serialization failure. At COMMIT every
// statement had passed.
func (n *Node) txnPrepareError(inst *instance, req wire.SQLRequest, now time.Time, err error) error {
	t := req.Txn
	if t.Commit {
		return sql.Serialization(fmt.Sprintf("the transaction no longer checks at commit: %v", err))
	}
	if t.Last > 0 && t.Last <= len(req.SQL) {
		if _, perr := n.prepareAt(inst, req.SQL[:t.Last], req.Params, now); perr != nil {
			return sql.Serialization(fmt.Sprintf("an earlier statement of the transaction no longer checks: %v", perr))
		}
	}
	var se *sql.Error
	if !errors.As(err, &se) || se.Position <= t.Last {
		return err
	}
	c := *se
	c.Position -= t.Last
	return &c
}

// commitTxn proposes a block that writes as one entry; one that only read has nothing to
// apply: its results all held at its last statement, its serialization point.
func (n *Node) commitTxn(ctx context.Context, inst *instance, b *sql.Batch, seen []string) (wire.SQLResponse, error) {
	if b.ReadOnly() {
		return wire.SQLResponse{Node: n.cfg.ID}, nil
	}
	if len(seen) != len(b.Stmts) {
		return wire.SQLResponse{}, &sql.Error{SQLState: sql.StateProtocol, Message: fmt.Sprintf("transaction of %d statements with %d results seen", len(b.Stmts), len(seen))}
	}
	if err := n.sql.Admit(b, func(fn func(sql.Tx) error) error {
		return inst.fsm.DryRun(func(tx *store.Tx) error { return fn(tx) })
	}); err != nil {
		return wire.SQLResponse{}, err
	}
	payload, err := b.Encode()
	if err != nil {
		return wire.SQLResponse{}, err
	}
	return n.proposeSQL(ctx, store.Command{V: store.CommandVersion, Op: store.OpSQLTxn, SQL: payload, Expect: sql.CombineDigests(seen)})
}

// DescribeInBlock describes text as a statement of an open block: against the catalog
// with the block's own changes (the table it created, the column it added). The block is
// run in a transaction that is rolled back, here, on this node's state.
func (n *Node) DescribeInBlock(block wire.SQLRequest, text string) (params []string, cols []wire.SQLColumn, err error) {
	inst, err := n.instance()
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	if block.Txn != nil {
		if t, err := time.Parse(time.RFC3339Nano, block.Txn.Now); err == nil {
			now = t
		}
	}
	b, err := n.prepareAt(inst, block.SQL, block.Params, now)
	if err != nil {
		return nil, nil, err
	}
	if b.ReadOnly() {
		return n.Describe(text) // reads change no catalog
	}
	err = inst.fsm.DryRun(func(tx *store.Tx) error {
		if _, err := n.sql.Execute(tx, b); err != nil {
			return err
		}
		var e error
		params, cols, e = n.sql.Describe(tx, text)
		return e
	})
	return params, cols, err
}
