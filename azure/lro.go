package azure

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// Operation is a running ARM long-running operation (create, update,
// delete, regenerate keys). Screens call Next in a tea.Cmd, one poll per
// message, so progress reaches the UI as it happens (no blind PollUntilDone)
// and an operation outlives the screen that started it.
type Operation struct {
	Kind    string // "create" | "update" | "delete" | "regenerateKeys"
	Target  EndpointRef
	Started time.Time

	mu     sync.Mutex
	wait   time.Duration // before the next poll: the server's Retry-After
	state  string
	done   bool
	last   Progress
	poll   func(ctx context.Context) (*http.Response, bool, error) // one poll: response, terminal?, error
	finish func(ctx context.Context) (*Endpoint, error)            // after a terminal poll: the result
	now    func() time.Time
}

// Progress is one observation of an operation.
type Progress struct {
	State    string        // Creating, Updating, Deleting, InProgress, Succeeded, Failed ...
	Elapsed  time.Duration // since the operation started
	Done     bool
	Err      error     // set when Done and the operation failed (typed: see Explain)
	Endpoint *Endpoint // create/update: the endpoint as ARM shows it after success
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
// finish turns the poller's result into the endpoint shown at the end (it
// may be nil: the operation then ends without an endpoint).
func trackPoller[T any](kind string, target EndpointRef, p *runtime.Poller[T], first *http.Response, startState string, finish func(ctx context.Context, res T) (*Endpoint, error)) *Operation {
	op := &Operation{Kind: kind, Target: target, Started: time.Now(), now: time.Now, state: startState, wait: retryAfter(first)}
	if s := stateOf(first); s != "" {
		op.state = s
	}
	op.poll = func(ctx context.Context) (*http.Response, bool, error) {
		resp, err := p.Poll(ctx)
		return resp, p.Done(), err
	}
	op.finish = func(ctx context.Context) (*Endpoint, error) {
		res, err := p.Result(ctx)
		if err != nil {
			return nil, err
		}
		if finish == nil {
			return nil, nil
		}
		return finish(ctx, res)
	}
	return op
}

// Next waits one polling interval, polls once and reports. After the
// terminal report it keeps returning that report without polling.
// A failure to read the status (network, 5xx) is reported with Done false
// and Err set: the operation may still be running; call Next again.
func (o *Operation) Next(ctx context.Context) Progress {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		return o.last
	}
	t := time.NewTimer(o.wait)
	select {
	case <-ctx.Done():
		t.Stop()
		return Progress{State: o.state, Elapsed: o.now().Sub(o.Started), Err: ctx.Err()}
	case <-t.C:
	}
	resp, terminal, err := o.poll(ctx)
	o.wait = retryAfter(resp)
	if err != nil {
		return Progress{State: o.state, Elapsed: o.now().Sub(o.Started), Err: Classify(err)}
	}
	if s := stateOf(resp); s != "" {
		o.state = s
	}
	if !terminal {
		return Progress{State: o.state, Elapsed: o.now().Sub(o.Started)}
	}
	ep, err := o.finish(ctx)
	o.done = true
	o.last = Progress{State: "Succeeded", Elapsed: o.now().Sub(o.Started), Done: true, Endpoint: ep}
	if err != nil {
		o.last.State, o.last.Err = "Failed", classifyLRO(err)
	}
	return o.last
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

// classifyLRO turns a failed operation into a typed error. The SDK reports
// a Failed status as a ResponseError whose body is the status document;
// OperationFailedError carries the operation's own error code and message.
func classifyLRO(err error) error {
	var fe *OperationFailedError
	if errors.As(err, &fe) {
		return fe
	}
	return Classify(err)
}

// OperationFailedError is an operation that ended Failed; Code and Message
// come from the operation status (what Azure says went wrong).
type OperationFailedError struct{ Code, Message string }

func (e *OperationFailedError) Error() string {
	return "the operation failed: " + e.Code + ": " + e.Message
}
