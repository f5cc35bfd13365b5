// Package sql owns SQL: parse -> check -> plan -> execute on a BuntDB transaction.
//
// Text is parsed only by pg_query_go (the PostgreSQL parser) and only on the node that
// prepares a request. Prepare turns the text into a Batch of checked, resolved statements
// (column positions, types, constants, access paths) that Execute can run without the
// parser, deterministically, on every node's state machine.
//
// Every key the package writes lives under "sql/": the catalog under "sql/c/", rows under
// "sql/r/<table>/". Secondary indexes are BuntDB indexes over a table's row keys.
package sql
