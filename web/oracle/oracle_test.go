package oracle_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/raftplay/raftplay/web/clustertest"
	"github.com/raftplay/raftplay/web/oracle"
)

func TestMain(m *testing.M) { os.Exit(clustertest.RunChecked(m)) }

// sltDir is the sqllogictest corpus beside the project (../shared/slt from its root).
const sltDir = "../../../shared/slt"

// knownFile lists the statements whose answers still differ from PostgreSQL's, one
// "file:line" a line. The test fails on a difference not listed and on a listed statement
// that now agrees, so the list only shrinks.
const knownFile = "testdata/known-differences.txt"

type fileCount struct {
	name                   string
	agree, refused, differ int
}

// TestAnswersAgreeWithPostgres runs every corpus statement on a real PostgreSQL and on a
// raftplay follower, over the simple protocol and, for queries, over the extended protocol
// with text and with binary results, and compares SQLSTATEs, command tags, column types
// and rows.
func TestAnswersAgreeWithPostgres(t *testing.T) {
	pg, err := oracle.StartPostgres(t)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	c := clustertest.Start(t, 3, clustertest.WithPostgres())
	follower := c.Followers()[0]
	corpora := corpusFiles(t)
	known := readKnown(t)
	var counts []fileCount
	var unexpected []string
	seen := map[string]bool{}
	for i, cf := range corpora {
		stmts, err := cf.read()
		if err != nil {
			t.Fatal(err)
		}
		db := fmt.Sprintf("corpus%d", i)
		if err := pg.CreateDatabase(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		pgc := connect(t, pg.DSN(db))
		rpc := connect(t, "postgres://any@"+follower.PGAddr()+"/any?sslmode=disable")
		dropAll(t, rpc)
		fc := fileCount{name: cf.name}
		queries := 0
		for _, st := range stmts {
			extended := false
			if st.Query {
				extended = queries%cf.extendedEvery == 0
				queries++
			}
			outcome, detail := runBoth(pgc, rpc, st, extended)
			switch outcome {
			case oracle.Agree:
				fc.agree++
			case oracle.Refused:
				fc.refused++
			case oracle.Differ:
				fc.differ++
				seen[st.Where()] = true
				if !known[st.Where()] {
					unexpected = append(unexpected, st.Where()+": "+oneLine(st.SQL)+"\n"+detail)
				}
			}
		}
		pgc.Close(context.Background())
		rpc.Close(context.Background())
		counts = append(counts, fc)
	}
	report(t, counts)
	writeKnown(t, seen)
	for i, u := range unexpected {
		if i == 40 {
			t.Errorf("... and %d more", len(unexpected)-40)
			break
		}
		t.Errorf("differs from PostgreSQL: %s", u)
	}
	for w := range known {
		if !seen[w] && corporaCover(corpora, w) {
			t.Errorf("%s now agrees with PostgreSQL (or is refused): remove it from %s", w, knownFile)
		}
	}
}

// runBoth runs one statement on both servers over the simple protocol and, when extended
// is set, over the extended protocol with text and binary results, and returns the worst
// outcome, with both answers when they differ.
func runBoth(pgc, rpc *pgconn.PgConn, st oracle.Statement, extended bool) (oracle.Outcome, string) {
	modes := []oracle.Mode{oracle.Simple}
	if extended && !strings.Contains(strings.ToUpper(st.SQL), "RETURNING") {
		modes = append(modes, oracle.ExtendedText, oracle.ExtendedBin)
	}
	worst, detail := oracle.Agree, ""
	for _, m := range modes {
		pa := oracle.Run(context.Background(), pgc, st.SQL, m)
		ra := oracle.Run(context.Background(), rpc, st.SQL, m)
		if o := oracle.Compare(pa, ra, st.Ordered); o > worst {
			worst, detail = o, fmt.Sprintf("  %s\n  postgres: %s\n  raftplay: %s", m, pa, ra)
		}
	}
	return worst, detail
}

type corpusFile struct {
	name string
	read func() ([]oracle.Statement, error)
	// extendedEvery: every n-th query also runs over the extended protocol. The project's
	// corpus runs every query in every mode; the sqllogictest files, tens of thousands of
	// queries, one in ten (about a minute instead of five).
	extendedEvery int
}

// corpusFiles are the project's own corpus files and the sqllogictest files named by
// RAFTPLAY_ORACLE_SLT (comma-separated paths under ../shared/slt; default: the core files
// select1.test ... select5.test and the random/ files; "none" for none). All of them take
// about 4.5 minutes on two cores, select1-5 about 2.5 of those (select5's joins of up to
// 64 tables are mostly PostgreSQL planning them).
func corpusFiles(t *testing.T) []corpusFile {
	own, _ := filepath.Glob("testdata/*.sql")
	sort.Strings(own)
	var out []corpusFile
	for _, p := range own {
		name := filepath.Base(p)
		out = append(out, corpusFile{name, func() ([]oracle.Statement, error) { return oracle.ReadSQL(p, name) }, 1})
	}
	sel := os.Getenv("RAFTPLAY_ORACLE_SLT")
	var slt []string
	switch sel {
	case "none":
	case "":
		slt, _ = filepath.Glob(filepath.Join(sltDir, "select[1-5].test"))
		random, _ := filepath.Glob(filepath.Join(sltDir, "random", "*.test"))
		slt = append(slt, random...)
	default:
		for _, s := range strings.Split(sel, ",") {
			slt = append(slt, filepath.Join(sltDir, s))
		}
	}
	if len(slt) == 0 && sel != "none" {
		t.Fatalf("no sqllogictest files at %s (the corpus is expected beside the project)", sltDir)
	}
	for _, p := range slt {
		name, _ := filepath.Rel(sltDir, p)
		out = append(out, corpusFile{"slt/" + name, func() ([]oracle.Statement, error) { return oracle.ReadSLT(p, "slt/"+name) }, 10})
	}
	return out
}

func corporaCover(cs []corpusFile, where string) bool {
	file, _, _ := strings.Cut(where, ":")
	return slices.ContainsFunc(cs, func(c corpusFile) bool { return c.name == file })
}

func connect(t *testing.T, dsn string) *pgconn.PgConn {
	t.Helper()
	c, err := pgconn.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	// A corpus query that runs away is a difference, not a hung test.
	if _, err := c.Exec(context.Background(), "SET statement_timeout = 10000").ReadAll(); err != nil {
		t.Fatal(err)
	}
	return c
}

// dropAll empties raftplay between corpus files (sqllogictest files reuse table names).
func dropAll(t *testing.T, c *pgconn.PgConn) {
	t.Helper()
	a := oracle.Run(context.Background(), c, "SELECT name FROM raftplay_tables", oracle.Simple)
	if a.State != "" {
		t.Fatal(a)
	}
	for _, name := range a.Rows {
		if a := oracle.Run(context.Background(), c, "DROP TABLE "+name, oracle.Simple); a.State != "" {
			t.Fatal(a)
		}
	}
}

func readKnown(t *testing.T) map[string]bool {
	known := map[string]bool{}
	f, err := os.Open(knownFile)
	if os.IsNotExist(err) {
		return known
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			known[l] = true
		}
	}
	return known
}

// writeKnown rewrites the list from this run when RAFTPLAY_ORACLE_WRITE_KNOWN is set.
func writeKnown(t *testing.T, seen map[string]bool) {
	if os.Getenv("RAFTPLAY_ORACLE_WRITE_KNOWN") == "" {
		return
	}
	var lines []string
	for w := range seen {
		lines = append(lines, w)
	}
	sort.Strings(lines)
	body := "# Statements whose answers still differ from PostgreSQL's (see web/oracle).\n" + strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(knownFile, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func report(t *testing.T, counts []fileCount) {
	var b strings.Builder
	b.WriteString("| file | agree | refused (0A000) | differ |\n|---|---|---|---|\n")
	for _, c := range counts {
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", c.name, c.agree, c.refused, c.differ)
	}
	t.Logf("answers against PostgreSQL:\n%s", b.String())
	if p := os.Getenv("RAFTPLAY_ORACLE_REPORT"); p != "" {
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		s = s[:160] + "..."
	}
	return s
}
