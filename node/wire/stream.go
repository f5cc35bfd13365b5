package wire

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// HelloData is the first message on an event stream: the full current picture, after which
// only deltas follow. Seq is the sequence number of the last event it accounts for.
type HelloData struct {
	Seq     uint64                `json:"seq"`
	Cluster ClusterStatus         `json:"cluster"`
	Logs    map[string][]LogEntry `json:"logs"`
	Recent  []Event               `json:"recent"`
	Faults  *Faults               `json:"faults,omitempty"`
	// Scenarios are the scripted runs the server can start (POST /v1/control/scenario);
	// empty where it can run none.
	Scenarios []Scenario `json:"scenarios,omitempty"`
}

// History is GET /v1/cluster/events/history: the kept events with After < seq < Before
// that pass the filters, in order. Oldest and Newest are the oldest and newest sequence
// numbers the history keeps (Oldest is Newest+1 while it keeps none).
type History struct {
	Oldest uint64  `json:"oldest"`
	Newest uint64  `json:"newest"`
	Events []Event `json:"events"`
}

// Keyframe is GET /v1/cluster/events/keyframe: the picture of the stream (the hello it
// would send, with no recent events) when it was at sequence number Seq.
type Keyframe struct {
	Seq   uint64    `json:"seq"`
	Time  time.Time `json:"time"`
	Hello HelloData `json:"hello"`
}

// Command is a request sent over an event stream's WebSocket. The answer is a "result"
// event carrying the same ID. Ops: kv.put, kv.get, kv.delete, kv.list, sql, cluster,
// status, and control.<name> (kill, restart, isolate, partition, heal, link, speed,
// add-node, remove-node, transfer-leadership, snapshot, faults) with Body as the control
// endpoint's JSON body.
type Command struct {
	ID          string          `json:"id"`
	Op          string          `json:"op"`
	Node        string          `json:"node,omitempty"` // send to this node (playground)
	Key         string          `json:"key,omitempty"`
	Value       string          `json:"value,omitempty"`
	Encoding    string          `json:"encoding,omitempty"`
	Prev        *string         `json:"prev,omitempty"`
	PrevExists  *bool           `json:"prev_exists,omitempty"`
	Prefix      string          `json:"prefix,omitempty"`
	Consistency string          `json:"consistency,omitempty"`
	SQL         string          `json:"sql,omitempty"`
	Params      []any           `json:"params,omitempty"`
	Body        json.RawMessage `json:"body,omitempty"`
}

// ResultData answers a Command: the HTTP status the same request gets from the HTTP API and
// its JSON answer (Result on success, Error otherwise).
type ResultData struct {
	ID     string          `json:"id"`
	Status int             `json:"status"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *ErrorDetail    `json:"error,omitempty"`
}

// AppendJSON appends the event's JSON encoding to b. It writes the envelope by hand so that
// fanning one event out to many subscribers does not re-validate its data each time.
func (e Event) AppendJSON(b []byte) []byte {
	b = append(b, seqField...)
	b = strconv.AppendUint(b, e.Seq, 10)
	if e.Node != "" {
		b = append(b, `,"node":`...)
		b = appendString(b, e.Node)
	}
	b = append(b, `,"time":"`...)
	b = e.Time.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","type":`...)
	b = appendString(b, e.Type)
	if len(e.Data) > 0 {
		b = append(b, `,"data":`...)
		b = append(b, e.Data...)
	}
	return append(b, '}')
}

// EncodeAs returns the event's JSON with sequence number seq. An event already encoded by
// the stream it came from (a node's, merged into a hub's) only gets its number replaced:
// the rest of the envelope, which seq leads, is copied as it is, so an event is encoded
// once however many streams it passes through.
func (e Event) EncodeAs(seq uint64) []byte {
	if rest, ok := bytes.CutPrefix(e.Encoded, []byte(seqField)); ok {
		if i := bytes.IndexByte(rest, ','); i > 0 {
			b := make([]byte, 0, len(e.Encoded)+8)
			b = append(b, seqField...)
			b = strconv.AppendUint(b, seq, 10)
			return append(b, rest[i:]...)
		}
	}
	e.Seq = seq
	return e.AppendJSON(make([]byte, 0, 96+len(e.Data)))
}

// seqField opens every encoded envelope.
const seqField = `{"seq":`

func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // the rare string that needs escaping
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
