package azure

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// Operation is a running ARM long-running operation (create, update,
// delete, regenerate keys). Screens call Next in a tea.Cmd, one poll per
// message, so progress reaches the UI as it happens (no blind PollUntilDone)
// and an operation outlives the screen that started it.
type Operation struct {
	Kind   string // "create" | "update" | "delete" | "regenerateKeys"
	Target EndpointRef
	// Deployment names the online deployment the operation writes; "" when
	// it writes the endpoint itself (traffic changes included).
	Deployment string
	Started    time.Time

	pollMu sync.Mutex    // one Next at a time
	mu     sync.Mutex    // guards the fields below (not held while Next waits or polls)
	wait   time.Duration // before the next poll: the server's Retry-After
	state  string
	done   bool
	last   Progress
	poll   func(ctx context.Context) (*http.Response, bool, error) // one poll: response, terminal?, error
	finish func(ctx context.Context) (Progress, error)             // after a terminal poll: the result (Endpoint or Deployment)
	clock  Polling
}

// Polling is the clock an Operation reads and waits on (Config.Polling).
// The zero value is the real clock. Tests give a clock that moves forward
// when the operation waits, shared with the simulated Azure's Options.Now:
// an operation then runs to its end without waiting for real.
type Polling struct {
	Now  func() time.Time
	Wait func(ctx context.Context, d time.Duration) error // returns ctx.Err() if ctx ends first
}

func (p Polling) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

func (p Polling) wait(ctx context.Context, d time.Duration) error {
	if p.Wait != nil {
		return p.Wait(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Progress is one observation of an operation.
type Progress struct {
	State    string        // Creating, Updating, Deleting, InProgress, Succeeded, Failed ...
	Elapsed  time.Duration // since the operation started
	Done     bool
	Err      error     // set when Done and the operation failed (typed: see Explain)
	Endpoint *Endpoint // create/update: the endpoint as ARM shows it after success
	// Deployment is, for a deployment's create/update, the deployment as
	// ARM shows it after success.
	Deployment *Deployment
}

// Polling bounds: honour Retry-After, but never sleep longer than maxPoll
// (Azure asks for 10 s+ on operations that often finish sooner) nor poll
// faster than minPoll.
const (
	defaultPoll = 2 * time.Second
	minPoll     = 250 * time.Millisecond
	maxPoll     = 10 * time.Second
)

// trackPoller wraps an SDK poller. first is the initial response (captured
// with runtime.WithCaptureResponse) for its Retry-After and starting state;
// finish turns the poller's result into the resource shown at the end
// (Progress.Endpoint or Progress.Deployment; it may be nil: the operation
// then ends without one).
func trackPoller[T any](clock Polling, kind string, target EndpointRef, p *runtime.Poller[T], first *http.Response, startState string, finish func(ctx context.Context, res T) (Progress, error)) *Operation {
	op := &Operation{Kind: kind, Target: target, Started: clock.now(), clock: clock, state: startState, wait: retryAfter(first)}
	if s := stateOf(first); s != "" {
		op.state = s
	}
	if p.Done() {
		op.wait = 0 // it ended with the first answer (a DELETE of nothing: 204): report at once
	}
	op.poll = func(ctx context.Context) (*http.Response, bool, error) {
		resp, err := p.Poll(ctx)
		return resp, p.Done(), err
	}
	op.finish = func(ctx context.Context) (Progress, error) {
		res, err := p.Result(ctx)
		if err != nil {
			return Progress{}, err
		}
		if finish == nil {
			return Progress{}, nil
		}
		return finish(ctx, res)
	}
	return op
}

// Next waits one polling interval, polls once and reports. After the
// terminal report it keeps returning that report without polling.
// A failure to read the status (network, 5xx) is reported with Done false
// and Err set: the operation may still be running; call Next again.
// Calls are serialized; State and Interval do not wait for a running Next.
func (o *Operation) Next(ctx context.Context) Progress {
	o.pollMu.Lock()
	defer o.pollMu.Unlock()
	o.mu.Lock()
	done, last, wait := o.done, o.last, o.wait
	o.mu.Unlock()
	if done {
		return last
	}
	if err := o.clock.wait(ctx, wait); err != nil {
		return o.report(Progress{Err: err})
	}
	resp, terminal, err := o.poll(ctx)
	o.mu.Lock()
	o.wait = retryAfter(resp)
	if s := stateOf(resp); err == nil && s != "" && (o.state == "" || !genericRunning(s)) {
		o.state = s // "InProgress" from a status URL says less than the resource's "Creating": keep that
	}
	state := o.state
	o.mu.Unlock()
	if err != nil {
		return o.report(Progress{Err: Classify(err)})
	}
	if !terminal {
		return o.report(Progress{})
	}
	failed := operationFailed(resp, state)
	res, err := o.finish(ctx)
	if err != nil && !failed && transient(err) {
		// The operation is over but reading its result was throttled or hit
		// a 5xx: the SDK keeps the poller open, so the next call reads again.
		return o.report(Progress{Err: Classify(err)})
	}
	end := Progress{State: "Succeeded", Done: true, Endpoint: res.Endpoint, Deployment: res.Deployment}
	switch {
	case err != nil && failed:
		end.State, end.Err = "Failed", classifyLRO(err, o.Kind, o.Target, o.Deployment)
		if strings.EqualFold(state, "Canceled") {
			end.State = "Canceled"
		}
	case err != nil:
		end.State, end.Err = "Failed", Classify(err)
	}
	return o.report(end)
}

// report completes p with the state (unless p has one) and the elapsed
// time, and records it as the end when p is terminal.
func (o *Operation) report(p Progress) Progress {
	o.mu.Lock()
	defer o.mu.Unlock()
	p.Elapsed = o.clock.now().Sub(o.Started)
	if p.State == "" {
		p.State = o.state
	}
	if p.Done {
		o.done, o.last, o.state = true, p, p.State
	}
	return p
}

// Interval is how long the next Next waits before it polls: the server's
// Retry-After, bounded; 0 once the operation has ended.
func (o *Operation) Interval() time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		return 0
	}
	return o.wait
}

// State is the last state seen (for a header indicator).
func (o *Operation) State() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.state
}

// retryAfter reads the server's polling interval, bounded.
func retryAfter(resp *http.Response) time.Duration {
	if resp == nil {
		return defaultPoll
	}
	n, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After")))
	if err != nil || n < 0 {
		return defaultPoll
	}
	return min(max(time.Duration(n)*time.Second, minPoll), maxPoll)
}

// stateOf reads the operation status or the resource's provisioning state
// from a poll response (whichever it carries); "" when it carries neither.
func stateOf(resp *http.Response) string {
	if resp == nil {
		return ""
	}
	if resp.StatusCode == http.StatusAccepted && resp.ContentLength <= 0 {
		return ""
	}
	body, err := runtime.Payload(resp)
	if err != nil || len(body) == 0 {
		return ""
	}
	var v struct {
		Status     string `json:"status"`
		Properties struct {
			ProvisioningState string `json:"provisioningState"`
		} `json:"properties"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	if v.Status != "" {
		return v.Status
	}
	return v.Properties.ProvisioningState
}

// operationFailed reports whether a terminal poll says the operation
// failed: an operation status of Failed or Canceled (Azure-AsyncOperation),
// or an error answer from the Location URL (the SDK treats 4xx as terminal).
func operationFailed(resp *http.Response, state string) bool {
	if resp != nil && resp.StatusCode >= http.StatusBadRequest {
		return true
	}
	return strings.EqualFold(state, "Failed") || strings.EqualFold(state, "Canceled")
}

// transient reports an answer worth asking again (what the SDK does not cache).
func transient(err error) bool {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return false
	}
	switch re.StatusCode {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// classifyLRO turns a failed operation into a typed error. The SDK reports
// a Failed status as a ResponseError whose body is the operation status
// (or the Location URL's error answer); OperationFailedError carries the
// operation's own error code and message from it.
func classifyLRO(err error, kind string, target EndpointRef, deployment string) error {
	var fe *OperationFailedError
	if errors.As(err, &fe) {
		return fe
	}
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return Classify(err)
	}
	d := armErrorOf(re)
	return &OperationFailedError{Kind: kind, Endpoint: target.Endpoint, Deployment: deployment, Code: cmp.Or(d.Code, re.ErrorCode, "Failed"),
		Message: cmp.Or(d.Message, "Azure gave no reason.")}
}

// armErrorDetail is ARM's error object (common-types ErrorDetail), as found
// in error answers and in a failed operation's status.
type armErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Target  string `json:"target"`
}

// armErrorOf reads the error object out of an answer: {"error": {...}}.
// azcore keeps the body readable after building the ResponseError.
func armErrorOf(re *azcore.ResponseError) armErrorDetail {
	var v struct {
		Error armErrorDetail `json:"error"`
	}
	if re.RawResponse != nil {
		if body, err := runtime.Payload(re.RawResponse); err == nil {
			_ = json.Unmarshal(body, &v)
		}
	}
	if v.Error.Code == "" {
		v.Error.Code = re.ErrorCode
	}
	return v.Error
}

// OperationFailedError is an operation that ended Failed; Code and Message
// come from the operation status (what Azure says went wrong).
type OperationFailedError struct {
	Kind     string // the Operation's Kind: create, update, delete, regenerateKeys
	Endpoint string // the endpoint's name
	// Deployment is the deployment's name when the operation wrote one.
	Deployment string
	Code       string
	Message    string
}

func (e *OperationFailedError) what() string {
	verb := map[string]string{"create": "creating", "update": "changing", "delete": "deleting", "regenerateKeys": "regenerating a key of"}[e.Kind]
	if verb == "" || e.Endpoint == "" {
		return "the operation"
	}
	if e.Deployment != "" {
		return verb + " deployment '" + e.Deployment + "' of endpoint '" + e.Endpoint + "'"
	}
	return verb + " endpoint '" + e.Endpoint + "'"
}

func (e *OperationFailedError) Error() string {
	return e.what() + " failed: " + e.Code + ": " + e.Message
}

// Explanation says what failed, Azure's reason, and how to retry.
func (e *OperationFailedError) Explanation() Explanation {
	w := e.what()
	next := "Check the endpoint's state, then try again."
	switch {
	case e.Deployment != "" && e.Kind == "create":
		next = "The deployment is left in the Failed state. Its logs say why; fix the cause, then create it again with the same settings to retry."
	case e.Deployment != "" && e.Kind == "update":
		next = "The deployment is left in the Failed state. Its logs say why; fix the cause and apply the change again."
	case e.Deployment != "" && e.Kind == "delete":
		next = "The deployment still exists, in the Failed state. Delete it again to retry."
	case e.Kind == "create":
		next = "The endpoint is left in the Failed state. Delete it, or create it again with the same settings to retry."
	case e.Kind == "update":
		next = "The endpoint is left in the Failed state and may not serve requests as before. Apply the change again to retry."
	case e.Kind == "delete":
		next = "The endpoint still exists, in the Failed state. Delete it again to retry."
	case e.Kind == "regenerateKeys":
		next = "The keys are unchanged. Regenerate again to retry."
	}
	return Explanation{Title: strings.ToUpper(w[:1]) + w[1:] + " failed", Detail: e.Code + ": " + e.Message, Next: next}
}

// genericRunning is an operation status that only says "not done yet".
func genericRunning(s string) bool {
	switch strings.ToLower(s) {
	case "inprogress", "running", "accepted", "notstarted":
		return true
	}
	return false
}
