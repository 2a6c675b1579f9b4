package emulator

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if w.Header().Get("x-ms-request-id") == "" {
		id := newGUID()
		w.Header().Set("x-ms-request-id", id)
		w.Header().Set("x-ms-correlation-request-id", id)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type armErrorBody struct {
	Error armErrorDetail `json:"error"`
}

type armErrorDetail struct {
	Code    string           `json:"code"`
	Message string           `json:"message"`
	Target  string           `json:"target,omitempty"`
	Details []armErrorDetail `json:"details,omitempty"`
}

// writeARMError answers in ARM's error shape (common-types ErrorResponse).
func writeARMError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, armErrorBody{Error: armErrorDetail{Code: code, Message: message}})
}

// writeGraphError answers in Microsoft Graph's error shape.
func writeGraphError(w http.ResponseWriter, status int, code, message string) {
	id := newGUID()
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": code, "message": message,
		"innerError": map[string]string{"date": time.Now().UTC().Format("2006-01-02T15:04:05"), "request-id": id, "client-request-id": id},
	}})
}

// newGUID returns a random RFC 4122 version 4 GUID.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
