package sql

import (
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// Describe reports, without executing, the parameter types ($1, $2, ... as PostgreSQL
// type names; "text" where the use does not decide) and the result columns of one
// statement, for the extended query protocol. tx is read for the catalog.
func (e *Engine) Describe(tx Tx, text string) (params []string, columns []wire.SQLColumn, err error) {
	defer func() {
		if r := recover(); r != nil {
			params, columns, err = nil, nil, errf(StateInternal, "internal error describing statement: %v", r)
		}
	}()
	pieces, err := e.limits.guard(text)
	if err != nil {
		return nil, nil, err
	}
	if len(pieces) > 1 {
		return nil, nil, errf(StateSyntax, "cannot describe more than one statement")
	}
	c := newChecker(tx, nil, time.Unix(0, 0))
	c.describe = true
	for _, p := range pieces {
		raw, err := parsePiece(p)
		if err != nil {
			return nil, nil, err
		}
		if raw == nil || raw.Stmt.GetTransactionStmt() != nil {
			continue
		}
		c.offset = p.offset
		s, err := c.stmt(raw.Stmt)
		if err != nil {
			return nil, nil, err
		}
		columns = resultColumns(s)
	}
	params = make([]string, len(c.paramTypes))
	for i, t := range c.paramTypes {
		if t == "" || t == TUnknown {
			t = TText
		}
		params[i] = string(t)
	}
	return params, columns, nil
}

func resultColumns(s *Stmt) []wire.SQLColumn {
	switch {
	case s.Kind == sExplain:
		return []wire.SQLColumn{{Name: "QUERY PLAN", Type: string(TText)}}
	case s.Query != nil:
		return wireColumns(s.Query.Cols)
	case s.Insert != nil && len(s.Insert.ReturnCols) > 0:
		return wireColumns(s.Insert.ReturnCols)
	case s.Update != nil && len(s.Update.ReturnCols) > 0:
		return wireColumns(s.Update.ReturnCols)
	case s.Delete != nil && len(s.Delete.ReturnCols) > 0:
		return wireColumns(s.Delete.ReturnCols)
	}
	return nil
}
