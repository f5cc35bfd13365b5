//go:build js && wasm

package dom

import (
	"errors"
	"fmt"
	"syscall/js"
)

// tokenKey is where a tab keeps the cluster's token.
const tokenKey = "raftplay.token"

// statusTimeout bounds Status: the browser aborts the fetch after it.
const statusTimeout = 10000 // ms

// Token returns the cluster's token for this tab ("" when there is none). A token in the
// address's fragment (#token=..., as `raftplay play` prints it) is moved to the tab's
// session storage and dropped from the address bar, so it is not left on screen or in a
// copied link; browsers never send a fragment to the server.
func Token() (token string) {
	defer func() {
		if r := recover(); r != nil { // storage refused (a sandboxed frame, for one)
			LogError(fmt.Sprintf("read the token: %v", r))
			token = ""
		}
	}()
	loc := js.Global().Get("location")
	params := js.Global().Get("URLSearchParams").New(trimHash(loc.Get("hash").String()))
	if t := params.Call("get", "token"); t.Type() == js.TypeString && t.String() != "" {
		SaveToken(t.String())
		js.Global().Get("history").Call("replaceState", js.Null(), "", loc.Get("pathname").String()+loc.Get("search").String())
	}
	v := js.Global().Get("sessionStorage").Call("getItem", tokenKey)
	if v.Type() != js.TypeString {
		return ""
	}
	return v.String()
}

func trimHash(h string) string {
	if len(h) > 0 && h[0] == '#' {
		return h[1:]
	}
	return h
}

// SaveToken keeps token for this tab.
func SaveToken(token string) {
	defer func() {
		if r := recover(); r != nil {
			LogError(fmt.Sprintf("keep the token: %v", r))
		}
	}()
	js.Global().Get("sessionStorage").Call("setItem", tokenKey, token)
}

// Status fetches url, with the token as a bearer token when there is one, and returns the
// answer's HTTP status. It tells a server that wants a token apart from one that is away,
// which a failed WebSocket does not. It blocks, so it must not run on the page's event
// loop; its callbacks only hand the outcome over.
func Status(url, token string) (int, error) {
	opts := map[string]any{"cache": "no-store", "signal": js.Global().Get("AbortSignal").Call("timeout", statusTimeout)}
	if token != "" {
		opts["headers"] = map[string]any{"Authorization": "Bearer " + token}
	}
	type outcome struct {
		status int
		err    error
	}
	done := make(chan outcome, 1)
	ok := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- outcome{status: args[0].Get("status").Int()}
		return nil
	})
	defer ok.Release()
	fail := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- outcome{err: errors.New(args[0].Call("toString").String())}
		return nil
	})
	defer fail.Release()
	js.Global().Call("fetch", url, opts).Call("then", ok, fail)
	o := <-done // the timeout settles the promise
	return o.status, o.err
}
