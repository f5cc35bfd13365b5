package tlsconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Made is what MakeCluster wrote.
type Made struct {
	CACert, CAKey string
	// ReusedCA is true when dir already held a CA, which then signed the new certificates
	// (so a node added later joins the same cluster).
	ReusedCA bool
	Nodes    []NodeFiles
}

// NodeFiles are one node's files.
type NodeFiles struct {
	Name string
	Files
}

// MakeCluster writes a CA (ca.crt, ca.key) and, for every name in nodes, a certificate and
// key (<name>.crt, <name>.key) naming hosts, into dir. A CA already in dir is reused.
// Keys are written 0600, certificates 0644, and dir is created 0700.
func MakeCluster(dir string, hosts, nodes []string) (Made, error) {
	if len(nodes) == 0 {
		return Made{}, errors.New("tls: no node names given")
	}
	for _, n := range nodes {
		if n == "" || n == "ca" || strings.ContainsAny(n, `/\`) {
			return Made{}, fmt.Errorf("tls: %q cannot name a node's files", n)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Made{}, fmt.Errorf("tls: create %s: %w", dir, err)
	}
	m := Made{CACert: filepath.Join(dir, "ca.crt"), CAKey: filepath.Join(dir, "ca.key")}
	ca, reused, err := openOrMakeCA(m.CACert, m.CAKey)
	if err != nil {
		return Made{}, err
	}
	m.ReusedCA = reused
	for _, name := range nodes {
		cert, key, err := ca.Issue(name, hosts)
		if err != nil {
			return Made{}, err
		}
		nf := NodeFiles{Name: name, Files: Files{Cert: filepath.Join(dir, name+".crt"), Key: filepath.Join(dir, name+".key"), CA: m.CACert}}
		if err := writeFile(nf.Key, key, 0o600); err != nil {
			return Made{}, err
		}
		if err := writeFile(nf.Cert, cert, 0o644); err != nil {
			return Made{}, err
		}
		m.Nodes = append(m.Nodes, nf)
	}
	return m, nil
}

// openOrMakeCA reads the CA at certPath and keyPath, or makes and writes one if neither
// exists. Only one of the two existing is an error: guessing would overwrite a CA.
func openOrMakeCA(certPath, keyPath string) (*CA, bool, error) {
	certPEM, cerr := os.ReadFile(certPath)
	keyPEM, kerr := os.ReadFile(keyPath)
	switch {
	case cerr == nil && kerr == nil:
		ca, err := ParseCA(certPEM, keyPEM)
		if err != nil {
			return nil, false, fmt.Errorf("%w (%s, %s)", err, certPath, keyPath)
		}
		return ca, true, nil
	case !errors.Is(cerr, fs.ErrNotExist) || !errors.Is(kerr, fs.ErrNotExist):
		return nil, false, fmt.Errorf("tls: need both or neither of %s and %s: %w", certPath, keyPath, errors.Join(cerr, kerr))
	}
	ca, err := NewCA("raftplay CA")
	if err != nil {
		return nil, false, err
	}
	key, err := ca.KeyPEM()
	if err != nil {
		return nil, false, err
	}
	if err := writeFile(keyPath, key, 0o600); err != nil {
		return nil, false, err
	}
	if err := writeFile(certPath, ca.CertPEM(), 0o644); err != nil {
		return nil, false, err
	}
	return ca, false, nil
}

// writeFile replaces path with data in mode perm. It writes a temporary file (created
// 0600, so a key is never readable by others even for a moment) and renames it, so an
// existing file's wider mode is not kept and a crash leaves the old file or the new one.
func writeFile(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("tls: write %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, perm)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("tls: write %s: %w", path, err)
	}
	return nil
}
