package wire

import (
	"encoding/base64"
	"strings"
)

// WebSocketProtocol is the subprotocol a server selects when a client offers it; a browser
// offers it next to TokenProtocol, because a browser fails a handshake whose answer names
// none of the subprotocols it offered.
const WebSocketProtocol = "raftplay"

// tokenProtocolPrefix starts the subprotocol entry that carries a bearer token.
const tokenProtocolPrefix = "raftplay.bearer."

// TokenProtocol is the Sec-WebSocket-Protocol entry that carries token on a WebSocket
// upgrade: a browser cannot set an Authorization header on one, but it can offer
// subprotocols. The token is base64url-encoded, since a subprotocol is an HTTP token and a
// secret may hold any byte.
func TokenProtocol(token string) string {
	return tokenProtocolPrefix + base64.RawURLEncoding.EncodeToString([]byte(token))
}

// TokenFromProtocol returns the token a TokenProtocol entry carries.
func TokenFromProtocol(entry string) (string, bool) {
	enc, ok := strings.CutPrefix(entry, tokenProtocolPrefix)
	if !ok {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", false
	}
	return string(b), true
}
