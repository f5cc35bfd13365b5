package pgwire

import (
	"errors"
	"strconv"
	"strings"

	"github.com/raftplay/raftplay/node/sql"
	"github.com/raftplay/raftplay/node/wire"
)

// Transaction blocks. The engine runs a request of several statements as one batch: one
// raft log entry, all or nothing. A block spread over several messages (BEGIN, then
// INSERT, then COMMIT, as every driver sends it) is turned into such a batch: inside the
// block, reads run at once against the current state, and writes are checked (Describe)
// and kept; COMMIT sends the kept writes as one request. Consequences, documented in
// docs/pgwire.md: reads in a block do not see the block's own writes, a write's tag carries
// the row count only when it is known without running it (INSERT ... VALUES), and
// RETURNING is refused inside a block.

// kind is what the server does with a statement.
type kind int

const (
	kWrite kind = iota
	kRead
	kBegin
	kCommit
	kRollback
	kSavepoint
	kSet
	kShow
	kReset
	kDiscard
	kDeallocate
	kCatalog
)

// Bounds on what an open block may keep before COMMIT (the engine would refuse more
// anyway: 100 statements, 1 MiB per request).
const (
	maxPendingStatements = 1000
	maxPendingBytes      = 8 << 20
)

// deferred is a write kept for COMMIT.
type deferred struct {
	s      stmt
	params []any
}

func classify(s stmt) kind {
	switch s.word(0) {
	case "begin":
		return kBegin
	case "start":
		if s.word(1) == "transaction" {
			return kBegin
		}
	case "commit", "end":
		return kCommit
	case "rollback", "abort":
		if s.word(1) == "to" || s.word(2) == "to" {
			return kSavepoint
		}
		return kRollback
	case "savepoint", "release":
		return kSavepoint
	case "set":
		return kSet
	case "show":
		return kShow
	case "reset":
		return kReset
	case "discard":
		return kDiscard
	case "deallocate":
		return kDeallocate
	}
	if isCatalogQuery(s) {
		return kCatalog
	}
	switch s.word(0) {
	case "select", "explain", "table", "values", "with":
		return kRead
	}
	return kWrite
}

// run executes one statement under the session's transaction state. An error inside a
// block fails the block until ROLLBACK (or COMMIT, which then rolls back).
func (c *conn) run(s stmt, k kind, params []any) ([]wire.SQLResult, error) {
	if c.txn == txFailed && k != kCommit && k != kRollback {
		return nil, pgErr(stateInFailedTxn, "current transaction is aborted, commands ignored until end of transaction block")
	}
	res, err := c.runKind(s, k, params)
	if err != nil && c.txn == txBlock {
		c.txn = txFailed
	}
	return res, err
}

func (c *conn) runKind(s stmt, k kind, params []any) ([]wire.SQLResult, error) {
	switch k {
	case kBegin:
		if c.txn != txIdle {
			c.notice(stateActiveTxn, "there is already a transaction in progress")
		} else {
			c.txn, c.pending = txBlock, nil
		}
		if s.word(0) == "start" {
			return tag("START TRANSACTION"), nil // PostgreSQL tags it as it was written
		}
		return tag("BEGIN"), nil
	case kCommit:
		switch c.txn {
		case txIdle:
			c.notice(stateNoActiveTxn, "there is no transaction in progress")
			return tag("COMMIT"), nil
		case txFailed:
			c.endTxn()
			return tag("ROLLBACK"), nil
		}
		err := c.commitPending()
		c.endTxn()
		if err != nil {
			return nil, err
		}
		return tag("COMMIT"), nil
	case kRollback:
		if c.txn == txIdle {
			c.notice(stateNoActiveTxn, "there is no transaction in progress")
		}
		c.endTxn()
		return tag("ROLLBACK"), nil
	case kSavepoint:
		return nil, pgErr(stateFeatureNotSupported, "savepoints are not supported")
	case kSet, kShow, kReset, kDiscard, kDeallocate:
		return c.session(s, k)
	case kCatalog:
		return c.catalog(s)
	case kWrite:
		if c.txn == txBlock {
			return c.deferWrite(s, params)
		}
	}
	return c.execSQL(s.text, params)
}

// endTxn leaves the block: kept writes are dropped, and so are the portals (as at the end
// of a PostgreSQL transaction).
func (c *conn) endTxn() {
	c.txn, c.pending = txIdle, nil
	c.portals = map[string]*portal{}
}

// deferWrite checks a write inside a block and keeps it for COMMIT.
func (c *conn) deferWrite(s stmt, params []any) ([]wire.SQLResult, error) {
	if len(c.pending) >= maxPendingStatements || c.pendingBytes()+len(s.text) > maxPendingBytes {
		return nil, pgErr(sql.StateLimitExceeded, "transaction block too large: COMMIT or ROLLBACK it")
	}
	_, cols, err := c.describeSQL(s.text)
	if err != nil && !(len(c.pending) > 0 && dependsOnBlock(err)) {
		return nil, err
	}
	if len(cols) > 0 {
		return nil, pgErr(stateFeatureNotSupported, "RETURNING is not supported inside a transaction block: its writes are applied together at COMMIT")
	}
	c.pending = append(c.pending, deferred{s: s, params: params})
	return tag(deferredTag(s)), nil
}

// dependsOnBlock reports a check failure that an earlier write of the block may cure
// (the table it creates, the column it adds): the statement is kept and COMMIT decides.
func dependsOnBlock(err error) bool {
	var se *sql.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.SQLState {
	case sql.StateUndefinedTable, sql.StateUndefinedColumn, sql.StateDuplicateTable, sql.StateUndefinedObject, sql.StateDuplicateObject:
		return true
	}
	return false
}

func (c *conn) pendingBytes() int {
	n := 0
	for _, d := range c.pending {
		n += len(d.s.text)
	}
	return n
}

// commitPending sends the block's writes as one request: one log entry. Positions in its
// errors would point into text the client never sent, so they are dropped.
func (c *conn) commitPending() error {
	if len(c.pending) == 0 {
		return nil
	}
	var b strings.Builder
	var params []any
	for i, d := range c.pending {
		if i > 0 {
			b.WriteString(";\n")
		}
		b.WriteString(renumberParams(d.s, len(params)))
		params = append(params, d.params...)
	}
	_, err := c.execSQL(b.String(), params)
	if err != nil {
		pe := *toPGError(err)
		pe.Position = 0
		return &pe
	}
	return nil
}

// deferredTag is the command tag of a kept write. Only INSERT ... VALUES without ON
// CONFLICT has a row count known before it runs.
func deferredTag(s stmt) string {
	w := strings.ToUpper(s.word(0))
	switch w {
	case "INSERT":
		return "INSERT 0 " + strconv.Itoa(valuesRows(s))
	case "UPDATE", "DELETE":
		return w + " 0"
	case "CREATE", "DROP", "ALTER":
		for i := 1; i < 4; i++ {
			switch o := s.word(i); o {
			case "table", "index", "view", "sequence":
				return w + " " + strings.ToUpper(o)
			}
		}
	}
	if w == "" {
		return "OK"
	}
	return w
}

// valuesRows counts the rows of INSERT ... VALUES (...), (...); 0 when it cannot know.
func valuesRows(s stmt) int {
	depth, rows, inValues := 0, 0, false
	for _, t := range s.toks {
		switch {
		case t.kind == tOp && t.val == "(":
			if inValues && depth == 0 {
				rows++
			}
			depth++
		case t.kind == tOp && t.val == ")":
			depth--
		case t.kind == tWord && depth == 0:
			switch t.val {
			case "values":
				inValues = true
			case "select", "on", "returning", "default":
				return 0
			}
		}
	}
	return rows
}
