package oracle

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// Outcome sorts one statement's two answers.
type Outcome int

const (
	Agree   Outcome = iota
	Refused         // raftplay answered 0A000: a feature it does not support, said so
	Differ
)

// Mode is a protocol and result format a query is run in.
type Mode string

const (
	Simple       Mode = "simple"
	ExtendedText Mode = "extended/text"
	ExtendedBin  Mode = "extended/binary"
)

// Answer is what a server said to one statement, in comparable form.
type Answer struct {
	State, Message string // SQLSTATE and message of an error
	Tag            string
	Types          []uint32
	Rows           []string // one per row: values joined with " | ", NULL as NULL
}

func (a Answer) String() string {
	if a.State != "" {
		return "ERROR " + a.State + ": " + a.Message
	}
	rows := a.Rows
	if len(rows) > 5 {
		rows = append(rows[:5:5], fmt.Sprintf("... %d rows", len(a.Rows)))
	}
	return fmt.Sprintf("%s %v [%s]", a.Tag, a.Types, strings.Join(rows, "; "))
}

var typeMap = pgtype.NewMap()

// Run sends sql in mode and reads the answer.
func Run(ctx context.Context, c *pgconn.PgConn, sql string, mode Mode) Answer {
	var res *pgconn.Result
	switch mode {
	case Simple:
		rs, err := c.Exec(ctx, sql).ReadAll()
		if err != nil {
			return errAnswer(err)
		}
		if len(rs) == 0 {
			return Answer{}
		}
		res = rs[len(rs)-1]
	default:
		format := int16(pgtype.TextFormatCode)
		if mode == ExtendedBin {
			format = pgtype.BinaryFormatCode
		}
		res = c.ExecParams(ctx, sql, nil, nil, nil, []int16{format}).Read()
		if res.Err != nil {
			return errAnswer(res.Err)
		}
	}
	a := Answer{Tag: res.CommandTag.String()}
	for _, fd := range res.FieldDescriptions {
		a.Types = append(a.Types, fd.DataTypeOID)
	}
	for _, row := range res.Rows {
		vals := make([]string, len(row))
		for i, v := range row {
			vals[i] = value(res.FieldDescriptions[i], v)
		}
		a.Rows = append(a.Rows, strings.Join(vals, " | "))
	}
	return a
}

func errAnswer(err error) Answer {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return Answer{State: pe.Code, Message: pe.Message}
	}
	return Answer{State: "connection", Message: err.Error()}
}

// value renders one value: text as sent, binary decoded by its type so that two servers'
// encodings compare by meaning.
func value(fd pgconn.FieldDescription, v []byte) string {
	if v == nil {
		return "NULL"
	}
	if fd.Format == pgtype.TextFormatCode {
		return string(v)
	}
	t, ok := typeMap.TypeForOID(fd.DataTypeOID)
	if !ok {
		return "0x" + hex.EncodeToString(v)
	}
	dv, err := t.Codec.DecodeDatabaseSQLValue(typeMap, fd.DataTypeOID, fd.Format, v)
	if err != nil {
		return "undecodable: " + err.Error()
	}
	return fmt.Sprint(dv)
}

// Compare sorts raftplay's answer against PostgreSQL's.
func Compare(pg, rp Answer, ordered bool) Outcome {
	switch {
	case rp.State == "0A000":
		return Refused
	case pg.State != "" || rp.State != "":
		if pg.State == rp.State {
			return Agree
		}
		return Differ
	case pg.Tag != rp.Tag || !slices.Equal(pg.Types, rp.Types):
		return Differ
	}
	a, b := pg.Rows, rp.Rows
	if !ordered {
		a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	}
	if slices.Equal(a, b) {
		return Agree
	}
	return Differ
}
