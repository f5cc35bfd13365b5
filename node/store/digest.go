package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// digest is an order-independent hash of every (key, value) in the state: the wrapping sum of
// a per-item hash. Adding and removing items updates it in O(1), so every apply can report
// the digest of the whole state without scanning it, and two nodes with equal digests hold
// equal data (up to a 128-bit collision).
type digest struct{ a, b uint64 }

func itemHash(key, value string) digest {
	h := sha256.New()
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(key)))
	h.Write(n[:])
	h.Write([]byte(key))
	h.Write([]byte(value))
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return digest{binary.LittleEndian.Uint64(sum[0:8]), binary.LittleEndian.Uint64(sum[8:16])}
}

func (d *digest) add(x digest) { d.a += x.a; d.b += x.b }
func (d *digest) sub(x digest) { d.a -= x.a; d.b -= x.b }

func (d digest) String() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[0:8], d.a)
	binary.BigEndian.PutUint64(b[8:16], d.b)
	return hex.EncodeToString(b[:])
}
