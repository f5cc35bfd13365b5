package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "raftplay-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "raftplay")
	out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build raftplay: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// proc is one `raftplay node` process.
type proc struct {
	id, httpAddr, raftAddr, dir string
	cmd                         *exec.Cmd
	log                         *os.File
}

func startNode(t *testing.T, p *proc, extra ...string) {
	t.Helper()
	args := append([]string{"node", "--id", p.id, "--raft-addr", p.raftAddr, "--http-addr", p.httpAddr, "--data", p.dir, "--log-level", "warn"}, extra...)
	cmd := exec.Command(binPath, args...)
	var err error
	p.log, err = os.OpenFile(p.dir+".log", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", p.id, err)
	}
	p.cmd = cmd
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		p.log.Close()
	})
	waitReady(t, p)
}

func waitReady(t *testing.T, p *proc) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + p.httpAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, _ := os.ReadFile(p.dir + ".log")
	t.Fatalf("%s not ready in 30 s:\n%s", p.id, b)
}

// TestProcessesKeepAcknowledgedWritesAcrossKill9 runs three `raftplay node` processes that
// join through the first, writes 200 keys, kills the leader with SIGKILL, keeps writing
// through a survivor, restarts the killed node on its disk, and checks that every
// acknowledged write is on every node.
func TestProcessesKeepAcknowledgedWritesAcrossKill9(t *testing.T) {
	dir := t.TempDir()
	procs := map[string]*proc{}
	for _, id := range []string{"n1", "n2", "n3"} {
		procs[id] = &proc{id: id, httpAddr: freeAddr(t), raftAddr: freeAddr(t), dir: filepath.Join(dir, id)}
	}
	startNode(t, procs["n1"])
	startNode(t, procs["n2"], "--join", "http://"+procs["n1"].httpAddr)
	// n3 joins through a follower: the join is forwarded to the leader.
	startNode(t, procs["n3"], "--join", procs["n2"].httpAddr)

	acked := map[string]string{}
	var mu sync.Mutex
	write := func(via *proc, key, value string) bool {
		r := clustertest.Do(t, "PUT", "http://"+via.httpAddr+"/v1/kv/"+key, value)
		if r.Status == http.StatusOK {
			mu.Lock()
			acked[key] = value
			mu.Unlock()
			return true
		}
		return false
	}
	for i := range 200 {
		if !write(procs["n2"], fmt.Sprintf("m%d", i), fmt.Sprintf("x%d", i)) {
			t.Fatalf("write %d failed before any fault", i)
		}
	}
	var cs wire.ClusterStatus
	clustertest.MustOK(t, "GET", "http://"+procs["n1"].httpAddr+"/v1/cluster", nil).JSON(t, &cs)
	if len(cs.Nodes) != 3 || cs.Leader == "" {
		t.Fatalf("cluster: %+v", cs)
	}
	leader := procs[cs.Leader]
	if err := leader.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	leader.cmd.Wait()
	var survivor *proc
	for _, p := range procs {
		if p != leader {
			survivor = p
			break
		}
	}
	ok := 0
	for i := 200; i < 260; i++ {
		if write(survivor, fmt.Sprintf("m%d", i), fmt.Sprintf("x%d", i)) {
			ok++
		}
	}
	if ok == 0 {
		t.Fatal("no write succeeded after the leader was killed")
	}
	startNode(t, leader)

	for _, p := range procs {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		for key, want := range acked {
			for {
				kv, r := clustertest.Get(t, "http://"+p.httpAddr, key, wire.ConsistencyLocal)
				if kv.Value == want {
					break
				}
				if ctx.Err() != nil {
					t.Fatalf("acknowledged %s=%s missing on %s: %d %s", key, want, p.id, r.Status, r.Body)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		cancel()
	}
	t.Logf("%d writes acknowledged, %d of them after killing %s", len(acked), ok, leader.id)
}

// TestNodeHelpDocumentsFlags checks that every flag of `raftplay node` appears in --help.
func TestNodeHelpDocumentsFlags(t *testing.T) {
	out, _ := exec.Command(binPath, "node", "--help").CombinedOutput()
	for _, f := range []string{"--id", "--raft-addr", "--http-addr", "--data", "--join", "--peers", "--auth-token", "--auth-token-file", "--allowed-hosts", "--insecure", "RAFTPLAY_"} {
		if !strings.Contains(string(out), strings.TrimPrefix(f, "-")) {
			t.Errorf("node --help does not mention %s:\n%s", f, out)
		}
	}
}

// TestStaticPeersBootstrapOnce starts three nodes from the same --peers list, restarts
// one, and checks that the cluster kept its data (no second bootstrap over existing state).
func TestStaticPeersBootstrapOnce(t *testing.T) {
	dir := t.TempDir()
	var ps []*proc
	var peers []string
	for _, id := range []string{"n1", "n2", "n3"} {
		p := &proc{id: id, httpAddr: freeAddr(t), raftAddr: freeAddr(t), dir: filepath.Join(dir, id)}
		ps = append(ps, p)
		peers = append(peers, id+"="+p.raftAddr)
	}
	for _, p := range ps {
		args := []string{"--peers", strings.Join(peers, ",")}
		cmd := exec.Command(binPath, append([]string{"node", "--id", p.id, "--raft-addr", p.raftAddr, "--http-addr", p.httpAddr, "--data", p.dir}, args...)...)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p.cmd = cmd
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	}
	for _, p := range ps {
		waitReady(t, p)
	}
	clustertest.Put(t, "http://"+ps[0].httpAddr, "kept", "yes")
	ps[2].cmd.Process.Kill()
	ps[2].cmd.Wait()
	cmd := exec.Command(binPath, "node", "--id", "n3", "--raft-addr", ps[2].raftAddr, "--http-addr", ps[2].httpAddr, "--data", ps[2].dir, "--peers", strings.Join(peers, ","))
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	resumed := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), "resuming from existing raft state") {
			resumed = true
			break
		}
		if strings.Contains(sc.Text(), "bootstrapped cluster") {
			t.Fatal("restarted node bootstrapped again over its existing state")
		}
	}
	go io.Copy(io.Discard, stderr)
	if !resumed {
		t.Fatal("restarted node did not resume its state")
	}
	waitReady(t, ps[2])
	kv, _ := clustertest.Get(t, "http://"+ps[2].httpAddr, "kept", wire.ConsistencyLocal)
	if kv.Value != "yes" {
		t.Fatalf("kept = %q on restarted n3", kv.Value)
	}
}

func TestSQLCommand(t *testing.T) {
	p := &proc{id: "n1", httpAddr: freeAddr(t), raftAddr: freeAddr(t), dir: filepath.Join(t.TempDir(), "n1")}
	startNode(t, p)
	run := func(stdin string, args ...string) string {
		cmd := exec.Command(binPath, append([]string{"sql", "--addr", p.httpAddr}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("raftplay sql %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("", "CREATE TABLE t (id int PRIMARY KEY, name text DEFAULT 'x'); INSERT INTO t VALUES (1, 'garry'), (20, NULL)")
	tests := []struct {
		name, stdin string
		want, not   []string
	}{
		{"a query, numbers right-aligned, no prompt when piped", "SELECT id, name FROM t ORDER BY id;\n\\q\n",
			[]string{" id | name", "  1 | garry", " 20 |", "(2 rows)"}, []string{"raftplay=>", "raftplay sql on"}},
		{"a statement without its semicolon at the end of input", "SELECT count(*) AS n FROM t",
			[]string{" n", " 2", "(1 row)"}, nil},
		{"\\dt lists tables", "\\dt\n", []string{"Schema | Name | Type", "public | t    | table"}, nil},
		{"\\d describes a table", "\\d t\n", []string{"Column |  Type   | Nullable | Default", "id     | integer | not null |", "name   | text    |          | 'x'"}, nil},
		{"\\x expands records", "\\x\nSELECT id FROM t WHERE id = 1;\n", []string{"Expanded display is on.", "-[ RECORD 1 ]", "id | 1"}, nil},
		{"an unknown backslash command never becomes SQL", "\\dx\nSELECT 42 AS answer;\n",
			[]string{"invalid command \\dx", " answer", "     42"}, []string{"ERROR"}},
		{"\\? lists the commands", "\\?\n", []string{"\\dt", "\\d NAME", "\\x", "\\timing", "\\i FILE", "\\q"}, nil},
		{"\\i runs a file", "\\i " + writeFile(t, "SELECT 7 AS seven;\n") + "\n", []string{" seven", "     7"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := run(tt.stdin)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

func writeFile(t *testing.T, content string) string {
	p := filepath.Join(t.TempDir(), "in.sql")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWatchPrintsEvents(t *testing.T) {
	p := &proc{id: "n1", httpAddr: freeAddr(t), raftAddr: freeAddr(t), dir: filepath.Join(t.TempDir(), "n1")}
	startNode(t, p)
	cmd := exec.Command(binPath, "watch", "--addr", p.httpAddr, "--types", "hello,apply,log_append")
	out, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	if !sc.Scan() || !strings.Contains(sc.Text(), "hello") {
		t.Fatalf("first line %q", sc.Text())
	}
	clustertest.Put(t, "http://"+p.httpAddr, "seen", "by-watch")
	seen := map[string]bool{}
	for !(seen["apply"] && seen["log_append"]) && sc.Scan() {
		line := sc.Text()
		switch {
		case strings.Contains(line, "apply") && strings.Contains(line, "PUT seen = by-watch"):
			seen["apply"] = true
		case strings.Contains(line, "log_append") && strings.Contains(line, "appended") && !strings.Contains(line, "{"):
			seen["log_append"] = true // in words, not raw JSON
		}
	}
	if !seen["apply"] || !seen["log_append"] {
		t.Fatalf("watch printed neither the apply nor the append in words: %v", seen)
	}
	// A terminated watch ends cleanly: exit status 0 and nothing on stderr.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil || stderr.Len() > 0 {
		t.Fatalf("watch after SIGTERM: %v, stderr %q", err, stderr.String())
	}
}
