package store

import "github.com/tidwall/buntdb"

// BuntView is a BuntDB transaction with its data writes taken away: it iterates, and it
// creates and drops indexes. Indexes are derived from the data (a snapshot does not keep
// them; the restore hook rebuilds them), so they are not part of the digest; every change
// to the data goes through Tx.Set and Tx.Delete, which keep it. Tx.Bunt is the only way
// to the state's BuntDB transaction, so nothing can write around the digest.
type BuntView struct{ tx *buntdb.Tx }

// NewBuntView is the view of a transaction on some other BuntDB database (a read copy, a
// test's), for code that runs on the state and on such databases alike.
func NewBuntView(tx *buntdb.Tx) BuntView { return BuntView{tx: tx} }

// Ascend calls iter for every item of index ("" for the keys) in ascending order until it
// returns false.
func (v BuntView) Ascend(index string, iter func(key, value string) bool) error {
	return v.tx.Ascend(index, iter)
}

// AscendGreaterOrEqual is Ascend from pivot on.
func (v BuntView) AscendGreaterOrEqual(index, pivot string, iter func(key, value string) bool) error {
	return v.tx.AscendGreaterOrEqual(index, pivot, iter)
}

// AscendRange is Ascend over [greaterOrEqual, lessThan).
func (v BuntView) AscendRange(index, greaterOrEqual, lessThan string, iter func(key, value string) bool) error {
	return v.tx.AscendRange(index, greaterOrEqual, lessThan, iter)
}

// Descend calls iter for every item of index in descending order until it returns false.
func (v BuntView) Descend(index string, iter func(key, value string) bool) error {
	return v.tx.Descend(index, iter)
}

// DescendLessOrEqual is Descend from pivot down.
func (v BuntView) DescendLessOrEqual(index, pivot string, iter func(key, value string) bool) error {
	return v.tx.DescendLessOrEqual(index, pivot, iter)
}

// DescendRange is Descend over (greaterThan, lessOrEqual].
func (v BuntView) DescendRange(index, lessOrEqual, greaterThan string, iter func(key, value string) bool) error {
	return v.tx.DescendRange(index, lessOrEqual, greaterThan, iter)
}

// CreateIndex indexes the keys matching pattern, ordered by less (buntdb.ErrIndexExists
// if the name is taken).
func (v BuntView) CreateIndex(name, pattern string, less ...func(a, b string) bool) error {
	return v.tx.CreateIndex(name, pattern, less...)
}

// DropIndex removes an index (buntdb.ErrNotFound if there is none of that name).
func (v BuntView) DropIndex(name string) error { return v.tx.DropIndex(name) }
