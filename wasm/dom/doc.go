// Package dom puts the ui package's view on the page and turns the page's events into
// ui.Msg values. It is the only package of the browser app that touches syscall/js, and
// only in its *_js.go files: the renderer (render.go) works against the small Backend
// interface, which the page implements in backend_js.go and a recording fake implements
// for native tests.
//
// Ownership: every js.Func this package makes belongs to a value with a Release method
// (Events, Frames), and its callbacks never block: they hand a message to a channel read
// by the app's single UI goroutine and return.
package dom
