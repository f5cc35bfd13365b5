package sql

import "fmt"

// formatExact is Table.Format for a table whose numerics are stored as this release
// stores them: values with their own digits (12.50, 1E+21), keys by numKey. Earlier
// releases kept numeric as float64, stored a double's shortest text (1e+21) and encoded
// numeric keys as floats; a snapshot of theirs is migrated once when it is restored
// (migrateTable), so that a node that restored an old snapshot and one that replayed the
// same entries hold the same bytes.
const formatExact = 1

func (t *Table) hasNumeric() bool {
	for _, c := range t.Cols {
		if c.Type == TNumeric {
			return true
		}
	}
	return false
}

// markFormat records the current format on a table this release creates or changes.
func (t *Table) markFormat() {
	if t.hasNumeric() {
		t.Format = formatExact
	}
}

// migrateTable rewrites an earlier release's table with numeric columns: every row's
// value in the current stored form, under its current key, and the catalog entry itself
// (whose numeric defaults were JSON numbers). It is deterministic and idempotent; a row
// whose new key is somehow taken stays where it is rather than keep the node from
// starting.
func migrateTable(tx Tx, t *Table) error {
	if t.Format >= formatExact || !t.hasNumeric() {
		return nil
	}
	type move struct{ from, to, raw string }
	var moves []move
	dec := newRowDecoder(t.Cols)
	row := make([]any, len(t.Cols))
	p := rowKeyPrefix(t.Name)
	var decodeErr error
	err := tx.Bunt().AscendRange("", p, prefixEnd(p), func(k, raw string) bool {
		if decodeErr = dec.decodeInto(row, raw); decodeErr != nil {
			return false
		}
		to := k // a hidden rowid key does not depend on the row
		if len(t.PK) > 0 {
			to = t.rowKey(row, 0)
		}
		if now := encodeRow(row); to != k || now != raw {
			moves = append(moves, move{k, to, now})
		}
		return true
	})
	if err == nil {
		err = decodeErr
	}
	if err != nil {
		return fmt.Errorf("migrate %q: %w", t.Name, err)
	}
	for _, m := range moves {
		if err := moveRow(tx, m.from, m.to, m.raw); err != nil {
			return fmt.Errorf("migrate %q: %w", t.Name, err)
		}
	}
	t.Format = formatExact
	return saveTable(tx, t)
}

func moveRow(tx Tx, from, to, raw string) error {
	if from != to {
		if _, taken, err := tx.Get(to); err != nil || taken {
			return err
		}
		if err := tx.Delete(from); err != nil {
			return err
		}
	}
	return tx.Set(to, raw)
}
