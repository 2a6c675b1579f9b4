package emulator

import "net/http"

// Online endpoint writes: PUT (create/replace), PATCH (tags, identity) and
// DELETE, each a long-running operation (lro.go). PLACEHOLDER: being written.

func (s *Server) armPutEndpoint(w http.ResponseWriter, q *armReq) {
	writeARMError(w, http.StatusNotImplemented, "NotImplemented", "not implemented yet")
}

func (s *Server) armPatchEndpoint(w http.ResponseWriter, q *armReq) {
	writeARMError(w, http.StatusNotImplemented, "NotImplemented", "not implemented yet")
}

func (s *Server) armDeleteEndpoint(w http.ResponseWriter, q *armReq) {
	writeARMError(w, http.StatusNotImplemented, "NotImplemented", "not implemented yet")
}
