package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// makeCerts runs `raftplay certs` into dir and returns a client that trusts its CA.
func makeCerts(t *testing.T, dir string, nodes string) *http.Client {
	t.Helper()
	out, err := exec.Command(binPath, "certs", "--dir", dir, "--hosts", "127.0.0.1,localhost", "--nodes", nodes).CombinedOutput()
	if err != nil {
		t.Fatalf("raftplay certs: %v\n%s", err, out)
	}
	for _, want := range []string{filepath.Join(dir, "ca.crt"), "--tls-cert", "--tls-key", "--tls-ca"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("raftplay certs does not mention %s:\n%s", want, out)
		}
	}
	ca, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		t.Fatal("ca.crt holds no certificate")
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

func tlsArgs(dir, id string) []string {
	return []string{"--tls-cert", filepath.Join(dir, id+".crt"), "--tls-key", filepath.Join(dir, id+".key"), "--tls-ca", filepath.Join(dir, "ca.crt")}
}

// startProcess runs raftplay with args, logging to logPath, until the test ends, and
// waits until url answers 200 through client.
func startProcess(t *testing.T, client *http.Client, url, logPath string, args ...string) {
	t.Helper()
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start raftplay %v: %v", args, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		log.Close()
	})
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	b, _ := os.ReadFile(logPath)
	t.Fatalf("%s not ready in 30 s:\n%s", url, b)
}

// TestCertsFormATLSClusterOfProcesses: the files `raftplay certs` writes load into three
// `raftplay node` processes that form a cluster. A write through one node is forwarded over
// https, read back linearizably through another and in psql over verified TLS; the nodes'
// raft ports refuse hashicorp/raft's plain transport, and their HTTP ports plain HTTP.
func TestCertsFormATLSClusterOfProcesses(t *testing.T) {
	dir := t.TempDir()
	certs := filepath.Join(dir, "certs")
	client := makeCerts(t, certs, "n1,n2,n3")
	procs := map[string]*proc{}
	for _, id := range []string{"n1", "n2", "n3"} {
		procs[id] = &proc{id: id, httpAddr: freeAddr(t), raftAddr: freeAddr(t), dir: filepath.Join(dir, id)}
	}
	pgAddr := freeAddr(t)
	start := func(p *proc, extra ...string) {
		args := append([]string{"node", "--id", p.id, "--raft-addr", p.raftAddr, "--http-addr", p.httpAddr, "--data", p.dir, "--log-level", "warn"}, tlsArgs(certs, p.id)...)
		startProcess(t, client, "https://"+p.httpAddr+"/readyz", p.dir+".log", append(args, extra...)...)
	}
	start(procs["n1"])
	// The scheme of a --join address does not matter: a node with TLS speaks https.
	start(procs["n2"], "--join", "http://"+procs["n1"].httpAddr, "--pg-addr", pgAddr)
	start(procs["n3"], "--join", procs["n2"].httpAddr)

	var cs wire.ClusterStatus
	clustertest.DoWith(t, client, "GET", "https://"+procs["n1"].httpAddr+"/v1/cluster", nil).JSON(t, &cs)
	if len(cs.Nodes) != 3 || cs.Leader == "" {
		t.Fatalf("cluster: %+v", cs)
	}
	via := procs["n3"]
	if cs.Leader == "n3" {
		via = procs["n2"]
	}
	if r := clustertest.DoWith(t, client, "PUT", "https://"+via.httpAddr+"/v1/kv/color", "blue"); r.Status != http.StatusOK {
		t.Fatalf("PUT through %s: %d %s", via.id, r.Status, r.Body)
	}
	r := clustertest.DoWith(t, client, "GET", "https://"+procs["n2"].httpAddr+"/v1/kv/color?consistency=linearizable", nil)
	var kv wire.KVPair
	if r.JSON(t, &kv); r.Status != http.StatusOK || kv.Value != "blue" {
		t.Fatalf("read through n2: %d %s", r.Status, r.Body)
	}

	if psql, err := exec.LookPath("psql"); err == nil {
		host, port, _ := net.SplitHostPort(pgAddr)
		conn := fmt.Sprintf("host=%s port=%s user=x dbname=x connect_timeout=5 sslmode=verify-full sslrootcert=%s", host, port, filepath.Join(certs, "ca.crt"))
		out, err := exec.Command(psql, "-X", "-A", "-t", "-c", "SELECT count(*) FROM raftplay_tables", conn).CombinedOutput()
		if err != nil {
			t.Fatalf("psql over TLS: %v\n%s", err, out)
		}
	} else if os.Getenv("CI") != "" {
		t.Fatal("psql is not installed")
	}

	plain, err := raft.NewTCPTransport("127.0.0.1:0", nil, 1, 5*time.Second, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { plain.CloseStreams(); plain.Close() }()
	var resp raft.AppendEntriesResponse
	if err := plain.AppendEntries("n1", raft.ServerAddress(procs["n1"].raftAddr), &raft.AppendEntriesRequest{}, &resp); err == nil {
		t.Fatal("n1's raft port answered a plain AppendEntries")
	}
	if resp, err := http.Get("http://" + procs["n1"].httpAddr + "/v1/status"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("n1 answered plain HTTP")
		}
	}
}

// TestPlayWithTLS: `raftplay play` with certificate flags serves its playground over https
// and runs its nodes with TLS (their APIs answer only https).
func TestPlayWithTLS(t *testing.T) {
	dir := t.TempDir()
	certs := filepath.Join(dir, "certs")
	client := makeCerts(t, certs, "play")
	addr := freeAddr(t)
	startProcess(t, client, "https://"+addr+"/readyz", filepath.Join(dir, "play.log"),
		append([]string{"play", "--http-addr", addr, "--data", filepath.Join(dir, "data"), "--pg-port", "0", "--log-level", "warn"}, tlsArgs(certs, "play")...)...)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// The playground is up before its cluster has a leader.
	for r := clustertest.DoWith(t, client, "PUT", "https://"+addr+"/v1/kv/k", "v"); r.Status != http.StatusOK; {
		if ctx.Err() != nil {
			t.Fatalf("PUT through the playground: %d %s", r.Status, r.Body)
		}
		time.Sleep(50 * time.Millisecond)
		r = clustertest.DoWith(t, client, "PUT", "https://"+addr+"/v1/kv/k", "v")
	}
	var cs wire.ClusterStatus
	clustertest.DoWith(t, client, "GET", "https://"+addr+"/v1/cluster", nil).JSON(t, &cs)
	if len(cs.Nodes) != 3 {
		t.Fatalf("cluster: %+v", cs)
	}
	for _, n := range cs.Nodes {
		kv := clustertest.DoWith(t, client, "GET", "https://"+n.HTTPAddr+"/v1/kv/k?consistency=linearizable", nil)
		if kv.Status != http.StatusOK {
			t.Fatalf("read through %s over https: %d %s", n.ID, kv.Status, kv.Body)
		}
	}
}
