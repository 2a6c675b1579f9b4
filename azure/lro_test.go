package azure

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// Operation's own logic with scripted poll answers: what a terminal answer
// means, which errors end it, and that it never blocks its readers. The
// whole protocol against the simulated Azure is in endpoints_test.go.

func lroResp(status int, body string, hdr ...string) *http.Response {
	req, _ := http.NewRequest(http.MethodGet, "https://management.example/op", nil)
	h := http.Header{}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Set(hdr[i], hdr[i+1])
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}
}

// recordWaits is a Polling that does not wait: it notes each interval.
func recordWaits(waited *[]time.Duration) Polling {
	return Polling{Wait: func(ctx context.Context, d time.Duration) error {
		*waited = append(*waited, d)
		return ctx.Err()
	}}
}

// scripted is an Operation whose polls answer from a script; polls counts
// them, waited holds the intervals it waited before each.
func scripted(kind string, answers []*http.Response, finish func(i int, resp *http.Response) (*Endpoint, error)) (op *Operation, polls *int, waited *[]time.Duration) {
	n := 0
	waited = &[]time.Duration{}
	op = &Operation{Kind: kind, Target: EndpointRef{Endpoint: "churn-x"}, Started: time.Now(), clock: recordWaits(waited), state: "Creating", wait: defaultPoll}
	op.poll = func(context.Context) (*http.Response, bool, error) {
		resp := answers[min(n, len(answers)-1)]
		n++
		st := stateOf(resp)
		terminal := st == "Succeeded" || st == "Failed" || st == "Canceled" || (resp.StatusCode != http.StatusAccepted && st == "")
		return resp, terminal, nil
	}
	op.finish = func(context.Context) (Progress, error) {
		ep, err := finish(n, answers[min(n, len(answers))-1])
		return Progress{Endpoint: ep}, err
	}
	return op, &n, waited
}

func TestRetryAfterIsBounded(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"1", time.Second}, {"0", minPoll}, {"600", maxPoll}, {"", defaultPoll}, {"soon", defaultPoll}, {"-3", defaultPoll},
	} {
		if got := retryAfter(lroResp(http.StatusAccepted, "", "Retry-After", tc.header)); got != tc.want {
			t.Errorf("Retry-After %q: %s, want %s", tc.header, got, tc.want)
		}
	}
	if got := retryAfter(nil); got != defaultPoll {
		t.Errorf("no response: %s", got)
	}
}

func TestOperationFailedStatusIsTyped(t *testing.T) {
	failed := `{"status":"Failed","error":{"code":"InternalServerError","message":"Provisioning online endpoint 'churn-x' failed."}}`
	op, polls, waited := scripted("create", []*http.Response{
		lroResp(http.StatusOK, `{"status":"InProgress"}`, "Retry-After", "1"),
		lroResp(http.StatusOK, failed),
	}, func(_ int, resp *http.Response) (*Endpoint, error) { return nil, runtime.NewResponseError(resp) })
	// A status URL's "InProgress" says less than the resource's "Creating": the report keeps Creating.
	if p := op.Next(context.Background()); p.Done || p.State != "Creating" || p.Err != nil || op.Interval() != time.Second {
		t.Fatalf("first report: %+v, interval %s", p, op.Interval())
	}
	p := op.Next(context.Background())
	var fe *OperationFailedError
	if !p.Done || p.State != "Failed" || !errors.As(p.Err, &fe) || fe.Code != "InternalServerError" ||
		fe.Message != "Provisioning online endpoint 'churn-x' failed." || fe.Kind != "create" || fe.Endpoint != "churn-x" {
		t.Fatalf("terminal report: %+v (%T)", p, p.Err)
	}
	if ex := Explain(p.Err); ex.Title != "Creating endpoint 'churn-x' failed" || ex.Detail != "InternalServerError: "+fe.Message {
		t.Errorf("explanation: %+v", ex)
	}
	if again := op.Next(context.Background()); *polls != 2 || again.Err != p.Err || op.State() != "Failed" || op.Interval() != 0 {
		t.Errorf("after the end: %d polls, %+v", *polls, again)
	}
	// The first poll waited the default interval, the second the server's Retry-After.
	if len(*waited) != 2 || (*waited)[0] != defaultPoll || (*waited)[1] != time.Second {
		t.Errorf("waited %v", *waited)
	}
}

func TestOperationFailedLocationIsTyped(t *testing.T) {
	// A Location poll answers the operation's error with a 4xx and no status field.
	op, _, _ := scripted("delete", []*http.Response{
		lroResp(http.StatusBadRequest, `{"error":{"code":"InternalServerError","message":"Deleting online endpoint 'churn-x' failed."}}`),
	}, func(_ int, resp *http.Response) (*Endpoint, error) { return nil, runtime.NewResponseError(resp) })
	op.state = "Deleting"
	p := op.Next(context.Background())
	var fe *OperationFailedError
	if !p.Done || p.State != "Failed" || !errors.As(p.Err, &fe) || fe.Kind != "delete" || !strings.Contains(Explain(p.Err).Next, "Delete it again") {
		t.Fatalf("report: %+v", p)
	}
}

func TestOperationRereadsAThrottledResult(t *testing.T) {
	// The operation succeeded but the final GET was throttled: not the end yet.
	ok := lroResp(http.StatusOK, `{"status":"Succeeded"}`)
	op, polls, _ := scripted("create", []*http.Response{ok}, func(i int, _ *http.Response) (*Endpoint, error) {
		if i == 1 {
			return nil, runtime.NewResponseError(lroResp(http.StatusTooManyRequests, `{"error":{"code":"TooManyRequests","message":"slow down"}}`, "Retry-After", "2"))
		}
		return &Endpoint{ProvisioningState: "Succeeded"}, nil
	})
	var th *ThrottledError
	if p := op.Next(context.Background()); p.Done || !errors.As(p.Err, &th) {
		t.Fatalf("throttled result: %+v", p)
	}
	if p := op.Next(context.Background()); !p.Done || p.Err != nil || p.Endpoint == nil || p.State != "Succeeded" || *polls != 2 {
		t.Fatalf("second read: %+v after %d polls", p, *polls)
	}
}

func TestOperationReadersDoNotWaitForNext(t *testing.T) {
	// A poll that hangs until released: Next is inside it while the
	// header reads the state.
	entered, release := make(chan struct{}), make(chan struct{})
	var waited []time.Duration
	op := &Operation{Kind: "create", Started: time.Now(), clock: recordWaits(&waited), state: "Creating"}
	op.poll = func(context.Context) (*http.Response, bool, error) {
		close(entered)
		<-release
		return lroResp(http.StatusOK, `{"status":"InProgress"}`, "Retry-After", "3"), false, nil
	}
	got := make(chan Progress)
	go func() { got <- op.Next(context.Background()) }()
	<-entered
	read := make(chan string)
	go func() { read <- op.State() + " " + op.Interval().String() }()
	select {
	case s := <-read:
		if s != "Creating 0s" {
			t.Errorf("while polling: %s", s)
		}
	case <-time.After(10 * time.Second): // a deadlock guard, not a measurement
		t.Fatal("State blocked behind a running Next")
	}
	close(release)
	if p := <-got; p.Done || p.State != "Creating" || op.Interval() != 3*time.Second {
		t.Fatalf("report: %+v, interval %s", p, op.Interval())
	}

	// A cancelled context ends the wait without polling.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if p := op.Next(ctx); p.Done || !errors.Is(p.Err, context.Canceled) || p.State != "Creating" {
		t.Fatalf("cancelled: %+v", p)
	}
}

func TestRealPollingWaitEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (Polling{}).wait(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("an hour's wait on a cancelled context: %v", err)
	}
	if d := (Polling{}).now(); time.Since(d) > time.Minute || time.Since(d) < 0 {
		t.Fatalf("the zero Polling's clock is not the real one: %s", d)
	}
}
