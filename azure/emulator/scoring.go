package emulator

import "net/http"

// Scoring: the data plane of online endpoints. PLACEHOLDER: being written.

// writeScoringFault answers an injected fault on a scoring path in the data plane's shape.
func (s *Server) writeScoringFault(w http.ResponseWriter, status int) {
	http.Error(w, http.StatusText(status), status)
}
