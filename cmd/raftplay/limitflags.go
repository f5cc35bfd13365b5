package main

import (
	"flag"
	"time"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/sql"
)

// limitFlags are the bounds on what one request may do, shared by node and play.
type limitFlags struct {
	budget       sql.Budget
	queryTimeout time.Duration
}

func addLimitFlags(fs *flag.FlagSet) *limitFlags {
	d := sql.DefaultBudget()
	l := &limitFlags{}
	fs.Int64Var(&l.budget.RowsExamined, "max-rows-examined", d.RowsExamined, "rows one SQL write request may read: scanned rows and join combinations (54000 past it)")
	fs.Int64Var(&l.budget.RowsWritten, "max-rows-written", d.RowsWritten, "rows one SQL request may insert, update or delete")
	fs.Int64Var(&l.budget.ValueBytes, "max-value-bytes", d.ValueBytes, "bytes of any one text value a SQL request computes or stores")
	fs.Int64Var(&l.budget.WriteBytes, "max-write-bytes", d.WriteBytes, "bytes of rows one SQL request may write")
	fs.Int64Var(&l.budget.HeldBytes, "max-held-bytes", d.HeldBytes, "bytes of rows one SQL statement may keep in memory (results, groups, copies)")
	fs.DurationVar(&l.queryTimeout, "query-timeout", node.DefaultQueryTimeout, "stop any SQL read that runs longer, with 57014 (0: never)")
	return l
}

// sql is the engine limits the flags describe.
func (l *limitFlags) sql() sql.Limits {
	d := sql.DefaultLimits()
	d.Budget = l.budget
	return d
}

// timeout is the node's QueryTimeout: node.Config reads 0 as the default, so "never" is
// negative there.
func (l *limitFlags) timeout() time.Duration {
	if l.queryTimeout <= 0 {
		return -1
	}
	return l.queryTimeout
}
