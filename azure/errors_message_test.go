package azure

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// ARM's message is decoded from the body, not cut out of azcore's text dump:
// an escaped quote does not end it, and \u escapes become characters (the
// UI sanitizes them where it draws).
func TestResponseMessageIsDecodedJSON(t *testing.T) {
	body := `{"error":{"code":"BadRequest","message":"name \"a\\b\" is bad \u001b]0;x\u0007 here"}}`
	resp := &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: &http.Request{Method: "PUT", URL: &url.URL{Scheme: "https", Host: "management.azure.com", Path: "/x"}}}
	re, ok := runtime.NewResponseError(resp).(interface{ Error() string })
	if !ok {
		t.Fatal("no error")
	}
	se, ok := Classify(re.(error)).(*ServiceError)
	if !ok {
		t.Fatalf("classified as %T", Classify(re.(error)))
	}
	if want := "name \"a\\b\" is bad \x1b]0;x\a here"; se.Message != want {
		t.Fatalf("message %q, want %q", se.Message, want)
	}
}
