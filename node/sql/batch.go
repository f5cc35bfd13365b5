package sql

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// batchVersion is the version of the encoded form. Version 2 writes numeric constants as
// their text; version 1 (the release before numeric was exact) wrote a double's text as a
// JSON number, which reads back as the same decimal, so its entries still apply. Anything
// else is rejected.
const (
	batchVersion       = 2
	oldestBatchVersion = 1
)

func knownBatchVersion(v int) bool { return v >= oldestBatchVersion && v <= batchVersion }

// Batch is a checked request: statements resolved against the catalog, parameters bound,
// now() fixed, ready for Execute on any node. It is what goes into the Raft log.
type Batch struct {
	Version int     `json:"v"`
	Text    string  `json:"sql"`            // the request as the client sent it, for display
	Now     string  `json:"now"`            // transaction timestamp (timestamptz text)
	Seed    uint64  `json:"seed,omitempty"` // random() seed
	Stmts   []*Stmt `json:"stmts"`
	Write   bool    `json:"write,omitempty"`
	// Budget is the leader's budget for the batch, which Apply enforces (see Budget).
	Budget *Budget `json:"budget,omitempty"`
}

// ReadOnly reports whether no statement writes.
func (b *Batch) ReadOnly() bool { return !b.Write }

// Encode is the batch's log form: versioned JSON.
func (b *Batch) Encode() ([]byte, error) {
	p, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encode batch: %w", err)
	}
	return p, nil
}

// DecodeBatch reads an encoded batch. It never panics; malformed input is an error.
func DecodeBatch(p []byte) (b *Batch, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, errf(StateProtocol, "malformed batch: %v", r)
		}
	}()
	var out Batch
	dec := json.NewDecoder(bytes.NewReader(p))
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("decode batch: %w", &Error{SQLState: StateProtocol, Message: err.Error()})
	}
	if !knownBatchVersion(out.Version) {
		return nil, errf(StateProtocol, "unsupported batch version %d", out.Version)
	}
	for i, s := range out.Stmts {
		if s == nil {
			return nil, errf(StateProtocol, "statement %d is empty", i+1)
		}
	}
	return &out, nil
}

// Summary is a one-line description for log views, e.g. "INSERT INTO people (2 rows)".
func (b *Batch) Summary() string {
	var parts []string
	for _, s := range b.Stmts {
		if s.Kind == sTag {
			continue
		}
		parts = append(parts, s.summary())
	}
	if len(parts) == 0 {
		for _, s := range b.Stmts {
			parts = append(parts, s.Tag)
		}
	}
	if len(parts) > 3 {
		return fmt.Sprintf("%s; ... (%d statements)", strings.Join(parts[:3], "; "), len(parts))
	}
	return strings.Join(parts, "; ")
}

func (s *Stmt) summary() string {
	switch {
	case s.Insert != nil:
		if s.Insert.Select != nil {
			return "INSERT INTO " + s.Insert.Table.Name + " SELECT"
		}
		n := len(s.Insert.Values)
		if n == 1 {
			return "INSERT INTO " + s.Insert.Table.Name + " (1 row)"
		}
		return fmt.Sprintf("INSERT INTO %s (%d rows)", s.Insert.Table.Name, n)
	case s.Update != nil:
		return "UPDATE " + s.Update.Table.Name
	case s.Delete != nil:
		return "DELETE FROM " + s.Delete.Table.Name
	case s.CreateTable != nil:
		return "CREATE TABLE " + s.CreateTable.Table.Name
	case s.CreateIndex != nil:
		return "CREATE INDEX " + s.CreateIndex.Index.Name + " ON " + s.CreateIndex.Table.Name
	case s.AddColumn != nil:
		return "ALTER TABLE " + s.AddColumn.Table.Name + " ADD COLUMN " + s.AddColumn.Column.Name
	case s.Drop != nil:
		return s.Tag + " " + strings.Join(s.Drop.Names, ", ")
	case s.Query != nil:
		var names []string
		for _, src := range s.Query.From {
			n := src.Table.Name
			if n == "" {
				n = src.Alias
			}
			if src.Virtual != "" {
				n = src.Virtual
			}
			names = append(names, n)
		}
		if len(names) == 0 {
			return s.Tag
		}
		return s.Tag + " FROM " + strings.Join(names, ", ")
	}
	return s.Tag
}
