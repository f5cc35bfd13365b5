package sql

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/raftplay/raftplay/node/wire"
)

// AppendResponseJSON appends resp exactly as encoding/json's Encoder writes it (HTML-safe
// string escaping, a trailing newline), without reflection: a large result spends most of
// its encoding time in encoding/json's per-value reflection otherwise. ok is false, and b
// is returned unchanged, when resp holds something this encoder cannot reproduce byte for
// byte (a value other than nil, int64, float64, string or bool, or a non-finite float,
// which encoding/json rejects); the caller then uses encoding/json.
func AppendResponseJSON(b []byte, resp wire.SQLResponse) ([]byte, bool) {
	if !encodable(resp) {
		return b, false
	}
	return appendResponseJSON(b, resp), true
}

// encodable reports whether every row value is one appendWireValue writes.
func encodable(resp wire.SQLResponse) bool {
	for i := range resp.Results {
		for _, row := range resp.Results[i].Rows {
			for _, v := range row {
				switch x := v.(type) {
				case nil, int64, string, bool:
				case float64:
					if math.IsInf(x, 0) || math.IsNaN(x) {
						return false
					}
				default:
					return false
				}
			}
		}
	}
	return true
}

// appendResponseJSON encodes resp, which must be encodable.
func appendResponseJSON(b []byte, resp wire.SQLResponse) []byte {
	b = append(b, `{"results":`...)
	if resp.Results == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range resp.Results {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendResultJSON(b, &resp.Results[i])
		}
		b = append(b, ']')
	}
	if resp.Index != 0 {
		b = append(b, `,"index":`...)
		b = strconv.AppendUint(b, resp.Index, 10)
	}
	if resp.Term != 0 {
		b = append(b, `,"term":`...)
		b = strconv.AppendUint(b, resp.Term, 10)
	}
	b = append(b, `,"node":`...)
	b = appendJSONString(b, resp.Node)
	if resp.TxnDigest != "" {
		b = append(b, `,"txn_digest":`...)
		b = appendJSONString(b, resp.TxnDigest)
	}
	return append(b, '}', '\n')
}

func appendResultJSON(b []byte, r *wire.SQLResult) []byte {
	b = append(b, '{')
	if len(r.Columns) > 0 {
		b = append(b, `"columns":[`...)
		for i, c := range r.Columns {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendJSONString(b, c.Name)
			b = append(b, `,"type":`...)
			b = appendJSONString(b, c.Type)
			b = append(b, '}')
		}
		b = append(b, "],"...)
	}
	if len(r.Rows) > 0 {
		b = append(b, `"rows":[`...)
		for i, row := range r.Rows {
			if i > 0 {
				b = append(b, ',')
			}
			if row == nil {
				b = append(b, "null"...)
				continue
			}
			b = append(b, '[')
			for j, v := range row {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendWireValue(b, v)
			}
			b = append(b, ']')
		}
		b = append(b, "],"...)
	}
	b = append(b, `"rows_affected":`...)
	b = strconv.AppendInt(b, r.RowsAffected, 10)
	b = append(b, `,"command":`...)
	b = appendJSONString(b, r.Command)
	return append(b, '}')
}

// appendWireValue writes one value that encodable accepted.
func appendWireValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case int64:
		return strconv.AppendInt(b, x, 10)
	case string:
		return appendJSONString(b, x)
	case float64:
		return appendJSONFloat(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	}
	return append(b, "null"...)
}

// appendJSONFloat formats a finite f as encoding/json does (ES6 number formatting).
func appendJSONFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 -> e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// jsonSafe marks the ASCII bytes encoding/json copies unescaped when escaping HTML.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		switch c {
		case '"', '\\', '<', '>', '&':
		default:
			t[c] = true
		}
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does with HTML escaping: invalid UTF-8
// becomes \ufffd, and U+2028 and U+2029 are escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
