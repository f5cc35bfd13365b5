package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/raftplay/raftplay/node/sql"
	"github.com/raftplay/raftplay/node/store"
	"github.com/raftplay/raftplay/node/wire"
)

// sqlExtension lets the state machine apply SQL batches. Apply never parses: the log holds
// the batch the leader already checked and resolved.
type sqlExtension struct{ eng *sql.Engine }

func (x sqlExtension) Apply(tx *store.Tx, payload []byte) (any, string, error) {
	b, err := sql.DecodeBatch(payload)
	if err != nil {
		return nil, "", err
	}
	v, err := x.eng.Execute(tx, b)
	return v, b.Summary(), err
}

func (x sqlExtension) Summary(payload []byte) string {
	b, err := sql.DecodeBatch(payload)
	if err != nil {
		return "SQL (undecodable)"
	}
	return b.Summary()
}

func (x sqlExtension) AfterRestore(tx *store.Tx) error { return sql.RestoreIndexes(tx) }

// catalogIndependent are SQL errors that no catalog can change (the size guard, syntax):
// a follower that prepared a request itself reports them instead of forwarding.
func catalogIndependent(err error) bool {
	return errors.Is(err, sql.ErrTooLarge) || errors.Is(err, sql.ErrSyntax)
}

// SQL runs a request of one or more statements. Reads run here at the requested
// consistency; anything that writes goes through the leader's log as one entry (all or
// nothing), checked on the leader before it enters the log.
func (n *Node) SQL(ctx context.Context, req wire.SQLRequest) (resp wire.SQLResponse, err error) {
	consistency := req.Consistency
	if consistency == "" {
		consistency = wire.ConsistencyLeader
	}
	err = n.retry(ctx, func() error {
		var err error
		resp, err = n.sqlOnce(ctx, req, consistency)
		return err
	})
	return resp, err
}

// sqlOnce prepares a request once, where it counts: the leader prepares everything it
// runs, and a follower prepares only what it may answer itself (a local read). Anything
// else a follower forwards as text, for the leader's catalog to check.
func (n *Node) sqlOnce(ctx context.Context, req wire.SQLRequest, consistency string) (wire.SQLResponse, error) {
	inst, err := n.instance()
	if err != nil {
		return wire.SQLResponse{}, err
	}
	if req.Txn != nil {
		return n.sqlTxnOnce(ctx, inst, req, consistency)
	}
	if inst.raft.State() != raftLeader {
		return n.sqlOnFollower(ctx, inst, req, consistency)
	}
	b, err := n.prepare(inst, req)
	if err != nil {
		return wire.SQLResponse{}, err
	}
	if b.ReadOnly() {
		if consistency != wire.ConsistencyLocal {
			if inst, err = n.readable(ctx, consistency); err != nil {
				return wire.SQLResponse{}, err
			}
		}
		return n.sqlRead(ctx, inst, b)
	}
	return n.sqlWrite(ctx, inst, b)
}

// sqlOnFollower answers a local read here and forwards the rest to the leader.
func (n *Node) sqlOnFollower(ctx context.Context, inst *instance, req wire.SQLRequest, consistency string) (wire.SQLResponse, error) {
	if consistency == wire.ConsistencyLocal {
		b, err := n.prepare(inst, req)
		switch {
		case err == nil && b.ReadOnly():
			return n.sqlRead(ctx, inst, b)
		case err != nil && catalogIndependent(err):
			return wire.SQLResponse{}, err
		}
	}
	return n.forwardSQL(ctx, inst, req, consistency)
}

// forwardSQL sends a request to the leader.
func (n *Node) forwardSQL(ctx context.Context, inst *instance, req wire.SQLRequest, consistency string) (wire.SQLResponse, error) {
	// The cheap checks no catalog changes (sizes, a zero byte, an open quote) are made
	// here, so an oversized request never crosses the network to be refused.
	if err := n.sql.Limits().Check(req.SQL); err != nil {
		return wire.SQLResponse{}, err
	}
	if !canForward(ctx) {
		return wire.SQLResponse{}, ErrNotLeader
	}
	req.Consistency = consistency
	var out wire.SQLResponse
	err := n.forward(ctx, func(addr string) (err error) {
		out, err = n.peers.SQL(ctx, addr, req)
		return err
	})
	if err != nil && ctx.Err() != nil && (req.Txn != nil && !req.Txn.Commit || n.isRead(inst, req)) {
		// A read (or a statement of a transaction block, which is run and rolled back)
		// whose client gave up has no outcome to be unsure of.
		return out, sql.Canceled(ctx)
	}
	return out, err
}

// isRead reports whether req reads only, as far as this node's catalog can tell. It is
// asked only when a forwarded request failed as its client gave up, which is rare enough
// to prepare it for.
func (n *Node) isRead(inst *instance, req wire.SQLRequest) bool {
	b, err := n.prepare(inst, req)
	return err == nil && b.ReadOnly()
}

// sqlWrite checks a prepared write against the leader's state and puts it through the log.
func (n *Node) sqlWrite(ctx context.Context, inst *instance, b *sql.Batch) (wire.SQLResponse, error) {
	if err := n.sql.Admit(b, func(fn func(sql.Tx) error) error {
		return inst.fsm.DryRun(func(tx *store.Tx) error { return fn(tx) })
	}); err != nil {
		return wire.SQLResponse{}, err
	}
	payload, err := b.Encode()
	if err != nil {
		return wire.SQLResponse{}, err
	}
	return n.proposeSQL(ctx, store.Command{V: store.CommandVersion, Op: store.OpSQL, SQL: payload})
}

// proposeSQL puts a SQL command through the log and returns its results.
func (n *Node) proposeSQL(ctx context.Context, cmd store.Command) (wire.SQLResponse, error) {
	res, err := n.propose(ctx, cmd)
	if err != nil {
		return wire.SQLResponse{}, err
	}
	if res.Err != nil {
		return wire.SQLResponse{}, res.Err
	}
	results, ok := res.Value.([]wire.SQLResult)
	if !ok {
		return wire.SQLResponse{}, fmt.Errorf("sql apply returned %T", res.Value)
	}
	return wire.SQLResponse{Results: results, Index: res.Index, Term: res.Term, Node: n.cfg.ID}, nil
}

// exactNumbers gives the values of a forwarded answer's integer columns the type the
// leader's engine had (int64). Other numbers keep the leader's digits as json.Number
// (-0 and a numeric past int64 among them), which the Postgres front end and the JSON
// encoder both write as they are.
func exactNumbers(resp *wire.SQLResponse) {
	for _, r := range resp.Results {
		for j, col := range r.Columns {
			if !sql.IsInteger(col.Type) {
				continue
			}
			for _, row := range r.Rows {
				if j >= len(row) {
					continue
				}
				if num, ok := row[j].(json.Number); ok {
					if n, err := num.Int64(); err == nil {
						row[j] = n
					}
				}
			}
		}
	}
}

func (n *Node) prepare(inst *instance, req wire.SQLRequest) (*sql.Batch, error) {
	return n.prepareAt(inst, req.SQL, req.Params, time.Now())
}

// prepareAt prepares text with now() fixed at now (a transaction block's timestamp).
func (n *Node) prepareAt(inst *instance, text string, params []any, now time.Time) (b *sql.Batch, err error) {
	err = inst.fsm.View(func(tx *store.Tx) error {
		var e error
		b, e = n.sql.Prepare(tx, text, params, now)
		return e
	})
	return b, err
}

func (n *Node) sqlRead(ctx context.Context, inst *instance, b *sql.Batch) (wire.SQLResponse, error) {
	ctx, cancel := n.queryContext(ctx)
	defer cancel()
	results, err := n.sql.Read(ctx, func(fn func(sql.Tx) error) error {
		return inst.fsm.View(func(tx *store.Tx) error { return fn(tx) })
	}, b)
	if err != nil {
		return wire.SQLResponse{}, err
	}
	return wire.SQLResponse{Results: results, Index: inst.fsm.AppliedIndex(), Node: n.cfg.ID}, nil
}

// queryContext bounds a read by the node's query timeout, if it has one.
func (n *Node) queryContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if n.cfg.QueryTimeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, n.cfg.QueryTimeout)
}

// Describe reports a statement's parameter types and result columns without running it.
func (n *Node) Describe(text string) (params []string, cols []wire.SQLColumn, err error) {
	inst, err := n.instance()
	if err != nil {
		return nil, nil, err
	}
	err = inst.fsm.View(func(tx *store.Tx) error {
		var e error
		params, cols, e = n.sql.Describe(tx, text)
		return e
	})
	return params, cols, err
}

// Tables lists the SQL tables in this node's state.
func (n *Node) Tables() ([]sql.TableInfo, error) {
	inst, err := n.instance()
	if err != nil {
		return nil, err
	}
	var out []sql.TableInfo
	err = inst.fsm.View(func(tx *store.Tx) error {
		var e error
		out, e = sql.Tables(tx)
		return e
	})
	return out, err
}
