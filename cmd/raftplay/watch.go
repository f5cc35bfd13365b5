package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"nhooyr.io/websocket"

	"github.com/raftplay/raftplay/node/wire"
)

func runWatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("watch", "Print a cluster's live event stream.", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "HTTP address of a node or the playground")
	raw := fs.Bool("json", false, "print the raw JSON lines")
	filter := fs.String("types", "", "comma-separated event types to show (default: all)")
	hb := fs.Bool("heartbeats", false, "show every heartbeat, not only summaries")
	readToken := tokenFlags(fs, "send this bearer token (the one the node was started with)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	token, err := readToken()
	if err != nil {
		return err
	}
	url := "ws://" + strings.TrimPrefix(*addr, "http://") + "/v1/cluster/events?types=" + *filter
	if *hb {
		url += "&heartbeats=all"
	}
	c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: authHeader(token)})
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnauthorized {
			return fmt.Errorf("connect to %s: %w (%s)", *addr, err, tokenHint)
		}
		return fmt.Errorf("connect to %s: %w", *addr, err)
	}
	defer c.CloseNow()
	c.SetReadLimit(32 << 20)
	color := isTTY(stdout)
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			if ctx.Err() != nil { // interrupted or terminated: a clean end
				c.Close(websocket.StatusNormalClosure, "")
				return nil
			}
			if websocket.CloseStatus(err) == websocket.StatusNormalClosure {
				return nil
			}
			return fmt.Errorf("read events: %w", err)
		}
		if *raw {
			fmt.Fprintf(stdout, "%s\n", data)
			continue
		}
		var ev wire.Event
		if json.Unmarshal(data, &ev) != nil {
			continue
		}
		fmt.Fprintln(stdout, describe(ev, color))
	}
}

func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

var typeColor = map[string]string{
	wire.EventState: "33", wire.EventLeader: "1;33", wire.EventRPC: "36", wire.EventLogAppend: "34",
	wire.EventLogDelete: "31", wire.EventCommit: "32", wire.EventApply: "1;32", wire.EventFault: "1;31",
	wire.EventSnapshot: "35", wire.EventMembership: "35", wire.EventVote: "33",
}

// describe renders one event as a line: time, seq, node, type, then its data in words.
func describe(ev wire.Event, color bool) string {
	typ := fmt.Sprintf("%-10s", ev.Type)
	if c, ok := typeColor[ev.Type]; ok && color {
		typ = "\x1b[" + c + "m" + typ + "\x1b[0m"
	}
	detail := string(ev.Data)
	if f, ok := describers[ev.Type]; ok {
		detail = f(ev.Data)
	}
	return fmt.Sprintf("%s %6d %-4s %s %s", ev.Time.Local().Format(time.TimeOnly+".000"), ev.Seq, ev.Node, typ, detail)
}

// describers word each event type's data; a type without one prints its JSON.
var describers = map[string]func(json.RawMessage) string{
	wire.EventHello: as(func(h wire.HelloData) string {
		return fmt.Sprintf("leader %s, term %d, %d nodes", h.Cluster.Leader, h.Cluster.Term, len(h.Cluster.Nodes))
	}),
	wire.EventState: as(func(d wire.StateData) string {
		return fmt.Sprintf("%s → %s in term %d", orDash(d.Prev), d.Role, d.Term)
	}),
	wire.EventLeader: as(func(d wire.LeaderData) string {
		return fmt.Sprintf("leader is %s in term %d", orDash(d.Leader), d.Term)
	}),
	wire.EventLeaderDown: as(func(d wire.LeaderDownData) string {
		return fmt.Sprintf("leader %s of term %d is down (silent %d ms): electing now", d.Leader, d.Term, d.QuietMS)
	}),
	wire.EventRPC: as(func(d wire.RPCData) string {
		s := fmt.Sprintf("%s %s→%s term %d entries %d ok %v %dµs", d.RPC, d.From, d.To, d.Term, d.Entries, d.Success, d.LatencyUS)
		if d.Error != "" {
			s += " error: " + d.Error
		}
		return s
	}),
	wire.EventHeartbeats: as(func(d wire.HeartbeatsData) string {
		s := fmt.Sprintf("%d heartbeats and %d idle appends %s→%s term %d, %d failed, last %dµs", d.Count, d.Appends, d.From, d.To, d.Term, d.Failed, d.LastLatencyUS)
		if !d.LastAt.IsZero() {
			s += ", last contact " + d.LastAt.Local().Format(time.TimeOnly+".000")
		}
		return s
	}),
	wire.EventVote: as(func(d wire.VoteData) string {
		kind := "vote"
		if d.PreVote {
			kind = "pre-vote"
		}
		return fmt.Sprintf("%s for %s in term %d", kind, d.Candidate, d.Term)
	}),
	wire.EventLogAppend: as(func(d wire.LogAppendData) string {
		var parts []string
		for _, e := range d.Entries {
			parts = append(parts, fmt.Sprintf("#%d %s", e.Index, orDash(e.Summary)))
		}
		return fmt.Sprintf("appended %d..%d (term %d): %s", d.First, d.Last, d.Term, strings.Join(parts, ", "))
	}),
	wire.EventLogDelete: as(func(d wire.LogDeleteData) string {
		return fmt.Sprintf("deleted %d..%d %s", d.Min, d.Max, d.Reason)
	}),
	wire.EventCommit: as(func(d wire.CommitData) string { return fmt.Sprintf("committed up to #%d", d.Index) }),
	wire.EventApply: as(func(d wire.ApplyData) string {
		s := fmt.Sprintf("#%d %s digest %.8s", d.Index, d.Summary, d.Digest)
		if d.Error != "" {
			s += " failed: " + d.Error
		}
		return s
	}),
	wire.EventSnapshot: as(func(d wire.SnapshotData) string {
		return fmt.Sprintf("snapshot %s at #%d (term %d, %d bytes)", d.Action, d.Index, d.Term, d.Size)
	}),
	wire.EventMembership: as(func(d wire.MembershipData) string {
		var ids []string
		for _, s := range d.Servers {
			ids = append(ids, s.ID+"("+s.Suffrage+")")
		}
		return strings.TrimSpace(fmt.Sprintf("%s %s: %s", d.Change, d.Node, strings.Join(ids, " ")))
	}),
}

// as decodes an event's data into T for a describer; data that does not decode prints raw.
func as[T any](f func(T) string) func(json.RawMessage) string {
	return func(raw json.RawMessage) string {
		var v T
		if json.Unmarshal(raw, &v) != nil {
			return string(raw)
		}
		return f(v)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
