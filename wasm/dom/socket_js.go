//go:build js && wasm

package dom

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall/js"
)

// Limits of a Socket.
const (
	// SocketReadLimit bounds one message: a hello on a busy cluster is large, but not this.
	SocketReadLimit = 8 << 20
	// socketBacklog is how many messages may wait for Read. The page reads far faster than
	// the server sends; a backlog this long means the page is stuck, and the socket is
	// closed rather than grow (the client resumes where it was).
	socketBacklog = 512
)

// CloseError is how a WebSocket ended: the close code and reason the server sent.
type CloseError struct {
	Code   int
	Reason string
}

func (e CloseError) Error() string {
	return fmt.Sprintf("websocket closed: %d %s", e.Code, e.Reason)
}

// Socket is the browser's own WebSocket, read and written from Go. It uses no Go network
// code: a WebSocket library would pull net/http and crypto/tls into the app, a third of
// its size. Its callbacks only queue what happened and return.
type Socket struct {
	ws    js.Value
	funcs map[string]js.Func
	msgs  chan []byte
	open  chan struct{}
	done  chan struct{}

	mu  sync.Mutex
	err error // why it ended, once done is closed
}

// DialSocket opens a WebSocket to url offering protocols, and waits until it is open,
// fails, or ctx ends.
func DialSocket(ctx context.Context, url string, protocols []string) (*Socket, error) {
	ps := make([]any, len(protocols))
	for i, p := range protocols {
		ps[i] = p
	}
	s := &Socket{funcs: map[string]js.Func{}, msgs: make(chan []byte, socketBacklog), open: make(chan struct{}), done: make(chan struct{})}
	var ws js.Value
	if err := catch(func() { ws = js.Global().Get("WebSocket").New(url, ps) }); err != nil {
		return nil, fmt.Errorf("open websocket: %w", err)
	}
	s.ws = ws
	s.on("open", func(js.Value) { close(s.open) })
	s.on("message", s.message)
	s.on("error", func(js.Value) { s.end(errors.New("websocket error")) })
	s.on("close", func(ev js.Value) {
		s.end(CloseError{Code: ev.Get("code").Int(), Reason: ev.Get("reason").String()})
	})
	select {
	case <-s.open:
		return s, nil
	case <-s.done:
		s.release()
		return nil, s.reason()
	case <-ctx.Done():
		s.CloseNow()
		return nil, fmt.Errorf("open websocket: %w", ctx.Err())
	}
}

func (s *Socket) on(name string, fn func(js.Value)) {
	f := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) > 0 {
			fn(args[0])
		}
		return nil
	})
	s.funcs[name] = f
	s.ws.Call("addEventListener", name, f)
}

func (s *Socket) message(ev js.Value) {
	data := ev.Get("data")
	if data.Type() != js.TypeString {
		s.fail(errors.New("websocket: a binary message"))
		return
	}
	text := data.String()
	if len(text) > SocketReadLimit {
		s.fail(fmt.Errorf("websocket: a message over %d bytes", SocketReadLimit))
		return
	}
	select {
	case s.msgs <- []byte(text):
	default:
		s.fail(errors.New("websocket: the page fell behind the stream"))
	}
}

// fail ends the socket from this side.
func (s *Socket) fail(err error) {
	s.end(err)
	catch(func() { s.ws.Call("close", 1000, "") })
}

// end records the first reason the socket ended.
func (s *Socket) end(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return
	}
	s.err = err
	close(s.done)
}

func (s *Socket) reason() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Read returns the next message, in order; the messages that arrived before the socket
// ended are read first.
func (s *Socket) Read(ctx context.Context) ([]byte, error) {
	select {
	case b := <-s.msgs:
		return b, nil
	default:
	}
	select {
	case b := <-s.msgs:
		return b, nil
	case <-s.done:
		select {
		case b := <-s.msgs:
			return b, nil
		default:
		}
		return nil, s.reason()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Write sends b as a text message.
func (s *Socket) Write(ctx context.Context, b []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-s.done:
		return s.reason()
	default:
	}
	if err := catch(func() { s.ws.Call("send", string(b)) }); err != nil {
		return fmt.Errorf("websocket send: %w", err)
	}
	return nil
}

// CloseNow closes the socket and frees its callbacks.
func (s *Socket) CloseNow() error {
	catch(func() { s.ws.Call("close", 1000, "") })
	s.end(errors.New("websocket closed"))
	s.release()
	return nil
}

// release removes the listeners, so that nothing calls the freed functions, and frees them.
func (s *Socket) release() {
	for name, f := range s.funcs {
		catch(func() { s.ws.Call("removeEventListener", name, f) })
		f.Release()
	}
	clear(s.funcs)
}

// catch turns a JavaScript exception thrown inside fn into an error.
func catch(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	fn()
	return nil
}
