// Package store owns the replicated state machine: the log record codec, Apply on a BuntDB
// in-memory database, snapshots (BuntDB Save) and restores (a fresh BuntDB + Load), and an
// incremental digest of the whole state so nodes can be compared at a glance.
//
// Key namespaces: "kv/" user keys, "meta/node/" node metadata, "sql/" the SQL engine's
// catalog, rows and indexes. Nothing outside this package writes to the database except
// through a Tx, which keeps the digest: Tx.Bunt hands out the BuntDB transaction only as a
// BuntView, which iterates and manages indexes but cannot write data.
package store
