package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// entraState holds the short-lived secrets of the sign-in flows. Every map
// is bounded: an entry leaves when it expires, and a full map first drops
// its expired entries, then the one closest to expiry (boundedPut), so no
// flood of sign-ins grows the server's memory.
type entraState struct {
	mu      sync.Mutex
	limit   int                    // most entries per map (defaultEntraLimit; tests lower it)
	devices map[string]*deviceCode // by device_code
	codes   map[string]*authCode   // by authorization code
	refresh map[string]refreshGrant
	// lockouts are the smart lockout records by user object id (lockout.go);
	// only users of the directory get one, so the directory bounds it.
	lockouts map[string]*lockout
}

// defaultEntraLimit bounds each map of pending sign-ins and refresh tokens.
const defaultEntraLimit = 4096

// refreshTokenLifetime is Entra's default for refresh tokens outside single
// page apps: "90 days" (https://learn.microsoft.com/entra/identity-platform/refresh-tokens,
// "Token lifetime").
const refreshTokenLifetime = 90 * 24 * time.Hour

// Device codes, auth codes and refresh grants hold user ids, not *User: the
// user is looked up when the token is issued, so a user deleted in between
// gets no token (state is current at every request).
type deviceCode struct {
	userCode, deviceCode, clientID, scope string
	expires                               time.Time
	polls                                 int
	approvedBy                            string // user object id
	declined                              bool
}

type authCode struct {
	userID, clientID, redirectURI, challenge string
	// nonce is the authorization request's, passed through unmodified to
	// the ID token the code is redeemed for (OpenID Connect Core 1.0
	// §3.1.2.1 "nonce"; the client checks it, §3.1.3.7 step 11).
	nonce   string
	expires time.Time
}

type refreshGrant struct {
	userID, clientID string
	expires          time.Time
}

func (e *entraState) init() {
	e.limit = defaultEntraLimit
	e.devices = map[string]*deviceCode{}
	e.codes = map[string]*authCode{}
	e.refresh = map[string]refreshGrant{}
	e.lockouts = map[string]*lockout{}
}

// boundedPut stores v under k in m, keeping len(m) <= limit: when m is full
// it drops the entries that expired by now and, if still full, the one that
// expires first.
func boundedPut[V any](m map[string]V, k string, v V, limit int, now time.Time, expires func(V) time.Time) {
	if _, ok := m[k]; !ok && len(m) >= limit {
		var first string
		var firstExp time.Time
		for key, x := range m {
			exp := expires(x)
			if !now.Before(exp) {
				delete(m, key)
				continue
			}
			if first == "" || exp.Before(firstExp) {
				first, firstExp = key, exp
			}
		}
		if len(m) >= limit {
			delete(m, first)
		}
	}
	m[k] = v
}

func (e *entraState) stop() {}

// isEntraPath recognises login.microsoftonline.com's paths: /{tenant}/oauth2/...,
// /{tenant}/v2.0/..., /{tenant}/discovery/..., /common/UserRealm/...
func isEntraPath(p string) bool {
	seg := strings.Split(strings.TrimPrefix(p, "/"), "/")
	if len(seg) < 2 {
		return false
	}
	switch strings.ToLower(seg[1]) {
	case "oauth2", "v2.0", "discovery", "userrealm":
		return !strings.EqualFold(seg[0], "subscriptions") && !strings.EqualFold(seg[0], "providers") && !strings.EqualFold(seg[0], "tenants")
	}
	return false
}

// entraErr is an AADSTS error (ENTRA.md §2.4). The texts are Entra's, from
// https://learn.microsoft.com/entra/identity-platform/reference-error-codes
// ("AADSTS error codes", and its sample response for AADSTS70011) and the
// messages real Entra returns.
type entraErr struct {
	status int
	err    string
	code   int
	text   string
}

var (
	errPending        = entraErr{400, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling."}
	errDeclined       = entraErr{400, "authorization_declined", 70019, "The end user declined the authorization request."}
	errExpiredCode    = entraErr{400, "expired_token", 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired."}
	errBadDevice      = entraErr{400, "bad_verification_code", 70000, "The provided value for the input parameter 'device_code' is not valid."}
	errBadSecret      = entraErr{401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'."}
	errNeedSecret     = entraErr{401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
	errPublicSecret   = entraErr{401, "invalid_client", 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented."}
	errNoClient       = entraErr{400, "unauthorized_client", 700016, "Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."}
	errNoClientID     = entraErr{400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'."}
	errNoResource     = entraErr{400, "invalid_resource", 500011, "The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."}
	errBadPassword    = entraErr{400, "invalid_grant", 50126, "Error validating credentials due to invalid username or password."}
	errBadRefresh     = entraErr{400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."}
	errExpiredRefresh = entraErr{400, "invalid_grant", 700082, "The refresh token has expired due to inactivity. The token was issued on %s and was inactive for %s."}
	errBadAuthCode    = entraErr{400, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."}
	errBadVerifier    = entraErr{400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request."}
	errBadScope       = entraErr{400, "invalid_scope", 70011, "The provided value for the input parameter 'scope' isn't valid. The scope %s isn't valid."}
	errBadGrant       = entraErr{400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'."}
	errUnknownTenant  = entraErr{400, "invalid_request", 90002, "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."}
	// Entra hides the account's name in the text ("{EUII Hidden}") and names
	// the directory the request went to.
	errUserNotInTenant = entraErr{400, "invalid_grant", 50034, "The user account {EUII Hidden} does not exist in the %s directory. To sign into this application, the account must be added to the directory."}
	// Smart lockout (lockout.go). The text is the one Entra answers a
	// locked account's token request with.
	errLocked = entraErr{400, "invalid_grant", 50053, "The account is locked, you've tried to sign in too many times with an incorrect user ID or password."}
)

// firstPartyClients are Microsoft's public client applications that every
// tenant knows without a registration, the ones real tools sign in with.
// azidentity's DeviceCode and InteractiveBrowser credentials default to the
// Azure CLI's (azidentity v1.15.0 azidentity.go, developerSignOnClientID),
// and so does this app (azure/config.go, AzureCLIClientID).
var firstPartyClients = map[string]string{
	"04b07795-8ddb-461a-bbee-02f9e1bf7b46": "Microsoft Azure CLI",
	"1950a258-227b-4e31-a9cf-717495945fc2": "Microsoft Azure PowerShell",
	"aebc6443-996d-45c2-90f0-388ff96faa56": "Visual Studio Code",
}

// resourceAudiences are the resources the simulated Azure serves, by every
// identifier Azure accepts for them (without a trailing slash): a token is
// only ever issued for one of these or for an app of the world.
var resourceAudiences = func() []string {
	out := append([]string{mlAudience}, graphAudiences...)
	for _, a := range armAudiences {
		if !strings.HasSuffix(a, "/") {
			out = append(out, a)
		}
	}
	return out
}()

// knownResource reports whether a token may be issued for resource: one of
// the simulated Azure's services, or an application of the directory (by
// app id or api://app id). The caller holds s.mu (read).
func (s *entraHost) knownResource(resource string) bool {
	r := strings.TrimSuffix(resource, "/")
	for _, a := range resourceAudiences {
		if strings.EqualFold(r, a) {
			return true
		}
	}
	sp := s.world.servicePrincipalByAppID(strings.TrimPrefix(strings.ToLower(r), "api://"))
	return sp != nil && sp.ServicePrincipalType == "Application"
}

// checkClient identifies the client of a token or device code request as
// Entra does: client_id is required; it must be a first-party public client
// (which sends no secret) or an application of the directory (which proves
// itself with its secret when it asks for tokens). A token's audience can
// therefore never be chosen through client_id. It writes the error and
// returns false when the client is refused.
func (s *entraHost) checkClient(w http.ResponseWriter, f url.Values, tokenRequest bool) bool {
	id, secret := f.Get("client_id"), f.Get("client_secret")
	if id == "" {
		s.writeEntraError(w, errNoClientID)
		return false
	}
	if _, ok := firstPartyClients[strings.ToLower(id)]; ok {
		if secret != "" || f.Get("client_assertion") != "" {
			s.writeEntraError(w, errPublicSecret)
			return false
		}
		return true
	}
	s.mu.RLock()
	sp := s.world.servicePrincipalByAppID(id)
	tenant := s.world.Tenant.DisplayName
	s.mu.RUnlock()
	switch {
	case sp == nil:
		s.writeEntraError(w, errNoClient, id, tenant)
		return false
	case !tokenRequest:
		return true
	case secret == "":
		s.writeEntraError(w, errNeedSecret)
		return false
	case !sp.hasSecret(secret):
		s.writeEntraError(w, errBadSecret, id)
		return false
	}
	return true
}

func (s *entraHost) writeEntraError(w http.ResponseWriter, e entraErr, args ...any) {
	text := e.text
	if len(args) > 0 {
		text = fmt.Sprintf(text, args...)
	}
	trace, corr, ts := newGUID(), newGUID(), s.now().UTC().Format("2006-01-02 15:04:05Z")
	writeJSON(w, e.status, map[string]any{
		"error":             e.err,
		"error_description": fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", e.code, text, trace, corr, ts),
		"error_codes":       []int{e.code},
		"timestamp":         ts,
		"trace_id":          trace,
		"correlation_id":    corr,
		"error_uri":         fmt.Sprintf("%s/error?code=%d", s.url, e.code),
	})
}

// tenantOK maps organizations/common/consumers and our tenant id or domain.
func (s *entraHost) tenantOK(t string) bool {
	switch strings.ToLower(t) {
	case "organizations", "common", strings.ToLower(s.world.Tenant.ID), strings.ToLower(s.world.Tenant.DefaultDomain):
		return true
	}
	return false
}

func (s *entraHost) serveEntra(w http.ResponseWriter, r *http.Request) {
	seg := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	tenant, rest := seg[0], strings.ToLower(strings.Join(seg[1:], "/"))
	if strings.EqualFold(seg[1], "UserRealm") {
		s.serveUserRealm(w, r, seg)
		return
	}
	if rest == "discovery/instance" {
		writeJSON(w, 200, map[string]any{"tenant_discovery_endpoint": s.url + "/" + s.world.Tenant.ID + "/v2.0/.well-known/openid-configuration", "api-version": "1.1", "metadata": []any{}})
		return
	}
	if !s.tenantOK(tenant) {
		s.writeEntraError(w, errUnknownTenant, tenant)
		return
	}
	switch rest {
	case "v2.0/.well-known/openid-configuration":
		s.serveDiscovery(w, tenant)
	case "discovery/v2.0/keys", "discovery/keys":
		writeJSON(w, 200, s.jwks())
	case "oauth2/v2.0/token":
		s.serveToken(w, r)
	case "oauth2/v2.0/devicecode":
		s.serveDeviceCode(w, r)
	case "oauth2/v2.0/authorize":
		s.serveAuthorize(w, r)
	case "oauth2/v2.0/logout":
		w.WriteHeader(http.StatusOK)
	default:
		s.writeEntraError(w, entraErr{404, "invalid_request", 900561, "The endpoint only accepts known paths: %s"}, r.URL.Path)
	}
}

// serveDiscovery is OIDC discovery. MSAL needs issuer, authorization_endpoint
// and token_endpoint on our own host (ENTRA.md §2.1). The device code URL is
// derived from token_endpoint by replacing "token", so no other "token"
// may appear in it.
func (s *entraHost) serveDiscovery(w http.ResponseWriter, tenant string) {
	base := s.url + "/" + tenant
	tid := s.world.Tenant.ID
	writeJSON(w, 200, map[string]any{
		"issuer":                                s.url + "/" + tid + "/v2.0",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"jwks_uri":                              s.url + "/" + tid + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "tid", "ver", "oid", "preferred_username"},
		"tenant_region_scope":                   "NA",
		"cloud_instance_name":                   "microsoftonline.com",
	})
}

// serveUserRealm answers UsernamePasswordCredential's realm lookup (ENTRA.md §2.6).
func (s *entraHost) serveUserRealm(w http.ResponseWriter, r *http.Request, seg []string) {
	upn := ""
	if len(seg) > 2 {
		upn, _ = url.PathUnescape(seg[2])
	}
	domain := s.world.Tenant.DefaultDomain
	if i := strings.LastIndexByte(upn, '@'); i >= 0 {
		domain = upn[i+1:]
	}
	writeJSON(w, 200, map[string]string{"ver": "1.0", "account_type": "Managed", "domain_name": domain,
		"cloud_instance_name": "microsoftonline.com", "cloud_audience_urn": "urn:federation:MicrosoftOnline"})
}

// resourceFromScope splits MSAL's scope list: it always adds openid,
// offline_access and profile; exactly one resource/.default must remain.
func resourceFromScope(scope string) (resource, requested string, ok bool) {
	var res []string
	for _, f := range strings.Fields(scope) {
		switch f {
		case "openid", "offline_access", "profile", "email":
			continue
		}
		res = append(res, f)
	}
	if len(res) != 1 {
		return "", "", false
	}
	requested = res[0]
	i := strings.LastIndexByte(requested, '/')
	if i <= 0 {
		return "", "", false
	}
	resource = requested[:i]
	if strings.HasSuffix(resource, "/") && strings.Count(resource, "/") > 2 {
		// https://management.core.windows.net//.default -> https://management.core.windows.net/
		return resource, requested, true
	}
	return resource, requested, true
}

func (s *entraHost) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.writeEntraError(w, entraErr{405, "invalid_request", 900561, "The endpoint only accepts POST requests. Received a %s request."}, r.Method)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeEntraError(w, entraErr{400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'. (%s)"}, err.Error())
		return
	}
	f := r.PostForm
	cae := strings.Contains(f.Get("claims"), "CP1")
	grant := f.Get("grant_type")
	requested := f.Get("scope")
	if requested == "" && (grant == "device_code" || grant == "urn:ietf:params:oauth:grant-type:device_code") {
		// RFC 8628 §3.4: the device access token request has no scope; the
		// code carries the one it was asked with (MSAL Python sends none).
		requested = s.deviceCodeScope(f.Get("device_code"))
	}
	resource, scope, ok := resourceFromScope(requested)
	if !ok && grant != "" {
		s.writeEntraError(w, errBadScope, requested)
		return
	}
	if !knownGrants[grant] {
		s.writeEntraError(w, errBadGrant, grant)
		return
	}
	if !s.checkClient(w, f, true) || !s.checkResource(w, resource) {
		return
	}
	switch grant {
	case "client_credentials":
		s.grantClientCredentials(w, f, resource, cae)
	case "device_code", "urn:ietf:params:oauth:grant-type:device_code":
		s.grantDeviceCode(w, f, resource, scope, cae)
	case "refresh_token":
		s.grantRefresh(w, f, resource, scope, cae)
	case "password":
		s.grantPassword(w, f, resource, scope, cae)
	case "authorization_code":
		s.grantAuthCode(w, f, resource, scope, cae)
	}
}

var knownGrants = map[string]bool{"client_credentials": true, "device_code": true, "urn:ietf:params:oauth:grant-type:device_code": true,
	"refresh_token": true, "password": true, "authorization_code": true}

// checkResource refuses a token for a resource nobody registered
// (AADSTS500011); it writes the error and returns false.
func (s *entraHost) checkResource(w http.ResponseWriter, resource string) bool {
	s.mu.RLock()
	ok, tenant := s.knownResource(resource), s.world.Tenant.ID
	s.mu.RUnlock()
	if !ok {
		s.writeEntraError(w, errNoResource, resource, tenant)
	}
	return ok
}

func (s *entraHost) grantClientCredentials(w http.ResponseWriter, f url.Values, resource string, cae bool) {
	id := f.Get("client_id")
	s.mu.RLock()
	sp := s.world.servicePrincipalByAppID(id)
	s.mu.RUnlock()
	if sp == nil { // a first-party public client has no secret to prove itself with
		s.writeEntraError(w, errNeedSecret)
		return
	}
	tok, _, err := s.accessToken(principal{sp: sp}, resource, id, cae)
	if err != nil {
		s.writeEntraError(w, entraErr{500, "server_error", 50000, "%s"}, err.Error())
		return
	}
	secs := int(s.opts.AccessTokenLifetime.Seconds()) - 1
	writeJSON(w, 200, map[string]any{"token_type": "Bearer", "expires_in": secs, "ext_expires_in": secs, "access_token": tok})
}

// userTokens answers a user flow with everything MSAL needs to cache the
// account and refresh silently (ENTRA.md §0.7, §3). The user is looked up
// now, so one deleted since the flow began gets no token.
// nonce is the authorization request's ("" outside the auth code flow).
func (s *entraHost) userTokens(w http.ResponseWriter, userID, clientID, resource, scope, nonce string, cae bool) {
	s.mu.RLock()
	u := s.world.Users[strings.ToLower(userID)]
	tenant := s.world.Tenant.DefaultDomain
	s.mu.RUnlock()
	if u == nil {
		s.writeEntraError(w, errUserNotInTenant, tenant)
		return
	}
	at, _, err := s.accessToken(principal{user: u}, resource, clientID, cae)
	if err != nil {
		s.writeEntraError(w, entraErr{500, "server_error", 50000, "%s"}, err.Error())
		return
	}
	id, err := s.idToken(u, clientID, nonce)
	if err != nil {
		s.writeEntraError(w, entraErr{500, "server_error", 50000, "%s"}, err.Error())
		return
	}
	rt := "0.A" + randomID(40)
	now := s.now()
	s.flows.mu.Lock()
	boundedPut(s.flows.refresh, rt, refreshGrant{userID: u.ID, clientID: clientID, expires: now.Add(refreshTokenLifetime)},
		s.flows.limit, now, func(g refreshGrant) time.Time { return g.expires })
	s.flows.mu.Unlock()
	secs := int(s.opts.AccessTokenLifetime.Seconds()) - 1
	writeJSON(w, 200, map[string]any{
		"token_type": "Bearer", "scope": scope, "expires_in": secs, "ext_expires_in": secs,
		"access_token": at, "refresh_token": rt, "id_token": id, "client_info": clientInfo(u.ID, s.world.Tenant.ID),
	})
}

func (s *entraHost) grantPassword(w http.ResponseWriter, f url.Values, resource, scope string, cae bool) {
	s.mu.RLock()
	u := s.world.userByUPN(f.Get("username"))
	right := u != nil && u.checkPassword(f.Get("password"))
	tenant := s.world.Tenant.DefaultDomain
	s.mu.RUnlock()
	if u == nil { // Entra names a missing account (AADSTS50034), unlike a wrong password
		s.writeEntraError(w, errUserNotInTenant, tenant)
		return
	}
	switch s.passwordSignIn(u.ID, f.Get("password"), right) {
	case passwordLocked:
		s.writeEntraError(w, errLocked)
		return
	case passwordWrong:
		s.writeEntraError(w, errBadPassword)
		return
	}
	s.userTokens(w, u.ID, f.Get("client_id"), resource, scope, "", cae)
}

// grantRefresh redeems a refresh token. It is bound to the client it was
// issued to, and dies at its expiry.
func (s *entraHost) grantRefresh(w http.ResponseWriter, f url.Values, resource, scope string, cae bool) {
	s.flows.mu.Lock()
	g, ok := s.flows.refresh[f.Get("refresh_token")]
	expired := ok && !s.now().Before(g.expires)
	if expired {
		delete(s.flows.refresh, f.Get("refresh_token"))
	}
	s.flows.mu.Unlock()
	switch {
	case !ok || !strings.EqualFold(g.clientID, f.Get("client_id")):
		s.writeEntraError(w, errBadRefresh)
		return
	case expired:
		// Entra's answer names when the token was issued and how long it
		// lay unused, as .NET formats a TimeSpan (d.hh:mm:ss).
		issued := g.expires.Add(-refreshTokenLifetime).UTC()
		s.writeEntraError(w, errExpiredRefresh, issued.Format("2006-01-02T15:04:05.0000000Z"),
			fmt.Sprintf("%d.00:00:00", int(refreshTokenLifetime.Hours()/24)))
		return
	}
	// An ID token from a refresh "SHOULD NOT have a nonce Claim" (OpenID
	// Connect Core 1.0 §12.2, errata set 2).
	s.userTokens(w, g.userID, g.clientID, resource, scope, "", cae)
}

func (s *entraHost) grantAuthCode(w http.ResponseWriter, f url.Values, resource, scope string, cae bool) {
	s.flows.mu.Lock()
	c, ok := s.flows.codes[f.Get("code")]
	delete(s.flows.codes, f.Get("code")) // codes are single use
	s.flows.mu.Unlock()
	if !ok || s.now().After(c.expires) || c.redirectURI != f.Get("redirect_uri") || !strings.EqualFold(c.clientID, f.Get("client_id")) {
		s.writeEntraError(w, errBadAuthCode)
		return
	}
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	if c.challenge != "" && base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
		s.writeEntraError(w, errBadVerifier)
		return
	}
	s.userTokens(w, c.userID, c.clientID, resource, scope, c.nonce, cae)
}
