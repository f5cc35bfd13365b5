package pgwire

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/raftplay/raftplay/node/sql"
	"github.com/raftplay/raftplay/node/wire"
)

// Transaction blocks. Inside BEGIN ... COMMIT every statement runs at once against the
// transaction's own view: the session keeps the block's statements and sends each new
// one with all the earlier ones and the digests of the results the client got for them
// (wire.SQLTxn). The node runs the whole block on its current state and rolls it back, so
// the statement sees the block's own writes, with real row counts, RETURNING rows and its
// own errors; if an earlier statement would now give a different result, the statement
// fails with 40001. COMMIT proposes the block as one log entry, which the state machine
// applies only if every result is still the one the client saw. SAVEPOINT and ROLLBACK TO
// only move the end of the kept statements.

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

// Bounds on what an open block keeps. The engine's request limits (statements, text
// bytes) bound it first; these bound the session's memory alone, bound parameters included,
// which the engine's text limit does not see.
const (
	maxBlockStatements = 1000
	maxBlockBytes      = 8 << 20
)

// block is the open transaction block.
type block struct {
	now        time.Time // the transaction timestamp
	stmts      []deferred
	seen       []string // digest of each statement's result, as the node computed it
	writes     int      // statements classified as writes
	bytes      int      // text and parameters kept
	savepoints []savepoint
}

// deferred is a statement of the block, kept to run the block again.
type deferred struct {
	s      stmt
	params []any
	write  bool
}

type savepoint struct {
	name string
	n    int // statements of the block when it was set
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
// block fails the block until ROLLBACK (or COMMIT, which then rolls back, or ROLLBACK TO a
// savepoint).
func (c *conn) run(s stmt, k kind, params []any) ([]wire.SQLResult, error) {
	if c.txn == txFailed && k != kCommit && k != kRollback && !(k == kSavepoint && isRollbackTo(s)) {
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
			c.txn, c.blk = txBlock, block{now: time.Now()}
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
		err := c.commitBlock()
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
		return c.savepoint(s)
	case kSet, kShow, kReset, kDiscard, kDeallocate:
		return c.session(s, k)
	case kCatalog:
		return c.catalog(s)
	case kRead, kWrite:
		if c.txn == txBlock {
			// A WITH may hold a data-modifying statement. Counting it as a write costs a
			// block that only read one more request at COMMIT, which proposes nothing.
			return c.runInBlock(s, params, k == kWrite || s.word(0) == "with")
		}
	}
	return c.execSQL(s.text, params)
}

// endTxn leaves the block: its statements are dropped, and so are the portals (as at the
// end of a PostgreSQL transaction).
func (c *conn) endTxn() {
	c.txn, c.blk = txIdle, block{}
	c.portals = map[string]*portal{}
}

// blockRequest is the block's statements, then s, as one request: the statements joined,
// parameters renumbered after each other's; Txn.Last is where the last one starts.
func (c *conn) blockRequest(s *deferred) (req wire.SQLRequest) {
	var (
		b    strings.Builder
		last int
	)
	stmts := c.blk.stmts
	if s != nil {
		stmts = append(stmts[:len(stmts):len(stmts)], *s)
	}
	for i, d := range stmts {
		if i > 0 {
			b.WriteString(";\n")
		}
		last = b.Len()
		b.WriteString(renumberParams(d.s, len(req.Params)))
		req.Params = append(req.Params, d.params...)
	}
	req.SQL = b.String()
	req.Txn = &wire.SQLTxn{Now: c.blk.now.UTC().Format(time.RFC3339Nano), Last: last, Seen: c.blk.seen}
	return req
}

// runInBlock runs s as the next statement of the block and keeps it.
func (c *conn) runInBlock(s stmt, params []any, write bool) ([]wire.SQLResult, error) {
	size := len(s.text) + paramBytes(params)
	if len(c.blk.stmts) >= maxBlockStatements || c.blk.bytes+size > maxBlockBytes {
		return nil, pgErr(sql.StateLimitExceeded, fmt.Sprintf("transaction block of more than %d statements or %d bytes: COMMIT or ROLLBACK it", maxBlockStatements, maxBlockBytes))
	}
	d := deferred{s: s, params: params, write: write}
	req := c.blockRequest(&d)
	resp, err := c.exec(req)
	if err != nil {
		return nil, err
	}
	if len(resp.Results) != 1 || resp.TxnDigest == "" {
		return nil, pgErr(sql.StateInternal, fmt.Sprintf("transaction statement answered with %d results", len(resp.Results)))
	}
	c.blk.stmts = append(c.blk.stmts, d)
	c.blk.seen = append(c.blk.seen, resp.TxnDigest)
	c.blk.bytes += size
	if write {
		c.blk.writes++
	}
	return resp.Results, nil
}

// commitBlock proposes the block as one log entry, unless it only read. Positions in its
// errors would point into text the client never sent, so they are dropped.
func (c *conn) commitBlock() error {
	if c.blk.writes == 0 {
		return nil
	}
	req := c.blockRequest(nil)
	req.Txn.Last, req.Txn.Commit = 0, true
	if _, err := c.exec(req); err != nil {
		pe := *toPGError(err)
		pe.Position = 0
		return &pe
	}
	return nil
}

// savepoint answers SAVEPOINT, RELEASE [SAVEPOINT] and ROLLBACK [WORK] TO [SAVEPOINT].
func (c *conn) savepoint(s stmt) ([]wire.SQLResult, error) {
	i, command := 1, "SAVEPOINT"
	switch s.word(0) {
	case "release":
		command = "RELEASE"
	case "rollback", "abort":
		command = "ROLLBACK"
		for s.word(i) == "work" || s.word(i) == "transaction" || s.word(i) == "to" {
			i++
		}
	}
	if command != "SAVEPOINT" && s.word(i) == "savepoint" {
		i++
	}
	name, _ := settingName(s, i)
	if c.txn == txIdle {
		what := map[string]string{"SAVEPOINT": "SAVEPOINT", "RELEASE": "RELEASE SAVEPOINT", "ROLLBACK": "ROLLBACK TO SAVEPOINT"}[command]
		return nil, pgErr(stateNoActiveTxn, what+" can only be used in transaction blocks")
	}
	if name == "" {
		return nil, pgErr(sql.StateSyntax, "syntax error: savepoint name expected")
	}
	if command == "SAVEPOINT" {
		c.blk.savepoints = append(c.blk.savepoints, savepoint{name: name, n: len(c.blk.stmts)})
		return tag(command), nil
	}
	j := len(c.blk.savepoints) - 1
	for j >= 0 && c.blk.savepoints[j].name != name {
		j--
	}
	if j < 0 {
		return nil, pgErr(stateNoSavepoint, fmt.Sprintf("savepoint %q does not exist", name))
	}
	if command == "RELEASE" {
		c.blk.savepoints = c.blk.savepoints[:j]
		return tag(command), nil
	}
	sp := c.blk.savepoints[j]
	c.blk.savepoints = c.blk.savepoints[:j+1]
	c.blk.writes = 0
	for _, d := range c.blk.stmts[:sp.n] {
		if d.write {
			c.blk.writes++
		}
	}
	c.blk.stmts, c.blk.seen, c.blk.bytes = c.blk.stmts[:sp.n], c.blk.seen[:sp.n], 0
	for _, d := range c.blk.stmts {
		c.blk.bytes += len(d.s.text) + paramBytes(d.params)
	}
	c.txn = txBlock
	return tag(command), nil
}

// blockDescriber is a backend that can describe a statement against an open block's view
// (*node.Node is one).
type blockDescriber interface {
	DescribeInBlock(block wire.SQLRequest, text string) ([]string, []wire.SQLColumn, error)
}

// describeInBlock describes text against the block's view, if the backend can.
func (c *conn) describeInBlock(text string) ([]string, []wire.SQLColumn, error) {
	bd, ok := c.s.b.(blockDescriber)
	if !ok {
		return nil, nil, pgErr(stateFeatureNotSupported, "the backend cannot describe inside a block")
	}
	req := c.blockRequest(nil)
	return bd.DescribeInBlock(req, text)
}

// paramBytes is about what bound parameters take in memory.
func paramBytes(params []any) int {
	n := 0
	for _, p := range params {
		switch v := p.(type) {
		case string:
			n += len(v)
		case []byte:
			n += len(v)
		default:
			n += 16
		}
	}
	return n
}

// isRollbackTo reports ROLLBACK [WORK | TRANSACTION] TO ..., which a failed block accepts.
func isRollbackTo(s stmt) bool {
	w := s.word(0)
	return (w == "rollback" || w == "abort") && (s.word(1) == "to" || s.word(2) == "to")
}

// dependsOnBlock reports a check failure that an earlier statement of the block may cure
// (the table it creates, the column it adds): Parse leaves such a statement for Execute,
// which runs it in the block.
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
