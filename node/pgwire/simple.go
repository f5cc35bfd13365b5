package pgwire

import (
	"strconv"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/raftplay/raftplay/node/wire"
)

// simpleQuery answers a Query message: every statement's results in order, stopping at
// the first error, then ReadyForQuery.
func (c *conn) simpleQuery(q string) {
	stmts := splitStatements(q)
	if len(stmts) == 0 {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
		c.ready()
		return
	}
	kinds := make([]kind, len(stmts))
	for i, s := range stmts {
		kinds[i] = classify(s)
	}
	for i := 0; i < len(stmts); {
		var (
			results []wire.SQLResult
			err     error
			offset  = stmts[i].offset
			next    = i + 1
		)
		if end := batchEnd(kinds, i); c.txn == txIdle && end > i {
			// Statements the engine runs itself go as one request, as PostgreSQL runs a
			// multi-statement Query in one implicit transaction; a BEGIN ... COMMIT inside
			// the same message becomes one log entry with real row counts.
			last := stmts[end-1]
			results, err = c.execSQL(q[offset:last.offset+len(last.text)], nil)
			next = end
		} else {
			results, err = c.run(stmts[i], kinds[i], nil)
		}
		if err != nil {
			c.sendError(shiftPosition(toPGError(err), offset))
			break
		}
		for _, r := range results {
			if err := c.sendResult(r, r.Columns, nil, true, 0, nil); err != nil {
				c.sendError(err)
				break
			}
		}
		i = next
	}
	c.ready()
}

// batchEnd is the end of the run of statements from i that can go to the engine as one
// request: reads and writes, and BEGIN ... COMMIT/ROLLBACK blocks closed within the run.
// It returns i when statement i must be handled on its own.
func batchEnd(kinds []kind, i int) int {
	open, last := false, i
	for j := i; j < len(kinds); j++ {
		switch kinds[j] {
		case kRead, kWrite:
			if !open {
				last = j + 1
			}
		case kBegin:
			if open {
				return last
			}
			open = true
		case kCommit, kRollback:
			if !open {
				return last
			}
			open, last = false, j+1
		default:
			return last
		}
	}
	return last
}

// sendResult sends one statement's result: RowDescription (when describe is set and the
// statement returns rows), DataRows from row start (at most limit, 0 = all), then
// CommandComplete, or PortalSuspended when rows remain. cols decide the OIDs and encoding.
// It returns the index after the last row sent through sent.
func (c *conn) sendResult(r wire.SQLResult, cols []wire.SQLColumn, formats []int16, describe bool, limit int, sent *int) error {
	if len(cols) != len(r.Columns) {
		cols = r.Columns
	}
	if describe && len(cols) > 0 {
		c.be.Send(rowDescription(cols, formats))
	}
	start := 0
	if sent != nil {
		start = *sent
	}
	rows := r.Rows
	if start > len(rows) {
		start = len(rows)
	}
	rows = rows[start:]
	suspended := limit > 0 && len(rows) > limit
	if suspended {
		rows = rows[:limit]
	}
	oids := make([]uint32, len(cols))
	for i, col := range cols {
		oids[i] = typeOID(col.Type)
	}
	for n, row := range rows {
		dr := &pgproto3.DataRow{Values: make([][]byte, len(row))}
		for j, v := range row {
			if v == nil {
				continue
			}
			oid := uint32(oidText)
			if j < len(oids) {
				oid = oids[j]
			}
			if formatFor(formats, j) == formatBinary {
				b, err := encodeBinary(v, oid)
				if err != nil {
					return err
				}
				dr.Values[j] = b
			} else {
				dr.Values[j] = encodeText(v, oid)
			}
		}
		c.be.Send(dr)
		if n%256 == 255 && !c.flush() {
			return errClosedConn
		}
	}
	if sent != nil {
		*sent = start + len(rows)
	}
	if suspended {
		c.be.Send(&pgproto3.PortalSuspended{})
		return nil
	}
	c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(commandTag(r))})
	return nil
}

// commandTag is the result's tag; the engine sets one for every statement it runs.
func commandTag(r wire.SQLResult) string {
	if r.Command != "" {
		return r.Command
	}
	if len(r.Columns) > 0 {
		return "SELECT " + strconv.Itoa(len(r.Rows))
	}
	return "OK"
}

func rowDescription(cols []wire.SQLColumn, formats []int16) *pgproto3.RowDescription {
	rd := &pgproto3.RowDescription{Fields: make([]pgproto3.FieldDescription, len(cols))}
	for i, col := range cols {
		oid := typeOID(col.Type)
		rd.Fields[i] = pgproto3.FieldDescription{
			Name:         []byte(col.Name),
			DataTypeOID:  oid,
			DataTypeSize: typeSize(oid),
			TypeModifier: -1,
			Format:       formatFor(formats, i),
		}
	}
	return rd
}

// formatFor applies the protocol's rule for format code lists: none means text, one
// applies to all, otherwise one per column.
func formatFor(formats []int16, i int) int16 {
	switch {
	case len(formats) == 0:
		return formatText
	case len(formats) == 1:
		return formats[0]
	case i < len(formats):
		return formats[i]
	}
	return formatText
}
