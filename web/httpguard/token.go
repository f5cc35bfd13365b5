package httpguard

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
)

// ErrUnauthorized is a request without the server's token, or with a wrong one.
var ErrUnauthorized = node.ErrUnauthorized

// Token is the bearer token requests must carry. The zero Token asks for none.
type Token struct {
	sum [sha256.Size]byte
	set bool
}

// NewToken requires secret; an empty secret requires nothing.
func NewToken(secret string) Token {
	if secret == "" {
		return Token{}
	}
	return Token{sum: sha256.Sum256([]byte(secret)), set: true}
}

// Required reports whether requests must carry a token.
func (t Token) Required() bool { return t.set }

// Check finds the token in the Authorization header ("Bearer <token>") or, on a WebSocket
// upgrade only, in a Sec-WebSocket-Protocol entry (wire.TokenProtocol), which is how a
// browser sends it. Candidates are compared by their SHA-256 in constant time, so neither
// the token's bytes nor its length show in the timing.
func (t Token) Check(r *http.Request) error {
	if !t.set {
		return nil
	}
	var given []string
	if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		given = append(given, strings.TrimSpace(tok))
	}
	if IsWebSocket(r) {
		for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
			for _, entry := range strings.Split(v, ",") {
				if tok, ok := wire.TokenFromProtocol(strings.TrimSpace(entry)); ok {
					given = append(given, tok)
				}
			}
		}
	}
	if len(given) == 0 {
		return fmt.Errorf("%w: this server needs its token (Authorization: Bearer <token>)", ErrUnauthorized)
	}
	for _, g := range given {
		sum := sha256.Sum256([]byte(g))
		if subtle.ConstantTimeCompare(sum[:], t.sum[:]) == 1 {
			return nil
		}
	}
	return fmt.Errorf("%w: wrong token", ErrUnauthorized)
}
