package emulator

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"amlauth-tui/azure/rbac"
)

// Long-running operations, as ARM runs them (PROTOCOL.md §4): the first
// answer carries an Azure-AsyncOperation and/or Location URL that the
// client polls. An operation is due ProvisioningTime after it starts and is
// settled lazily, at the front door before every request on every surface
// (ServeHTTP), so the emulator needs no goroutines and an injected clock
// drives it.

// defaultRetryAfter is the polling interval the emulator asks for unless
// Options.RetryAfter says otherwise: the low end of the documented range
// (ARM RPC async operations: 10 s to 10 min; the ML swagger's Retry-After on
// OnlineEndpoints_Update/Delete/RegenerateKeys: int32, 10-600), which is
// also what the ML examples send (PROTOCOL.md §4). Tests and the demo
// shorten it, and the demo says so.
const defaultRetryAfter = 10 * time.Second

// failInternal makes op end Failed with InternalServerError and the
// message: what an injected fault does to a write's provisioning.
func (op *operation) failInternal(format string, args ...any) {
	op.Fail, op.FailCode, op.FailMsg = true, "InternalServerError", fmt.Sprintf(format, args...)
}

// retryAfter is the Retry-After value of operation answers, in whole
// seconds (the header carries integer seconds; under a second sends 0).
func (s *armHost) retryAfter() string { return strconv.Itoa(int(s.opts.RetryAfter / time.Second)) }

// operation is one long-running operation.
type operation struct {
	ID       string
	Sub      string
	Location string
	Resource string // lower-cased ARM id of the resource it changes (409 while running)
	Kind     string // "create" | "update" | "delete" | "regenerateKeys" ...
	Start    time.Time
	Duration time.Duration // how long it runs; 0: ProvisioningTime
	Due      time.Time
	End      time.Time
	Status   string // InProgress | Succeeded | Failed
	ErrCode  string // when Failed
	ErrMsg   string
	// Fail makes the operation end Failed with FailCode/FailMsg (fault injection, validation found late).
	Fail     bool
	FailCode string
	FailMsg  string
	// Check, when set, runs first when the operation is due (under the
	// world's write lock, at the due time): a non-empty code fails the
	// operation with that code and message (a deployment's provisioning
	// decides then what its identity may do).
	Check func(at time.Time) (code, msg string)
	// Apply runs once under the world's write lock when the operation is due;
	// failed is true when it ends Failed (Apply then records the failure on the resource).
	Apply func(w *World, failed bool)
	// Result is what the Location URL answers once the operation succeeded
	// (status 200 with body, or 204 with nil body). nil means 200 with no body.
	// It runs without any lock held: take s.mu.RLock to read the world.
	Result func() (int, any)
}

// lroStore holds every operation the server started. Guarded by its own
// mutex; Apply runs with s.mu held for writing.
type lroStore struct {
	mu       sync.Mutex
	ops      map[string]*operation // by lower-cased id
	inflight int                   // operations still InProgress: settle's fast path
}

// startOp records op (ID, Start, Due and Status are filled in) and returns it.
func (s *core) startOp(op *operation) *operation {
	op.ID = newGUID()
	op.Start = s.now()
	op.Due = op.Start.Add(cmp.Or(op.Duration, s.opts.ProvisioningTime))
	op.Status = "InProgress"
	op.Resource = rbac.OrdinalKey(op.Resource)
	s.lro.mu.Lock()
	if s.lro.ops == nil {
		s.lro.ops = map[string]*operation{}
	}
	s.lro.ops[rbac.OrdinalKey(op.ID)] = op
	s.lro.inflight++
	s.lro.mu.Unlock()
	return op
}

// busy reports an unfinished operation on the resource (ARM answers 409).
// Call settle first so an operation that is due does not count.
func (s *core) busy(resourceID string) *operation {
	id := rbac.OrdinalKey(resourceID)
	s.lro.mu.Lock()
	defer s.lro.mu.Unlock()
	for _, op := range s.lro.ops {
		if op.Status == "InProgress" && op.Resource == id {
			return op
		}
	}
	return nil
}

// settle finishes every operation that is due. It takes s.mu for writing,
// so callers must not hold s.mu.
func (s *core) settle() {
	now := s.now()
	var due []*operation
	s.lro.mu.Lock()
	if s.lro.inflight == 0 {
		s.lro.mu.Unlock()
		return
	}
	for _, op := range s.lro.ops {
		if op.Status == "InProgress" && !now.Before(op.Due) {
			due = append(due, op)
		}
	}
	s.lro.mu.Unlock()
	if len(due) == 0 {
		return
	}
	s.mu.Lock()
	s.lro.mu.Lock()
	for _, op := range due {
		if op.Status != "InProgress" { // another request settled it meanwhile
			continue
		}
		s.lro.inflight--
		op.End = op.Due
		op.Status = "Succeeded"
		if !op.Fail && op.Check != nil {
			if code, msg := op.Check(op.Due); code != "" {
				op.Fail, op.FailCode, op.FailMsg = true, code, msg
			}
		}
		if op.Fail {
			op.Status, op.ErrCode, op.ErrMsg = "Failed", op.FailCode, op.FailMsg
		}
		if op.Apply != nil {
			op.Apply(s.world, op.Fail)
		}
	}
	s.lro.mu.Unlock()
	s.roleMu.Lock()
	s.roleIdx = nil
	s.roleMu.Unlock()
	s.mu.Unlock()
}

// lookupOp returns a copy of the operation (settled first).
func (s *core) lookupOp(id string) (operation, bool) {
	s.settle()
	s.lro.mu.Lock()
	defer s.lro.mu.Unlock()
	op, ok := s.lro.ops[rbac.OrdinalKey(id)]
	if !ok {
		return operation{}, false
	}
	return *op, true
}

// opBase is the URL prefix of an operation's status and result resources.
func (s *armHost) opBase(op *operation) string {
	return s.url + "/subscriptions/" + op.Sub + "/providers/" + mlNS + "/locations/" + op.Location
}

// asyncOperationURL is the Azure-AsyncOperation URL (operation status). It
// carries the api-version of the request that started the operation, as
// ARM's do: a client pinned to an older version polls with that version.
func (s *armHost) asyncOperationURL(op *operation, apiVersion string) string {
	return s.opBase(op) + "/mfeOperationsStatus/" + op.ID + "?api-version=" + url.QueryEscape(apiVersion)
}

// locationURL is the Location URL (operation result), with the request's api-version.
func (s *armHost) locationURL(op *operation, apiVersion string) string {
	return s.opBase(op) + "/mfeOperationResults/" + op.ID + "?api-version=" + url.QueryEscape(apiVersion)
}

// writeLROHeaders sets the polling headers of a 201/202 first answer to q.
func (s *armHost) writeLROHeaders(w http.ResponseWriter, q *armReq, op *operation, async, location bool) {
	h := w.Header()
	v := q.apiVersion()
	if async {
		h.Set("Azure-AsyncOperation", s.asyncOperationURL(op, v))
	}
	if location {
		h.Set("Location", s.locationURL(op, v))
	}
	h.Set("Retry-After", s.retryAfter())
	h.Set("x-ms-async-operation-timeout", "PT1H")
}

type armOperationStatusJSON struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Status          string          `json:"status"`
	StartTime       string          `json:"startTime"`
	EndTime         string          `json:"endTime,omitempty"`
	PercentComplete float64         `json:"percentComplete"`
	Error           *armErrorDetail `json:"error,omitempty"`
}

// GET .../locations/{loc}/mfeOperationsStatus/{op}: always 200 with the status body.
func (s *armHost) armGetOperationStatus(w http.ResponseWriter, q *armReq) {
	op, ok := s.lookupOp(q.p["op"])
	if !ok || !rbac.EqualOrdinalIgnoreCase(op.Sub, q.p["sub"]) {
		writeARMError(w, http.StatusNotFound, "NotFound", "The operation '"+q.p["op"]+"' was not found.")
		return
	}
	body := armOperationStatusJSON{
		ID: strings.TrimPrefix(s.opBase(&op), s.url) + "/mfeOperationsStatus/" + op.ID, Name: op.ID,
		Status: op.Status, StartTime: armTimestamp(op.Start),
	}
	if op.Status == "InProgress" {
		total := op.Due.Sub(op.Start)
		if total > 0 {
			body.PercentComplete = min(99, float64(s.now().Sub(op.Start))*100/float64(total))
		}
		w.Header().Set("Retry-After", s.retryAfter())
	} else {
		body.EndTime, body.PercentComplete = armTimestamp(op.End), 100
	}
	if op.Status == "Failed" {
		body.Error = &armErrorDetail{Code: op.ErrCode, Message: op.ErrMsg}
	}
	writeJSON(w, http.StatusOK, body)
}

// GET .../locations/{loc}/mfeOperationResults/{op}: 202 while running, then
// the operation's result (or its error with the status ARM would use).
func (s *armHost) armGetOperationResult(w http.ResponseWriter, q *armReq) {
	op, ok := s.lookupOp(q.p["op"])
	if !ok || !rbac.EqualOrdinalIgnoreCase(op.Sub, q.p["sub"]) {
		writeARMError(w, http.StatusNotFound, "NotFound", "The operation '"+q.p["op"]+"' was not found.")
		return
	}
	switch op.Status {
	case "InProgress":
		w.Header().Set("Location", s.locationURL(&op, q.apiVersion()))
		w.Header().Set("Retry-After", s.retryAfter())
		w.WriteHeader(http.StatusAccepted)
	case "Failed":
		writeARMError(w, http.StatusBadRequest, op.ErrCode, op.ErrMsg)
	default:
		if op.Result == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		status, body := op.Result()
		if body == nil {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, body)
	}
}
