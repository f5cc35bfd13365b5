package pgwire

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL uses it: without channel binding, the
// user name in the exchange ignored in favour of the startup message's.

const scramIterations = 4096

// scramVerifier holds what a server stores for a password: the salt and the derived keys,
// computed once per server so connecting does not cost a key derivation.
type scramVerifier struct {
	salt      []byte
	storedKey []byte
	serverKey []byte
}

func newSCRAMVerifier(password string) *scramVerifier {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	salted, err := pbkdf2.Key(sha256.New, password, salt, scramIterations, sha256.Size)
	if err != nil {
		// Only possible for parameters outside FIPS limits, which these are not.
		panic(fmt.Sprintf("pgwire: derive SCRAM key: %v", err))
	}
	clientKey := hmacSHA256(salted, "Client Key")
	stored := sha256.Sum256(clientKey)
	return &scramVerifier{salt: salt, storedKey: stored[:], serverKey: hmacSHA256(salted, "Server Key")}
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// scramExchange is one conversation's state.
type scramExchange struct {
	v           *scramVerifier
	clientFirst string // client-first-message-bare
	serverFirst string
	nonce       string
}

var errSCRAM = errors.New("malformed SCRAM message")

// first answers the client-first-message with the server-first-message.
func (x *scramExchange) first(msg string) (string, error) {
	// gs2-header: "n,," (no channel binding) or "y,," (client could but thinks we cannot).
	gs2, rest, ok := strings.Cut(msg, ",")
	if !ok || (gs2 != "n" && gs2 != "y") {
		return "", fmt.Errorf("%w: channel binding is not supported", errSCRAM)
	}
	authzid, bare, ok := strings.Cut(rest, ",")
	if !ok || authzid != "" {
		return "", errSCRAM
	}
	var cnonce string
	for _, attr := range strings.Split(bare, ",") {
		if v, ok := strings.CutPrefix(attr, "r="); ok {
			cnonce = v
		}
	}
	if cnonce == "" {
		return "", errSCRAM
	}
	snonce := make([]byte, 18)
	_, _ = rand.Read(snonce)
	x.clientFirst = bare
	x.nonce = cnonce + base64.StdEncoding.EncodeToString(snonce)
	x.serverFirst = fmt.Sprintf("r=%s,s=%s,i=%d", x.nonce, base64.StdEncoding.EncodeToString(x.v.salt), scramIterations)
	return x.serverFirst, nil
}

// final checks the client-final-message's proof and returns the server-final-message.
func (x *scramExchange) final(msg string) (string, error) {
	withoutProof, proofB64, ok := strings.Cut(msg, ",p=")
	if !ok {
		return "", errSCRAM
	}
	var nonce, cb string
	for _, attr := range strings.Split(withoutProof, ",") {
		if v, ok := strings.CutPrefix(attr, "r="); ok {
			nonce = v
		} else if v, ok := strings.CutPrefix(attr, "c="); ok {
			cb = v
		}
	}
	if nonce != x.nonce || (cb != "biws" && cb != "eSws") { // base64 of "n,," and "y,,"
		return "", errSCRAM
	}
	proof, err := base64.StdEncoding.DecodeString(proofB64)
	if err != nil || len(proof) != sha256.Size {
		return "", errSCRAM
	}
	authMessage := x.clientFirst + "," + x.serverFirst + "," + withoutProof
	sig := hmacSHA256(x.v.storedKey, authMessage)
	clientKey := make([]byte, len(proof))
	for i := range proof {
		clientKey[i] = proof[i] ^ sig[i]
	}
	got := sha256.Sum256(clientKey)
	if subtle.ConstantTimeCompare(got[:], x.v.storedKey) != 1 {
		return "", errBadPassword
	}
	return "v=" + base64.StdEncoding.EncodeToString(hmacSHA256(x.v.serverKey, authMessage)), nil
}

var errBadPassword = errors.New("password authentication failed")
