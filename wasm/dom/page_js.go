//go:build js && wasm

package dom

import "syscall/js"

// Location returns the page's protocol ("https:") and host ("example.com:8080").
func Location() (protocol, host string) {
	loc := js.Global().Get("location")
	return loc.Get("protocol").String(), loc.Get("host").String()
}

// LogError writes a real error to the browser console.
func LogError(msg string) {
	js.Global().Get("console").Call("error", "raftplay: "+msg)
}
