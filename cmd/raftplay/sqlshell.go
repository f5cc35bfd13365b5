package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

const backslashHelp = `General
  \q                quit
  \?                this help
Informational
  \dt               list tables
  \d NAME           describe a table (columns, types, nullability, defaults)
Formatting and timing
  \x                toggle expanded output (one record at a time)
  \timing           toggle timing of each request
Input
  \i FILE           run the statements in FILE
`

// backslash runs one of the shell's backslash commands, as psql names them. Anything
// else is an error and never reaches the server as SQL. It reports whether to quit.
func (c *sqlClient) backslash(ctx context.Context, line string) bool {
	cmd, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch cmd {
	case `\q`:
		return true
	case `\?`:
		fmt.Fprint(c.out, backslashHelp)
	case `\timing`:
		c.timing = !c.timing
		fmt.Fprintf(c.out, "Timing is %s.\n", onOff(c.timing))
	case `\x`:
		c.expanded = !c.expanded
		fmt.Fprintf(c.out, "Expanded display is %s.\n", onOff(c.expanded))
	case `\dt`:
		c.report(c.run(ctx, `SELECT table_schema AS "Schema", table_name AS "Name", 'table' AS "Type" FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`))
	case `\d`:
		if arg == "" {
			return c.backslash(ctx, `\dt`)
		}
		c.report(c.run(ctx, `SELECT column_name AS "Column", type AS "Type", CASE WHEN nullable THEN '' ELSE 'not null' END AS "Nullable", coalesce(default_value, '') AS "Default" FROM raftplay_columns WHERE table_name = `+quoteLiteral(arg)+` ORDER BY position`))
	case `\i`:
		c.include(ctx, arg)
	default:
		fmt.Fprintf(c.out, "invalid command %s\nTry \\? for help.\n", cmd)
	}
	return false
}

func (c *sqlClient) report(err error) {
	if err != nil {
		fmt.Fprintln(c.out, "ERROR:", err)
	}
}

// include runs a file's statements as if typed, up to 16 files deep.
func (c *sqlClient) include(ctx context.Context, path string) {
	if path == "" {
		fmt.Fprintln(c.out, `\i: missing required argument`)
		return
	}
	if c.depth >= 16 {
		fmt.Fprintf(c.out, "%s: too many nested \\i files\n", path)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(c.out, err)
		return
	}
	defer f.Close()
	c.depth++
	defer func() { c.depth-- }()
	c.report(c.shell(ctx, f))
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// historyPath is where the shell keeps its history: $RAFTPLAY_HISTORY, or
// ~/.raftplay_sql_history (psql keeps ~/.psql_history).
func historyPath() string {
	if p := os.Getenv("RAFTPLAY_HISTORY"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".raftplay_sql_history")
}

// fileHistory is the line editor's history, read from a file at start and appended to
// as lines are entered; it keeps the last historyLen lines.
type fileHistory struct {
	path  string
	lines []string // oldest first
}

const historyLen = 1000

func openHistory(path string) *fileHistory {
	h := &fileHistory{path: path}
	if path == "" {
		return h
	}
	if f, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			h.lines = append(h.lines, sc.Text())
		}
		f.Close()
	}
	if len(h.lines) > historyLen {
		h.lines = h.lines[len(h.lines)-historyLen:]
	}
	return h
}

// Add implements term.History: the entry is kept and written at once, so a crash loses
// nothing typed before it.
func (h *fileHistory) Add(entry string) {
	if entry == "" || (len(h.lines) > 0 && h.lines[len(h.lines)-1] == entry) {
		return
	}
	h.lines = append(h.lines, entry)
	if len(h.lines) > historyLen {
		h.lines = h.lines[1:]
	}
	if h.path == "" {
		return
	}
	if f, err := os.OpenFile(h.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
		fmt.Fprintln(f, strings.ReplaceAll(entry, "\n", " "))
		f.Close()
	}
}

// Len implements term.History.
func (h *fileHistory) Len() int { return len(h.lines) }

// At implements term.History: 0 is the newest entry.
func (h *fileHistory) At(idx int) string { return h.lines[len(h.lines)-1-idx] }
