package azure

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// SignInOptions choose how to sign in.
type SignInOptions struct {
	Method       Method
	TenantID     string
	Persona      Persona
	OnDeviceCode func(DeviceCode)
	// OnProbe receives each source of the credential chain (MethodChain)
	// as it is tried. With it set, every source is tried and reported (the
	// sign-in screen's chain report); without it, the chain stops at the
	// first source that signs in, as DefaultAzureCredential does.
	OnProbe func(ProbeResult)
}

// Methods lists the sign-in methods and whether each can work here.
func Methods(cfg Config, personas []Persona) []MethodInfo {
	var out []MethodInfo
	if cfg.Emulated && len(personas) > 0 {
		out = append(out, MethodInfo{Method: MethodPersona, Title: "Pick a persona", Available: true,
			Description: "Sign in as one of the simulated users; each tells a different permissions story"})
	}
	out = append(out,
		MethodInfo{Method: MethodChain, Title: "Automatic (credential chain)", Available: true,
			Description: "Try environment, workload identity, managed identity, Azure CLI and azd in order, and show why each did or did not answer"},
		cliMethod(),
		MethodInfo{Method: MethodDeviceCode, Title: "Device code", Available: true,
			Description: "Enter a short code in a browser on any device; works over SSH"},
		MethodInfo{Method: MethodBrowser, Title: "Browser", Available: true,
			Description: "Sign in in a browser on this machine"},
		envMethod(),
		miMethod(cfg),
	)
	return out
}

func cliMethod() MethodInfo {
	m := MethodInfo{Method: MethodCLI, Title: "Azure CLI", Description: "Use the account of `az login`", Available: true}
	if _, err := exec.LookPath("az"); err != nil {
		m.Available, m.Why = false, "Azure CLI not found on PATH — install it and run az login, or choose device code"
	}
	return m
}

func envMethod() MethodInfo {
	m := MethodInfo{Method: MethodEnvironment, Title: "Service principal (environment)", Available: true,
		Description: "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or a certificate) from the environment"}
	if missing := missingEnv(); missing != "" {
		m.Available, m.Why = false, missing+" not set — export them, or choose another method"
	}
	return m
}

func missingEnv() string {
	var missing []string
	for _, v := range []string{"AZURE_TENANT_ID", "AZURE_CLIENT_ID"} {
		if os.Getenv(v) == "" {
			missing = append(missing, v)
		}
	}
	if os.Getenv("AZURE_CLIENT_SECRET") == "" && os.Getenv("AZURE_CLIENT_CERTIFICATE_PATH") == "" {
		missing = append(missing, "AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH)")
	}
	return strings.Join(missing, ", ")
}

func miMethod(cfg Config) MethodInfo {
	m := MethodInfo{Method: MethodManagedIdentity, Title: "Managed identity", Available: true,
		Description: "The identity of the Azure VM, App Service, container or AKS pod this runs on (AZURE_CLIENT_ID picks a user-assigned one)"}
	if cfg.Emulated {
		m.Available, m.Why = false, "Not available in the demo: there is no Azure compute (and no IMDS) behind the simulated Azure"
	}
	return m
}

// managedIdentityOptions picks the user-assigned identity named by
// AZURE_CLIENT_ID, as DefaultAzureCredential does (a pod or VM with several
// identities); without it the system-assigned identity answers.
func managedIdentityOptions(cfg Config) *azidentity.ManagedIdentityCredentialOptions {
	o := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: cfg.ClientOptions()}
	if id := os.Getenv("AZURE_CLIENT_ID"); id != "" {
		o.ID = azidentity.ClientID(id)
	}
	return o
}

// SignIn signs in and returns a session once a management token was issued.
func SignIn(ctx context.Context, cfg Config, o SignInOptions) (*Session, error) {
	if o.TenantID != "" {
		cfg.TenantID = o.TenantID
	}
	cfg.hold("client secret", os.Getenv("AZURE_CLIENT_SECRET")) // read by the environment credential
	cfg.hold("persona password", o.Persona.Password)
	cred, err := credential(ctx, cfg, o)
	if err != nil {
		return nil, err
	}
	return newSessionAs(ctx, cfg, cred, o.facts(cfg))
}

// facts are what this sign-in asks for, for its errors to name.
func (o SignInOptions) facts(cfg Config) signInFacts {
	f := cfg.facts(o.Method)
	f.User = o.Persona.UPN
	if o.Method == MethodEnvironment {
		f.Tenant, f.ClientID, f.User = os.Getenv("AZURE_TENANT_ID"), os.Getenv("AZURE_CLIENT_ID"), os.Getenv("AZURE_USERNAME")
	}
	return f
}

func (c Config) tenantOrOrganizations() string {
	if c.TenantID != "" {
		return c.TenantID
	}
	return "organizations"
}

// credential builds (and for interactive methods, runs) the method's credential.
func credential(ctx context.Context, cfg Config, o SignInOptions) (azcore.TokenCredential, error) {
	co := cfg.ClientOptions()
	disc := cfg.InstanceDiscoveryOff() // the simulated Azure or a private cloud: never ask login.microsoftonline.com about it
	mgmt := &policy.TokenRequestOptions{Scopes: []string{cfg.scope(cfg.ARMAudience)}, EnableCAE: true}
	f := o.facts(cfg)
	authErr := func(err error) error { return signInError(f, err, nil) }
	switch o.Method {
	case MethodPersona:
		if !cfg.Emulated {
			return nil, &AuthError{Method: o.Method, Reason: "personas exist only in the simulated Azure", Next: "Start with --demo, or choose another method."}
		}
		//lint:ignore SA1019 the persona picker is a demo of the password grant; never offered against real Azure
		c, err := azidentity.NewUsernamePasswordCredential(cfg.TenantID, cfg.clientID(), o.Persona.UPN, o.Persona.Password,
			&azidentity.UsernamePasswordCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: disc})
		return c, authErr(err)
	case MethodDeviceCode:
		captured := &entraCapture{} // MSAL drops the final refusal's body: keep it
		co.PerCallPolicies = append(slices.Clone(co.PerCallPolicies), captured)
		c, err := azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
			ClientOptions: co, DisableInstanceDiscovery: disc, DisableAutomaticAuthentication: true,
			TenantID: cfg.tenantOrOrganizations(), ClientID: cfg.clientID(),
			UserPrompt: func(_ context.Context, m azidentity.DeviceCodeMessage) error {
				if o.OnDeviceCode != nil {
					o.OnDeviceCode(DeviceCode{UserCode: m.UserCode, VerificationURL: m.VerificationURL, Message: m.Message,
						ExpiresAt: cfg.Polling.now().Add(15 * time.Minute)})
				}
				return nil
			}})
		if err != nil {
			return nil, authErr(err)
		}
		if _, err := c.Authenticate(ctx, mgmt); err != nil {
			return nil, signInError(f, err, captured.lastRefusal())
		}
		return c, nil
	case MethodBrowser:
		c, err := azidentity.NewInteractiveBrowserCredential(&azidentity.InteractiveBrowserCredentialOptions{
			ClientOptions: co, DisableInstanceDiscovery: disc, DisableAutomaticAuthentication: true,
			TenantID: cfg.tenantOrOrganizations(), ClientID: cfg.clientID()})
		if err != nil {
			return nil, authErr(err)
		}
		if _, err := c.Authenticate(ctx, mgmt); err != nil {
			return nil, authErr(err)
		}
		return c, nil
	case MethodEnvironment:
		if missing := missingEnv(); missing != "" {
			return nil, &AuthError{Method: o.Method, Reason: missing + " not set", Next: "Export the service principal's AZURE_* variables, or choose another method."}
		}
		c, err := azidentity.NewEnvironmentCredential(&azidentity.EnvironmentCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: disc})
		return c, authErr(err)
	case MethodManagedIdentity:
		if cfg.Emulated {
			return nil, &AuthError{Method: o.Method, Reason: "there is no managed identity endpoint in the demo", Next: "Choose a persona or device code."}
		}
		c, err := azidentity.NewManagedIdentityCredential(managedIdentityOptions(cfg))
		return c, authErr(err)
	case MethodCLI:
		if _, err := exec.LookPath("az"); err != nil {
			return nil, &AuthError{Method: o.Method, Reason: "Azure CLI not found on PATH", Next: "Install it and run az login, or choose device code.", Err: err}
		}
		c, err := azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: cfg.TenantID})
		return c, authErr(err)
	case MethodChain:
		results, cred := probe(ctx, cfg, o.OnProbe, o.OnProbe != nil)
		if cred == nil {
			var why []string
			for _, r := range results {
				why = append(why, r.Source+": "+r.Reason)
			}
			return nil, &AuthError{Method: o.Method, Reason: "no source in the chain could sign in — " + strings.Join(why, "; "),
				Next: "Fix one of them (e.g. az login), or choose device code."}
		}
		return cred, nil
	}
	return nil, &AuthError{Method: o.Method, Reason: "unknown sign-in method", Next: "Choose a method from the list."}
}

// signInError names the method and the next step for a credential
// failure. Microsoft Entra ID's refusal, read from the error or, for a
// device code flow whose final answer MSAL dropped, from captured, is told
// in plain words with its AADSTS code and ids (entraAdvice).
func signInError(f signInFacts, err error, captured *EntraError) error {
	m := f.Method
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return &AuthError{Method: m, Reason: "cancelled", Next: "Choose a method to try again.", Err: err}
	}
	if status, ok := entraTrouble(err); ok {
		return &AuthError{Method: m, Reason: fmt.Sprintf("Microsoft Entra ID answered %d %s, a temporary failure", status, http.StatusText(status)),
			Next: "Wait a moment and try again.", Err: err}
	}
	if why, ok := netTrouble(err); ok {
		return &AuthError{Method: m, Reason: "no answer: " + why, Next: "Check your network and try again.", Err: err}
	}
	var req *azidentity.AuthenticationRequiredError
	if errors.As(err, &req) {
		return &AuthError{Method: m, Reason: "signed in, but the first token could not be fetched (the sign-in service may be busy)",
			Next: "Wait a moment and try again.", Err: err}
	}
	e, ok := EntraErrorOf(err)
	if !ok && captured != nil {
		e, ok = *captured, true
	}
	if ok {
		reason, next := entraAdvice(e, f)
		return &AuthError{Method: m, Reason: reason, Next: next, Entra: &e, Err: err}
	}
	reason, next := firstLine(err.Error()), "Try again or choose another method."
	low := strings.ToLower(err.Error())
	switch {
	case m == MethodDeviceCode && (strings.Contains(low, "response contained no body") || strings.Contains(low, "declined") || strings.Contains(low, "expired") || strings.Contains(low, "deadline")):
		reason, next = "the device code was declined or expired", "Start again to get a new code."
	case m == MethodBrowser && strings.Contains(low, "executable file not found"):
		reason, next = "no browser can be opened from this terminal (no xdg-open, x-www-browser or www-browser)", "Choose device code: it works with a browser on any device."
	case strings.Contains(low, "az login"):
		reason, next = "Azure CLI is not signed in", "Run az login, or choose device code."
	}
	return &AuthError{Method: m, Reason: reason, Next: next, Err: err}
}

// newSession gets the first management token (the real sign-in check) and
// reads the identity from it.
func newSession(ctx context.Context, cfg Config, cred azcore.TokenCredential, m Method) (*Session, error) {
	return newSessionAs(ctx, cfg, cred, cfg.facts(m))
}

// facts are what a sign-in with this configuration asks for.
func (c Config) facts(m Method) signInFacts {
	return signInFacts{Method: m, Tenant: c.TenantID, ClientID: c.clientID(), Cloud: c.Cloud}
}

// newSessionAs is newSession with what the sign-in asked for, for its errors.
func newSessionAs(ctx context.Context, cfg Config, cred azcore.TokenCredential, f signInFacts) (*Session, error) {
	m := f.Method
	if c, ok := cred.(*clockedCredential); ok {
		cred = c.TokenCredential // another tenant (SwitchTenant): its own tokens
	}
	if _, ok := cred.(heldCredential); !ok && cfg.Secrets != nil {
		cred = heldCredential{cred, cfg}
	}
	if cfg.Polling.Now != nil {
		cred = newClockedCredential(cred, cfg.Polling.Now)
	}
	tro := policy.TokenRequestOptions{Scopes: []string{cfg.scope(cfg.ARMAudience)}, EnableCAE: true}
	tok, err := getToken(ctx, cred, tro)
	// Right after an interactive sign-in, "authentication required" means
	// the silent renewal of a short-lived token failed (a throttled token
	// endpoint): the sign-in itself worked, so ask again before giving up.
	var req *azidentity.AuthenticationRequiredError
	for i := 1; i <= 3 && errors.As(err, &req); i++ {
		if werr := cfg.Polling.wait(ctx, time.Duration(i)*200*time.Millisecond); werr != nil {
			return nil, signInError(f, werr, nil)
		}
		tok, err = getToken(ctx, cred, tro)
	}
	if err != nil {
		return nil, signInError(f, err, nil)
	}
	claims, err := DecodeClaims(tok.Token)
	if err != nil {
		return nil, &AuthError{Method: m, Reason: "the token could not be read: " + err.Error(), Next: "Try another method.", Err: err}
	}
	id := IdentityFromClaims(claims)
	id.Method = m
	if id.ExpiresOn.IsZero() {
		id.ExpiresOn = tok.ExpiresOn
	}
	return buildSession(cfg, cred, id)
}

// heldCredential tells Config.Secrets every token the credential returns
// (management, Graph, Azure ML, whichever scope), one slot per scope.
type heldCredential struct {
	azcore.TokenCredential
	cfg Config
}

func (h heldCredential) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	t, err := h.TokenCredential.GetToken(ctx, o)
	if err == nil {
		h.cfg.hold("token "+o.TenantID+" "+strings.Join(o.Scopes, " "), t.Token)
	}
	return t, err
}

// Method titles for messages.
func (m Method) String() string { return string(m) }
