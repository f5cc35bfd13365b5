//go:build js && wasm

package dom

import "syscall/js"

// Frames asks the browser for animation frames, at most one outstanding, and reports each
// on a channel: the UI goroutine renders when one arrives, so renders never outpace the
// display. It owns its js.Func; Release frees it.
type Frames struct {
	fn      js.Func
	C       chan struct{}
	pending bool
}

// NewFrames makes a frame requester.
func NewFrames() *Frames {
	f := &Frames{C: make(chan struct{}, 1)}
	f.fn = js.FuncOf(func(js.Value, []js.Value) any {
		select {
		case f.C <- struct{}{}:
		default:
		}
		return nil
	})
	return f
}

// Request asks for a frame unless one is already coming. Only the UI goroutine calls it.
func (f *Frames) Request() {
	if f.pending {
		return
	}
	f.pending = true
	js.Global().Call("requestAnimationFrame", f.fn)
}

// Done records that the frame reported on C has been handled.
func (f *Frames) Done() { f.pending = false }

// Release frees the callback.
func (f *Frames) Release() { f.fn.Release() }
