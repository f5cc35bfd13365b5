// Package pgwire serves the PostgreSQL wire protocol (version 3.0) in front of a raftplay
// node, so psql, pgx, lib/pq, JDBC and psycopg can use any node as a small distributed
// SQL database.
//
// The server speaks the simple and the extended query protocol with text and binary
// formats for the types the SQL engine has, answers the session settings drivers send
// when they connect, maps engine errors to ErrorResponse messages with their SQLSTATE,
// and turns explicit transaction blocks spread over several messages into one atomic
// batch (one Raft log entry) at COMMIT. See docs/pgwire.md for what clients can expect.
//
// Every statement goes through the Backend (a *node.Node): reads run at the session's
// consistency (SET raftplay.consistency), writes are forwarded to the leader by the node.
package pgwire
