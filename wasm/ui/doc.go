// Package ui is the browser app's model: everything it knows about the cluster (State), how
// each event changes that (State.Apply), what the user's actions turn into (State.Handle
// returns the commands to send) and what the page looks like (State.View, a small virtual
// tree). It is plain Go with no syscall/js so that all of it is tested natively; package dom
// puts the view on the page.
package ui
