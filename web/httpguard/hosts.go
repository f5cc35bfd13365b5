package httpguard

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/raftplay/raftplay/node"
)

// ErrUnknownHost is a request whose Host header does not name this server.
var ErrUnknownHost = node.ErrUnknownHost

// rescanEvery bounds how often an unknown address makes Hosts list the machine's interface
// addresses again.
const rescanEvery = 5 * time.Second

// Hosts is the set of names and addresses a request's Host header may give: loopback names
// and addresses (localhost, *.localhost, 127.0.0.0/8, ::1), the server's own addresses,
// and the names it is told to allow. Ports are not compared: a rebinding page is told apart
// by its name, and a proxy may reach the server on another port.
type Hosts struct {
	any   bool
	names map[string]bool
	ips   map[netip.Addr]bool
	// everyInterface is set when the server listens on an unspecified address (0.0.0.0,
	// ::): then every address of the machine's interfaces is its own.
	everyInterface bool
	ifaces         interfaceAddrs
}

// NewHosts returns the hosts a server answers to. own are the addresses it listens on and
// is published at (host:port or host; an empty or unspecified host means every interface).
// allowed are more names or addresses; "*" allows any Host.
func NewHosts(own, allowed []string) *Hosts {
	h := &Hosts{names: map[string]bool{}, ips: map[netip.Addr]bool{}}
	add := func(s string) {
		name := hostOnly(s)
		switch ip, err := netip.ParseAddr(name); {
		case name == "":
			h.everyInterface = true
		case err != nil:
			h.names[name] = true
		case ip.IsUnspecified():
			h.everyInterface = true
		default:
			h.ips[canonical(ip)] = true
		}
	}
	for _, s := range own {
		add(s)
	}
	for _, s := range allowed {
		if strings.TrimSpace(s) == "*" {
			h.any = true
		}
		add(s)
	}
	return h
}

// Check reports whether hostport, a request's Host header, names this server. An empty
// Host (HTTP/1.0) is let through: every browser sends one.
func (h *Hosts) Check(hostport string) error {
	if h.any || hostport == "" {
		return nil
	}
	name := hostOnly(hostport)
	if name == "localhost" || strings.HasSuffix(name, ".localhost") || h.names[name] {
		return nil
	}
	if ip, err := netip.ParseAddr(name); err == nil {
		ip = canonical(ip)
		if ip.IsLoopback() || h.ips[ip] || (h.everyInterface && h.ifaces.has(ip)) {
			return nil
		}
	}
	return fmt.Errorf("%w: %q is not a name of this server, which answers to loopback names, its own addresses and the hosts it is told to allow (--allowed-hosts)", ErrUnknownHost, name)
}

// hostOnly is the lower-case host of a Host header or address, without port, brackets or a
// trailing dot.
func hostOnly(s string) string {
	s = strings.TrimSpace(s)
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	return strings.TrimSuffix(strings.ToLower(s), ".")
}

// canonical drops an IPv6 zone and unmaps an IPv4-mapped address.
func canonical(ip netip.Addr) netip.Addr { return ip.Unmap().WithZone("") }

// interfaceAddrs caches the addresses of the machine's interfaces.
type interfaceAddrs struct {
	mu      sync.Mutex
	addrs   map[netip.Addr]bool
	scanned time.Time
}

// has reports whether ip belongs to one of the machine's interfaces. An address not in the
// last listing makes it list them again (at most every rescanEvery): an interface can gain
// an address after the server started.
func (a *interfaceAddrs) has(ip netip.Addr) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.addrs[ip] {
		return true
	}
	if !a.scanned.IsZero() && time.Since(a.scanned) < rescanEvery {
		return false
	}
	a.scanned = time.Now()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	a.addrs = map[netip.Addr]bool{}
	for _, addr := range addrs {
		if p, err := netip.ParsePrefix(addr.String()); err == nil {
			a.addrs[canonical(p.Addr())] = true
		}
	}
	return a.addrs[ip]
}
