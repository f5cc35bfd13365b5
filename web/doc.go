// Package web is raftplay's HTTP front end: the JSON API, the WebSocket event streams and
// the browser app's files, served by one Server for whichever API it is given (API). Its
// own API implementation is one node's (NodeAPI); the embedded cluster of `raftplay play`
// brings the other (web/playground).
package web
