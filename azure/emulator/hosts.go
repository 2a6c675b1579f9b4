package emulator

import (
	"sync"
	"time"

	"amlauth-tui/azure/rbac"
)

// The simulated Azure serves several hosts on one listener, each under its
// own prefix (ServeHTTP): Entra ID (login.microsoftonline.com), ARM
// (management.azure.com), Microsoft Graph (graph.microsoft.com) and the ML
// scoring data plane ({endpoint}.{region}.inference.ml.azure.com). Each host
// has its own handler type with only its own methods; they meet in core,
// the world model they all read and change (docs/ARCHITECTURE.md §4). A new
// host (Resource Graph next) is one more type here and one more case in
// ServeHTTP.

// core is what every host shares: the world under its lock, the options and
// clock, the token signer and the validated-token cache, the role index and
// the long-running operations that change the world.
type core struct {
	opts Options
	url  string // base of every simulated host

	mu    sync.RWMutex
	world *World

	signer *lazyKey   // the token-signing key, generated off the start-up path (signingkey.go)
	tokens tokenCache // validated bearer tokens -> claims

	roleMu  sync.Mutex
	roleIdx rbac.RoleIndex
	roleGen int

	lro lroStore // long-running operations (lro.go)

	epIndex endpointIndex // each workspace's endpoints by name (arm_endpoint_index.go)
}

func (s *core) now() time.Time { return s.opts.Now() }

// entraHost serves Entra ID: discovery, the token endpoint, device codes
// and the browser sign-in (entra.go, devicecode.go, tokens.go).
type entraHost struct {
	*core
	flows entraState // device codes, auth codes, refresh tokens
}

// armHost serves Azure Resource Manager: tenants, subscriptions, resource
// groups, the ML workspaces and endpoints, the workspace's associated
// resources, RBAC and the operation-status URLs (arm*.go, lro.go).
type armHost struct {
	*core
	faults *faultSet // lro-fail faults decide how the operations it starts end

	raMeta map[string]*raMeta // role assignment extras (condition, createdBy) by lower-cased id; under mu
}

// graphHost serves Microsoft Graph's directory reads (graph.go, graph_filter.go).
type graphHost struct {
	*core
}

// scoringHost serves the online endpoints' scoring URIs (scoring.go).
type scoringHost struct {
	*core
	routeCounters sync.Map // lower-cased endpoint id -> *atomic.Uint64: the traffic rotation
}

// mountHosts creates the host handlers over s's core.
func (s *Server) mountHosts() {
	s.entra = &entraHost{core: s.core}
	s.entra.flows.init()
	s.arm = &armHost{core: s.core, faults: s.faults}
	s.graph = &graphHost{core: s.core}
	s.scoring = &scoringHost{core: s.core}
	s.rg = &resourceGraphHost{arm: s.arm}
}
