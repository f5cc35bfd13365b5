// Package wire is raftplay's wire vocabulary: the JSON shapes of the HTTP API, the events a
// node emits and the commands it takes. It imports only the standard library so that the
// browser app (GOOS=js) and the command-line clients share it with the server.
package wire
