package store

import (
	"errors"
	"fmt"

	"github.com/tidwall/buntdb"
)

// Tx is a transaction on the state. Writes go through Set and Delete so the state digest
// follows them; Bunt is the BuntDB transaction for iteration and index management only.
type Tx struct {
	tx    *buntdb.Tx
	delta digest
	neg   digest
}

// Get returns the value under key and whether it exists.
func (t *Tx) Get(key string) (string, bool, error) {
	v, err := t.tx.Get(key)
	if errors.Is(err, buntdb.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("get %q: %w", key, err)
	}
	return v, true, nil
}

// Set stores value under key.
func (t *Tx) Set(key, value string) error {
	prev, replaced, err := t.tx.Set(key, value, nil)
	if err != nil {
		return fmt.Errorf("set %q: %w", key, err)
	}
	if replaced {
		t.neg.add(itemHash(key, prev))
	}
	t.delta.add(itemHash(key, value))
	return nil
}

// Delete removes key; deleting a missing key is not an error.
func (t *Tx) Delete(key string) error {
	prev, err := t.tx.Delete(key)
	if errors.Is(err, buntdb.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	t.neg.add(itemHash(key, prev))
	return nil
}

// Bunt is the underlying BuntDB transaction without its data writes (see BuntView).
func (t *Tx) Bunt() BuntView { return BuntView{tx: t.tx} }
