package wire

import (
	"bytes"
	"encoding/json"
	"errors"
)

// DecodeEvents reads one message of an event stream: a single event (always the hello,
// and every event of an unbatched stream) or an array of them (a batched stream). The
// events are fresh on every call: decoding into a reused slice would keep fields of old
// events that the new ones omit.
func DecodeEvents(msg []byte) ([]Event, error) {
	if trimmed := bytes.TrimLeft(msg, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '[' {
		var evs []Event
		if err := json.Unmarshal(msg, &evs); err != nil {
			return nil, errors.New("unreadable events: " + err.Error())
		}
		return evs, nil
	}
	var ev Event
	if err := json.Unmarshal(msg, &ev); err != nil {
		return nil, errors.New("unreadable event: " + err.Error())
	}
	return []Event{ev}, nil
}
