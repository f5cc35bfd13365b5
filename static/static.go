// Package static serves the browser app: index.html and style.css from this directory and
// the build outputs in dist/ (app.wasm, app.wasm.gz, wasm_exec.js, made by `make wasm`),
// all embedded in the binary.
//
// dist/ always holds its .gitignore, so the `all:dist` pattern matches even before the app
// is built and the server always compiles; until then "/" answers 503 with a page saying
// how to build the app.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"
)

//go:embed index.html style.css all:dist
var files embed.FS

// asset is one file ready to serve.
type asset struct {
	name  string
	ctype string
	body  []byte
	gz    []byte // gzip of body, nil when not worth it or not available
	hash  string // content hash: the ETag and the ?v= cache-busting version
}

// site is every asset by URL path.
type site struct {
	assets map[string]*asset
	built  bool
}

var (
	once sync.Once
	app  *site
)

// Handler serves the app at "/": GET and HEAD of /, /index.html, /style.css,
// /wasm_exec.js and /app.wasm, with the right content types (application/wasm), gzip when
// the client accepts it (app.wasm.gz from the build), content-hash ETags and caching:
// index.html is revalidated every time and names the other files with ?v=<hash>, and
// requests carrying the current hash may be cached for good.
func Handler() http.Handler {
	once.Do(func() { app = load(files) })
	return app
}

func load(fsys fs.FS) *site {
	s := &site{assets: map[string]*asset{}}
	read := func(name string) []byte {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil
		}
		return b
	}
	wasm, execJS := read("dist/app.wasm"), read("dist/wasm_exec.js")
	s.built = wasm != nil && execJS != nil
	if !s.built {
		s.assets["/"] = newAsset("index.html", "text/html; charset=utf-8", []byte(notBuilt), nil)
		return s
	}
	w := newAsset("app.wasm", "application/wasm", wasm, nil)
	if gz := read("dist/app.wasm.gz"); gzipOf(gz, wasm) {
		w.gz = gz // a stale .gz from an older build is never served
	}
	css := newAsset("style.css", "text/css; charset=utf-8", read("style.css"), compress)
	js := newAsset("wasm_exec.js", "text/javascript; charset=utf-8", execJS, compress)
	page := string(read("index.html"))
	for _, a := range []*asset{css, js, w} {
		page = strings.Replace(page, `"`+a.name+`"`, `"`+a.name+"?v="+a.hash+`"`, 1)
	}
	index := newAsset("index.html", "text/html; charset=utf-8", []byte(page), compress)
	s.assets["/"] = index
	s.assets["/index.html"] = index
	for _, a := range []*asset{css, js, w} {
		s.assets["/"+a.name] = a
	}
	return s
}

func newAsset(name, ctype string, body []byte, gz func([]byte) []byte) *asset {
	sum := sha256.Sum256(body)
	a := &asset{name: name, ctype: ctype, body: body, hash: hex.EncodeToString(sum[:10])}
	if gz != nil {
		a.gz = gz(body)
	}
	return a
}

// compress gzips small text assets once at start; it returns nil when that does not help.
func compress(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	if buf.Len() >= len(b) {
		return nil
	}
	return buf.Bytes()
}

// gzipOf reports whether gz is a gzip stream of exactly body, by its trailer: the CRC-32
// and length of the uncompressed data.
func gzipOf(gz, body []byte) bool {
	if len(gz) < 18 || gz[0] != 0x1f || gz[1] != 0x8b {
		return false
	}
	t := gz[len(gz)-8:]
	return binary.LittleEndian.Uint32(t[:4]) == crc32.ChecksumIEEE(body) &&
		binary.LittleEndian.Uint32(t[4:]) == uint32(len(body))
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a := s.assets[r.URL.Path]
	if a == nil {
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	if !s.built {
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		if r.Method == http.MethodGet {
			w.Write(a.body)
		}
		return
	}
	if r.URL.Query().Get("v") == a.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	body, etag := a.body, `"`+a.hash+`"`
	if a.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			body, etag = a.gz, `"`+a.hash+`-gz"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reads an Accept-Encoding header: gzip (or *) listed without q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		if q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
			return false
		}
		return true
	}
	return false
}

const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>raftplay: app not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#1f2937}code{background:#f3f4f6;padding:.1em .3em;border-radius:4px}</style>
</head><body><h1>The browser app is not built</h1>
<p>This server was compiled without the WebAssembly app. Run <code>make wasm</code> and then
rebuild the server (<code>make build</code>). The HTTP API under <code>/v1/</code> works either way.</p>
</body></html>
`
