package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/components"
)

// Exit codes of `amlauth-tui score`, for scripts.
const (
	scoreOK        = 0 // the endpoint answered 2xx (every answer, with --repeat)
	scoreHTTPError = 1 // the endpoint answered with an HTTP error status
	scoreError     = 2 // no answer: bad flags or body, sign-in, unknown endpoint, credential, connection
)

// scoreSchema names the --output json document's shape (see scoreJSONHelp).
const scoreSchema = "amlauth-tui/score/v1"

const scoreJSONHelp = `--output json prints one document on stdout (schema "amlauth-tui/score/v1"), also on error:
  schema       "amlauth-tui/score/v1"
  endpoint     the endpoint's ARM id;  scoringUri, authMode
  credential   the kind sent: key, aml_token or aad_token (never the value)
  status       the HTTP status (with --repeat: of the first answer)
  deployment   the deployment that answered (azureml-model-deployment)
  requestId    x-request-id, to quote to support
  trace        {dnsMs, connectMs, tlsMs, firstByteMs, totalMs, reused}
  body         the response body: JSON as is, other text as a string (bodyTruncated when over 1 MB)
  diagnosis    {title, detail, next}: what the answer means
  repeat       with --repeat: {count, concurrency, statusCounts, errors, elapsedMs, requestsPerSecond,
               latencyMs: {min, median, p90, p99, max}}
  exitCode     the exit status
  error        null, or {title, message, next} (exit status 2)`

// runScore sends one scoring request (or --repeat N of them) the way the
// request editor does, for scripts and CI.
func runScore(args []string, stdout, stderr io.Writer) int {
	asJSON := wantsJSON(args)
	doc := scoreDoc{Schema: scoreSchema}
	fail := func(f *cliFail) int {
		f.print(stderr, "score")
		if asJSON {
			doc.Exit, doc.Error = scoreError, f
			writeJSON(stdout, doc)
		}
		return scoreError
	}
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var t scoreTarget
	fs.StringVar(&t.workspace, "workspace-name", os.Getenv("AZURE_DEFAULTS_WORKSPACE"), "workspace: a name (found across the subscriptions you can read), or its ARM id (default $AZURE_DEFAULTS_WORKSPACE)")
	fs.StringVar(&t.workspace, "w", os.Getenv("AZURE_DEFAULTS_WORKSPACE"), "short for --workspace-name")
	fs.StringVar(&t.group, "resource-group", os.Getenv("AZURE_DEFAULTS_GROUP"), "the workspace's resource group, to narrow the search (default $AZURE_DEFAULTS_GROUP)")
	fs.StringVar(&t.group, "g", os.Getenv("AZURE_DEFAULTS_GROUP"), "short for --resource-group")
	fs.StringVar(&t.subscription, "subscription", os.Getenv("AZURE_SUBSCRIPTION_ID"), "the workspace's subscription, id or name, to narrow the search (default $AZURE_SUBSCRIPTION_ID)")
	fs.StringVar(&t.endpoint, "name", "", "the online endpoint")
	fs.StringVar(&t.endpoint, "n", "", "short for --name")
	fs.StringVar(&t.endpointID, "endpoint-id", "", "the endpoint's ARM id, instead of -w and -n")
	body := fs.String("body", "", "the request body: @FILE, @- (stdin) or the JSON itself")
	fs.StringVar(body, "d", "", "short for --body")
	deployment := fs.String("deployment", "", "send to this deployment (azureml-model-deployment), bypassing the traffic split")
	repeat := fs.Int("repeat", 1, "send the request N times and print latency statistics")
	concurrency := fs.Int("concurrency", 1, "with --repeat: requests in flight at once")
	timeout := fs.Duration("timeout", azure.DefaultScoreTimeout, "per request")
	var si cliSignIn
	si.register(fs)
	output := outputFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: amlauth-tui score -w WORKSPACE -n ENDPOINT --body @FILE.json [--deployment NAME] [--repeat N --concurrency C] [--output json]")
		fmt.Fprintln(stderr, "       amlauth-tui score --endpoint-id ID --body @FILE.json ...")
		fmt.Fprintln(stderr, "\nSends a scoring request to an Azure ML online endpoint with the credential its auth mode takes, as the request editor does:\n"+
			"the key (key), an AML token (aml_token) or an Entra token for the ML audience (aad_token). The response body goes to stdout,\n"+
			"the diagnosis (status, deployment, request id, timing, what an error means) to stderr. No credential is ever printed.")
		fmt.Fprintln(stderr, "\nExit status:\n  0  the endpoint answered 2xx (every answer, with --repeat)\n  1  the endpoint answered with an HTTP error status (4xx, 5xx)\n"+
			"  2  no answer: bad flags or body, sign-in failed, unknown workspace or endpoint, no credential, connection failed")
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\n"+scoreJSONHelp)
	}
	help, f := parseScriptFlags(fs, args, output)
	if help {
		return 0
	}
	if f != nil {
		return fail(f)
	}
	if *repeat < 1 || *repeat > 100000 {
		return fail(failf("--repeat %d: use 1 to 100000", *repeat))
	}
	if *concurrency < 1 || *concurrency > 256 {
		return fail(failf("--concurrency %d: use 1 to 256", *concurrency))
	}
	if err := t.check(); err != nil {
		return fail(badInput(err))
	}
	payload, err := readBody(*body, os.Stdin)
	if err != nil {
		return fail(badInput(err))
	}
	if _, err := si.method(); err != nil {
		return fail(badInput(err))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute+time.Duration(*repeat)**timeout)
	defer cancel()
	sess, done, f := si.signIn(ctx, stderr)
	defer done()
	if f != nil {
		return fail(f)
	}
	ep, f := t.resolve(ctx, sess)
	if f != nil {
		return fail(f)
	}
	kind := azure.CredKindFor(ep.AuthMode)
	doc.Endpoint, doc.ScoringURI, doc.AuthMode, doc.Credential = ep.ID, ep.ScoringURI, ep.AuthMode, kind
	cred, err := azure.ScoringCredential(ctx, sess, ep.EndpointRef, kind, false)
	if err != nil {
		f := failErr(err)
		f.Title = "No " + kind + " credential for " + ep.Endpoint + ": " + strings.ToLower(f.Title)
		return fail(f)
	}
	req := azure.ScoreRequest{URI: ep.ScoringURI, Body: payload, Deployment: *deployment, Credential: cred.Value, CredentialKind: kind, Timeout: *timeout}
	sc := azure.NewScorer(sess.Config())

	var (
		resp  azure.ScoreResponse
		stats *azure.RepeatStats
	)
	if *repeat == 1 {
		resp, err = sc.Score(ctx, req)
		if err != nil {
			return fail(failErr(err))
		}
	} else {
		st := sc.Repeat(ctx, req, *repeat, *concurrency, nil)
		stats = &st
		switch {
		case st.First == nil && st.FirstError != nil:
			return fail(failErr(st.FirstError))
		case st.First == nil:
			return fail(failf("no request finished within the time limit"))
		}
		resp = *st.First
	}
	d := azure.Diagnose(req, resp)
	doc.fill(resp, d)
	doc.Exit = scoreOK
	if resp.Status < 200 || resp.Status > 299 {
		doc.Exit = scoreHTTPError
	}
	if stats != nil {
		doc.Repeat = repeatDoc(*stats, *concurrency)
		for status := range stats.StatusCounts {
			if status < 200 || status > 299 {
				doc.Exit = scoreHTTPError
			}
		}
		if stats.Errors > 0 {
			doc.Exit = scoreError
			doc.Error = failErr(stats.FirstError)
		}
	}
	if *output == "json" {
		writeJSON(stdout, doc)
	} else {
		writeBody(stdout, resp.Body)
	}
	printDiagnosis(stderr, doc, d, stats)
	return doc.Exit
}

// scoreTarget is how the endpoint was named on the command line.
type scoreTarget struct {
	workspace, group, subscription, endpoint, endpointID string
}

// check refuses contradictory or missing names before anything is signed in.
func (t scoreTarget) check() error {
	switch {
	case t.endpointID != "" && t.endpoint != "":
		return errors.New("--endpoint-id names the endpoint already: drop -n/--name")
	case t.endpointID != "":
		_, err := endpointFromID(t.endpointID)
		return err
	case t.endpoint == "":
		return errors.New("name the endpoint: -w WORKSPACE -n ENDPOINT, or --endpoint-id ID")
	case t.workspace == "":
		return errors.New("-n/--name needs -w/--workspace-name (a workspace name or ARM id)")
	}
	if strings.HasPrefix(t.workspace, "/") {
		_, err := workspaceFromID(t.workspace)
		return err
	}
	return nil
}

// resolve finds the endpoint: by id, or by workspace name (searched across
// the subscriptions the caller can read, narrowed by -g and --subscription).
func (t scoreTarget) resolve(ctx context.Context, sess *azure.Session) (azure.Endpoint, *cliFail) {
	var ref azure.EndpointRef
	switch {
	case t.endpointID != "":
		ref, _ = endpointFromID(t.endpointID)
	case strings.HasPrefix(t.workspace, "/"):
		ws, _ := workspaceFromID(t.workspace)
		ref = azure.EndpointRef{WorkspaceRef: ws, Endpoint: t.endpoint}
	default:
		ws, f := t.findWorkspace(ctx, sess)
		if f != nil {
			return azure.Endpoint{}, f
		}
		ref = azure.EndpointRef{WorkspaceRef: ws, Endpoint: t.endpoint}
	}
	ep, err := sess.Endpoint(ctx, ref)
	var nf *azure.NotFoundError
	if errors.As(azure.Classify(err), &nf) {
		f := failf("no online endpoint %q in workspace %s (resource group %s, subscription %s)", ref.Endpoint, ref.Name, ref.ResourceGroup, ref.Subscription)
		if eps, err := sess.Endpoints(ctx, ref.WorkspaceRef); err == nil {
			var names []string
			for _, e := range eps[:min(len(eps), 20)] {
				names = append(names, e.Endpoint)
			}
			switch {
			case len(eps) == 0:
				f.Next = "The workspace has no online endpoints."
			case len(eps) > 20:
				f.Next = fmt.Sprintf("Its endpoints include: %s (and %d more).", strings.Join(names, ", "), len(eps)-20)
			default:
				f.Next = "Its endpoints: " + strings.Join(names, ", ") + "."
			}
		}
		return ep, f
	}
	if err != nil {
		return ep, failErr(err)
	}
	if ep.ScoringURI == "" {
		return ep, failf("endpoint %s has no scoring URI yet (provisioning state %s)", ep.Endpoint, ep.ProvisioningState)
	}
	return ep, nil
}

// findWorkspace searches the readable subscriptions for the workspace name.
func (t scoreTarget) findWorkspace(ctx context.Context, sess *azure.Session) (azure.WorkspaceRef, *cliFail) {
	subs, err := sess.Subscriptions(ctx)
	if err != nil {
		f := failErr(err)
		f.Next = "Pass the workspace's ARM id to -w, or the endpoint's to --endpoint-id, to skip the search. " + f.Next
		return azure.WorkspaceRef{}, f
	}
	var ids []string
	for _, s := range subs {
		if t.subscription == "" || strings.EqualFold(s.ID, t.subscription) || strings.EqualFold(s.DisplayName, t.subscription) {
			ids = append(ids, s.ID)
		}
	}
	where := fmt.Sprintf("the %d subscriptions you can read", len(ids))
	if t.subscription != "" {
		if len(ids) == 0 {
			return azure.WorkspaceRef{}, failf("no subscription %q among the %d you can read", t.subscription, len(subs))
		}
		where = "subscription " + t.subscription
	}
	list, err := sess.Workspaces(ctx, ids)
	if err != nil {
		f := failErr(err)
		f.Title = "Cannot search for workspace " + t.workspace + ": " + strings.ToLower(f.Title)
		f.Next = "Pass the workspace's ARM id to -w, or the endpoint's to --endpoint-id: the search needs read access to the workspaces (Reader), the endpoint itself does not. " + f.Next
		return azure.WorkspaceRef{}, f
	}
	var found []azure.Workspace
	for _, w := range list.Items {
		if strings.EqualFold(w.Name, t.workspace) && (t.group == "" || strings.EqualFold(w.ResourceGroup, t.group)) {
			found = append(found, w)
		}
	}
	switch len(found) {
	case 1:
		return found[0].WorkspaceRef, nil
	case 0:
		if t.group != "" {
			where += ", resource group " + t.group
		}
		f := failf("no workspace %q in %s", t.workspace, where)
		if len(list.Failed) > 0 {
			f.Next = fmt.Sprintf("%d subscription(s) could not be listed; pass the workspace's ARM id to skip the search.", len(list.Failed))
		}
		return azure.WorkspaceRef{}, f
	}
	var names []string
	for _, w := range found {
		names = append(names, "  "+w.ID)
	}
	return azure.WorkspaceRef{}, &cliFail{Detail: fmt.Sprintf("%d workspaces are named %q:\n%s", len(found), t.workspace, strings.Join(names, "\n")),
		Next: "Pass one's ARM id to -w, or narrow with -g and --subscription."}
}

const mlProvider = "Microsoft.MachineLearningServices"

// workspaceFromID parses a workspace's ARM id.
func workspaceFromID(id string) (azure.WorkspaceRef, error) {
	sc, err := rbac.ParseScope(id)
	if err == nil && (sc.Level != rbac.AtResource || !strings.EqualFold(sc.Provider, mlProvider) || len(sc.Types) != 1 || !strings.EqualFold(sc.Types[0], "workspaces")) {
		err = fmt.Errorf("%q is not a workspace id (/subscriptions/ID/resourceGroups/RG/providers/%s/workspaces/NAME)", id, mlProvider)
	}
	if err != nil {
		return azure.WorkspaceRef{}, err
	}
	return azure.WorkspaceRef{Subscription: sc.Subscription, ResourceGroup: sc.ResourceGroup, Name: sc.Names[0]}, nil
}

// endpointFromID parses an online endpoint's ARM id.
func endpointFromID(id string) (azure.EndpointRef, error) {
	sc, err := rbac.ParseScope(id)
	if err == nil && (sc.Level != rbac.AtResource || !strings.EqualFold(sc.Provider, mlProvider) || len(sc.Types) != 2 ||
		!strings.EqualFold(sc.Types[0], "workspaces") || !strings.EqualFold(sc.Types[1], "onlineEndpoints")) {
		err = fmt.Errorf("--endpoint-id %q is not an online endpoint id (/subscriptions/ID/resourceGroups/RG/providers/%s/workspaces/WS/onlineEndpoints/NAME)", id, mlProvider)
	}
	if err != nil {
		return azure.EndpointRef{}, err
	}
	return azure.EndpointRef{WorkspaceRef: azure.WorkspaceRef{Subscription: sc.Subscription, ResourceGroup: sc.ResourceGroup, Name: sc.Names[0]}, Endpoint: sc.Names[1]}, nil
}

// readBody reads --body: @FILE, @- (stdin) or the JSON itself, and checks
// it is one JSON value before anything is signed in or sent.
func readBody(arg string, stdin io.Reader) ([]byte, error) {
	if arg == "" {
		return nil, errors.New("--body is required: @FILE.json, @- for stdin, or the JSON itself")
	}
	name, b := "--body", []byte(arg)
	if file, ok := strings.CutPrefix(arg, "@"); ok {
		r := stdin
		name = "stdin"
		if file != "-" {
			fh, err := os.Open(file)
			if err != nil {
				var pe *os.PathError
				if errors.As(err, &pe) {
					err = pe.Err
				}
				return nil, fmt.Errorf("--body @%s: cannot read %s: %v", file, file, err)
			}
			defer fh.Close()
			r, name = fh, file
		}
		var err error
		if b, err = io.ReadAll(io.LimitReader(r, azure.MaxRequestBody+1)); err != nil {
			return nil, fmt.Errorf("--body: reading %s: %v", name, err)
		}
	}
	if len(b) > azure.MaxRequestBody {
		return nil, fmt.Errorf("%s: the body is over %d MB; send fewer rows per request", name, azure.MaxRequestBody>>20)
	}
	if err := azure.ValidateJSON(b); err != nil {
		return nil, fmt.Errorf("%s is not valid JSON: %v; nothing was sent", name, err)
	}
	return b, nil
}

// scoreDoc is the --output json document (scoreSchema).
type scoreDoc struct {
	Schema        string          `json:"schema"`
	Endpoint      string          `json:"endpoint,omitempty"`
	ScoringURI    string          `json:"scoringUri,omitempty"`
	AuthMode      string          `json:"authMode,omitempty"`
	Credential    string          `json:"credential,omitempty"`
	Status        int             `json:"status,omitempty"`
	Deployment    string          `json:"deployment,omitempty"`
	RequestID     string          `json:"requestId,omitempty"`
	Trace         *jsonTrace      `json:"trace,omitempty"`
	Body          json.RawMessage `json:"body,omitempty"`
	BodyTruncated bool            `json:"bodyTruncated,omitempty"`
	Diagnosis     *jsonDiagnosis  `json:"diagnosis,omitempty"`
	Repeat        *jsonRepeat     `json:"repeat,omitempty"`
	Exit          int             `json:"exitCode"`
	Error         *cliFail        `json:"error"`
}

type jsonTrace struct {
	DNS       float64 `json:"dnsMs"`
	Connect   float64 `json:"connectMs"`
	TLS       float64 `json:"tlsMs"`
	FirstByte float64 `json:"firstByteMs"`
	Total     float64 `json:"totalMs"`
	Reused    bool    `json:"reused"`
}

type jsonDiagnosis struct {
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Next   string `json:"next,omitempty"`
}

type jsonRepeat struct {
	Count        int            `json:"count"`
	Concurrency  int            `json:"concurrency"`
	StatusCounts map[string]int `json:"statusCounts"`
	Errors       int            `json:"errors"`
	Elapsed      float64        `json:"elapsedMs"`
	PerSecond    float64        `json:"requestsPerSecond"`
	Latency      jsonLatency    `json:"latencyMs"`
}

type jsonLatency struct {
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	P90    float64 `json:"p90"`
	P99    float64 `json:"p99"`
	Max    float64 `json:"max"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (doc *scoreDoc) fill(r azure.ScoreResponse, d azure.Diagnosis) {
	doc.Status, doc.Deployment, doc.RequestID, doc.BodyTruncated = r.Status, r.Deployment, r.RequestID, r.Truncated
	t := r.Trace
	doc.Trace = &jsonTrace{DNS: ms(t.DNS), Connect: ms(t.Connect), TLS: ms(t.TLS), FirstByte: ms(t.FirstByte), Total: ms(t.Total), Reused: t.Reused}
	doc.Diagnosis = &jsonDiagnosis{Title: d.Title, Detail: d.Detail, Next: d.Next}
	switch {
	case len(bytes.TrimSpace(r.Body)) == 0:
	case !r.Truncated && json.Valid(r.Body):
		var compact bytes.Buffer
		if json.Compact(&compact, r.Body) == nil {
			doc.Body = compact.Bytes()
		}
	default:
		s, _ := json.Marshal(strings.ToValidUTF8(string(r.Body), "\uFFFD"))
		doc.Body = s
	}
}

func repeatDoc(st azure.RepeatStats, concurrency int) *jsonRepeat {
	r := &jsonRepeat{Count: st.Count, Concurrency: min(concurrency, max(st.Count, 1)), StatusCounts: map[string]int{}, Errors: st.Errors, Elapsed: ms(st.Elapsed),
		Latency: jsonLatency{Min: ms(st.Min), Median: ms(st.P50), P90: ms(st.P90), P99: ms(st.P99), Max: ms(st.Max)}}
	for status, n := range st.StatusCounts {
		r.StatusCounts[strconv.Itoa(status)] = n
	}
	if st.Elapsed > 0 {
		r.PerSecond = float64(st.Count) / st.Elapsed.Seconds()
	}
	return r
}

// printDiagnosis writes what the answer means, for a person, on stderr.
func printDiagnosis(w io.Writer, doc scoreDoc, d azure.Diagnosis, st *azure.RepeatStats) {
	fmt.Fprintf(w, "%s: %s\n", components.Clean(d.Title), components.Clean(d.Detail))
	if d.Next != "" {
		fmt.Fprintln(w, "Next: "+components.Clean(d.Next))
	}
	t := doc.Trace
	var parts []string
	for _, p := range []struct {
		name string
		v    string
	}{{"endpoint", doc.Endpoint}, {"auth", doc.AuthMode + " (sent: " + doc.Credential + ")"}, {"deployment", doc.Deployment}, {"request id", doc.RequestID}} {
		if p.v != "" {
			parts = append(parts, p.name+" "+components.Clean(p.v))
		}
	}
	fmt.Fprintln(w, strings.Join(parts, " · "))
	timing := fmt.Sprintf("time %.1f ms (first byte %.1f ms", t.Total, t.FirstByte)
	if !t.Reused {
		timing += fmt.Sprintf(", connect %.1f ms, TLS %.1f ms", t.Connect, t.TLS)
	}
	fmt.Fprintln(w, timing+")")
	if st != nil {
		r := doc.Repeat
		var codes []string
		for status, n := range r.StatusCounts {
			codes = append(codes, fmt.Sprintf("%d × %s", n, status))
		}
		if r.Errors > 0 {
			codes = append(codes, fmt.Sprintf("%d without an answer", r.Errors))
		}
		fmt.Fprintf(w, "%d requests, %d at a time, in %.0f ms (%.0f/s): %s\n", r.Count, r.Concurrency, r.Elapsed, r.PerSecond, strings.Join(codes, ", "))
		l := r.Latency
		fmt.Fprintf(w, "latency ms: min %.2f · median %.2f · p90 %.2f · p99 %.2f · max %.2f\n", l.Min, l.Median, l.P90, l.P99, l.Max)
		if st.FirstError != nil {
			failErr(st.FirstError).print(w, "score")
		}
	}
}

// writeBody prints the response body as it came, like curl, for a pipe or
// a file; on a terminal, escape sequences and control characters are
// dropped first, so a hostile answer cannot drive the user's terminal.
func writeBody(w io.Writer, b []byte) {
	if len(b) == 0 {
		return
	}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			b = []byte(components.CleanBlock(string(b)))
		}
	}
	w.Write(b)
	if !bytes.HasSuffix(b, []byte("\n")) {
		fmt.Fprintln(w)
	}
}
