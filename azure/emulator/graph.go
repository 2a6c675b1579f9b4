package emulator

import "net/http"

// serveGraph is Microsoft Graph (placeholder until the Graph routes land).
func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authenticate(w, r, graphAudiences...); !ok {
		return
	}
	writeGraphError(w, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+r.URL.Path+"' does not exist.")
}
