package static

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func built(wasmGz []byte) fstest.MapFS {
	wasm := []byte("\x00asm fake module")
	fs := fstest.MapFS{
		"index.html":        {Data: []byte(`<link href="style.css"><script src="wasm_exec.js"></script><script>fetch("app.wasm")</script>`)},
		"style.css":         {Data: []byte(strings.Repeat("body { color: red; }\n", 50))},
		"dist/wasm_exec.js": {Data: []byte(strings.Repeat("// go\n", 50))},
		"dist/app.wasm":     {Data: wasm},
	}
	if wasmGz != nil {
		fs["dist/app.wasm.gz"] = &fstest.MapFile{Data: wasmGz}
	}
	return fs
}

func get(t *testing.T, h http.Handler, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestServesWasmGzippedWithTypeAndETag(t *testing.T) {
	h := load(built(gz([]byte("\x00asm fake module"))))
	rec := get(t, h, "/app.wasm", "Accept-Encoding", "gzip, deflate")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/wasm" || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(zr); string(b) != "\x00asm fake module" {
		t.Fatalf("body %q", b)
	}
	etag := rec.Header().Get("ETag")
	if again := get(t, h, "/app.wasm", "Accept-Encoding", "gzip", "If-None-Match", etag); again.Code != http.StatusNotModified {
		t.Fatalf("revalidation answered %d", again.Code)
	}
	plain := get(t, h, "/app.wasm")
	if plain.Header().Get("Content-Encoding") != "" || plain.Body.String() != "\x00asm fake module" || plain.Header().Get("ETag") == etag {
		t.Fatalf("identity answer %v %q", plain.Header(), plain.Body.String())
	}
	if q := get(t, h, "/app.wasm", "Accept-Encoding", "gzip;q=0"); q.Header().Get("Content-Encoding") != "" {
		t.Fatal("gzip sent to a client that refused it")
	}
}

func TestStaleGzipIsNotServed(t *testing.T) {
	h := load(built(gz([]byte("an older build"))))
	if rec := get(t, h, "/app.wasm", "Accept-Encoding", "gzip"); rec.Header().Get("Content-Encoding") != "" {
		t.Fatal("served a .gz that does not match app.wasm")
	}
}

func TestIndexVersionsAssetsAndVersionedAssetsCacheForever(t *testing.T) {
	h := load(built(nil))
	rec := get(t, h, "/")
	page := rec.Body.String()
	if rec.Header().Get("Cache-Control") != "no-cache" || !strings.Contains(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("index headers %v", rec.Header())
	}
	css := h.assets["/style.css"]
	if !strings.Contains(page, `"style.css?v=`+css.hash+`"`) || !strings.Contains(page, `"app.wasm?v=`) || !strings.Contains(page, `"wasm_exec.js?v=`) {
		t.Fatalf("index not versioned: %s", page)
	}
	v := get(t, h, "/style.css?v="+css.hash, "Accept-Encoding", "gzip")
	if !strings.Contains(v.Header().Get("Cache-Control"), "immutable") || v.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("versioned css headers %v", v.Header())
	}
	if js := get(t, h, "/wasm_exec.js"); !strings.HasPrefix(js.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("js type %q", js.Header().Get("Content-Type"))
	}
	if get(t, h, "/nope").Code != 404 {
		t.Fatal("unknown path served")
	}
	req := httptest.NewRequest("POST", "/", nil)
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	if rr.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST answered %d", rr.Code)
	}
}

func TestNotBuiltSaysHowToBuild(t *testing.T) {
	h := load(fstest.MapFS{"index.html": {Data: []byte("x")}, "style.css": {Data: []byte("x")}, "dist/.gitignore": {Data: []byte("*")}})
	rec := get(t, h, "/")
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "make wasm") {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	if get(t, h, "/app.wasm").Code != 404 {
		t.Fatal("app.wasm served without a build")
	}
}

func TestEmbeddedHandlerServesSomething(t *testing.T) {
	rec := get(t, Handler(), "/")
	if rec.Code != 200 && rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("/ answered %d", rec.Code)
	}
}
