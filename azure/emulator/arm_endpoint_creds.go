package emulator

import "net/http"

// Online endpoint credentials: listKeys, regenerateKeys (an LRO) and token.
// PLACEHOLDER: being written.

func (s *Server) armListKeys(w http.ResponseWriter, q *armReq) {
	writeARMError(w, http.StatusNotImplemented, "NotImplemented", "not implemented yet")
}

func (s *Server) armRegenerateKeys(w http.ResponseWriter, q *armReq) {
	writeARMError(w, http.StatusNotImplemented, "NotImplemented", "not implemented yet")
}

func (s *Server) armGetToken(w http.ResponseWriter, q *armReq) {
	writeARMError(w, http.StatusNotImplemented, "NotImplemented", "not implemented yet")
}
