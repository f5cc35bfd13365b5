// Package tlsconfig is a node's TLS material: it loads the node's certificate, key and the
// cluster's CA from PEM files, gives each listener and client of a node its tls.Config,
// and makes throwaway CAs and node certificates for local clusters.
//
// One CA signs every node of a cluster. The raft port is mutual TLS: both ends present a
// certificate the CA signed and check the other's, so only members can send raft RPCs.
// The HTTP API and the Postgres port present the node's certificate but do not ask clients
// for one (browsers and psql cannot easily present one); node-to-node HTTP trusts only the
// cluster CA.
package tlsconfig

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// Files names the PEM files of one node.
type Files struct {
	Cert string // the node's certificate (a chain may follow it)
	Key  string // its private key
	CA   string // the cluster CA's certificate
}

// Enabled reports whether any file is named.
func (f Files) Enabled() bool { return f.Cert != "" || f.Key != "" || f.CA != "" }

// Config is a node's loaded certificate and the pool of the CA it trusts.
type Config struct {
	cert tls.Certificate
	pool *x509.CertPool
}

// Load reads and checks the files. All three are required: a node with TLS uses it on
// every port, and a certificate without the CA could not check its peers.
func Load(f Files) (*Config, error) {
	if f.Cert == "" || f.Key == "" || f.CA == "" {
		return nil, errors.New("tls: a certificate, its key and the CA are all required")
	}
	certPEM, err := os.ReadFile(f.Cert)
	if err != nil {
		return nil, fmt.Errorf("tls: read certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(f.Key)
	if err != nil {
		return nil, fmt.Errorf("tls: read key: %w", err)
	}
	caPEM, err := os.ReadFile(f.CA)
	if err != nil {
		return nil, fmt.Errorf("tls: read CA: %w", err)
	}
	c, err := New(certPEM, keyPEM, caPEM)
	if err != nil {
		return nil, fmt.Errorf("%w (%s, %s, %s)", err, f.Cert, f.Key, f.CA)
	}
	return c, nil
}

// New builds a Config from PEM blocks. It checks that the CA signed the certificate for
// both server and client use, so a wrong file fails here rather than in every handshake.
func New(certPEM, keyPEM, caPEM []byte) (*Config, error) {
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("tls: load key pair: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("tls: the CA file holds no PEM certificate")
	}
	inter := x509.NewCertPool()
	for _, der := range cert.Certificate[1:] {
		if c, err := x509.ParseCertificate(der); err == nil {
			inter.AddCert(c)
		}
	}
	for _, use := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
		opts := x509.VerifyOptions{Roots: pool, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{use}}
		if _, err := cert.Leaf.Verify(opts); err != nil {
			return nil, fmt.Errorf("tls: the certificate does not verify against the CA: %w", err)
		}
	}
	return &Config{cert: cert, pool: pool}, nil
}

// RaftListener is the raft port's server side: TLS 1.3, and only clients presenting a
// certificate the cluster CA signed get through the handshake.
func (c *Config) RaftListener() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{c.cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    c.pool,
	}
}

// RaftDialer is the client side of raft connections to the peer named serverName (the
// host of its raft address, which its certificate must name).
func (c *Config) RaftDialer(serverName string) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{c.cert},
		RootCAs:      c.pool,
		ServerName:   serverName,
	}
}

// APIListener is the server side of the HTTP API and the Postgres port: the node's
// certificate, TLS 1.2 or later, and no client certificate asked for (clients authenticate
// with a token or a password instead).
func (c *Config) APIListener() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{c.cert},
	}
}

// APIClient is the client side of node-to-node HTTP: it trusts only the cluster CA and
// carries the node's certificate for a server that asks for it.
func (c *Config) APIClient() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{c.cert},
		RootCAs:      c.pool,
	}
}

// CAPool is the pool of the cluster CA, for clients that need to trust the nodes.
func (c *Config) CAPool() *x509.CertPool { return c.pool.Clone() }
