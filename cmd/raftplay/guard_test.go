package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/raftplay/raftplay/web/clustertest"
)

const cliToken = "cli s3cret+/="

// runCLI runs raftplay with args and the extra environment, bounded by a minute.
func runCLI(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestServingBeyondLoopbackNeedsATokenOrInsecure: a node or playground asked to listen on
// a non-loopback address without a credential refuses to start and says what to do;
// with a token, or with --insecure, it serves.
func TestServingBeyondLoopbackNeedsATokenOrInsecure(t *testing.T) {
	refused := []struct {
		name string
		args []string
		want string
	}{
		{"a node's API on every interface", []string{"node", "--id", "n1", "--http-addr", "0.0.0.0:0", "--data", t.TempDir()}, "--auth-token"},
		{"a node's API on every IPv6 interface", []string{"node", "--id", "n1", "--http-addr", "[::]:0", "--data", t.TempDir()}, "--auth-token"},
		{"a node's Postgres on every interface", []string{"node", "--id", "n1", "--http-addr", "127.0.0.1:0", "--pg-addr", "0.0.0.0:0", "--auth-token", cliToken, "--data", t.TempDir()}, "--pg-password"},
		{"the playground on every interface", []string{"play", "--http-addr", "0.0.0.0:0", "--nodes", "1", "--pg-port", "0", "--data", t.TempDir()}, "--auth-token"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCLI(t, nil, tt.args...)
			if err == nil || !strings.Contains(out, "not a loopback address") || !strings.Contains(out, tt.want) || !strings.Contains(out, "--insecure") {
				t.Fatalf("raftplay %s: %v\n%s", strings.Join(tt.args, " "), err, out)
			}
		})
	}
	dir := t.TempDir()
	for _, tt := range []struct {
		name  string
		extra []string
	}{
		{"with --insecure", []string{"--insecure"}},
		{"with a token", []string{"--auth-token", cliToken}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, port, _ := net.SplitHostPort(freeAddr(t))
			p := &proc{id: "n1", httpAddr: "127.0.0.1:" + port, raftAddr: freeAddr(t), dir: filepath.Join(dir, strings.ReplaceAll(tt.name, " ", ""))}
			startNode(t, p, append([]string{"--http-addr", "0.0.0.0:" + port}, tt.extra...)...)
		})
	}
}

// TestClientsSendTheToken: against a node that requires a token (read from a file), sql,
// watch and bench fail without it and work with it, given as a flag, in the environment or
// in a file.
func TestClientsSendTheToken(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(cliToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &proc{id: "n1", httpAddr: freeAddr(t), raftAddr: freeAddr(t), dir: filepath.Join(t.TempDir(), "n1")}
	startNode(t, p, "--auth-token-file", file)
	if r := clustertest.Do(t, "GET", "http://"+p.httpAddr+"/v1/status", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("the node served /v1/status without its token: %d", r.Status)
	}
	sql := []string{"sql", "--addr", p.httpAddr, "SELECT 1 + 1 AS two"}
	tests := []struct {
		name string
		env  []string
		args []string
		ok   bool
	}{
		{"sql without the token", nil, sql, false},
		{"sql with a wrong token", []string{"RAFTPLAY_AUTH_TOKEN=nope"}, sql, false},
		{"sql with --auth-token", nil, append([]string{"sql", "--auth-token", cliToken}, sql[1:]...), true},
		{"sql with RAFTPLAY_AUTH_TOKEN", []string{"RAFTPLAY_AUTH_TOKEN=" + cliToken}, sql, true},
		{"sql with --auth-token-file", nil, append([]string{"sql", "--auth-token-file", file}, sql[1:]...), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCLI(t, tt.env, tt.args...)
			if tt.ok && (err != nil || !strings.Contains(out, "   2\n")) {
				t.Fatalf("%v\n%s", err, out)
			}
			if !tt.ok && (err == nil || !strings.Contains(out, "token")) {
				t.Fatalf("served without the right token: %v\n%s", err, out)
			}
		})
	}

	t.Run("watch", func(t *testing.T) {
		if out, err := runCLI(t, nil, "watch", "--addr", p.httpAddr); err == nil || !strings.Contains(out, "401") {
			t.Fatalf("watch without the token: %v\n%s", err, out)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, binPath, "watch", "--addr", p.httpAddr, "--types", "hello")
		cmd.Env = append(os.Environ(), "RAFTPLAY_AUTH_TOKEN="+cliToken)
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { cmd.Process.Kill(); cmd.Wait() }()
		sc := bufio.NewScanner(out)
		if !sc.Scan() || !strings.Contains(sc.Text(), "hello") {
			t.Fatalf("watch with the token: first line %q", sc.Text())
		}
	})

	t.Run("bench", func(t *testing.T) {
		args := []string{"bench", "--addrs", p.httpAddr, "--workload", "kv-put", "--clients", "2", "--duration", "500ms", "--json"}
		out, err := runCLI(t, []string{"RAFTPLAY_AUTH_TOKEN=" + cliToken}, args...)
		if err != nil {
			t.Fatalf("bench with the token: %v\n%s", err, out)
		}
		var res benchResult
		if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &res); err != nil || res.Ops == 0 || res.Errors != 0 {
			t.Fatalf("bench with the token: %+v (%v)\n%s", res, err, out)
		}
		out, err = runCLI(t, nil, args...)
		res = benchResult{}
		if json.Unmarshal([]byte(strings.TrimSpace(out)), &res); err == nil && (res.Ops != 0 || res.Errors == 0) {
			t.Fatalf("bench without the token: %+v\n%s", res, out)
		}
	})
}

// TestPlayPrintsItsURLWithTheToken: with a token, the playground prints its address with
// the token in the fragment, for a person to open, and serves only requests carrying it.
func TestPlayPrintsItsURLWithTheToken(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, "play", "--http-addr", "127.0.0.1:0", "--nodes", "1", "--pg-port", "0", "--data", t.TempDir(), "--log-level", "warn")
	cmd.Env = append(os.Environ(), "RAFTPLAY_AUTH_TOKEN="+cliToken)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		t.Fatal("play printed nothing")
	}
	line := sc.Text()
	go func() {
		for sc.Scan() {
		}
	}()
	page, ok := strings.CutPrefix(line, "raftplay playground on ")
	base, fragment, _ := strings.Cut(page, "#")
	if !ok || fragment != "token=cli+s3cret%2B%2F%3D" {
		t.Fatalf("first line %q, want the page's URL with #token=", line)
	}
	base = strings.TrimSuffix(base, "/")
	if r := clustertest.Do(t, "GET", base+"/v1/status", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("/v1/status without the token: %d", r.Status)
	}
	req := clustertest.NewRequest(t, "GET", base+"/v1/status", nil)
	req.Header.Set("Authorization", "Bearer "+cliToken)
	if r := clustertest.Send(t, req); r.Status != http.StatusOK {
		t.Fatalf("/v1/status with the token: %d %s", r.Status, r.Body)
	}
}
