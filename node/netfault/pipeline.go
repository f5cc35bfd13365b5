package netfault

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/wire"
)

// pipeline wraps a NetworkTransport pipeline: requests pass the fault rules before they are
// written, and each completed future is reported on its way back to raft.
type pipeline struct {
	t     *Transport
	peer  raft.ServerID
	inner raft.AppendPipeline

	// sendMu keeps requests in order while they wait out a delay: raft sends from one
	// goroutine, but the wire order must not depend on that.
	sendMu sync.Mutex

	// sent maps each request in flight to when raft handed it over (before any delay) and
	// the delay applied, for the event written when its response arrives.
	sentMu sync.Mutex
	sent   map[*raft.AppendEntriesRequest]sendInfo
	seq    uint64 // send order, to report requests left in flight at close in order

	out       chan raft.AppendFuture
	closeCh   chan struct{}
	closeOnce sync.Once
	done      chan struct{}
}

type sendInfo struct {
	start time.Time
	delay time.Duration
	seq   uint64
}

var _ raft.AppendPipeline = (*pipeline)(nil)

// startPipeline registers a pipeline so rule changes and Close can cut it.
func (t *Transport) startPipeline(peer raft.ServerID, inner raft.AppendPipeline) (*pipeline, error) {
	p := &pipeline{
		t:       t,
		peer:    peer,
		inner:   inner,
		sent:    make(map[*raft.AppendEntriesRequest]sendInfo),
		out:     make(chan raft.AppendFuture),
		closeCh: make(chan struct{}),
		done:    make(chan struct{}),
	}
	t.pipesMu.Lock()
	select {
	case <-t.closeCh:
		t.pipesMu.Unlock()
		_ = inner.Close()
		return nil, fmt.Errorf("append_entries pipeline to %s: %w", peer, ErrClosed)
	default:
	}
	t.pipes[p] = struct{}{}
	t.pipesMu.Unlock()
	go p.forward()
	return p, nil
}

// cutPipelines closes the pipelines to peers r no longer lets this node send to. Raft sees
// its next send fail and falls back to plain AppendEntries, which the rules then refuse.
func (t *Transport) cutPipelines(r *rules) {
	t.pipesMu.Lock()
	var cut []*pipeline
	for p := range t.pipes {
		if r.sendBlocked(string(p.peer)) {
			cut = append(cut, p)
		}
	}
	t.pipesMu.Unlock()
	for _, p := range cut {
		_ = p.Close()
	}
}

// AppendEntries implements raft.AppendPipeline.
func (p *pipeline) AppendEntries(args *raft.AppendEntriesRequest, resp *raft.AppendEntriesResponse) (raft.AppendFuture, error) {
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	start := time.Now()
	select {
	case <-p.closeCh:
		return nil, fmt.Errorf("append_entries pipeline to %s: %w", p.peer, raft.ErrPipelineShutdown)
	default:
	}
	delay, err := p.t.gate(wire.RPCAppendEntries, p.peer, p.closeCh)
	if err != nil {
		p.report(args, nil, sendInfo{start: start, delay: delay}, true, err)
		return nil, err
	}
	// Recorded before the send: the response can come back before inner returns.
	p.sentMu.Lock()
	p.seq++
	p.sent[args] = sendInfo{start: start, delay: delay, seq: p.seq}
	p.sentMu.Unlock()
	f, err := p.inner.AppendEntries(args, resp)
	if err != nil {
		p.sentMu.Lock()
		_, unreported := p.sent[args] // a concurrent Close may have reported it already
		delete(p.sent, args)
		p.sentMu.Unlock()
		if unreported {
			p.report(args, nil, sendInfo{start: start, delay: delay}, false, err)
		}
		return nil, err
	}
	return f, nil
}

// forward reports completed futures and passes them on to raft in order.
func (p *pipeline) forward() {
	defer close(p.done)
	in := p.inner.Consumer()
	for {
		select {
		case f := <-in:
			err := fromRemote(f.Error())
			req := f.Request()
			p.sentMu.Lock()
			info, ok := p.sent[req]
			delete(p.sent, req)
			p.sentMu.Unlock()
			if !ok {
				info.start = f.Start()
			}
			var resp *raft.AppendEntriesResponse
			if err == nil {
				resp = f.Response()
			}
			p.report(req, resp, info, false, err)
			select {
			case p.out <- f:
			case <-p.closeCh:
				return
			}
		case <-p.closeCh:
			return
		}
	}
}

func (p *pipeline) report(args *raft.AppendEntriesRequest, resp *raft.AppendEntriesResponse, info sendInfo, dropped bool, err error) {
	if p.t.obs == nil {
		return
	}
	d := appendData(args, resp, err == nil)
	d.Pipelined = true
	p.t.emit(&d, p.peer, info.start, info.delay, dropped, err)
}

// reportUnanswered reports the requests still in flight when the pipeline closed, so every
// request sent is reported exactly once. Raft never sees their responses either.
func (p *pipeline) reportUnanswered() {
	p.sentMu.Lock()
	type pending struct {
		args *raft.AppendEntriesRequest
		info sendInfo
	}
	left := make([]pending, 0, len(p.sent))
	for args, info := range p.sent {
		left = append(left, pending{args, info})
	}
	clear(p.sent)
	p.sentMu.Unlock()
	slices.SortFunc(left, func(a, b pending) int { return cmp.Compare(a.info.seq, b.info.seq) })
	for _, l := range left {
		p.report(l.args, nil, l.info, false, fmt.Errorf("append_entries to %s: %w", p.peer, raft.ErrPipelineShutdown))
	}
}

// Consumer implements raft.AppendPipeline.
func (p *pipeline) Consumer() <-chan raft.AppendFuture { return p.out }

// Close implements raft.AppendPipeline. It may be called by raft, by a rule change and by
// the transport's Close, in any order.
func (p *pipeline) Close() error {
	p.closeOnce.Do(func() {
		close(p.closeCh)
		_ = p.inner.Close()
		<-p.done
		p.reportUnanswered()
		p.t.pipesMu.Lock()
		delete(p.t.pipes, p)
		p.t.pipesMu.Unlock()
	})
	return nil
}
