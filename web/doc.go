// Package web is raftplay's HTTP front end: the JSON API of one node or of a whole
// playground, the embedded cluster that `raftplay play` runs, and (with the event stream)
// the WebSocket endpoints and static assets of the browser app.
package web
