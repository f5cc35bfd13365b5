package sql

import "fmt"

// keysExact is Table.Keys for a table whose row keys encode numeric primary key values
// exactly (numKey). Earlier releases kept numeric as float64 and encoded its keys as
// floats; a snapshot of theirs is re-keyed once when it is restored (migrateKeys).
const keysExact = 1

func (t *Table) hasNumericKey() bool {
	for _, p := range t.PK {
		if p >= 0 && p < len(t.Cols) && t.Cols[p].Type == TNumeric {
			return true
		}
	}
	return false
}

// migrateKeys moves the rows of a table with a numeric primary key from float-encoded
// keys to exact ones. It is deterministic (every node migrating the same snapshot writes
// the same keys) and idempotent; a row whose new key is somehow taken stays where it is
// rather than keep the node from starting.
func migrateKeys(tx Tx, t *Table) error {
	if t.Keys >= keysExact || !t.hasNumericKey() {
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
		if to := t.rowKey(row, 0); to != k {
			moves = append(moves, move{k, to, raw})
		}
		return true
	})
	if err == nil {
		err = decodeErr
	}
	if err != nil {
		return fmt.Errorf("migrate keys of %q: %w", t.Name, err)
	}
	for _, m := range moves {
		if _, taken, err := tx.Get(m.to); err != nil || taken {
			continue
		}
		if err := tx.Delete(m.from); err != nil {
			return fmt.Errorf("migrate keys of %q: %w", t.Name, err)
		}
		if err := tx.Set(m.to, m.raw); err != nil {
			return fmt.Errorf("migrate keys of %q: %w", t.Name, err)
		}
	}
	t.Keys = keysExact
	return saveTable(tx, t)
}
