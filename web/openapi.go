package web

import (
	_ "embed"
	"net/http"
)

// openAPI documents every route; a test checks the document against the routes served.
//
//go:embed openapi.json
var openAPI []byte

func (s *Server) handleOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPI)
}
