package emulator

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"amlauth-tui/azure/rbac"
)

// A workspace's models and environments, as the ML REST API serves them
// (2025-12-01 mfe.json: ModelContainers/ModelVersions,
// EnvironmentContainers/EnvironmentVersions): GET on the containers and the
// versions. Deployments name them (arm_deployment_write.go), and what they
// point at decides what the endpoint identity needs: a model's blobs in the
// workspace storage, a custom image in the workspace registry.

const (
	actModelRead       = "Microsoft.MachineLearningServices/workspaces/models/read"
	actEnvironmentRead = "Microsoft.MachineLearningServices/workspaces/environments/read"
)

var (
	apiModels = &armAPIVersions{namespace: mlNS, typ: "workspaces/models",
		versions: datedBetween(mlVersions, "2021-03-01", "9999"), locations: armRPLocations}
	apiEnvironments = &armAPIVersions{namespace: mlNS, typ: "workspaces/environments",
		versions: datedBetween(mlVersions, "2021-03-01", "9999"), locations: armRPLocations}
)

// armAssetRoutes are added to armRoutes (arm.go).
func armAssetRoutes(ws []string) []armRoute {
	cat := func(b ...string) []string { return append(append([]string(nil), ws...), b...) }
	get := func(h armHandler) map[string]armHandler { return map[string]armHandler{http.MethodGet: h} }
	return []armRoute{
		{cat("models"), apiModels, get((*armHost).armListModelContainers)},
		{cat("models", "{name}"), apiModels, get((*armHost).armGetModelContainer)},
		{cat("models", "{name}", "versions"), apiModels, get((*armHost).armListModelVersions)},
		{cat("models", "{name}", "versions", "{version}"), apiModels, get((*armHost).armGetModelVersion)},
		{cat("environments"), apiEnvironments, get((*armHost).armListEnvironmentContainers)},
		{cat("environments", "{name}"), apiEnvironments, get((*armHost).armGetEnvironmentContainer)},
		{cat("environments", "{name}", "versions"), apiEnvironments, get((*armHost).armListEnvironmentVersions)},
		{cat("environments", "{name}", "versions", "{version}"), apiEnvironments, get((*armHost).armGetEnvironmentVersion)},
	}
}

// curatedEnvironments are the curated environments of the public "azureml"
// registry the emulator knows (azureml://registries/azureml/environments/{name}/versions/{version}).
// Their images are on mcr.microsoft.com: pulling them needs no permission.
var curatedEnvironments = map[string]string{
	"sklearn-1.5/14":            "mcr.microsoft.com/azureml/curated/sklearn-1.5:14",
	"minimal-py311-inference/1": "mcr.microsoft.com/azureml/curated/minimal-py311-inference:1",
}

// seedEnvironment is the curated environment of the seeded deployments
// (their EnvironmentID is "").
const seedEnvironment = "azureml://registries/azureml/environments/sklearn-1.5/versions/14"

// resolveEnvironment finds what a deployment's environmentId names in ws: a
// workspace environment version (its ARM id, or azureml:{name}:{version}),
// or a curated environment of the azureml registry. nil: it does not exist.
func resolveEnvironment(w *World, ws *Workspace, ref string) *EnvironmentVersion {
	ref = strings.TrimSpace(ref)
	const registry = "azureml://registries/azureml/environments/"
	if len(ref) > len(registry) && strings.EqualFold(ref[:len(registry)], registry) {
		name, version, ok := strings.Cut(ref[len(registry):], "/versions/")
		if img := curatedEnvironments[strings.ToLower(name)+"/"+version]; ok && img != "" {
			return &EnvironmentVersion{Name: name, Version: version, Image: img}
		}
		return nil
	}
	if name, version, ok := shortAsset(ref); ok {
		ref = environmentID(ws, name, version)
	}
	return w.Environments[armKey(ref)]
}

// resolveModel finds what a deployment's model names in ws (its ARM id, or
// azureml:{name}:{version}). nil: it does not exist.
func resolveModel(w *World, ws *Workspace, ref string) *ModelVersion {
	if name, version, ok := shortAsset(strings.TrimSpace(ref)); ok {
		ref = modelID(ws, name, version)
	}
	return w.Models[armKey(strings.TrimSpace(ref))]
}

// shortAsset splits the CLI's short form azureml:{name}:{version}.
func shortAsset(ref string) (name, version string, ok bool) {
	if len(ref) < 8 || !strings.EqualFold(ref[:8], "azureml:") || strings.HasPrefix(ref[8:], "/") {
		return "", "", false
	}
	name, version, ok = strings.Cut(ref[8:], ":")
	return name, version, ok && name != "" && version != "" && !strings.Contains(version, ":")
}

// armAssetResourceJSON is what every asset resource (a container or a
// version, of a model or an environment) has around its properties.
type armAssetResourceJSON struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	SystemData armSystemDataJSON `json:"systemData"`
}

// armAssetBaseJSON is the properties every asset has (AssetBase and
// AssetContainer in the REST spec).
type armAssetBaseJSON struct {
	Description string            `json:"description"`
	Tags        map[string]string `json:"tags"`
	Properties  map[string]string `json:"properties"`
	IsArchived  bool              `json:"isArchived"`
}

// assetResource fills in what every asset resource has: id is the
// workspace's id followed by path, typ follows ".../workspaces/".
func assetResource(wsScope, path, name, typ string, created armSystemDataJSON) armAssetResourceJSON {
	return armAssetResourceJSON{ID: wsScope + "/" + path, Name: name, Type: mlNS + "/workspaces/" + typ, SystemData: created}
}

// assetBase is the properties of an asset with this description: the
// emulator keeps no tags or properties on assets.
func assetBase(description string) armAssetBaseJSON {
	return armAssetBaseJSON{Description: description, Tags: map[string]string{}, Properties: map[string]string{}}
}

type armAssetContainerJSON struct {
	armAssetResourceJSON
	Properties struct {
		armAssetBaseJSON
		LatestVersion     string `json:"latestVersion"`
		NextVersion       string `json:"nextVersion"`
		ProvisioningState string `json:"provisioningState"`
	} `json:"properties"`
}

type armModelVersionJSON struct {
	armAssetResourceJSON
	Properties struct {
		armAssetBaseJSON
		IsAnonymous       bool   `json:"isAnonymous"`
		ModelType         string `json:"modelType"`
		ModelURI          string `json:"modelUri"`
		ProvisioningState string `json:"provisioningState"`
	} `json:"properties"`
}

type armEnvironmentVersionJSON struct {
	armAssetResourceJSON
	Properties struct {
		armAssetBaseJSON
		IsAnonymous       bool   `json:"isAnonymous"`
		Image             string `json:"image"`
		OSType            string `json:"osType"`
		EnvironmentType   string `json:"environmentType"`
		AutoRebuild       string `json:"autoRebuild"`
		ProvisioningState string `json:"provisioningState"`
	} `json:"properties"`
}

// modelURI is where the model's files are: the workspace's default
// datastore (workspaceblobstore, the default blob container) and the path.
func modelURI(m *ModelVersion) string {
	return "azureml://subscriptions/" + m.Subscription + "/resourcegroups/" + m.ResourceGroup + "/workspaces/" + m.Workspace +
		"/datastores/workspaceblobstore/paths/" + m.Path
}

func armModelVersion(m *ModelVersion) armModelVersionJSON {
	var j armModelVersionJSON
	j.armAssetResourceJSON = assetResource(wsID(m.Subscription, m.ResourceGroup, m.Workspace), "models/"+m.Name+"/versions/"+m.Version,
		m.Version, "models/versions", armSystemData(m.CreatedAt, m.CreatedBy, m.CreatedAt, m.CreatedBy))
	p := &j.Properties
	p.armAssetBaseJSON = assetBase(m.Description)
	p.ModelType, p.ModelURI, p.ProvisioningState = cmp.Or(m.ModelType, "custom_model"), modelURI(m), "Succeeded"
	return j
}

func armEnvironmentVersion(x *EnvironmentVersion) armEnvironmentVersionJSON {
	var j armEnvironmentVersionJSON
	j.armAssetResourceJSON = assetResource(wsID(x.Subscription, x.ResourceGroup, x.Workspace), "environments/"+x.Name+"/versions/"+x.Version,
		x.Version, "environments/versions", armSystemData(x.CreatedAt, x.CreatedBy, x.CreatedAt, x.CreatedBy))
	p := &j.Properties
	p.armAssetBaseJSON = assetBase(x.Description)
	p.Image, p.OSType, p.EnvironmentType, p.AutoRebuild, p.ProvisioningState = x.Image, "Linux", "UserCreated", "Disabled", "Succeeded"
	return j
}

// asset is what the container and version handlers need of either kind.
type asset struct {
	name, version string
	render        func() any
	description   string
	created       armSystemDataJSON
}

// workspaceAssets lists the models (or environments) of the requested
// workspace, sorted by name then version. The caller holds s.mu.
func (s *armHost) workspaceAssets(q *armReq, models bool) []asset {
	ws := armKey(q.scopeThrough("ws"))
	var out []asset
	if models {
		for _, m := range s.world.Models {
			if armKey(wsID(m.Subscription, m.ResourceGroup, m.Workspace)) == ws {
				out = append(out, asset{name: m.Name, version: m.Version, description: m.Description,
					created: armSystemData(m.CreatedAt, m.CreatedBy, m.CreatedAt, m.CreatedBy), render: func() any { return armModelVersion(m) }})
			}
		}
	} else {
		for _, x := range s.world.Environments {
			if armKey(wsID(x.Subscription, x.ResourceGroup, x.Workspace)) == ws {
				out = append(out, asset{name: x.Name, version: x.Version, description: x.Description,
					created: armSystemData(x.CreatedAt, x.CreatedBy, x.CreatedAt, x.CreatedBy), render: func() any { return armEnvironmentVersion(x) }})
			}
		}
	}
	slices.SortFunc(out, func(a, b asset) int {
		return cmp.Or(compareFold(a.name, b.name), compareVersions(a.version, b.version))
	})
	return out
}

// compareVersions orders asset versions numerically when both are numbers.
func compareVersions(a, b string) int {
	if len(a) != len(b) && strings.Trim(a, "0123456789") == "" && strings.Trim(b, "0123456789") == "" {
		return cmp.Compare(len(a), len(b))
	}
	return compareFold(a, b)
}

// assetKind names the two kinds for paths, types and messages.
func assetKind(models bool) (collection, action string) {
	if models {
		return "models", actModelRead
	}
	return "environments", actEnvironmentRead
}

// assetWorkspace checks that the caller may read the workspace's assets
// (action) and that the workspace exists, 403 before 404, as ARM answers.
func (s *armHost) assetWorkspace(q *armReq, action string) (wsScope string, miss *armOutcome) {
	wsScope = q.scopeThrough("ws")
	if o := s.armRefuse(q.c, action, wsScope); o != nil {
		return wsScope, o
	}
	_, miss = s.armWorkspace(q)
	return wsScope, miss
}

// armAssetContainers answers the containers list (name == "") or one container.
func (s *armHost) armAssetContainers(w http.ResponseWriter, q *armReq, models bool, name string) {
	collection, action := assetKind(models)
	s.armRespond(w, q, func() armOutcome {
		wsScope, miss := s.assetWorkspace(q, action)
		if miss != nil {
			return *miss
		}
		var items []any
		var found any
		all := s.workspaceAssets(q, models)
		for i := 0; i < len(all); {
			j := i
			for j < len(all) && rbac.EqualOrdinalIgnoreCase(all[j].name, all[i].name) {
				j++
			}
			first, last := all[i], all[j-1]
			var c armAssetContainerJSON
			c.armAssetResourceJSON = assetResource(wsScope, collection+"/"+first.name, first.name, collection, first.created)
			c.Properties.armAssetBaseJSON = assetBase(first.description)
			c.Properties.LatestVersion, c.Properties.ProvisioningState = last.version, "Succeeded"
			c.Properties.NextVersion = nextVersion(last.version)
			items = append(items, c)
			if name != "" && rbac.EqualOrdinalIgnoreCase(first.name, name) {
				found = c
			}
			i = j
		}
		if name == "" {
			return armItems(nonNil(items))
		}
		if found == nil {
			return armNotFound(mlNS+"/workspaces/"+q.p["ws"]+"/"+collection+"/"+name, q.p["rg"])
		}
		return armOK(found)
	})
}

// nextVersion is the version a new registration would get ("" when the
// latest is not a number).
func nextVersion(v string) string {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return ""
	}
	return strconv.Itoa(n + 1)
}

// armAssetVersions answers the versions list of name (version == "") or one version.
func (s *armHost) armAssetVersions(w http.ResponseWriter, q *armReq, models bool, version string) {
	collection, action := assetKind(models)
	s.armRespond(w, q, func() armOutcome {
		_, miss := s.assetWorkspace(q, action)
		if miss != nil {
			return *miss
		}
		var items []any
		for _, a := range s.workspaceAssets(q, models) {
			if !rbac.EqualOrdinalIgnoreCase(a.name, q.p["name"]) {
				continue
			}
			if version != "" && rbac.EqualOrdinalIgnoreCase(a.version, version) {
				return armOK(a.render())
			}
			items = append(items, a.render())
		}
		if version != "" || len(items) == 0 {
			what := mlNS + "/workspaces/" + q.p["ws"] + "/" + collection + "/" + q.p["name"]
			if version != "" {
				what += "/versions/" + version
			}
			return armNotFound(what, q.p["rg"])
		}
		return armItems(items)
	})
}

func (s *armHost) armListModelContainers(w http.ResponseWriter, q *armReq) {
	s.armAssetContainers(w, q, true, "")
}
func (s *armHost) armGetModelContainer(w http.ResponseWriter, q *armReq) {
	s.armAssetContainers(w, q, true, q.p["name"])
}
func (s *armHost) armListModelVersions(w http.ResponseWriter, q *armReq) {
	s.armAssetVersions(w, q, true, "")
}
func (s *armHost) armGetModelVersion(w http.ResponseWriter, q *armReq) {
	s.armAssetVersions(w, q, true, q.p["version"])
}
func (s *armHost) armListEnvironmentContainers(w http.ResponseWriter, q *armReq) {
	s.armAssetContainers(w, q, false, "")
}
func (s *armHost) armGetEnvironmentContainer(w http.ResponseWriter, q *armReq) {
	s.armAssetContainers(w, q, false, q.p["name"])
}
func (s *armHost) armListEnvironmentVersions(w http.ResponseWriter, q *armReq) {
	s.armAssetVersions(w, q, false, "")
}
func (s *armHost) armGetEnvironmentVersion(w http.ResponseWriter, q *armReq) {
	s.armAssetVersions(w, q, false, q.p["version"])
}
