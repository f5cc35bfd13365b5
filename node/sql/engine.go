package sql

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/raftplay/raftplay/node/store"
	"github.com/raftplay/raftplay/node/wire"
)

// Tx is what the engine needs from a storage transaction. All data writes go through Set
// and Delete (the store keeps a state digest from them); Bunt is for reads, range and
// index iteration, and CreateIndex/DropIndex.
type Tx interface {
	Get(key string) (value string, ok bool, err error)
	Set(key, value string) error
	Delete(key string) error
	Bunt() store.BuntView
}

// Engine prepares and executes SQL. It holds no state besides its limits and is safe for
// concurrent use.
type Engine struct {
	limits  Limits
	running atomic.Int64 // reads under way
}

// NewEngine returns an engine with the given limits; zero fields take the defaults.
func NewEngine(l Limits) *Engine {
	d := DefaultLimits()
	l.MaxStatementBytes = orDefault(l.MaxStatementBytes, d.MaxStatementBytes)
	l.MaxRequestBytes = orDefault(l.MaxRequestBytes, d.MaxRequestBytes)
	l.MaxStatements = orDefault(l.MaxStatements, d.MaxStatements)
	l.Budget = l.Budget.withDefaults()
	return &Engine{limits: l}
}

// Running counts the reads under way (Read): a cancelled read leaves it at once.
func (e *Engine) Running() int64 { return e.running.Load() }

// Limits are the engine's limits, defaults filled in.
func (e *Engine) Limits() Limits { return e.limits }

// Prepare checks a request and returns it as a Batch, on the node that will propose it
// (or run it, for reads). The size guard runs first, before any text reaches the parser;
// then every statement is parsed, checked against the catalog read through tx (with the
// catalog changes of earlier statements in the request applied), parameters are bound as
// values, and now()/current_timestamp are fixed to now. A request of several statements
// is one all-or-nothing batch; BEGIN ... ROLLBACK drops what it encloses.
func (e *Engine) Prepare(tx Tx, text string, params []any, now time.Time) (_ *Batch, err error) {
	defer func() {
		// Last line of defence: a malformed parse tree must not take the node down.
		if r := recover(); r != nil {
			err = errf(StateInternal, "internal error checking statement: %v", r)
		}
	}()
	pieces, err := e.limits.guard(text)
	if err != nil {
		return nil, err
	}
	c := newChecker(tx, params, now)
	b := &Batch{Version: batchVersion, Text: text, Now: c.now, Seed: uint64(now.UnixNano())}
	var (
		inTx       bool
		txStart    int
		snapshot   map[string]*Table
		snapLoaded bool
	)
	for _, p := range pieces {
		raw, err := parsePiece(p)
		if err != nil {
			return nil, err
		}
		if raw == nil {
			continue
		}
		c.offset = p.offset
		if ts := raw.Stmt.GetTransactionStmt(); ts != nil {
			switch kindOfTx(ts) {
			case "BEGIN":
				if !inTx {
					inTx, txStart, snapshot, snapLoaded = true, len(b.Stmts), c.snapshot(), c.loadedAll
				}
				b.Stmts = append(b.Stmts, &Stmt{Kind: sTag, Tag: "BEGIN"})
			case "COMMIT":
				inTx = false
				b.Stmts = append(b.Stmts, &Stmt{Kind: sTag, Tag: "COMMIT"})
			case "ROLLBACK":
				if inTx {
					b.Stmts = b.Stmts[:txStart+1]
					c.tables, c.loadedAll = snapshot, snapLoaded
					inTx = false
				}
				b.Stmts = append(b.Stmts, &Stmt{Kind: sTag, Tag: "ROLLBACK"})
			default:
				return nil, unsupported(c.pos(0), "this transaction statement (only BEGIN, COMMIT and ROLLBACK)")
			}
			continue
		}
		s, err := c.stmt(raw.Stmt)
		if err != nil {
			return nil, err
		}
		b.Stmts = append(b.Stmts, s)
	}
	for _, s := range b.Stmts {
		switch s.Kind {
		case sSelect, sExplain, sTag:
		default:
			b.Write = true
		}
	}
	if b.Write {
		budget := e.limits.Budget
		b.Budget = &budget
	}
	return b, nil
}

// Execute runs a batch on tx: the FSM's write transaction (or a read transaction for a
// read-only batch). It is deterministic, never parses, and returns an error instead of
// panicking; on error the caller rolls tx back so the batch is all or nothing. The batch's
// own budget bounds it, capped by the ceiling, so the outcome depends on the data alone.
func (e *Engine) Execute(tx Tx, b *Batch) ([]wire.SQLResult, error) {
	if b == nil {
		return nil, errf(StateProtocol, "nil batch")
	}
	return e.execute(tx, b, newMeter(nil, b.budget().capped(), b.Write))
}

// budget is the budget the batch carries, or none (every field zero).
func (b *Batch) budget() Budget {
	if b.Budget == nil {
		return Budget{}
	}
	return *b.Budget
}

func (e *Engine) execute(tx Tx, b *Batch, m *meter) (res []wire.SQLResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, errf(StateInternal, "internal error executing batch: %v", r)
		}
	}()
	if b == nil {
		return nil, errf(StateProtocol, "nil batch")
	}
	if !knownBatchVersion(b.Version) {
		return nil, errf(StateProtocol, "unsupported batch version %d", b.Version)
	}
	x := newExecutor(tx, b, m)
	out := make([]wire.SQLResult, 0, len(b.Stmts))
	for i, s := range b.Stmts {
		if s == nil {
			return nil, errf(StateProtocol, "statement %d is empty", i+1)
		}
		r, err := x.run(s)
		if err != nil {
			return nil, fmt.Errorf("statement %d (%s): %w", i+1, s.Tag, err)
		}
		if err := x.flush(); err != nil {
			return nil, fmt.Errorf("statement %d (%s): %w", i+1, s.Tag, err)
		}
		m.release()
		out = append(out, r)
	}
	return out, nil
}
