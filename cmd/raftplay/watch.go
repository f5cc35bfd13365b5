package main

import (
	"context"
	"encoding/json"
	"errors"
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
			if errors.Is(err, context.Canceled) {
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

// describe renders one event as a line: time, seq, node, type, then its data.
func describe(ev wire.Event, color bool) string {
	typ := fmt.Sprintf("%-10s", ev.Type)
	if c, ok := typeColor[ev.Type]; ok && color {
		typ = "\x1b[" + c + "m" + typ + "\x1b[0m"
	}
	var detail string
	switch ev.Type {
	case wire.EventHello:
		var h wire.HelloData
		json.Unmarshal(ev.Data, &h)
		detail = fmt.Sprintf("leader %s, term %d, %d nodes", h.Cluster.Leader, h.Cluster.Term, len(h.Cluster.Nodes))
	case wire.EventRPC:
		var d wire.RPCData
		json.Unmarshal(ev.Data, &d)
		detail = fmt.Sprintf("%s %s→%s term %d entries %d ok %v %dµs", d.RPC, d.From, d.To, d.Term, d.Entries, d.Success, d.LatencyUS)
		if d.Error != "" {
			detail += " error: " + d.Error
		}
	case wire.EventApply:
		var d wire.ApplyData
		json.Unmarshal(ev.Data, &d)
		detail = fmt.Sprintf("#%d %s digest %.8s", d.Index, d.Summary, d.Digest)
	default:
		detail = string(ev.Data)
	}
	return fmt.Sprintf("%s %6d %-4s %s %s", ev.Time.Local().Format(time.TimeOnly+".000"), ev.Seq, ev.Node, typ, detail)
}
