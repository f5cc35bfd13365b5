package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/raftplay/raftplay/node/wire"
)

func runSQLCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("sql", "Run SQL against any node (writes are forwarded to the leader):\n  raftplay sql [flags] \"statement; ...\"   one request\n  raftplay sql [flags]                     a shell (line editing and history on a terminal): statements end with ';', \\timing toggles timing, \\q quits", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "HTTP address of a node or the playground")
	consistency := fs.String("consistency", "leader", "read consistency: local, leader or linearizable")
	readToken := tokenFlags(fs, "send this bearer token (the one the node was started with)")
	if err := parseFlagsAndArgs(fs, args); err != nil {
		return err
	}
	token, err := readToken()
	if err != nil {
		return err
	}
	client := &sqlClient{addr: strings.TrimPrefix(*addr, "http://"), consistency: *consistency, token: token, out: stdout}
	if fs.NArg() > 0 {
		return client.run(ctx, strings.Join(fs.Args(), " "))
	}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return client.terminalShell(ctx, f, stdout)
	}
	return client.shell(ctx, stdin, stderr)
}

// terminalShell is the shell on a terminal: line editing and history (arrow keys) come from
// golang.org/x/term's line editor.
func (c *sqlClient) terminalShell(ctx context.Context, in *os.File, out io.Writer) error {
	old, err := term.MakeRaw(int(in.Fd()))
	if err != nil {
		return fmt.Errorf("terminal: %w", err)
	}
	defer term.Restore(int(in.Fd()), old)
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{in, out}, "raftplay=> ")
	c.out = t
	fmt.Fprintf(t, "raftplay sql on %s (\\q to quit)\n", c.addr)
	var stmt strings.Builder
	for {
		line, err := t.ReadLine()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if done := c.feed(ctx, &stmt, line); done {
			return nil
		}
		if stmt.Len() == 0 {
			t.SetPrompt("raftplay=> ")
		} else {
			t.SetPrompt("raftplay-> ")
		}
	}
}

// feed takes one line of input: a backslash command, or part of a statement that runs once
// it ends with ';'. It reports whether the user asked to quit.
func (c *sqlClient) feed(ctx context.Context, stmt *strings.Builder, line string) bool {
	line = strings.TrimSpace(line)
	switch {
	case stmt.Len() == 0 && (line == `\q` || line == "quit" || line == "exit"):
		return true
	case stmt.Len() == 0 && line == `\timing`:
		c.timing = !c.timing
		fmt.Fprintf(c.out, "Timing is %s.\n", map[bool]string{true: "on", false: "off"}[c.timing])
		return false
	}
	stmt.WriteString(line)
	stmt.WriteString("\n")
	if strings.HasSuffix(line, ";") {
		if err := c.run(ctx, stmt.String()); err != nil {
			fmt.Fprintln(c.out, "ERROR:", err)
		}
		stmt.Reset()
	}
	return false
}

type sqlClient struct {
	addr, consistency, token string
	timing                   bool
	out                      io.Writer
}

func (c *sqlClient) shell(ctx context.Context, in io.Reader, prompt io.Writer) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var stmt strings.Builder
	fmt.Fprintf(prompt, "raftplay sql on %s (\\q to quit)\n", c.addr)
	for {
		if stmt.Len() == 0 {
			fmt.Fprint(prompt, "raftplay=> ")
		} else {
			fmt.Fprint(prompt, "raftplay-> ")
		}
		if !sc.Scan() {
			return sc.Err()
		}
		if c.feed(ctx, &stmt, sc.Text()) {
			return nil
		}
	}
}

func (c *sqlClient) run(ctx context.Context, text string) error {
	body, _ := json.Marshal(wire.SQLRequest{SQL: text, Consistency: c.consistency})
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+c.addr+"/v1/sql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("send to %s: %w", c.addr, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	elapsed := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		var eb wire.ErrorBody
		if json.Unmarshal(raw, &eb) != nil {
			return fmt.Errorf("%s: %s", resp.Status, raw)
		}
		if eb.Error.SQLState != "" {
			return fmt.Errorf("%s (SQLSTATE %s)", eb.Error.Message, eb.Error.SQLState)
		}
		if resp.StatusCode == http.StatusUnauthorized {
			return fmt.Errorf("%s (%s)", eb.Error.Message, tokenHint)
		}
		return fmt.Errorf("%s", eb.Error.Message)
	}
	var out wire.SQLResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	for _, r := range out.Results {
		printResult(c.out, r)
	}
	if c.timing {
		fmt.Fprintf(c.out, "Time: %.3f ms (node %s, index %d)\n", float64(elapsed.Microseconds())/1000, out.Node, out.Index)
	}
	return nil
}

// printResult prints rows as an aligned table, like psql, then the command tag.
func printResult(w io.Writer, r wire.SQLResult) {
	if len(r.Columns) == 0 {
		fmt.Fprintln(w, r.Command)
		return
	}
	cells := make([][]string, len(r.Rows))
	width := make([]int, len(r.Columns))
	for i, c := range r.Columns {
		width[i] = len(c.Name)
	}
	for i, row := range r.Rows {
		cells[i] = make([]string, len(row))
		for j, v := range row {
			s := ""
			if v != nil {
				s = fmt.Sprint(v)
			}
			cells[i][j] = s
			if j < len(width) && len(s) > width[j] {
				width[j] = len(s)
			}
		}
	}
	var head, rule []string
	for i, c := range r.Columns {
		head = append(head, fmt.Sprintf(" %-*s ", width[i], c.Name))
		rule = append(rule, strings.Repeat("-", width[i]+2))
	}
	fmt.Fprintln(w, strings.Join(head, "|"))
	fmt.Fprintln(w, strings.Join(rule, "+"))
	for _, row := range cells {
		var line []string
		for j, s := range row {
			if j < len(width) {
				line = append(line, fmt.Sprintf(" %-*s ", width[j], s))
			}
		}
		fmt.Fprintln(w, strings.Join(line, "|"))
	}
	noun := "rows"
	if len(r.Rows) == 1 {
		noun = "row"
	}
	fmt.Fprintf(w, "(%d %s)\n\n", len(r.Rows), noun)
}
