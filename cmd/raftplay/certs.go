package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/raftplay/raftplay/node/tlsconfig"
)

// tlsFlags are the TLS flags of `raftplay node` and `raftplay play`.
type tlsFlags struct{ cert, key, ca *string }

func addTLSFlags(fs *flag.FlagSet) tlsFlags {
	return tlsFlags{
		cert: fs.String("tls-cert", "", "PEM certificate of this node (with --tls-key and --tls-ca: mutual TLS on the raft port, https on the HTTP API, TLS required on Postgres; see raftplay certs)"),
		key:  fs.String("tls-key", "", "PEM private key of --tls-cert"),
		ca:   fs.String("tls-ca", "", "PEM certificate of the CA that signed every node's certificate; only peers it signed may connect to the raft port"),
	}
}

// load reads the files, or returns nil when no TLS flag is set.
func (f tlsFlags) load() (*tlsconfig.Config, error) {
	files := tlsconfig.Files{Cert: *f.cert, Key: *f.key, CA: *f.ca}
	if !files.Enabled() {
		return nil, nil
	}
	c, err := tlsconfig.Load(files)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert, --tls-key, --tls-ca: %w", err)
	}
	return c, nil
}

func runCerts(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("certs", "Make a throwaway CA and a certificate for each node of a local cluster (ECDSA P-256,\nvalid for a year, for server and client use). A CA already in --dir is reused, so running\nagain with --nodes n4 adds a node to the same cluster. Keys are written 0600.", stderr)
	dir := fs.String("dir", "./certs", "directory to write ca.crt, ca.key and <node>.crt, <node>.key into")
	hosts := fs.String("hosts", "127.0.0.1,localhost", "comma-separated IP addresses and DNS names the nodes are reached at (every certificate names them all)")
	nodes := fs.String("nodes", "n1,n2,n3", "comma-separated node ids to make certificates for")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	m, err := tlsconfig.MakeCluster(*dir, splitList(*hosts), splitList(*nodes))
	if err != nil {
		return err
	}
	if m.ReusedCA {
		fmt.Fprintf(stdout, "using the CA in %s (key %s)\n", m.CACert, m.CAKey)
	} else {
		fmt.Fprintf(stdout, "wrote CA      %s (key %s: keep it to add nodes, or delete it)\n", m.CACert, m.CAKey)
	}
	for _, n := range m.Nodes {
		fmt.Fprintf(stdout, "wrote node %-3s %s, %s for %s\n", n.Name, n.Cert, n.Key, strings.Join(splitList(*hosts), ", "))
	}
	fmt.Fprintln(stdout, "\nStart each node with its own files:")
	for _, n := range m.Nodes {
		fmt.Fprintf(stdout, "  raftplay node --id %s --tls-cert %s --tls-key %s --tls-ca %s ...\n", n.Name, n.Cert, n.Key, n.CA)
	}
	first := m.Nodes[0]
	fmt.Fprintf(stdout, "or the playground with one of them:\n  raftplay play --tls-cert %s --tls-key %s --tls-ca %s\n", first.Cert, first.Key, first.CA)
	fmt.Fprintf(stdout, "Clients trust the CA: curl --cacert %s https://..., psql \"sslmode=verify-full sslrootcert=%s ...\"\n", m.CACert, m.CACert)
	return nil
}
