package store

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// CommandVersion is the version of the log record this build writes. Apply refuses records
// from a newer version rather than guessing at them.
const CommandVersion = 1

// Ops a command can carry.
const (
	OpPut      = "kv.put"
	OpDelete   = "kv.delete"
	OpNodeMeta = "node.meta"
	OpNodeGone = "node.gone"
	OpSQL      = "sql"
	// OpSQLTxn is an interactive transaction block's COMMIT: a SQL batch that applies
	// only if its results are still those its client saw (Expect).
	OpSQLTxn = "sql.txn"
	OpBatch  = "batch"
)

// maxExpectBytes bounds Expect (a hex SHA-256 is 64).
const maxExpectBytes = 128

// MaxBatch bounds the commands of one batch entry.
const MaxBatch = 1024

// MaxKeyBytes and MaxValueBytes bound a key and a value in a command. Apply refuses a command
// over them from its bytes alone, so even an entry that reached the log without the node's
// checks fails the same way everywhere; the HTTP body limit (--max-body) is lower still.
const (
	MaxKeyBytes   = 1024
	MaxValueBytes = 64 << 20
)

// Command is one record in the raft log. It is JSON so that a person looking at a node's log
// can read it; binary values travel as base64 (ValueB64) because JSON strings cannot hold
// arbitrary bytes.
type Command struct {
	V  int    `json:"v"`
	Op string `json:"op"`

	Key      string `json:"key,omitempty"`
	Value    string `json:"value,omitempty"`
	ValueB64 string `json:"value_b64,omitempty"`
	// Compare-and-set: Prev must equal the current value; PrevExists false requires absence.
	Prev       *string `json:"prev,omitempty"`
	PrevExists *bool   `json:"prev_exists,omitempty"`

	Node *NodeMeta `json:"node,omitempty"`

	// SQL carries the checked statement batch in the SQL engine's own encoding.
	SQL json.RawMessage `json:"sql,omitempty"`
	// Expect is, for OpSQLTxn, the digest of the results the block's client was given.
	Expect string `json:"expect,omitempty"`

	// Cmds are the independent commands of a batch (group commit): each applies in its own
	// transaction and has its own result, so one failing does not undo the others.
	Cmds []Command `json:"cmds,omitempty"`
}

// NodeMeta is what every member publishes about itself in the replicated state, so that any
// node can reach any other node's HTTP API (to forward writes) and Postgres listener.
type NodeMeta struct {
	ID       string `json:"id"`
	HTTPAddr string `json:"http_addr"`
	PGAddr   string `json:"pg_addr,omitempty"`
}

// ErrBadCommand is returned for a log record that cannot be decoded or has an unknown op.
var ErrBadCommand = errors.New("bad command")

// PutCommand builds a put of value under key, choosing the text or base64 form.
func PutCommand(key string, value []byte) Command {
	c := Command{V: CommandVersion, Op: OpPut, Key: key}
	c.setValue(value)
	return c
}

func (c *Command) setValue(v []byte) {
	if utf8.Valid(v) {
		c.Value = string(v)
		return
	}
	c.ValueB64 = base64.StdEncoding.EncodeToString(v)
}

// Bytes returns the value the command carries.
func (c *Command) Bytes() ([]byte, error) {
	if c.ValueB64 == "" {
		return []byte(c.Value), nil
	}
	b, err := base64.StdEncoding.DecodeString(c.ValueB64)
	if err != nil {
		return nil, fmt.Errorf("%w: value_b64: %v", ErrBadCommand, err)
	}
	return b, nil
}

// Encode returns the log form of c.
func (c Command) Encode() ([]byte, error) {
	if c.V == 0 {
		c.V = CommandVersion
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode command: %w", err)
	}
	return b, nil
}

// DecodeCommand parses a log record. It never panics; anything it does not understand is
// ErrBadCommand.
func DecodeCommand(p []byte) (Command, error) {
	var c Command
	if err := json.Unmarshal(p, &c); err != nil {
		return Command{}, fmt.Errorf("%w: %v", ErrBadCommand, err)
	}
	if c.V < 1 || c.V > CommandVersion {
		return Command{}, fmt.Errorf("%w: version %d", ErrBadCommand, c.V)
	}
	if err := c.validate(true); err != nil {
		return Command{}, err
	}
	return c, nil
}

func (c *Command) validate(top bool) error {
	switch c.Op {
	case OpPut, OpDelete:
		if c.Key == "" {
			return fmt.Errorf("%w: %s without key", ErrBadCommand, c.Op)
		}
		if len(c.Key) > MaxKeyBytes {
			return fmt.Errorf("%w: key of %d bytes, more than %d", ErrBadCommand, len(c.Key), MaxKeyBytes)
		}
		if n := max(len(c.Value), len(c.ValueB64)*3/4); n > MaxValueBytes {
			return fmt.Errorf("%w: value of %d bytes, more than %d", ErrBadCommand, n, MaxValueBytes)
		}
	case OpNodeMeta:
		if c.Node == nil || c.Node.ID == "" {
			return fmt.Errorf("%w: node.meta without node", ErrBadCommand)
		}
	case OpNodeGone:
		if c.Key == "" {
			return fmt.Errorf("%w: node.gone without id", ErrBadCommand)
		}
	case OpSQL:
		if len(c.SQL) == 0 {
			return fmt.Errorf("%w: sql without statements", ErrBadCommand)
		}
	case OpSQLTxn:
		if len(c.SQL) == 0 || c.Expect == "" || len(c.Expect) > maxExpectBytes {
			return fmt.Errorf("%w: sql.txn needs statements and an expected digest of at most %d bytes", ErrBadCommand, maxExpectBytes)
		}
	case OpBatch:
		if !top {
			return fmt.Errorf("%w: nested batch", ErrBadCommand)
		}
		if len(c.Cmds) == 0 || len(c.Cmds) > MaxBatch {
			return fmt.Errorf("%w: batch of %d commands", ErrBadCommand, len(c.Cmds))
		}
		for i := range c.Cmds {
			if err := c.Cmds[i].validate(false); err != nil {
				return fmt.Errorf("batch command %d: %w", i, err)
			}
		}
	default:
		return fmt.Errorf("%w: unknown op %q", ErrBadCommand, c.Op)
	}
	return nil
}

// Summary is a short readable line for a log view.
func (c Command) Summary() string {
	switch c.Op {
	case OpPut:
		v := c.Value
		if c.ValueB64 != "" {
			v = "<" + fmt.Sprint(base64.StdEncoding.DecodedLen(len(c.ValueB64))) + " bytes>"
		}
		s := "PUT " + c.Key + " = " + clip(v, 40)
		if c.Prev != nil {
			s += " if = " + clip(*c.Prev, 20)
		} else if c.PrevExists != nil && !*c.PrevExists {
			s += " if absent"
		}
		return s
	case OpDelete:
		return "DELETE " + c.Key
	case OpNodeMeta:
		return "NODE " + c.Node.ID + " http=" + c.Node.HTTPAddr
	case OpNodeGone:
		return "NODE " + c.Key + " removed"
	case OpSQL:
		return "SQL"
	case OpSQLTxn:
		return "SQL transaction"
	case OpBatch:
		return fmt.Sprintf("BATCH of %d: %s", len(c.Cmds), c.Cmds[0].Summary())
	}
	return c.Op
}

func clip(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) <= n {
		return s
	}
	// cut on a rune boundary
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
