package tlsconfig_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/tlsconfig"
)

func makeCluster(t *testing.T, dir string, nodes ...string) tlsconfig.Made {
	t.Helper()
	m, err := tlsconfig.MakeCluster(dir, []string{"127.0.0.1", "localhost", "node.example"}, nodes)
	if err != nil {
		t.Fatalf("make cluster certs: %v", err)
	}
	return m
}

func load(t *testing.T, f tlsconfig.Files) *tlsconfig.Config {
	t.Helper()
	c, err := tlsconfig.Load(f)
	if err != nil {
		t.Fatalf("load %+v: %v", f, err)
	}
	return c
}

// TestMakeClusterWritesLoadableFiles: the files exist with private keys readable only by
// their owner, every node's certificate loads against the CA, and it is an ECDSA P-256
// certificate named after the node with the requested hosts as its alternative names.
func TestMakeClusterWritesLoadableFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	m := makeCluster(t, dir, "n1", "n2")
	if m.ReusedCA || len(m.Nodes) != 2 {
		t.Fatalf("made %+v", m)
	}
	modes := map[string]os.FileMode{dir: 0o700, m.CACert: 0o644, m.CAKey: 0o600}
	for _, n := range m.Nodes {
		modes[n.Cert], modes[n.Key] = 0o644, 0o600
	}
	for path, want := range modes {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s has mode %v, want %v", path, got, want)
		}
	}
	for _, n := range m.Nodes {
		load(t, n.Files)
		cert := parseCert(t, n.Cert)
		if cert.Subject.CommonName != n.Name {
			t.Errorf("%s: common name %q", n.Name, cert.Subject.CommonName)
		}
		pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
		if !ok || pub.Curve != elliptic.P256() {
			t.Errorf("%s: key %T, want ECDSA P-256", n.Name, cert.PublicKey)
		}
		if !slices.Equal(cert.DNSNames, []string{"localhost", "node.example"}) || len(cert.IPAddresses) != 1 || !cert.IPAddresses[0].Equal(net.IPv4(127, 0, 0, 1)) {
			t.Errorf("%s: names %v %v", n.Name, cert.DNSNames, cert.IPAddresses)
		}
	}
}

// TestMakeClusterReusesItsCA: a second run in the same directory signs with the CA already
// there, so a node added later is trusted by the first ones.
func TestMakeClusterReusesItsCA(t *testing.T) {
	dir := t.TempDir()
	first := makeCluster(t, dir, "n1")
	caBefore, _ := os.ReadFile(first.CACert)
	second := makeCluster(t, dir, "n4")
	caAfter, _ := os.ReadFile(second.CACert)
	if !second.ReusedCA || !bytes.Equal(caBefore, caAfter) {
		t.Fatalf("second run: reused %v, CA unchanged %v", second.ReusedCA, bytes.Equal(caBefore, caAfter))
	}
	handshake(t, load(t, first.Nodes[0].Files).RaftListener(), load(t, second.Nodes[0].Files).RaftDialer("127.0.0.1"))

	if err := os.Remove(second.CAKey); err != nil {
		t.Fatal(err)
	}
	if _, err := tlsconfig.MakeCluster(dir, []string{"127.0.0.1"}, []string{"n5"}); err == nil {
		t.Fatal("a CA certificate without its key was silently replaced")
	}
}

// TestLoadRefusesMismatchedFiles: a certificate another CA signed, a key of another
// certificate, or a missing file fail at load rather than at every handshake.
func TestLoadRefusesMismatchedFiles(t *testing.T) {
	a := makeCluster(t, t.TempDir(), "n1", "n2").Nodes
	b := makeCluster(t, t.TempDir(), "n1").Nodes[0]
	for _, tc := range []struct {
		name  string
		files tlsconfig.Files
	}{
		{"certificate from another CA", tlsconfig.Files{Cert: b.Cert, Key: b.Key, CA: a[0].CA}},
		{"key of another certificate", tlsconfig.Files{Cert: a[0].Cert, Key: a[1].Key, CA: a[0].CA}},
		{"no CA", tlsconfig.Files{Cert: a[0].Cert, Key: a[0].Key}},
		{"missing key file", tlsconfig.Files{Cert: a[0].Cert, Key: a[0].Key + ".gone", CA: a[0].CA}},
		{"CA is not PEM", tlsconfig.Files{Cert: a[0].Cert, Key: a[0].Key, CA: a[0].Key}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tlsconfig.Load(tc.files); err == nil {
				t.Fatalf("loaded %+v", tc.files)
			}
		})
	}
}

// TestRaftListenerRequiresAClientCertificateFromTheCA runs real handshakes on loopback:
// the raft side lets through only clients with a certificate its CA signed, while the API
// side asks clients for none.
func TestRaftListenerRequiresAClientCertificateFromTheCA(t *testing.T) {
	nodes := makeCluster(t, t.TempDir(), "n1", "n2").Nodes
	n1, n2 := load(t, nodes[0].Files), load(t, nodes[1].Files)
	rogue := load(t, makeCluster(t, t.TempDir(), "n2").Nodes[0].Files)

	noCert := n2.RaftDialer("127.0.0.1")
	noCert.Certificates = nil
	foreignCert := n2.RaftDialer("127.0.0.1")
	foreignCert.Certificates = rogue.RaftDialer("").Certificates
	for _, tc := range []struct {
		name   string
		server *tls.Config
		client *tls.Config
		ok     bool
	}{
		{"raft: member", n1.RaftListener(), n2.RaftDialer("127.0.0.1"), true},
		{"raft: member by DNS name", n1.RaftListener(), n2.RaftDialer("localhost"), true},
		{"raft: no client certificate", n1.RaftListener(), noCert, false},
		{"raft: client certificate from another CA", n1.RaftListener(), foreignCert, false},
		{"raft: server name not in the certificate", n1.RaftListener(), n2.RaftDialer("10.9.9.9"), false},
		{"api: client without a certificate", n1.APIListener(), &tls.Config{RootCAs: n1.CAPool(), ServerName: "127.0.0.1"}, true},
		{"api: node client", n1.APIListener(), n2.APIClient(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tryHandshake(t, tc.server, tc.client)
			if tc.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok && err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func handshake(t *testing.T, server, client *tls.Config) {
	t.Helper()
	if err := tryHandshake(t, server, client); err != nil {
		t.Fatalf("handshake: %v", err)
	}
}

// tryHandshake connects client to a loopback listener with server and exchanges one byte
// each way: in TLS 1.3 the client finishes its handshake before the server has checked the
// client's certificate, so only a round trip shows whether the server took it.
func tryHandshake(t *testing.T, server, client *tls.Config) error {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", server)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		b := make([]byte, 1)
		if _, err := io.ReadFull(c, b); err == nil {
			c.Write(b)
		}
	}()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", ln.Addr().String(), client)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte{'x'}); err != nil {
		return err
	}
	_, err = io.ReadFull(c, make([]byte, 1))
	return err
}

func parseCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
