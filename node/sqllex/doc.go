// Package sqllex owns PostgreSQL's lexical rules as far as raftplay applies them without the
// parser: where quoted strings, quoted identifiers, dollar-quoted strings, comments and
// parameters begin and end, and so where one statement of a request ends and the next
// begins.
//
// Two callers need those rules before any text reaches the SQL parser: the Postgres server
// (node/pgwire) recognises the statements it answers itself and renumbers parameters, and
// the SQL engine's guard (node/sql) splits a request and bounds it, so that nothing the C
// parser could crash on gets to it. They must agree with each other and with the parser
// about statement boundaries, which is why there is one lexer.
//
// The rules are those of PostgreSQL 13 (the parser pg_query_go compiles in) with
// standard_conforming_strings on: backslashes escape only in E'...' strings. Tokens are
// coarse where the callers do not care: an operator is a run of one-byte Op tokens, a
// number is whatever digits, dots and exponent follow each other.
package sqllex
