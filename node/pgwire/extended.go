package pgwire

import (
	"fmt"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/raftplay/raftplay/node/sql"
	"github.com/raftplay/raftplay/node/wire"
)

// prepared is a parsed statement (Parse).
type prepared struct {
	s         stmt
	k         kind
	empty     bool
	paramOIDs []uint32
	cols      []wire.SQLColumn // result columns when known
	described bool             // cols come from the engine's Describe (or the server's own)
}

// portal is a bound statement (Bind). Its result is computed at the first Execute and
// kept, so an Execute with a row limit can continue where the last one stopped.
type portal struct {
	p       *prepared
	params  []any
	formats []int16
	ran     bool
	res     wire.SQLResult
	sent    int
}

func (c *conn) extended(msg pgproto3.FrontendMessage) error {
	switch m := msg.(type) {
	case *pgproto3.Parse:
		return c.parse(m)
	case *pgproto3.Bind:
		return c.bind(m)
	case *pgproto3.Describe:
		return c.describe(m)
	case *pgproto3.Execute:
		c.s.m.Query()
		return c.execute(m)
	case *pgproto3.Close:
		if m.ObjectType == 'S' {
			delete(c.stmts, m.Name)
		} else {
			delete(c.portals, m.Name)
		}
		c.be.Send(&pgproto3.CloseComplete{})
	}
	return nil
}

func (c *conn) parse(m *pgproto3.Parse) error {
	if _, ok := c.stmts[m.Name]; ok && m.Name != "" {
		return pgErr(stateDuplicatePstmt, fmt.Sprintf("prepared statement %q already exists", m.Name))
	}
	stmts := splitStatements(m.Query)
	if len(stmts) > 1 {
		return pgErr(sql.StateSyntax, "cannot insert multiple commands into a prepared statement")
	}
	p := &prepared{empty: len(stmts) == 0}
	var described []string
	if !p.empty {
		p.s, p.k = stmts[0], classify(stmts[0])
		switch p.k {
		case kRead, kWrite:
			params, cols, err := c.describeSQL(p.s.text)
			switch {
			case err == nil:
				described, p.cols, p.described = params, cols, true
			case c.txn == txBlock && len(c.blk.stmts) > 0 && dependsOnBlock(err):
				// Refers to what the block creates: described against the block's view
				// when the backend can; else left to Execute, which runs it in the block.
				if params, cols, err := c.describeInBlock(p.s.text); err == nil {
					described, p.cols, p.described = params, cols, true
				}
			default:
				return shiftPosition(toPGError(err), p.s.offset)
			}
		case kShow:
			p.cols, p.described = showColumns(p.s), true
		case kCatalog:
			// Catalog answers are computed from the current state; run it once for its
			// columns (it has no side effects).
			if res, err := c.catalog(p.s); err == nil && len(res) > 0 {
				p.cols, p.described = res[0].Columns, true
			}
		default:
			p.described = true
		}
	}
	n := max(len(m.ParameterOIDs), len(described), maxParamRef(p.s))
	p.paramOIDs = make([]uint32, n)
	for i := range p.paramOIDs {
		switch {
		case i < len(m.ParameterOIDs) && m.ParameterOIDs[i] != 0:
			p.paramOIDs[i] = m.ParameterOIDs[i]
		case i < len(described):
			p.paramOIDs[i] = typeOID(described[i])
		default:
			p.paramOIDs[i] = oidText
		}
	}
	c.stmts[m.Name] = p
	c.be.Send(&pgproto3.ParseComplete{})
	return nil
}

// maxParamRef is the highest $n in the statement.
func maxParamRef(s stmt) int {
	n := 0
	for _, t := range s.toks {
		if t.kind != tParam || len(t.val) > 5 {
			continue
		}
		v := 0
		for _, d := range t.val {
			v = v*10 + int(d-'0')
		}
		n = max(n, v)
	}
	return n
}

func (c *conn) bind(m *pgproto3.Bind) error {
	p, ok := c.stmts[m.PreparedStatement]
	if !ok {
		return pgErr(stateUndefinedPstmt, fmt.Sprintf("prepared statement %q does not exist", m.PreparedStatement))
	}
	if _, ok := c.portals[m.DestinationPortal]; ok && m.DestinationPortal != "" {
		return pgErr("42P03", fmt.Sprintf("cursor %q already exists", m.DestinationPortal))
	}
	if len(m.Parameters) != len(p.paramOIDs) {
		return pgErr(sql.StateProtocol, fmt.Sprintf("bind message supplies %d parameters, but prepared statement %q requires %d", len(m.Parameters), m.PreparedStatement, len(p.paramOIDs)))
	}
	if n := len(m.ParameterFormatCodes); n > 1 && n != len(m.Parameters) {
		return pgErr(sql.StateProtocol, fmt.Sprintf("bind message has %d parameter formats but %d parameters", n, len(m.Parameters)))
	}
	if n := len(m.ResultFormatCodes); n > 1 && p.described && n != len(p.cols) {
		return pgErr(sql.StateProtocol, fmt.Sprintf("bind message has %d result formats but query has %d columns", n, len(p.cols)))
	}
	for _, f := range append(append([]int16(nil), m.ParameterFormatCodes...), m.ResultFormatCodes...) {
		if f != formatText && f != formatBinary {
			return pgErr(sql.StateProtocol, fmt.Sprintf("unsupported format code: %d", f))
		}
	}
	pt := &portal{p: p, params: make([]any, len(m.Parameters)), formats: append([]int16(nil), m.ResultFormatCodes...)}
	for i, raw := range m.Parameters {
		// Decoding copies: the message buffer is reused by the next Receive.
		v, err := decodeParam(i+1, p.paramOIDs[i], formatFor(m.ParameterFormatCodes, i), raw)
		if err != nil {
			return err
		}
		pt.params[i] = v
	}
	c.portals[m.DestinationPortal] = pt
	c.be.Send(&pgproto3.BindComplete{})
	return nil
}

func (c *conn) describe(m *pgproto3.Describe) error {
	if m.ObjectType == 'S' {
		p, ok := c.stmts[m.Name]
		if !ok {
			return pgErr(stateUndefinedPstmt, fmt.Sprintf("prepared statement %q does not exist", m.Name))
		}
		c.be.Send(&pgproto3.ParameterDescription{ParameterOIDs: p.paramOIDs})
		c.sendColumns(p.cols, nil)
		return nil
	}
	pt, ok := c.portals[m.Name]
	if !ok {
		return pgErr(stateUndefinedCursor, fmt.Sprintf("portal %q does not exist", m.Name))
	}
	c.sendColumns(pt.p.cols, pt.formats)
	return nil
}

func (c *conn) sendColumns(cols []wire.SQLColumn, formats []int16) {
	if len(cols) == 0 {
		c.be.Send(&pgproto3.NoData{})
		return
	}
	c.be.Send(rowDescription(cols, formats))
}

func (c *conn) execute(m *pgproto3.Execute) error {
	pt, ok := c.portals[m.Portal]
	if !ok {
		return pgErr(stateUndefinedCursor, fmt.Sprintf("portal %q does not exist", m.Portal))
	}
	if pt.p.empty {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	if !pt.ran {
		results, err := c.run(pt.p.s, pt.p.k, pt.params)
		if err != nil {
			return shiftPosition(toPGError(err), 0)
		}
		pt.ran = true
		if len(results) > 0 {
			pt.res = results[len(results)-1]
		} else {
			pt.res = wire.SQLResult{Command: "OK"}
		}
	}
	cols := pt.res.Columns
	if pt.p.described && len(pt.p.cols) == len(cols) {
		cols = pt.p.cols
	}
	return c.sendResult(pt.res, cols, pt.formats, false, int(m.MaxRows), &pt.sent)
}

// sync ends an extended-protocol cycle. Outside a block it ends the implicit transaction,
// which closes the portals.
func (c *conn) sync() {
	if c.txn == txIdle {
		c.portals = map[string]*portal{}
	}
	c.ready()
}
