package azure

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Exports of a scoring request as commands a user can run elsewhere.
// The credential never appears: the commands read it from the environment
// variable DATA_PLANE_TOKEN (the seeds' name for it). Headers whose value
// contains the credential are left out for the same reason.

// TokenEnvVar holds the key or token for the exported commands.
const TokenEnvVar = "DATA_PLANE_TOKEN"

// RequestFile is where the exports read a body too large to inline.
const RequestFile = "request.json"

// InlineBodyLimit: bodies up to this many bytes are written into the
// exported command; larger ones are read from RequestFile, which the user
// saves next to it (ExportNeedsRequestFile tells the UI to offer that).
const InlineBodyLimit = 2048

// ExportNeedsRequestFile reports whether ExportCurl and ExportPython read
// the body from RequestFile rather than inlining it.
func ExportNeedsRequestFile(req ScoreRequest) bool { return len(req.Body) > InlineBodyLimit }

// ExportCurl is the request as a curl command (the seeds' form, with
// --data-binary so the body is sent byte for byte). Against the simulated
// Azure it names the CA file (--cacert), so it runs as copied; a request for
// real Azure has no CAFile and trusts the system's CAs.
func ExportCurl(req ScoreRequest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "curl --request POST %s \\\n", shellWord(req.URI))
	if req.CAFile != "" {
		fmt.Fprintf(&b, "  --cacert %s \\\n", shellWord(req.CAFile))
	}
	fmt.Fprintf(&b, "  --header \"Authorization: Bearer $%s\" \\\n", TokenEnvVar)
	ct, extra := exportHeaders(req)
	fmt.Fprintf(&b, "  --header %s \\\n", shellWord("Content-Type: "+ct))
	for _, h := range extra {
		fmt.Fprintf(&b, "  --header %s \\\n", shellWord(h[0]+": "+h[1]))
	}
	if ExportNeedsRequestFile(req) {
		fmt.Fprintf(&b, "  --data-binary @%s", RequestFile)
	} else {
		fmt.Fprintf(&b, "  --data-binary %s", shellWord(string(req.Body)))
	}
	return b.String()
}

// ExportPython is the request as the seeds' Python sample (urllib, no
// extra packages), the token read from the environment. Against the
// simulated Azure it trusts the CA file (an ssl context with cafile=, as
// requests' verify= would), so it runs as copied.
func ExportPython(req ScoreRequest) string {
	var b strings.Builder
	b.WriteString("import urllib.request\nimport json\nimport os\n")
	if req.CAFile != "" {
		b.WriteString("import ssl\n")
	}
	b.WriteString("\n")
	if ExportNeedsRequestFile(req) {
		fmt.Fprintf(&b, "with open(%s, \"rb\") as f:\n    body = f.read()\n\n", pyString(RequestFile))
	} else {
		fmt.Fprintf(&b, "body = str.encode(%s)\n\n", pyString(string(req.Body)))
	}
	fmt.Fprintf(&b, "url = %s\n", pyString(req.URI))
	fmt.Fprintf(&b, "api_key = os.environ[%s]\n", pyString(TokenEnvVar))
	ct, extra := exportHeaders(req)
	if ct == "application/json" {
		b.WriteString("headers = {'Content-Type':'application/json', 'Authorization':('Bearer '+ api_key)")
	} else {
		fmt.Fprintf(&b, "headers = {'Content-Type':%s, 'Authorization':('Bearer '+ api_key)", pyString(ct))
	}
	for _, h := range extra {
		fmt.Fprintf(&b, ", %s:%s", pyString(h[0]), pyString(h[1]))
	}
	b.WriteString("}\n\n")
	b.WriteString("req = urllib.request.Request(url, body, headers)\n")
	if req.CAFile != "" {
		fmt.Fprintf(&b, "# The simulated Azure's CA: its certificates are signed by it, not by a public CA.\ncontext = ssl.create_default_context(cafile=%s)\n", pyString(req.CAFile))
	}
	b.WriteString(`
try:
`)
	if req.CAFile != "" {
		b.WriteString("    response = urllib.request.urlopen(req, context=context)\n")
	} else {
		b.WriteString("    response = urllib.request.urlopen(req)\n")
	}
	b.WriteString(`
    result = response.read()
    print(result)
except urllib.error.HTTPError as error:
    print("The request failed with status code: " + str(error.code))

    # Print the headers - they include the request ID and the timestamp, which are useful for debugging the failure
    print(error.info())
    print(error.read().decode("utf8", 'ignore'))
`)
	return b.String()
}

// ExportAz is `az ml online-endpoint invoke` for the endpoint, reading the
// body from requestFile (RequestFile when ""). az fetches the key or AML
// token itself; it cannot invoke aad_token endpoints (use curl there).
func ExportAz(ref EndpointRef, deployment, requestFile string) string {
	if requestFile == "" {
		requestFile = RequestFile
	}
	args := []string{"az", "ml", "online-endpoint", "invoke",
		"--name", shellWord(ref.Endpoint), "--request-file", shellWord(requestFile),
		"--resource-group", shellWord(ref.ResourceGroup), "--workspace-name", shellWord(ref.Name)}
	if deployment != "" {
		args = append(args, "--deployment-name", shellWord(deployment))
	}
	if ref.Subscription != "" {
		args = append(args, "--subscription", shellWord(ref.Subscription))
	}
	return strings.Join(args, " ")
}

// exportHeaders splits the headers to write out: the Content-Type (JSON
// unless an extra header says otherwise), then the deployment and the
// other extra headers, sorted — never Authorization, never a header that
// carries the credential.
func exportHeaders(req ScoreRequest) (contentType string, extra [][2]string) {
	contentType = "application/json"
	for k, v := range req.Headers {
		k = strings.TrimSpace(k)
		switch {
		case strings.EqualFold(k, "Authorization") || (req.Credential != "" && strings.Contains(v, req.Credential)):
		case strings.EqualFold(k, "Content-Type"):
			contentType = v
		default:
			extra = append(extra, [2]string{k, v})
		}
	}
	slices.SortFunc(extra, func(a, b [2]string) int { return strings.Compare(strings.ToLower(a[0]), strings.ToLower(b[0])) })
	if d := strings.TrimSpace(req.Deployment); d != "" {
		extra = append([][2]string{{HeaderDeployment, d}}, extra...)
	}
	return contentType, extra
}

// pyString is a Python string literal for s. A JSON string is one: its
// escapes (\" \\ \n \t \uXXXX ...) mean the same in Python.
func pyString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// shellWord quotes s for POSIX shells: bare when plainly safe, otherwise
// in single quotes, each quote written as close-quote, escaped quote, open-quote.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
