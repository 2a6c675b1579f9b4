package emulator

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"amlauth-tui/azure/rbac"
)

// Scoring: the data plane of online endpoints (PROTOCOL.md §9).
//
//	POST /inference/{location}/{endpoint}/score          run the model
//	GET  /inference/{location}/{endpoint}/swagger.json   a small OpenAPI document
//
// Every answer carries x-request-id (and echoes x-ms-client-request-id);
// answers that reached a deployment name it in azureml-model-deployment.
// Error bodies are {"error":{"code","message"}} with Content-Type application/json.

const (
	actScore          = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action"
	mlAudience        = "https://ml.azure.com"
	maxScoringBody    = 5 << 20 // a managed endpoint's request limit is in this range; the client refuses bigger bodies first
	headerDeployment  = "azureml-model-deployment"
	headerRequestID   = "x-request-id"
	headerClientReqID = "x-ms-client-request-id"
)

// noTrafficMessage is the data plane's answer when no deployment may take
// the request (how-to-troubleshoot-online-endpoints: "404 ... no valid
// deployment with positive weight").
// codePublicAccessDisabled is the error code of a scoring request refused
// because the endpoint's publicNetworkAccess is Disabled: such an endpoint
// takes scoring requests only through the workspace's private endpoint
// (https://learn.microsoft.com/azure/machine-learning/concept-secure-online-endpoint,
// "Secure inbound scoring requests"). Azure's answer is not seen in a
// capture (the docs read do not quote the data plane's body): the status
// (403), the code (named after the property, as Azure names its codes) and
// the message are the emulator's.
const codePublicAccessDisabled = "PublicNetworkAccessDisabled"

const noTrafficMessage = "No valid deployments to route to. Please check that the endpoint has at least one deployment with positive weight values or use a deployment specific header to route."

// scoringTarget is what a request needs from the world, copied under s.mu
// so the model runs and the answer is written without the lock.
type scoringTarget struct {
	id, name, deployment string
	weights              []float64
	bias                 float64
	respond              *ScoringResponse // a copy of the deployment's canned answer
}

// ScoringResponse is a canned answer a deployment gives instead of running
// its model (Deployment.Respond). It is a test and demo hook, not Azure
// behaviour: tests seed hostile bodies and headers with it (escape
// sequences, invalid JSON) to prove the client never draws them raw. The
// request is still authenticated, authorized and routed first.
type ScoringResponse struct {
	Status      int               // 0 means 200
	ContentType string            // "" sends no Content-Type (net/http does not sniff one)
	Header      map[string]string // set last: may replace x-request-id
	Body        []byte            // sent as is, byte for byte
}

// clone copies r so the handler writes it without holding s.mu.
func (r *ScoringResponse) clone() *ScoringResponse {
	if r == nil {
		return nil
	}
	c := *r
	c.Header = maps.Clone(r.Header)
	c.Body = slices.Clone(r.Body)
	return &c
}

// write sends the canned answer.
func (r *ScoringResponse) write(w http.ResponseWriter) {
	h := w.Header()
	if r.ContentType != "" {
		h.Set("Content-Type", r.ContentType)
	} else {
		h["Content-Type"] = nil // no sniffing: the body's type is the test's to choose
	}
	for k, v := range r.Header {
		h.Set(k, v)
	}
	status := r.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(r.Body)
}

// serveScoring answers /inference/{location}/{endpoint}/{score|swagger.json}.
func (s *scoringHost) serveScoring(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(headerRequestID, newGUID())
	if id := r.Header.Get(headerClientReqID); id != "" && len(id) <= 200 {
		w.Header().Set(headerClientReqID, id)
	}
	seg := strings.Split(strings.TrimPrefix(r.URL.Path, "/inference/"), "/")
	if len(seg) != 3 || seg[0] == "" || seg[1] == "" {
		writeScoringError(w, http.StatusNotFound, "NotFound", "No online endpoint answers at this path. A scoring URI looks like /inference/{location}/{endpoint}/score.")
		return
	}
	op := strings.ToLower(seg[2])
	var method string
	switch op {
	case "score":
		method = http.MethodPost
	case "swagger.json":
		method = http.MethodGet
	default:
		writeScoringError(w, http.StatusNotFound, "NotFound", fmt.Sprintf("Unknown path %q: an endpoint serves /score (POST) and /swagger.json (GET).", "/"+seg[2]))
		return
	}
	if r.Method != method {
		w.Header().Set("Allow", method)
		writeScoringError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", fmt.Sprintf("%s takes %s, not %s.", "/"+seg[2], method, r.Method))
		return
	}

	tgt, status, code, msg := s.routeScoring(r, seg[0], seg[1], op == "score")
	if status != 0 {
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s", error="invalid_token", error_description="%s"`,
				tgt.name, strings.ReplaceAll(msg, `"`, `'`)))
		}
		if tgt.deployment != "" {
			w.Header().Set(headerDeployment, tgt.deployment)
		}
		writeScoringError(w, status, code, msg)
		return
	}
	if op == "swagger.json" {
		writeScoringJSON(w, http.StatusOK, scoringSwagger(tgt.name, len(tgt.weights)))
		return
	}
	w.Header().Set(headerDeployment, tgt.deployment)
	body, err := readScoringBody(w, r)
	if err != nil {
		writeScoringError(w, http.StatusRequestEntityTooLarge, "RequestTooLarge", err.Error())
		return
	}
	if tgt.respond != nil {
		tgt.respond.write(w)
		return
	}
	preds, err := runModel(body, tgt.weights, tgt.bias)
	if err != nil {
		writeScoringError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	writeScoringJSON(w, http.StatusOK, preds)
}

// routeScoring finds the endpoint, checks the credential against its auth
// mode and picks the deployment (score only). A non-zero status is the
// refusal to send; tgt.name is then set when the endpoint was found.
func (s *scoringHost) routeScoring(r *http.Request, location, name string, score bool) (tgt scoringTarget, status int, code, msg string) {
	raw, authStatus, authCode, authMsg := bearerOf(r)
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.scoringEndpoint(location, name)
	if e == nil {
		return tgt, http.StatusNotFound, "EndpointNotFound", fmt.Sprintf("No online endpoint named '%s' in region '%s'. Check the scoring URI: it is the endpoint's scoringUri.", name, location)
	}
	tgt.id, tgt.name = armEndpointID(e), e.Name
	if strings.EqualFold(e.PublicNetworkAccess, "Disabled") {
		// Every client of the emulator comes from the public network (it
		// serves no private endpoints), and the network check comes before
		// any credential is looked at: the answer says which check refused.
		return tgt, http.StatusForbidden, codePublicAccessDisabled, fmt.Sprintf(
			"Public network access to endpoint '%s' is disabled (its publicNetworkAccess is Disabled): it takes scoring requests only through a private endpoint of its workspace. "+
				"This is a network refusal, not a permission one: no credential or role assignment changes it.", e.Name)
	}
	if authStatus != 0 {
		return tgt, authStatus, authCode, authMsg
	}
	if status, code, msg := s.scoringAuth(e, raw); status != 0 {
		return tgt, status, code, msg
	}

	deps := s.endpointDeployments(e)
	var d *Deployment
	if want := strings.TrimSpace(r.Header.Get(headerDeployment)); want != "" {
		for _, x := range deps {
			if rbac.EqualOrdinalIgnoreCase(x.Name, want) {
				d = x
			}
		}
		if d == nil {
			names := make([]string, len(deps))
			for i, x := range deps {
				names[i] = x.Name
			}
			list := "it has none"
			if len(names) > 0 {
				list = "its deployments are: " + strings.Join(names, ", ")
			}
			return tgt, http.StatusNotFound, "DeploymentNotFound", fmt.Sprintf("The %s header names deployment '%s', which endpoint '%s' does not have; %s.", headerDeployment, want, e.Name, list)
		}
	} else if score {
		d = s.pickByTraffic(tgt.id, e.Traffic, deps)
		if d == nil {
			return tgt, http.StatusNotFound, "NoValidDeployment", noTrafficMessage
		}
	} else if len(deps) > 0 {
		d = deps[0] // swagger: any deployment describes the input width
	}
	if d != nil {
		tgt.deployment, tgt.weights, tgt.bias = d.Name, slices.Clone(d.Weights), d.Bias
		if score {
			tgt.respond = d.Respond.clone()
		}
	} else {
		tgt.weights = make([]float64, 10) // swagger of an endpoint without deployments: the seeds' width
	}
	return tgt, 0, "", ""
}

// bearerOf reads "Authorization: Bearer <credential>"; all three auth modes
// send their credential this way.
func bearerOf(r *http.Request) (raw string, status int, code, msg string) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", http.StatusUnauthorized, "MissingAuthorization", "The 'Authorization' header is missing. Send 'Authorization: Bearer <key or token>'."
	}
	scheme, rest, _ := strings.Cut(h, " ")
	raw = strings.TrimSpace(rest)
	if !strings.EqualFold(scheme, "Bearer") || raw == "" {
		return "", http.StatusUnauthorized, "InvalidAuthorization", "The 'Authorization' header is not in the form 'Bearer <key or token>'."
	}
	return raw, 0, "", ""
}

// scoringAuth enforces e's auth mode for the bearer value raw.
// The caller holds s.mu (read).
func (s *scoringHost) scoringAuth(e *Endpoint, raw string) (int, string, string) {
	switch e.AuthMode {
	case "Key":
		// Compare with both keys every time: constant time, whichever matches.
		p := subtle.ConstantTimeCompare([]byte(raw), []byte(e.PrimaryKey))
		q := subtle.ConstantTimeCompare([]byte(raw), []byte(e.SecondaryKey))
		if p|q == 1 { // raw is never empty, so an unset key cannot match
			return 0, "", ""
		}
		if looksLikeJWT(raw) {
			return http.StatusUnauthorized, "InvalidKey", fmt.Sprintf("Endpoint '%s' uses key authentication, but a token was sent. Send its primary or secondary key (listKeys).", e.Name)
		}
		return http.StatusUnauthorized, "InvalidKey", fmt.Sprintf("The key is not valid for endpoint '%s'. If the keys were regenerated, get the current ones with listKeys.", e.Name)
	case "AMLToken":
		err := s.checkAMLToken(raw, e)
		switch {
		case err == nil:
			return 0, "", ""
		case errors.Is(err, errAMLTokenExpired):
			return http.StatusUnauthorized, "TokenExpired", fmt.Sprintf("The AML token for endpoint '%s' has expired. Get a new one from the endpoint's token API (refresh after refreshAfterTimeUtc).", e.Name)
		case !looksLikeJWT(raw):
			return http.StatusUnauthorized, "InvalidToken", fmt.Sprintf("Endpoint '%s' uses AML token authentication, but the credential sent is not a token (a key?). Get a token from the endpoint's token API.", e.Name)
		}
		return http.StatusUnauthorized, "InvalidToken", fmt.Sprintf("Endpoint '%s' refused the credential: %v.", e.Name, err)
	case "AADToken":
		if !looksLikeJWT(raw) {
			return http.StatusUnauthorized, "InvalidToken", fmt.Sprintf("Endpoint '%s' uses Microsoft Entra token authentication, but the credential sent is not a token (a key?). Send an Entra token for %s.", e.Name, mlAudience)
		}
		if s.isAMLToken(raw) {
			return http.StatusUnauthorized, "InvalidToken", fmt.Sprintf("Endpoint '%s' uses Microsoft Entra token authentication, but an AML token was sent. Send an Entra token for %s.", e.Name, mlAudience)
		}
		tc, err := s.validate(raw)
		var te *tokenError
		if errors.As(err, &te) {
			return http.StatusUnauthorized, te.Code, te.Message
		}
		if err != nil {
			return http.StatusUnauthorized, "InvalidToken", "The access token is invalid."
		}
		if !strings.EqualFold(strings.TrimSuffix(tc.Aud, "/"), mlAudience) {
			return http.StatusUnauthorized, "InvalidAuthenticationTokenAudience", fmt.Sprintf(
				"The access token has been obtained for wrong audience or resource '%s'. Endpoint '%s' accepts only tokens for '%s' (scope %s/.default).", tc.Aud, e.Name, mlAudience, mlAudience)
		}
		if gone := s.principalGone(tc); gone != "" {
			return http.StatusUnauthorized, "InvalidAuthenticationToken", gone
		}
		c := &Caller{ObjectID: tc.OID, TenantID: tc.TID, UPN: tc.UPN, AppID: tc.AppID, Audience: tc.Aud}
		if tc.IDType == "app" {
			c.UPN = ""
		}
		c.Groups = s.world.enforcedGroups(c.ObjectID, s.now())
		scope := armEndpointID(e)
		if d := s.decide(c, actScore, scope); !d.Allowed {
			code, msg := refusal(c, d, actScore, scope)
			return http.StatusForbidden, code, msg
		}
		return 0, "", ""
	}
	return http.StatusUnauthorized, "AuthModeUnknown", fmt.Sprintf("Endpoint '%s' has an unknown auth mode %q.", e.Name, e.AuthMode)
}

func looksLikeJWT(s string) bool { return strings.Count(s, ".") == 2 && strings.HasPrefix(s, "eyJ") }

// isAMLToken tells an AML token by its claims (unverified: only to word the refusal).
func (s *scoringHost) isAMLToken(raw string) bool {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(raw, claims); err != nil {
		return false
	}
	return claims["iss"] == s.amlTokenIssuer() && claims["typ"] == "aml_token"
}

// scoringEndpoint finds the endpoint by region and name (case-insensitive).
// Azure keeps endpoint names unique per region; should the world hold two,
// the one with the smallest id answers, so the choice is stable.
// The caller holds s.mu (read).
func (s *scoringHost) scoringEndpoint(location, name string) *Endpoint {
	var found *Endpoint
	for _, e := range s.world.Endpoints {
		if !rbac.EqualOrdinalIgnoreCase(e.Name, name) || !rbac.EqualOrdinalIgnoreCase(s.endpointLocation(e), location) {
			continue
		}
		if found == nil || rbac.OrdinalKey(armEndpointID(e)) < rbac.OrdinalKey(armEndpointID(found)) {
			found = e
		}
	}
	return found
}

// endpointLocation is the region in the scoring URI (armEndpointJSON's rule).
func (s *scoringHost) endpointLocation(e *Endpoint) string {
	if e.Location != "" {
		return e.Location
	}
	if ws := s.world.Workspaces[armKey(wsID(e.Subscription, e.ResourceGroup, e.Workspace))]; ws != nil {
		return ws.Location
	}
	return ""
}

// endpointDeployments are e's deployments that serve, sorted by name: one
// whose provisioning never succeeded (still creating, or failed) has no
// instance to answer. The caller holds s.mu (read).
func (s *scoringHost) endpointDeployments(e *Endpoint) []*Deployment {
	var out []*Deployment
	for _, d := range s.world.Deployments {
		if armDeploymentOf(d, e) && !d.NeverReady {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b *Deployment) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out
}

// pickByTraffic is a deterministic weighted rotation (smooth weighted round
// robin, as nginx does): with blue=90 green=10, every run of 100 requests
// sends exactly 10 to green, spread out rather than in a burst.
func (s *scoringHost) pickByTraffic(endpointID string, traffic map[string]int32, deps []*Deployment) *Deployment {
	var cands []*Deployment
	var weights []int
	total := 0
	for _, d := range deps { // sorted by name: the rotation is the same on every run
		for k, v := range traffic {
			if rbac.EqualOrdinalIgnoreCase(k, d.Name) && v > 0 {
				cands, weights, total = append(cands, d), append(weights, int(v)), total+int(v)
			}
		}
	}
	if total == 0 {
		return nil
	}
	v, _ := s.routeCounters.LoadOrStore(rbac.OrdinalKey(endpointID), new(atomic.Uint64))
	n := int((v.(*atomic.Uint64).Add(1) - 1) % uint64(total))
	return cands[swrr(weights, total, n)]
}

// swrr returns the index chosen at step n (0-based) of a smooth weighted
// round robin over weights; O(n·len(weights)), n < total (at most ~100).
func swrr(weights []int, total, n int) int {
	cur := make([]int, len(weights))
	pick := 0
	for step := 0; step <= n; step++ {
		pick = 0
		for i, w := range weights {
			cur[i] += w
			if cur[i] > cur[pick] {
				pick = i
			}
		}
		cur[pick] -= total
	}
	return pick
}

// readScoringBody reads the request body up to the data plane's limit.
func readScoringBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(http.MaxBytesReader(w, r.Body, maxScoringBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, fmt.Errorf("The request body is larger than the %d MB limit.", maxScoringBody>>20)
	}
	if err != nil {
		return nil, fmt.Errorf("The request body could not be read: %v.", err)
	}
	return b.Bytes(), nil
}

// runModel is each deployment's "model": score = Σ wᵢ·xᵢ + bias per row, so
// blue and green (different weights) answer the same input differently.
func runModel(body []byte, weights []float64, bias float64) ([]float64, error) {
	width := len(weights)
	expect := fmt.Sprintf(`Expected a JSON object like {"data": [[%s], ...]}: "data" holds rows of %d numbers each.`, sampleRow(width), width)
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, errors.New("The request body is empty. " + expect)
	}
	if !json.Valid(body) {
		var v any
		err := json.Unmarshal(body, &v)
		return nil, fmt.Errorf("The request body is not valid JSON (%v). %s", err, expect)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, fmt.Errorf("The request body is JSON but not an object. %s", expect)
	}
	raw, ok := top["data"]
	if !ok {
		return nil, fmt.Errorf(`The request body has no "data" field. %s`, expect)
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil || rows == nil {
		return nil, fmt.Errorf(`"data" is not an array of rows. %s`, expect)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf(`"data" has no rows. %s`, expect)
	}
	out := make([]float64, len(rows))
	for i, rr := range rows {
		var row []float64
		if err := json.Unmarshal(rr, &row); err != nil || row == nil {
			return nil, fmt.Errorf(`Row %d of "data" is not an array of numbers. %s`, i+1, expect)
		}
		if len(row) != width {
			return nil, fmt.Errorf(`Row %d of "data" has %d numbers; this model takes %d per row. %s`, i+1, len(row), width, expect)
		}
		sum := bias
		for j, x := range row {
			sum += weights[j] * x
		}
		if math.Abs(sum) < 1e9 {
			sum = math.Round(sum*1e6) / 1e6 // no 0.30000000000000004 in a demo
		}
		if math.IsInf(sum, 0) || math.IsNaN(sum) { // JSON has no Inf: say so rather than send an empty 200
			return nil, fmt.Errorf(`Row %d of "data" overflows the model: use numbers of a sensible size.`, i+1)
		}
		out[i] = sum
	}
	return out, nil
}

// sampleRow is "1, 2, …, width" (short) for the messages.
func sampleRow(width int) string {
	if width <= 0 {
		return ""
	}
	if width <= 4 {
		parts := make([]string, width)
		for i := range parts {
			parts[i] = strconv.Itoa(i + 1)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprintf("1,2,...,%d", width)
}

// scoringSwagger describes the score operation (OpenAPI 2.0, as the
// inference server's generated swagger is). It needs the same credential as
// scoring: the docs read for PROTOCOL.md do not say whether swaggerUri is
// open, and refusing anonymous callers is the safer default.
func scoringSwagger(endpoint string, width int) map[string]any {
	row := make([]int, width)
	rev := make([]int, width)
	for i := range row {
		row[i], rev[i] = i+1, width-i
	}
	return map[string]any{
		"swagger": "2.0",
		"info":    map[string]any{"title": endpoint, "description": "API specification for the Azure Machine Learning online endpoint " + endpoint, "version": "1.0"},
		"schemes": []string{"https"}, "consumes": []string{"application/json"}, "produces": []string{"application/json"},
		"securityDefinitions": map[string]any{"Bearer": map[string]any{"type": "apiKey", "name": "Authorization", "in": "header",
			"description": "For example: Bearer abc123 (the endpoint's key, AML token or Entra token for " + mlAudience + ")"}},
		"paths": map[string]any{"/score": map[string]any{"post": map[string]any{
			"operationId": "RunMLService", "description": "Run the model on rows of input", "security": []map[string]any{{"Bearer": []string{}}},
			"parameters": []map[string]any{{"name": "serviceInputPayload", "in": "body", "required": true, "schema": map[string]any{
				"type": "object", "required": []string{"data"},
				"properties": map[string]any{"data": map[string]any{"type": "array", "items": map[string]any{
					"type": "array", "minItems": width, "maxItems": width, "items": map[string]any{"type": "number"}}}},
				"example": map[string]any{"data": [][]int{row, rev}}}}},
			"responses": map[string]any{
				"200":     map[string]any{"description": "One prediction per row", "schema": map[string]any{"type": "array", "items": map[string]any{"type": "number"}}},
				"default": map[string]any{"description": "Failed", "schema": map[string]any{"$ref": "#/definitions/ErrorResponse"}},
			},
		}}},
		"definitions": map[string]any{"ErrorResponse": map[string]any{"type": "object", "properties": map[string]any{
			"error": map[string]any{"type": "object", "properties": map[string]any{"code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"}}}}}},
	}
}

func writeScoringJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeScoringError(w http.ResponseWriter, status int, code, msg string) {
	if w.Header().Get(headerRequestID) == "" {
		w.Header().Set(headerRequestID, newGUID())
	}
	writeScoringJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// writeScoringFault answers an injected fault on a scoring path in the data
// plane's shape (faults.go calls it; Retry-After is already set for 429/503).
func (s *scoringHost) writeScoringFault(w http.ResponseWriter, r *http.Request, status int) {
	if id := r.Header.Get("x-ms-client-request-id"); id != "" {
		w.Header().Set("x-ms-client-request-id", id)
	}
	code, msg := "", ""
	switch status {
	case http.StatusRequestTimeout:
		code, msg = "RequestTimeout", "The model did not answer within request_timeout_ms (request_settings of the deployment)."
	case http.StatusFailedDependency:
		// The model container answered non-200: the front end says 424 and
		// passes the container's status and reason in these headers.
		w.Header().Set("ms-azureml-model-error-statuscode", "500")
		w.Header().Set("ms-azureml-model-error-reason", "model_error")
		code, msg = "ModelError", "The model container returned a non-200 answer (500 model_error): see the ms-azureml-model-error-* headers and the deployment's logs."
	case http.StatusTooManyRequests:
		code, msg = "TooManyRequests", "Too many requests: more than the deployment can take at once (2 × max_concurrent_requests_per_instance × instance_count) or over the endpoint's rate limit."
	case http.StatusServiceUnavailable:
		code, msg = "ServiceUnavailable", "The deployment is temporarily unable to take requests (scaling or restarting). Retry later."
	case http.StatusBadGateway:
		code, msg = "BadGateway", "The model's scoring script failed (run() or init() raised an error)."
	case http.StatusGatewayTimeout:
		code, msg = "GatewayTimeout", "The request timed out on its way to the model."
	default:
		code, msg = strings.ReplaceAll(http.StatusText(status), " ", ""), fmt.Sprintf("%d %s (injected fault).", status, http.StatusText(status))
		if status >= 500 {
			msg = "An internal error occurred in the scoring service. Retry; quote the x-request-id if it persists."
		}
	}
	writeScoringError(w, status, code, msg)
}

// ScoringAMLToken mints an AML token for the endpoint with ARM id endpointID,
// as its token API would (tests and fixtures; the UI gets tokens over ARM).
func (s *Server) ScoringAMLToken(endpointID string) (string, time.Time, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.world.Endpoints[armKey(endpointID)]
	if e == nil {
		return "", time.Time{}, fmt.Errorf("no endpoint %s", endpointID)
	}
	tok, exp, _, err := s.amlTokenFor(e, "")
	return tok, exp, err
}
