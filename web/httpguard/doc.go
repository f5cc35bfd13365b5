// Package httpguard decides whether an HTTP request may reach the API at all, before any
// handler sees it:
//
//   - Hosts: the Host header must name this server. A DNS rebinding page reaches a server on
//     loopback or a private network under the attacker's own name, and so sends that name.
//   - Origins: a request that changes state must come from the server's own web origin, or
//     from one allowed on purpose. Any page a person visits can send a POST (a no-cors
//     fetch, a form) to any address, and the browser sends it without asking the server.
//   - Token: with a token configured, a request must carry it.
//
// Each check reports what it refuses as an error wrapping ErrUnknownHost, ErrCrossOrigin or
// ErrUnauthorized (node's errors, whose table says what each answer is); the caller decides
// how to answer.
package httpguard
