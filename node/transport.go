package node

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/tlsconfig"
	"github.com/raftplay/raftplay/node/tlsstream"
)

// listenRaft binds the raft transport: plain TCP, or mutual TLS when the node has TLS.
// Either way it is a NetworkTransport, which netfault wraps the same.
func (n *Node) listenRaft(bind string, adv net.Addr, hl hclog.Logger) (*raft.NetworkTransport, error) {
	cfg := &raft.NetworkTransportConfig{
		MaxPool:               3,
		ServerAddressProvider: n.cfg.AddressProvider,
		Timeout:               10 * time.Second,
		Logger:                hl,
	}
	if n.cfg.TLS == nil {
		return raft.NewTCPTransportWithConfig(bind, adv, cfg)
	}
	layer, err := tlsstream.Listen(bind, adv, n.cfg.TLS.RaftListener(), n.cfg.TLS.RaftDialer, n.log)
	if err != nil {
		return nil, err
	}
	cfg.Stream = layer
	return raft.NewNetworkTransportWithConfig(cfg), nil
}

// peerTransport is the HTTP transport for requests to other nodes. Without TLS it is the
// process's default transport, as before; with TLS its own, trusting only the cluster CA.
func peerTransport(t *tlsconfig.Config) http.RoundTripper {
	if t == nil {
		return http.DefaultTransport
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = t.APIClient()
	return tr
}

// PeerURL is the base URL of another node's HTTP API at addr (host:port, or a URL whose
// scheme is replaced): https when this node has TLS, since a cluster is all TLS or not.
func (n *Node) PeerURL(addr string) string {
	if _, rest, ok := strings.Cut(addr, "://"); ok {
		addr = rest
	}
	scheme := "http://"
	if n.cfg.TLS != nil {
		scheme = "https://"
	}
	return scheme + strings.TrimRight(addr, "/")
}

// URL is the base URL of this node's own HTTP API.
func (n *Node) URL() string { return n.PeerURL(n.cfg.HTTPAddr) }

// PeerClient is an HTTP client for long-lived requests to other nodes (event streams): it
// shares the node's transport, and so its TLS, but has no overall timeout.
func (n *Node) PeerClient() *http.Client {
	return &http.Client{Transport: n.client.Transport}
}
