package pgwire_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pgbenchPath finds pgbench: on PATH or in Debian's postgresql server package.
func pgbenchPath(t *testing.T) string {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p
	}
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench"); len(m) > 0 {
		return m[len(m)-1]
	}
	if os.Getenv("CI") != "" {
		t.Fatal("pgbench is not installed (CI installs postgresql)")
	}
	t.Skip("pgbench is not installed")
	return ""
}

// TestPGBench runs pgbench's TPC-B transaction from 4 clients against a follower for a
// few seconds. pgbench -i needs TRUNCATE and COPY, so the tables are made by hand. Every
// transaction pgbench counts as done must be in the history, the balances must add up
// to the history's deltas, and the only failures allowed are serialization failures.
func TestPGBench(t *testing.T) {
	bench := pgbenchPath(t)
	cl, targets := pgCluster(t)
	x := ctx(t)
	c := connect(t, targets["leader"])
	for _, q := range []string{
		"CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int, filler char(88))",
		"CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int, tbalance int, filler char(84))",
		"CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))",
		"CREATE TABLE pgbench_history (hid serial PRIMARY KEY, tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))",
		"INSERT INTO pgbench_branches VALUES (1, 0, '')",
		rowsOf("pgbench_tellers", 1, 10),
		rowsOf("pgbench_accounts", 1, 500),
		rowsOf("pgbench_accounts", 501, 1000),
	} {
		mustExec(t, c, q)
	}
	cl.WaitConverged()
	host, port, _ := net.SplitHostPort(targets["follower"])
	run, cancel := context.WithTimeout(x, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(run, bench, "-h", host, "-p", port, "-U", "bench", "-n", "-c", "4", "-j", "2", "-T", "3",
		"--failures-detailed", "-f", filepath.Join("testdata", "tpcb.pgbench"), "raftplay")
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=5", "PGSSLMODE=disable")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("pgbench: %v\n%s", err, out.String())
	}
	report := out.String()
	processed, failed, serialization := reportCount(t, report, `number of transactions actually processed: (\d+)`),
		reportCount(t, report, `number of failed transactions: (\d+)`), reportCount(t, report, `number of serialization failures: (\d+)`)
	if processed == 0 || failed != serialization {
		t.Fatalf("%d transactions, %d failed, %d of them serialization failures:\n%s", processed, failed, serialization, report)
	}
	var history, deltas, accounts, tellers, branches int
	for q, v := range map[string]*int{
		"SELECT count(*) FROM pgbench_history": &history, "SELECT coalesce(sum(delta), 0) FROM pgbench_history": &deltas,
		"SELECT sum(abalance) FROM pgbench_accounts": &accounts, "SELECT sum(tbalance) FROM pgbench_tellers": &tellers,
		"SELECT sum(bbalance) FROM pgbench_branches": &branches,
	} {
		if err := c.QueryRow(x, q).Scan(v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if history != processed || accounts != deltas || tellers != deltas || branches != deltas {
		t.Fatalf("%d transactions done, %d in the history; deltas %d, accounts %d, tellers %d, branches %d\n%s",
			processed, history, deltas, accounts, tellers, branches, report)
	}
	t.Logf("%d transactions, %d serialization failures: %s", processed, serialization, tpsLine(report))
}

// rowsOf is the INSERT of ids from..to into a teller or account table of branch 1.
func rowsOf(table string, from, to int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " VALUES ")
	for i := from; i <= to; i++ {
		if i > from {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, 1, 0, '')", i)
	}
	return b.String()
}

func reportCount(t *testing.T, report, pattern string) int {
	m := regexp.MustCompile(pattern).FindStringSubmatch(report)
	if m == nil {
		if strings.Contains(pattern, "failed") || strings.Contains(pattern, "serialization") {
			return 0 // pgbench leaves these out when there were none
		}
		t.Fatalf("no %q in pgbench's report:\n%s", pattern, report)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func tpsLine(report string) string {
	for _, l := range strings.Split(report, "\n") {
		if strings.HasPrefix(l, "tps") {
			return l
		}
	}
	return fmt.Sprintf("(no tps line in %d bytes)", len(report))
}
