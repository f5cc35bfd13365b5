package sql

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/raftplay/raftplay/node/store"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/tidwall/buntdb"
)

// ViewFunc runs fn in a read transaction on the current state. While fn runs the state
// machine cannot apply (BuntDB has one lock), so what runs inside must be short.
type ViewFunc func(fn func(Tx) error) error

// lockedRows is how many rows a read may examine while it holds the state's lock. Most
// reads finish within it; one that does not is stopped, the tables it reads are copied
// under the same lock, and it runs again on the copy with the lock released, so its joins,
// sorts and aggregation never hold up Apply.
const lockedRows = 20_000

// paceLongReadsAfter is how long a read on its copy runs at full speed. After that it sleeps
// as long as it works: on a machine of few cores a runaway join would otherwise take a
// whole core from the writes for as long as it runs.
const paceLongReadsAfter = 100 * time.Millisecond

// Read runs a read-only batch at ctx's pace: cancelling ctx (a client gone, a statement
// timeout, a CancelRequest) stops it within a few thousand rows with SQLSTATE 57014, and
// what it holds is bounded by the budget's HeldBytes.
func (e *Engine) Read(ctx context.Context, view ViewFunc, b *Batch) ([]wire.SQLResult, error) {
	if b == nil || b.Write {
		return nil, errf(StateProtocol, "Read takes a read-only batch")
	}
	e.running.Add(1)
	defer e.running.Add(-1)
	budget := e.limits.Budget
	var (
		res    []wire.SQLResult
		copied [][2]string
		paused bool
	)
	err := view(func(tx Tx) error {
		m := newMeter(ctx, budget, false)
		m.pauseAt = lockedRows
		var err error
		res, err = e.execute(tx, b, m)
		if !errors.Is(err, errBudgetPaused) {
			return err
		}
		paused = true
		copied, err = copyForRead(ctx, tx, b, budget)
		return err
	})
	if err != nil || !paused {
		return res, err
	}
	rc, err := loadCopy(copied)
	if err != nil {
		return nil, err
	}
	defer rc.close()
	return rc.run(ctx, e, b, budget)
}

// readCopy is a private in-memory database holding what one read needs: the catalog and
// the rows of the tables it reads, with their indexes rebuilt.
type readCopy struct{ db *buntdb.DB }

// copyForRead copies the catalog and the rows of every table b reads (every table, when it
// reads a catalog view). It runs under the state's lock and reads each row once; the copy is
// loaded into its own database (loadCopy) after the lock is released.
func copyForRead(ctx context.Context, tx Tx, b *Batch, budget Budget) ([][2]string, error) {
	prefixes := []string{catalogPrefix}
	if tables, all := readTables(b); all {
		prefixes = append(prefixes, rowPrefix)
	} else {
		for _, t := range tables {
			prefixes = append(prefixes, rowKeyPrefix(t))
		}
	}
	m := newMeter(ctx, budget, false)
	var items [][2]string
	for _, p := range prefixes {
		var ferr error
		err := tx.Bunt().AscendGreaterOrEqual("", p, func(k, v string) bool {
			if !strings.HasPrefix(k, p) {
				return false
			}
			if ferr = m.examine(); ferr == nil {
				ferr = m.hold(int64(len(k) + len(v) + 32))
			}
			items = append(items, [2]string{k, v})
			return ferr == nil
		})
		if err = firstErr(ferr, err); err != nil {
			return nil, fmt.Errorf("copy rows for a read: %w", err)
		}
	}
	return items, nil
}

func loadCopy(items [][2]string) (*readCopy, error) {
	db, err := buntdb.Open(":memory:")
	if err != nil {
		return nil, fmt.Errorf("open read copy: %w", err)
	}
	err = db.Update(func(btx *buntdb.Tx) error {
		for _, it := range items {
			if _, _, err := btx.Set(it[0], it[1], nil); err != nil {
				return err
			}
		}
		return RestoreIndexes(buntTx{btx})
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("load read copy: %w", err)
	}
	return &readCopy{db: db}, nil
}

func (c *readCopy) run(ctx context.Context, e *Engine, b *Batch, budget Budget) (res []wire.SQLResult, err error) {
	err = c.db.View(func(btx *buntdb.Tx) error {
		m := newMeter(ctx, budget, false)
		m.paceAfter = paceLongReadsAfter
		res, err = e.execute(buntTx{btx}, b, m)
		return err
	})
	return res, err
}

func (c *readCopy) close() { c.db.Close() }

// buntTx is Tx over a plain BuntDB transaction, for databases that are nobody's replicated
// state (a read copy), so writing needs no digest.
type buntTx struct{ tx *buntdb.Tx }

// PlainTx is Tx over a BuntDB transaction of a database that is no node's replicated
// state (tools and tests preparing batches offline).
func PlainTx(tx *buntdb.Tx) Tx { return buntTx{tx} }

func (t buntTx) Get(key string) (string, bool, error) {
	v, err := t.tx.Get(key)
	if errors.Is(err, buntdb.ErrNotFound) {
		return "", false, nil
	}
	return v, err == nil, err
}

func (t buntTx) Set(key, value string) error {
	_, _, err := t.tx.Set(key, value, nil)
	return err
}

func (t buntTx) Delete(key string) error {
	_, err := t.tx.Delete(key)
	if errors.Is(err, buntdb.ErrNotFound) {
		return nil
	}
	return err
}

func (t buntTx) Bunt() store.BuntView { return store.NewBuntView(t.tx) }

// readTables lists the tables a read-only batch reads; all is true when it reads a catalog
// view, which looks at every table.
func readTables(b *Batch) (tables []string, all bool) {
	seen := map[string]bool{}
	for _, s := range b.Stmts {
		if s.Query == nil {
			continue
		}
		walkQuery(s.Query, 0, func(*Expr, int) {}, func(src *Source) {
			switch {
			case src.Virtual != "":
				all = true
			case src.Table.Name != "" && !seen[src.Table.Name]:
				seen[src.Table.Name] = true
				tables = append(tables, src.Table.Name)
			}
		})
	}
	return tables, all
}

// Admit checks a write batch against its budget before it enters the log, so that nothing
// over the limits is ever proposed. A batch whose cost its text fixes (INSERT ... VALUES
// of constants, DDL that rewrites no rows) is counted; any other is run through dryRun, a
// write transaction that is always rolled back, under the same budget Apply will use.
func (e *Engine) Admit(b *Batch, dryRun func(fn func(Tx) error) error) error {
	if b == nil || !b.Write {
		return nil
	}
	budget := b.budget().capped()
	if ok, err := staticCost(b, budget); ok || err != nil {
		return err
	}
	return dryRun(func(tx Tx) error {
		_, err := e.execute(tx, b, newMeter(nil, budget, true))
		return err
	})
}

// staticCost reports whether b's cost is known from its text, and an error when that cost
// is over budget.
func staticCost(b *Batch, budget Budget) (bool, error) {
	m := newMeter(nil, budget, true)
	for _, s := range b.Stmts {
		switch s.Kind {
		case sTag, sCreateTable, sDropTable, sCreateIndex, sDropIndex:
		case sInsert:
			if s.Insert == nil || s.Insert.Select != nil {
				return false, nil
			}
			for _, row := range s.Insert.Values {
				if !constantRow(row) {
					return false, nil
				}
				if err := m.wroteBytes(constBytes(row)); err != nil {
					return true, err
				}
				for _, e := range row {
					if e != nil {
						if err := m.text(textLen(e.V)); err != nil {
							return true, err
						}
					}
				}
			}
		default:
			return false, nil
		}
	}
	return true, nil
}

func constantRow(row []*Expr) bool {
	for _, e := range row {
		if e != nil && e.K != kConst {
			return false
		}
	}
	return true
}

func constBytes(row []*Expr) int64 {
	var n int64
	for _, e := range row {
		if e != nil {
			n += int64(textLen(e.V))
		}
	}
	return n
}
