package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"

	"amlauth-tui/azure/rbac"
)

// The four Graph calls the RBAC wizards need go through an azcore pipeline
// (auth, retries, logging) instead of the large Graph SDK.

// PrincipalRef is a directory object a role can be assigned to.
type PrincipalRef struct {
	ID          string // object id
	Kind        string // User | Group | ServicePrincipal (ARM's principalType)
	DisplayName string
	UPN         string // users
	AppID       string // service principals
	SPType      string // Application | ManagedIdentity
}

// Label is how a principal reads in one line.
func (p PrincipalRef) Label() string {
	switch {
	case p.UPN != "":
		return p.DisplayName + " <" + p.UPN + ">"
	case p.Kind == "ServicePrincipal" && p.DisplayName == "" && p.AppID != "":
		return "app " + p.AppID // not named yet (a token carries no name)
	case p.Kind == "ServicePrincipal" && p.SPType == "ManagedIdentity":
		return p.DisplayName + " (managed identity)"
	case p.Kind == "ServicePrincipal" && p.AppID != "":
		return p.DisplayName + " (app " + p.AppID + ")"
	case p.Kind == "Group":
		return p.DisplayName + " (group)"
	}
	return p.DisplayName
}

type graphObject struct {
	ODataType            string `json:"@odata.type"`
	ID                   string `json:"id"`
	DisplayName          string `json:"displayName"`
	UserPrincipalName    string `json:"userPrincipalName"`
	AppID                string `json:"appId"`
	ServicePrincipalType string `json:"servicePrincipalType"`
}

func (o graphObject) ref(kind string) PrincipalRef {
	if kind == "" {
		switch strings.TrimPrefix(o.ODataType, "#microsoft.graph.") {
		case "user":
			kind = "User"
		case "group":
			kind = "Group"
		default:
			kind = "ServicePrincipal"
		}
	}
	return PrincipalRef{ID: o.ID, Kind: kind, DisplayName: o.DisplayName, UPN: o.UserPrincipalName, AppID: o.AppID, SPType: o.ServicePrincipalType}
}

func (s *Session) graph() runtime.Pipeline {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.graphPL == nil {
		co := s.cfg.ClientOptions()
		pl := runtime.NewPipeline("amlauth-tui", "dev", runtime.PipelineOptions{
			PerRetry: []policy.Policy{runtime.NewBearerTokenPolicy(s.cred, []string{s.cfg.scope(s.cfg.GraphAudience)}, &policy.BearerTokenOptions{})},
		}, &co)
		s.graphPL = &pl
	}
	return *s.graphPL
}

// graphDo sends a Graph request and decodes the answer into out.
func (s *Session) graphDo(ctx context.Context, method, path string, q url.Values, body any, out any) error {
	u := s.cfg.GraphEndpoint + path
	if len(q) > 0 {
		u += "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
	}
	req, err := runtime.NewRequest(ctx, method, u)
	if err != nil {
		return err
	}
	if q.Get("$search") != "" {
		req.Raw().Header.Set("ConsistencyLevel", "eventual")
	}
	if body != nil {
		b, _ := json.Marshal(body)
		if err := req.SetBody(streaming.NopCloser(bytes.NewReader(b)), "application/json"); err != nil {
			return err
		}
	}
	resp, err := s.graph().Do(req)
	if err != nil {
		return Classify(err)
	}
	defer resp.Body.Close()
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		return Classify(runtime.NewResponseError(resp))
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// FindPrincipals finds users, groups and service principals (including
// managed identities) by object id, app id, UPN or the start of a name.
func (s *Session) FindPrincipals(ctx context.Context, query string) ([]PrincipalRef, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, nil
	}
	var out []PrincipalRef
	seen := map[string]bool{}
	add := func(p PrincipalRef) {
		if !seen[strings.ToLower(p.ID)] {
			seen[strings.ToLower(p.ID)] = true
			out = append(out, p)
		}
	}
	lit := strings.ReplaceAll(query, "'", "''") // OData string literal
	if rbac.IsGUID(query) {
		var byID struct{ Value []graphObject }
		err := s.graphDo(ctx, http.MethodPost, "/directoryObjects/getByIds", nil,
			map[string]any{"ids": []string{query}, "types": []string{"user", "group", "servicePrincipal"}}, &byID)
		if err != nil {
			return nil, err
		}
		for _, o := range byID.Value {
			add(o.ref(""))
		}
		var byApp struct{ Value []graphObject }
		if err := s.graphDo(ctx, http.MethodGet, "/servicePrincipals", url.Values{"$filter": {"appId eq '" + lit + "'"}}, nil, &byApp); err != nil {
			return nil, err
		}
		for _, o := range byApp.Value {
			add(o.ref("ServicePrincipal"))
		}
		return out, nil
	}
	type coll struct{ path, kind, filter string }
	colls := []coll{
		{"/users", "User", fmt.Sprintf("startswith(displayName,'%s') or startswith(userPrincipalName,'%s')", lit, lit)},
		{"/groups", "Group", fmt.Sprintf("startswith(displayName,'%s')", lit)},
		{"/servicePrincipals", "ServicePrincipal", fmt.Sprintf("startswith(displayName,'%s')", lit)},
	}
	for _, c := range colls {
		var res struct{ Value []graphObject }
		if err := s.graphDo(ctx, http.MethodGet, c.path, url.Values{"$filter": {c.filter}, "$top": {"20"}}, nil, &res); err != nil {
			return nil, err
		}
		for _, o := range res.Value {
			add(o.ref(c.kind))
		}
	}
	return out, nil
}

// MemberGroups lists the groups a principal belongs to, transitively
// (role assignments to those groups apply to it).
func (s *Session) MemberGroups(ctx context.Context, objectID string) ([]string, error) {
	var res struct{ Value []string }
	err := s.graphDo(ctx, http.MethodPost, "/directoryObjects/"+url.PathEscape(objectID)+"/getMemberObjects", nil,
		map[string]any{"securityEnabledOnly": false}, &res)
	return res.Value, err
}

// Principals reads many directory objects in one request (names for ids).
func (s *Session) Principals(ctx context.Context, ids []string) ([]PrincipalRef, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var res struct{ Value []graphObject }
	err := s.graphDo(ctx, http.MethodPost, "/directoryObjects/getByIds", nil,
		map[string]any{"ids": ids, "types": []string{"user", "group", "servicePrincipal"}}, &res)
	out := make([]PrincipalRef, len(res.Value))
	for i, o := range res.Value {
		out[i] = o.ref("")
	}
	return out, err
}

// Principal reads one directory object by id.
func (s *Session) Principal(ctx context.Context, objectID string) (PrincipalRef, error) {
	var byID struct{ Value []graphObject }
	err := s.graphDo(ctx, http.MethodPost, "/directoryObjects/getByIds", nil,
		map[string]any{"ids": []string{objectID}, "types": []string{"user", "group", "servicePrincipal"}}, &byID)
	if err != nil {
		return PrincipalRef{}, err
	}
	if len(byID.Value) == 0 {
		return PrincipalRef{}, &NotFoundError{What: "principal", Message: "No user, group or service principal has the object id " + objectID + " in this tenant."}
	}
	return byID.Value[0].ref(""), nil
}
