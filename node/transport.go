package node

import (
	"net"
	"net/http"
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

// URL is the base URL of this node's own HTTP API.
func (n *Node) URL() string { return n.peers.URL(n.cfg.HTTPAddr) }

// newPeerClient is the client a node calls the others with: over the peer transport (so
// with the cluster's TLS), sending the node's id and the cluster's token.
func newPeerClient(cfg Config) *PeerClient {
	tr := peerTransport(cfg.TLS)
	return &PeerClient{self: cfg.ID, token: cfg.AuthToken, tls: cfg.TLS != nil,
		http: &http.Client{Transport: tr, Timeout: 30 * time.Second}, stream: &http.Client{Transport: tr}}
}
