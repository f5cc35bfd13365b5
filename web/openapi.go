package web

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3.1 document of the routes, served at /v1/openapi.json. It is
// generated from the route table, the documentation beside it (openapi_ops_test.go) and
// the node/wire types, and TestOpenAPIDocumentIsGenerated fails when it is not what the
// code says; README.md ("The API document") tells how it is checked.
//
//go:generate go test -run ^TestOpenAPIDocumentIsGenerated$ -update .
//go:embed openapi.json
var openAPI []byte

func (s *Server) handleOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPI)
}
