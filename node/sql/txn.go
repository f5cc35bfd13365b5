package sql

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/tidwall/buntdb"
)

// Interactive transaction blocks. A block (BEGIN, statements sent one at a time, COMMIT)
// is run as a whole every time the client sends a statement: its statements so far,
// prepared as one batch, are executed on the current state in a transaction that is
// rolled back, so the last statement sees the committed state plus the block's own
// writes. What the client was told for each statement is kept as a digest of its result;
// a run whose earlier statements give different results (a concurrent commit changed what
// they read) fails with 40001, and so does a COMMIT whose entry, run by the state machine
// in log order, does not give every result the client saw. The client's view of the
// block is therefore always that of one serial execution, at its commit point.

// ResultDigest is the digest of one statement's result as the client sees it: tag, row
// count, columns and rows. It is computed where the engine ran, on the engine's own
// values, so the same data gives the same digest on every node.
func ResultDigest(r wire.SQLResult) string {
	p, err := json.Marshal(struct {
		C string           `json:"c"`
		N int64            `json:"n"`
		K []wire.SQLColumn `json:"k"`
		R [][]any          `json:"r"`
	}{r.Command, r.RowsAffected, r.Columns, r.Rows})
	if err != nil {
		// Engine values always encode; a value that does not can match nothing.
		return "unencodable: " + err.Error()
	}
	sum := sha256.Sum256(p)
	return hex.EncodeToString(sum[:])
}

// CombineDigests is the digest of a block's whole sequence of results, carried by its
// log entry.
func CombineDigests(ds []string) string {
	h := sha256.New()
	for _, d := range ds {
		h.Write([]byte(d))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Serialization is the error of a block whose results no longer hold.
func Serialization(cause string) error {
	return &Error{SQLState: StateSerialization, Message: "could not serialize access: " + cause}
}

// runTxn executes a block's batch on tx in one executor (so random() and now() run as
// they will at COMMIT): every statement but the last must give the result whose digest
// is in seen; the last one's result and digest are returned. A failure of an earlier
// statement means the state changed under the block and is a serialization failure.
func (e *Engine) runTxn(tx Tx, b *Batch, seen []string, m *meter) (last wire.SQLResult, digest string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errf(StateInternal, "internal error executing transaction block: %v", r)
		}
	}()
	if len(b.Stmts) != len(seen)+1 {
		return last, "", errf(StateProtocol, "transaction block of %d statements with %d results seen", len(b.Stmts), len(seen))
	}
	x := newExecutor(tx, b, m)
	for i, s := range b.Stmts {
		r, err := x.run(s)
		if err == nil {
			err = x.flush()
		}
		m.release()
		if i == len(seen) {
			if err != nil {
				return last, "", err
			}
			return r, ResultDigest(r), nil
		}
		switch {
		case errors.Is(err, errBudgetPaused):
			return last, "", err
		case err != nil:
			return last, "", Serialization(fmt.Sprintf("statement %d of the transaction now fails: %v", i+1, err))
		case ResultDigest(r) != seen[i]:
			return last, "", Serialization(fmt.Sprintf("a concurrent commit changed the result of statement %d of the transaction", i+1))
		}
	}
	return last, "", errf(StateInternal, "empty transaction block")
}

// TxnWrite runs a block that writes through dryRun, a write transaction that is always
// rolled back, under the batch's budget (the one Apply enforces at COMMIT).
func (e *Engine) TxnWrite(ctx context.Context, b *Batch, seen []string, dryRun func(fn func(Tx) error) error) (last wire.SQLResult, digest string, err error) {
	if b == nil {
		return last, "", errf(StateProtocol, "nil batch")
	}
	err = dryRun(func(tx Tx) error {
		var e2 error
		last, digest, e2 = e.runTxn(tx, b, seen, newMeter(ctx, b.budget().capped(), true))
		return e2
	})
	return last, digest, err
}

// TxnRead runs a block that only reads, as Read runs a read: under the state's lock for
// a while, then, if it examines more, on a private copy of the tables it reads.
func (e *Engine) TxnRead(ctx context.Context, view ViewFunc, b *Batch, seen []string) (last wire.SQLResult, digest string, err error) {
	if b == nil || b.Write {
		return last, "", errf(StateProtocol, "TxnRead takes a read-only batch")
	}
	e.running.Add(1)
	defer e.running.Add(-1)
	budget := e.limits.Budget
	var (
		copied [][2]string
		paused bool
	)
	err = view(func(tx Tx) error {
		m := newMeter(ctx, budget, false)
		m.pauseAt = lockedRows
		var e2 error
		last, digest, e2 = e.runTxn(tx, b, seen, m)
		if !errors.Is(e2, errBudgetPaused) {
			return e2
		}
		paused = true
		copied, e2 = copyForRead(ctx, tx, b, budget)
		return e2
	})
	if err != nil || !paused {
		return last, digest, err
	}
	rc, err := loadCopy(copied)
	if err != nil {
		return last, "", err
	}
	defer rc.close()
	err = rc.db.View(func(btx *buntdb.Tx) error {
		m := newMeter(ctx, budget, false)
		m.paceAfter = paceLongReadsAfter
		var e2 error
		last, digest, e2 = e.runTxn(buntTx{btx}, b, seen, m)
		return e2
	})
	return last, digest, err
}

// ExecuteChecked is Execute for a block's COMMIT entry: the results must be those the
// client saw (expect is CombineDigests of their digests). Anything else, a failing
// statement included, is a serialization failure and the caller rolls tx back; the
// outcome depends on the entry and the state alone.
func (e *Engine) ExecuteChecked(tx Tx, b *Batch, expect string) ([]wire.SQLResult, error) {
	res, err := e.Execute(tx, b)
	if err != nil {
		var se *Error
		if errors.As(err, &se) && se.SQLState == StateSerialization {
			return nil, err
		}
		return nil, Serialization(fmt.Sprintf("the transaction fails at commit: %v", err))
	}
	ds := make([]string, len(res))
	for i, r := range res {
		ds[i] = ResultDigest(r)
	}
	if CombineDigests(ds) != expect {
		return nil, Serialization("a concurrent commit changed what the transaction read")
	}
	return res, nil
}
