package nav

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/azure"
	"amlauth-tui/ui/theme"
)

// A problem reads "what failed: why": the first word of the title is
// lower-cased to follow the colon, unless it is a name or an acronym.
func TestProblemTitleKeepsNamesAndAcronyms(t *testing.T) {
	for title, want := range map[string]string{
		"Access denied":                      "Creating x: access denied",
		"Azure is throttling requests":       "Creating x: Azure is throttling requests",
		"Microsoft Entra ID answered 429":    "Creating x: Microsoft Entra ID answered 429",
		"ARM refused it":                     "Creating x: ARM refused it",
		"403: the caller lacks score/action": "Creating x: 403: the caller lacks score/action",
		"Émission refusée":                   "Creating x: émission refusée",
		"":                                   "Creating x: ",
		"X":                                  "Creating x: X",
	} {
		got := lowerFirstWord(title)
		if "Creating x: "+got != want {
			t.Errorf("%q -> %q, want %q", title, "Creating x: "+got, want)
		}
	}
}

// azure advises without key names; the UI adds its own retry key, and
// a screen where R means something else names its own.
func TestProblemAddsTheScreensRetryKey(t *testing.T) {
	st := theme.New(true, true)
	th := &azure.ThrottledError{Message: "Too many requests"}
	if e := azure.Explain(th); strings.Contains(e.Next, "(R)") || strings.Contains(e.Next, "(enter)") || !e.Retry {
		t.Fatalf("azure speaks UI or lost the retry advice: %+v", e)
	}
	flat := func(s string) string { return strings.Join(strings.Fields(ansi.Strip(s)), " ") }
	if v := flat(Problem(st, "Listing", th, 200)); !strings.Contains(v, "then try again. R retries.") {
		t.Fatalf("no retry key: %s", v)
	}
	if v := flat(Problem(st, "Creating", RetryWith(th, "enter"), 200)); !strings.Contains(v, "enter retries.") || strings.Contains(v, "R retries") {
		t.Fatalf("the screen's own key is not used: %s", v)
	}
	bad := &azure.ServiceError{Status: 400, Code: "BadRequest", Message: "no"}
	if v := flat(Problem(st, "Creating", bad, 200)); strings.Contains(v, "retries") {
		t.Fatalf("a request Azure rejected is not worth retrying as it is: %s", v)
	}
}

// Typed errors keep the SDK's error: its request and correlation ids are
// what a support ticket needs.
func TestTypedErrorsWrapTheSDKErrorAndItsIDs(t *testing.T) {
	h := http.Header{}
	h.Set("x-ms-request-id", "req-123")
	h.Set("x-ms-correlation-request-id", "corr-456")
	req, _ := http.NewRequest(http.MethodGet, "https://management.azure.com/x", nil)
	for _, status := range []int{403, 404, 429, 500} {
		re := &azcore.ResponseError{StatusCode: status, ErrorCode: "Code", RawResponse: &http.Response{StatusCode: status, Header: h, Request: req}}
		typed := azure.Classify(re)
		var got *azcore.ResponseError
		if !errors.As(typed, &got) || got != re {
			t.Fatalf("%d: %T does not unwrap to the SDK error", status, typed)
		}
		if r, c := azure.RequestIDs(typed); r != "req-123" || c != "corr-456" {
			t.Fatalf("%d: ids %q %q", status, r, c)
		}
	}
}
