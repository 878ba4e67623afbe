package server

import (
	_ "embed"
	"net/http"
)

// openapiDoc is the OpenAPI 3.1 description of the endpoints; a test
// checks it against routeTable and the request and response types.
//
//go:embed openapi.json
var openapiDoc []byte

func (s *Server) openapi(w http.ResponseWriter, _ *http.Request, _ *snapshot) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(openapiDoc) // a client gone is not the server's error
}
