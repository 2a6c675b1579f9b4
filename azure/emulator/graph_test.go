package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// Microsoft Graph through a plain azcore pipeline, as the TUI calls it.

type graphtClient struct {
	t  *testing.T
	e  *armtEnv
	pl runtime.Pipeline
}

func (e *armtEnv) graph(t *testing.T, who string) *graphtClient {
	opts := armtClientOptions(e.s)
	pl := runtime.NewPipeline("graphtest", "v0.0.0", runtime.PipelineOptions{
		PerRetry: []policy.Policy{runtime.NewBearerTokenPolicy(e.cred(who), []string{"https://graph.microsoft.com/.default"}, nil)},
	}, &opts)
	return &graphtClient{t: t, e: e, pl: pl}
}

// call sends a Graph request; path is below /graph/v1.0 (or an absolute nextLink).
func (g *graphtClient) call(method, path string, body any, hdr map[string]string) (int, map[string]any) {
	g.t.Helper()
	u := path
	if !strings.HasPrefix(path, "https://") {
		u = g.e.s.URL() + "/graph/v1.0" + path
	}
	req, err := runtime.NewRequest(armtCtx(g.t), method, u)
	if err != nil {
		g.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Raw().Header.Set(k, v)
	}
	if body != nil {
		if err := runtime.MarshalAsJSON(req, body); err != nil {
			g.t.Fatal(err)
		}
	}
	resp, err := g.pl.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		g.t.Fatalf("%s %s: %d, not JSON: %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, out
}

// names lists a field of a collection, following @odata.nextLink.
func (g *graphtClient) names(path, field string, hdr map[string]string) []string {
	g.t.Helper()
	var out []string
	for path != "" {
		code, body := g.call(http.MethodGet, path, nil, hdr)
		if code != 200 {
			g.t.Fatalf("GET %s: %d %v", path, code, body)
		}
		for _, v := range body["value"].([]any) {
			out = append(out, v.(map[string]any)[field].(string))
		}
		path, _ = body["@odata.nextLink"].(string)
	}
	return out
}

func graphtErr(body map[string]any) (string, string) {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	m, _ := e["message"].(string)
	return c, m
}

func TestGraphMe(t *testing.T) {
	e := newARMT(t, Options{})
	code, me := e.graph(t, "alice").call(http.MethodGet, "/me", nil, nil)
	if code != 200 || me["id"] != idAlice || me["displayName"] != "Alice Chen" || me["userPrincipalName"] != "alice@contoso.example" ||
		me["@odata.context"] != e.s.URL()+"/graph/v1.0/$metadata#users/$entity" || me["jobTitle"] != "Data Scientist" {
		t.Errorf("me: %d %v", code, me)
	}
	if _, ok := me["accountEnabled"]; ok {
		t.Errorf("accountEnabled is not a default property: %v", me)
	}
	code, me = e.graph(t, "sp").call(http.MethodGet, "/me", nil, nil)
	if c, m := graphtErr(me); code != 400 || c != "BadRequest" || m != "/me request is only valid with delegated authentication flow." {
		t.Errorf("app /me: %d %v", code, me)
	}
	// An ARM token is not a Graph token.
	st, _, b := e.do(http.MethodGet, "/graph/v1.0/me", e.token("alice", armtScope), nil, nil)
	if c, _ := armtError(t, b); st != 401 || c != "InvalidAuthenticationToken" {
		t.Errorf("ARM token on Graph: %d %s", st, b)
	}
}

func TestGraphUsers(t *testing.T) {
	e := newARMT(t, Options{PageSize: 2})
	g := e.graph(t, "bob")
	all := g.names("/users", "displayName", nil) // three pages
	if want := []string{"Alice Chen", "Bob Reyes", "Gary Lindqvist", "Nina Novak", "Olivia Okafor"}; !slices.Equal(all, want) {
		t.Errorf("users %q", all)
	}
	f := url.QueryEscape("startswith(displayName,'a') or startsWith(userPrincipalName,'GARY')")
	if got := g.names("/users?$filter="+f, "userPrincipalName", nil); !slices.Equal(got, []string{"alice@contoso.example", "gary@contoso.example"}) {
		t.Errorf("filter: %q", got)
	}
	if got := g.names("/users?$filter="+url.QueryEscape("userPrincipalName eq 'BOB@contoso.example'"), "id", nil); !slices.Equal(got, []string{idBob}) {
		t.Errorf("eq: %q", got)
	}

	// $search is an advanced query: only with ConsistencyLevel: eventual.
	search := "/users?$search=" + url.QueryEscape(`"displayName:ch"`) + "&$count=true"
	code, body := g.call(http.MethodGet, search, nil, nil)
	if c, m := graphtErr(body); code != 400 || c != "Request_UnsupportedQuery" ||
		m != "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'" {
		t.Errorf("search without header: %d %v", code, body)
	}
	eventual := map[string]string{"ConsistencyLevel": "eventual"}
	code, body = g.call(http.MethodGet, search, nil, eventual)
	if code != 200 || body["@odata.count"] != float64(1) || body["value"].([]any)[0].(map[string]any)["displayName"] != "Alice Chen" {
		t.Errorf("search (word prefix 'ch' finds Chen): %d %v", code, body)
	}
	or := "/users?$search=" + url.QueryEscape(`"displayName:ok" OR "mail:nina"`)
	if got := g.names(or, "displayName", eventual); !slices.Equal(got, []string{"Nina Novak", "Olivia Okafor"}) {
		t.Errorf("search OR: %q", got)
	}

	// $top pages; $select projects.
	code, body = g.call(http.MethodGet, "/users?$top=1&$select=displayName,ID", nil, nil)
	v := body["value"].([]any)[0].(map[string]any)
	if code != 200 || len(body["value"].([]any)) != 1 || len(v) != 2 || v["id"] == nil || body["@odata.nextLink"] == nil ||
		body["@odata.context"] != e.s.URL()+"/graph/v1.0/$metadata#users(displayName,id)" {
		t.Errorf("$top/$select: %d %v", code, body)
	}
	code, body = g.call(http.MethodGet, "/users?$select=shoeSize", nil, nil)
	if c, m := graphtErr(body); code != 400 || c != "BadRequest" || m != "Could not find a property named 'shoeSize' on type 'microsoft.graph.user'." {
		t.Errorf("bad $select: %d %v", code, body)
	}
	code, body = g.call(http.MethodGet, "/users?$top=1000", nil, nil)
	if c, _ := graphtErr(body); code != 400 || c != "Request_UnsupportedQuery" {
		t.Errorf("$top 1000: %d %v", code, body)
	}
	code, body = g.call(http.MethodGet, "/users?$count=true", nil, nil)
	if c, _ := graphtErr(body); code != 400 || c != "Request_UnsupportedQuery" {
		t.Errorf("$count without header: %d %v", code, body)
	}

	for _, id := range []string{idGary, "GARY@contoso.example", strings.ToUpper(idGary)} {
		code, u := g.call(http.MethodGet, "/users/"+id, nil, nil)
		if code != 200 || u["id"] != idGary {
			t.Errorf("user %s: %d %v", id, code, u)
		}
	}
	code, body = g.call(http.MethodGet, "/users/nobody@contoso.example", nil, nil)
	if c, m := graphtErr(body); code != 404 || c != "Request_ResourceNotFound" ||
		m != "Resource 'nobody@contoso.example' does not exist or one of its queried reference-property objects are not present." {
		t.Errorf("unknown user: %d %v", code, body)
	}
}

func TestGraphFilterErrors(t *testing.T) {
	e := newARMT(t, Options{})
	g := e.graph(t, "alice")
	for _, tc := range []struct{ filter, code, msg string }{
		{`startswith(displayName,"a")`, "BadRequest", `Invalid filter clause: Syntax error: character '"' is not valid at position 23`},
		{`startswith(displayName,'a'`, "BadRequest", "expected ')' but found 'end of filter'"},
		{`startswith(displayName,'a`, "BadRequest", "is not closed"},
		{`shoeSize eq '42'`, "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified for property 'shoeSize' of resource 'User'."},
		{`endswith(mail,'.example')`, "Request_UnsupportedQuery", "Operator 'endsWith' is not supported because the 'ConsistencyLevel:eventual' header is missing."},
		{`contains(displayName,'a')`, "Request_UnsupportedQuery", "function 'contains' is not supported"},
		{`displayName ne 'a'`, "Request_UnsupportedQuery", "Operator 'ne'"},
		{`displayName eq`, "BadRequest", "expected a quoted string after 'eq'"},
		{``, "BadRequest", "the filter is empty"},
	} {
		code, body := g.call(http.MethodGet, "/users?$filter="+url.QueryEscape(tc.filter), nil, nil)
		if c, m := graphtErr(body); code != 400 || c != tc.code || !strings.Contains(m, tc.msg) {
			t.Errorf("%q: %d %s %q", tc.filter, code, c, m)
		}
	}
	// With the advanced-query header endswith works.
	if got := g.names("/users?$filter="+url.QueryEscape("endswith(mail,'@CONTOSO.example') and startswith(givenName,'o')"), "id",
		map[string]string{"ConsistencyLevel": "eventual"}); !slices.Equal(got, []string{idOlivia}) {
		t.Errorf("endswith: %q", got)
	}
}

func TestGraphGroupsAndServicePrincipals(t *testing.T) {
	e := newARMT(t, Options{})
	g := e.graph(t, "gary")
	if got := g.names("/groups?$filter="+url.QueryEscape("startswith(displayName,'ML-')"), "id", nil); !slices.Equal(got, []string{idGroupScorers}) {
		t.Errorf("groups: %q", got)
	}
	code, gr := g.call(http.MethodGet, "/groups/"+idGroupScorers, nil, nil)
	if code != 200 || gr["displayName"] != "ml-scorers" || gr["securityEnabled"] != true {
		t.Errorf("group: %d %v", code, gr)
	}
	code, body := g.call(http.MethodGet, "/groups/"+idAlice, nil, nil) // a user is not a group
	if c, _ := graphtErr(body); code != 404 || c != "Request_ResourceNotFound" {
		t.Errorf("user as group: %d %v", code, body)
	}

	code, body = g.call(http.MethodGet, "/servicePrincipals?$filter="+url.QueryEscape("appId eq '"+strings.ToUpper(appScorer)+"'"), nil, nil)
	sps := body["value"].([]any)
	if code != 200 || len(sps) != 1 || sps[0].(map[string]any)["id"] != idScorerSP || sps[0].(map[string]any)["servicePrincipalType"] != "Application" {
		t.Errorf("sp by appId: %d %v", code, body)
	}
	if got := g.names("/servicePrincipals?$filter="+url.QueryEscape("startswith(displayName,'churn')"), "displayName", nil); !slices.Equal(got,
		[]string{"churn-aml", "churn-batch-scorer", "churn-key"}) {
		t.Errorf("sp by name: %q", got)
	}
	code, mi := g.call(http.MethodGet, "/servicePrincipals/"+idUAI, nil, nil)
	if code != 200 || mi["servicePrincipalType"] != "ManagedIdentity" || mi["appId"] != appUAI {
		t.Errorf("managed identity: %d %v", code, mi)
	}
}

func TestGraphDirectoryObjects(t *testing.T) {
	e := newARMT(t, Options{})
	g := e.graph(t, "alice")
	unknown := "99999999-0000-4000-8000-000000000000"
	ids := []string{idAlice, idGroupScorers, idScorerSP, unknown}
	code, body := g.call(http.MethodPost, "/directoryObjects/getByIds", map[string]any{"ids": ids}, nil)
	var types []string
	for _, v := range body["value"].([]any) {
		types = append(types, v.(map[string]any)["@odata.type"].(string))
	}
	if code != 200 || !slices.Equal(types, []string{"#microsoft.graph.user", "#microsoft.graph.group", "#microsoft.graph.servicePrincipal"}) {
		t.Errorf("getByIds: %d %v", code, body)
	}
	code, body = g.call(http.MethodPost, "/directoryObjects/getByIds", map[string]any{"ids": ids, "types": []string{"User", "group"}}, nil)
	if code != 200 || len(body["value"].([]any)) != 2 {
		t.Errorf("getByIds with types: %d %v", code, body)
	}
	code, body = g.call(http.MethodPost, "/directoryObjects/getByIds", map[string]any{"ids": []string{"alice"}}, nil)
	if c, m := graphtErr(body); code != 400 || c != "Request_BadRequest" || m != "Invalid object identifier 'alice'." {
		t.Errorf("bad id: %d %v", code, body)
	}

	member := func(who, path string) []string {
		code, body := e.graph(t, who).call(http.MethodPost, path, map[string]any{"securityEnabledOnly": true}, nil)
		if code != 200 {
			t.Fatalf("%s %s: %d %v", who, path, code, body)
		}
		var out []string
		for _, v := range body["value"].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	for _, tc := range []struct {
		who, path string
		want      []string
	}{
		{"gary", "/me/getMemberObjects", []string{idGroupScorers}},
		{"alice", "/users/" + idGary + "/getMemberObjects", []string{idGroupScorers}},
		{"alice", "/directoryObjects/" + idGary + "/getMemberObjects", []string{idGroupScorers}},
		{"alice", "/servicePrincipals/" + idScorerSP + "/getMemberObjects", nil},
		{"alice", "/me/getMemberObjects", nil},
	} {
		if got := member(tc.who, tc.path); !slices.Equal(got, tc.want) {
			t.Errorf("%s %s: %q, want %q", tc.who, tc.path, got, tc.want)
		}
	}
	code, body = g.call(http.MethodPost, "/users/"+idGary+"/getMemberObjects", map[string]any{}, nil)
	if c, _ := graphtErr(body); code != 400 || c != "Request_BadRequest" {
		t.Errorf("no securityEnabledOnly: %d %v", code, body)
	}
	code, body = g.call(http.MethodPost, "/users/"+unknown+"/getMemberObjects", map[string]any{"securityEnabledOnly": false}, nil)
	if c, _ := graphtErr(body); code != 404 || c != "Request_ResourceNotFound" {
		t.Errorf("unknown user: %d %v", code, body)
	}
}

func TestGraphRouting(t *testing.T) {
	e := newARMT(t, Options{})
	g := e.graph(t, "alice")
	code, body := g.call(http.MethodGet, "/widgets", nil, nil)
	if c, m := graphtErr(body); code != 400 || c != "BadRequest" || m != "Resource not found for the segment 'widgets'." {
		t.Errorf("unknown segment: %d %v", code, body)
	}
	code, body = g.call(http.MethodPost, "/users", map[string]any{}, nil)
	if c, _ := graphtErr(body); code != 405 || c != "Request_BadRequest" {
		t.Errorf("POST /users: %d %v", code, body)
	}
	code, body = g.call(http.MethodGet, e.s.URL()+"/graph/v2.0/me", nil, nil)
	if c, m := graphtErr(body); code != 400 || c != "BadRequest" || m != "Invalid version: v2.0" {
		t.Errorf("bad version: %d %v", code, body)
	}
}

// What `az role assignment list` and `az role assignment create --assignee
// <appId>` send (azure-cli's graph client): getByIds with its fixed type
// list, and servicePrincipalNames/any() to resolve an appId.
func TestGraphAsAzSendsIt(t *testing.T) {
	e := newARMT(t, Options{})
	g := e.graph(t, "olivia")
	azTypes := []string{"user", "group", "servicePrincipal", "directoryObjectPartnerReference"}
	code, body := g.call(http.MethodPost, "/directoryObjects/getByIds",
		map[string]any{"ids": []string{idAlice, idScorerSP, idGroupScorers}, "types": azTypes}, nil)
	if code != 200 || len(body["value"].([]any)) != 3 {
		t.Fatalf("getByIds with az's types: %d %v", code, body)
	}
	for _, types := range [][]string{{"USER"}, {"directoryObject"}, {"Device", "application"}} {
		code, body := g.call(http.MethodPost, "/directoryObjects/getByIds", map[string]any{"ids": []string{idAlice}, "types": types}, nil)
		want := 1
		if types[0] == "Device" {
			want = 0
		}
		if code != 200 || len(body["value"].([]any)) != want {
			t.Errorf("getByIds types %v: %d %v", types, code, body)
		}
	}
	code, body = g.call(http.MethodPost, "/directoryObjects/getByIds", map[string]any{"ids": []string{idAlice}, "types": []string{"user", "widget"}}, nil)
	if c, m := graphtErr(body); code != 400 || c != "Request_BadRequest" || m != "Invalid type 'widget' specified." {
		t.Errorf("unknown type: %d %v", code, body)
	}

	q := url.Values{"$filter": {"servicePrincipalNames/any(c:c eq '" + appScorer + "')"}}
	if got := g.names("/servicePrincipals?"+q.Encode(), "id", nil); !slices.Equal(got, []string{idScorerSP}) {
		t.Errorf("appId through servicePrincipalNames/any(): %v", got)
	}
	// A managed identity is also found by its resource id.
	q = url.Values{"$filter": {"alternativeNames/any(x:x eq '" + uaiID(SubProduction, "rg-ml-prod", "id-churn-scoring") + "')"}}
	if got := g.names("/servicePrincipals?"+q.Encode(), "id", nil); !slices.Equal(got, []string{idUAI}) {
		t.Errorf("managed identity by alternativeNames/any(): %v", got)
	}
	q = url.Values{"$filter": {"proxyAddresses/any(x:startswith(x,'smtp:alice@'))"}}
	if got := g.names("/users?"+q.Encode(), "id", nil); !slices.Equal(got, []string{idAlice}) {
		t.Errorf("users by proxyAddresses/any(): %v", got)
	}
	// The quoting attack of issue 15: '' is a quote inside the string, so
	// "or true" is text and nothing matches (before any(), it was refused;
	// it must never match everyone).
	for _, f := range []string{"servicePrincipalNames/any(c:c eq 'a'') or true or (''x')", "startswith(displayName,'a'') or true or (''x')"} {
		if got := g.names("/servicePrincipals?"+url.Values{"$filter": {f}}.Encode(), "id", nil); len(got) != 0 {
			t.Errorf("%s matched %v", f, got)
		}
	}
	code, body = g.call(http.MethodGet, "/servicePrincipals?"+url.Values{"$filter": {"startswith(displayName,'a'') or true or ('x')"}}.Encode(), nil, nil)
	if c, _ := graphtErr(body); code != 400 || c != "BadRequest" {
		t.Errorf("an unclosed string: %d %v", code, body)
	}
	// Where the value is an object id, the smuggled text is refused outright.
	code, body = g.call(http.MethodGet, "/users?"+url.Values{"$filter": {"id eq 'a'') or true or (''x'"}}.Encode(), nil, nil)
	if c, m := graphtErr(body); code != 400 || c != "Request_BadRequest" || m != "Invalid object identifier 'a') or true or ('x'." {
		t.Errorf("id eq a non-GUID: %d %v", code, body)
	}
}
