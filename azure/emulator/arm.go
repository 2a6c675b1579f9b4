package emulator

import "net/http"

// serveARM is a placeholder until the ARM read routes land (owned by the ARM helper).
func (s *Server) serveARM(w http.ResponseWriter, r *http.Request) {
	writeARMError(w, http.StatusNotFound, "NotFound", "The requested path '"+r.URL.Path+"' does not exist in the simulated Azure.")
}
