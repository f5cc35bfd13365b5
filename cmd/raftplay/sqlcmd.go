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
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/raftplay/raftplay/node/wire"
)

const sqlHelp = `Run SQL against any node (writes are forwarded to the leader):
  raftplay sql [flags] "statement; ..."   one request
  raftplay sql [flags] < file.sql         statements from a file or a pipe
  raftplay sql [flags]                     a shell: statements end with ';', \? lists the
                                           backslash commands, history is kept in
                                           $RAFTPLAY_HISTORY (default ~/.raftplay_sql_history)`

func runSQLCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("sql", sqlHelp, stderr)
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
	return client.shell(ctx, stdin)
}

// terminalShell is the shell on a terminal: line editing and history (arrow keys) come from
// golang.org/x/term's line editor; history is kept in a file between runs.
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
	t.History = openHistory(historyPath())
	c.out = t
	fmt.Fprintf(t, "raftplay sql on %s (\\? for help, \\q to quit)\n", c.addr)
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
	if stmt.Len() == 0 && (line == "quit" || line == "exit") {
		return true
	}
	if strings.HasPrefix(line, `\`) {
		return c.backslash(ctx, line)
	}
	if line == "" && stmt.Len() == 0 {
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
	timing, expanded         bool
	out                      io.Writer
	depth                    int // \i nesting, bounded so a file that includes itself ends
}

// shell reads statements from a file or a pipe: no banner and no prompts, as psql does
// when its input is not a terminal.
func (c *sqlClient) shell(ctx context.Context, in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var stmt strings.Builder
	for sc.Scan() {
		if c.feed(ctx, &stmt, sc.Text()) {
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if strings.TrimSpace(stmt.String()) != "" { // a last statement without its ';'
		return c.run(ctx, stmt.String())
	}
	return nil
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
		printResult(c.out, r, c.expanded)
	}
	if c.timing {
		fmt.Fprintf(c.out, "Time: %.3f ms (node %s, index %d)\n", float64(elapsed.Microseconds())/1000, out.Node, out.Index)
	}
	return nil
}

// printResult prints rows as an aligned table, like psql (numbers right-aligned), or one
// record at a time when expanded; then the row count, or the command tag.
func printResult(w io.Writer, r wire.SQLResult, expanded bool) {
	if len(r.Columns) == 0 {
		fmt.Fprintln(w, r.Command)
		return
	}
	cells := make([][]string, len(r.Rows))
	for i, row := range r.Rows {
		cells[i] = make([]string, len(r.Columns))
		for j := range cells[i] {
			if j < len(row) && row[j] != nil {
				cells[i][j] = fmt.Sprint(row[j])
			}
		}
	}
	if expanded {
		printExpanded(w, r.Columns, cells)
	} else {
		printTable(w, r.Columns, cells)
	}
	noun := "rows"
	if len(r.Rows) == 1 {
		noun = "row"
	}
	fmt.Fprintf(w, "(%d %s)\n\n", len(r.Rows), noun)
}

func printTable(w io.Writer, cols []wire.SQLColumn, cells [][]string) {
	width := make([]int, len(cols))
	for i, c := range cols {
		width[i] = utf8.RuneCountInString(c.Name)
	}
	for _, row := range cells {
		for j, s := range row {
			width[j] = max(width[j], utf8.RuneCountInString(s))
		}
	}
	var head, rule []string
	for i, c := range cols {
		head = append(head, " "+center(c.Name, width[i])+" ")
		rule = append(rule, strings.Repeat("-", width[i]+2))
	}
	fmt.Fprintln(w, strings.Join(head, "|"))
	fmt.Fprintln(w, strings.Join(rule, "+"))
	for _, row := range cells {
		line := make([]string, len(row))
		for j, s := range row {
			line[j] = " " + pad(s, width[j], isNumericType(cols[j].Type)) + " "
		}
		fmt.Fprintln(w, strings.TrimRight(strings.Join(line, "|"), " "))
	}
}

func printExpanded(w io.Writer, cols []wire.SQLColumn, cells [][]string) {
	nameWidth := 0
	for _, c := range cols {
		nameWidth = max(nameWidth, utf8.RuneCountInString(c.Name))
	}
	for i, row := range cells {
		fmt.Fprintf(w, "-[ RECORD %d ]%s\n", i+1, strings.Repeat("-", nameWidth))
		for j, s := range row {
			fmt.Fprintf(w, "%s | %s\n", pad(cols[j].Name, nameWidth, false), s)
		}
	}
}

// isNumericType: the columns psql right-aligns.
func isNumericType(t string) bool {
	switch t {
	case "smallint", "integer", "bigint", "numeric", "real", "double precision":
		return true
	}
	return false
}

func pad(s string, width int, right bool) string {
	fill := strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s)))
	if right {
		return fill + s
	}
	return s + fill
}

func center(s string, width int) string {
	n := max(0, width-utf8.RuneCountInString(s))
	return strings.Repeat(" ", n/2) + s + strings.Repeat(" ", n-n/2)
}
