package dom

// eventAttr is the attribute that names the action for each kind of page event: the page
// listens once at the root and finds the nearest element carrying it.
var eventAttr = map[string]string{
	"click":  "data-click",
	"change": "data-change",
	"input":  "data-input",
	"key":    "data-key",
}
