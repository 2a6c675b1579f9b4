package emulator

import (
	"fmt"
	"net/http"
	"strings"
)

// armAPIVersions is the set of api-versions ARM accepts for one resource
// type, and how ARM words its refusal. Real ARM validates api-version in the
// front door from each provider's manifest, before the request reaches the
// resource provider, so an old SDK or an az extension pinned to an older
// version keeps working and a typo gets a precise 400.
type armAPIVersions struct {
	namespace string   // "Microsoft.MachineLearningServices"
	typ       string   // "workspaces/onlineEndpoints"; "" for Microsoft.Resources' own routes
	versions  []string // newest first, as ARM lists them
	// locations are listed in NoRegisteredProviderFound messages (RP types only).
	locations []string
	// extension resources (Microsoft.Authorization/*) are refused with
	// InvalidResourceType instead of NoRegisteredProviderFound.
	extension bool
}

// accepts reports whether v is a supported api-version (ARM compares them
// case-insensitively: 2024-04-01-Preview works).
func (a *armAPIVersions) accepts(v string) bool {
	for _, x := range a.versions {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// reject writes ARM's answer for an unsupported api-version. Microsoft.Resources'
// own routes (tenants, subscriptions, resource groups) answer
// InvalidApiVersionParameter; resource-provider types answer
// NoRegisteredProviderFound, which also names the location and the supported
// locations; extension types answer InvalidResourceType. All three
// wordings are what ARM returns (captures quoted in azure-cli#28038,
// azure-sdk-for-js#4097 and acs-engine#4037). Every one is a 400: the
// request is malformed, whatever the provider (issue 15).
func (a *armAPIVersions) reject(w http.ResponseWriter, v, location string) {
	v = epwClip(v) // quoted back, but never a flood
	switch {
	case a.typ == "":
		writeARMError(w, http.StatusBadRequest, "InvalidApiVersionParameter", fmt.Sprintf(
			"The api-version '%s' is invalid. The supported versions are '%s'.", v, strings.Join(a.versions, ",")))
	case a.extension:
		writeARMError(w, http.StatusBadRequest, "InvalidResourceType", fmt.Sprintf(
			"The resource type '%s' could not be found in the namespace '%s' for api version '%s'. The supported api-versions are '%s'.",
			a.typ, a.namespace, v, strings.Join(a.versions, ",")))
	default:
		if location == "" {
			location = "global"
		}
		writeARMError(w, http.StatusBadRequest, "NoRegisteredProviderFound", fmt.Sprintf(
			"No registered resource provider found for location '%s' and API version '%s' for type '%s'. "+
				"The supported api-versions are '%s'. The supported locations are '%s'.",
			location, v, a.typ, strings.Join(a.versions, ", "), strings.Join(a.locations, ", ")))
	}
}

// The tables below are read-only. They list what the public cloud accepts
// for these types (the spec folders of azure-rest-api-specs plus the
// versions ARM quotes in its own error messages), newest first.

// armResourcesVersions are the Microsoft.Resources api-versions. ARM quotes
// this list as it is, including the odd trailing 2014-02-26 and 2014-04.
var armResourcesVersions = []string{
	"2025-04-01", "2025-03-01", "2024-11-01", "2024-08-01", "2024-07-01", "2024-06-01-preview", "2024-03-01",
	"2023-07-01", "2023-07-01-preview", "2023-03-01-preview", "2022-12-01", "2022-11-01-preview", "2022-09-01",
	"2022-06-01", "2022-05-01", "2022-03-01-preview", "2022-01-01", "2021-04-01", "2021-01-01", "2020-10-01",
	"2020-09-01", "2020-08-01", "2020-07-01", "2020-06-01", "2020-05-01", "2020-01-01", "2019-11-01",
	"2019-10-01", "2019-09-01", "2019-08-01", "2019-07-01", "2019-06-01", "2019-05-10", "2019-05-01",
	"2019-03-01", "2018-11-01", "2018-09-01", "2018-08-01", "2018-07-01", "2018-06-01", "2018-05-01",
	"2018-02-01", "2018-01-01", "2017-12-01", "2017-08-01", "2017-06-01", "2017-05-10", "2017-05-01",
	"2017-03-01", "2016-09-01", "2016-07-01", "2016-06-01", "2016-02-01", "2015-11-01", "2015-01-01",
	"2014-04-01-preview", "2014-04-01", "2014-01-01", "2013-03-01", "2014-02-26", "2014-04",
}

// mlVersions are the Microsoft.MachineLearningServices versions with a spec
// folder; armmachinelearning/v4 sends 2024-04-01, PROTOCOL.md targets 2025-12-01.
var mlVersions = []string{
	"2026-03-01", "2025-12-01", "2025-10-01-preview", "2025-09-01", "2025-07-01-preview", "2025-06-01",
	"2025-04-01-preview", "2025-04-01", "2025-01-01-preview", "2024-10-01-preview", "2024-10-01",
	"2024-07-01-preview", "2024-04-01-preview", "2024-04-01", "2024-01-01-preview", "2023-10-01",
	"2023-08-01-preview", "2023-06-01-preview", "2023-04-01-preview", "2023-04-01", "2023-02-01-preview",
	"2022-12-01-preview", "2022-10-01-preview", "2022-10-01", "2022-06-01-preview", "2022-05-01",
	"2022-02-01-preview", "2022-01-01-preview", "2021-07-01", "2021-04-01", "2021-03-01-preview",
	"2021-01-01", "2020-09-01-preview", "2020-08-01", "2020-06-01", "2020-05-15-preview",
	"2020-05-01-preview", "2020-04-01-preview", "2020-04-01", "2020-03-01", "2020-02-18-preview",
	"2020-01-01", "2019-11-01", "2019-06-01", "2019-05-01", "2018-11-19", "2018-03-01-preview",
}

// armRPLocations are the regions quoted in NoRegisteredProviderFound.
var armRPLocations = []string{
	"australiaeast", "brazilsouth", "canadacentral", "centralindia", "centralus", "eastasia", "eastus", "eastus2",
	"francecentral", "germanywestcentral", "japaneast", "koreacentral", "northcentralus", "northeurope",
	"norwayeast", "southafricanorth", "southcentralus", "southeastasia", "swedencentral", "switzerlandnorth",
	"uaenorth", "uksouth", "ukwest", "westcentralus", "westeurope", "westus", "westus2", "westus3",
	"eastus2euap", "centraluseuap",
}

var (
	// apiSubscriptions covers /tenants, /subscriptions and /subscriptions/{id}:
	// subscriptions.json stops at 2022-12-01 (what armsubscriptions v1.3.0 sends).
	apiSubscriptions = &armAPIVersions{namespace: "Microsoft.Resources", versions: datedBetween(armResourcesVersions, "", "2022-12-01")}

	// apiResourceGroups covers resource groups: resources.json goes up to
	// 2025-04-01 (armresources v1.2.0 sends 2021-04-01).
	apiResourceGroups = &armAPIVersions{namespace: "Microsoft.Resources", versions: armResourcesVersions}

	apiWorkspaces = &armAPIVersions{namespace: mlNS, typ: "workspaces", versions: mlVersions, locations: armRPLocations}

	// Online endpoints and deployments arrived with the v2 ("MFE") API in
	// 2021-03-01-preview; older versions only know workspaces.
	apiOnlineEndpoints = &armAPIVersions{namespace: mlNS, typ: "workspaces/onlineEndpoints",
		versions: datedBetween(mlVersions, "2021-03-01", "9999"), locations: armRPLocations}
	apiOnlineDeployments = &armAPIVersions{namespace: mlNS, typ: "workspaces/onlineEndpoints/deployments",
		versions: datedBetween(mlVersions, "2021-03-01", "9999"), locations: armRPLocations}

	apiUserAssignedIdentities = &armAPIVersions{namespace: miNS, typ: "userAssignedIdentities",
		versions: []string{"2025-01-31-preview", "2024-11-30", "2023-07-31-preview", "2023-01-31",
			"2022-01-31-preview", "2021-09-30-preview", "2018-11-30", "2015-08-31-preview"},
		locations: armRPLocations}

	// apiRoleAssignments is for the Microsoft.Authorization routes later
	// files add (role definitions, permissions and deny assignments accept
	// the same set). These are extension resources, so ARM refuses a bad
	// version with InvalidResourceType.
	apiRoleAssignments = &armAPIVersions{namespace: "Microsoft.Authorization", typ: "roleAssignments", extension: true,
		versions: []string{"2022-05-01-preview", "2022-04-01", "2022-01-01-preview", "2021-04-01-preview",
			"2020-10-01-preview", "2020-08-01-preview", "2020-04-01-preview", "2020-03-01-preview",
			"2019-04-01-preview", "2018-12-01-preview", "2018-09-01-preview", "2018-07-01",
			"2018-01-01-preview", "2017-10-01-preview", "2017-09-01", "2017-05-01", "2016-07-01",
			"2015-07-01", "2015-06-01", "2015-05-01-preview", "2014-10-01-preview", "2014-07-01-preview",
			"2014-04-01-preview"}}
)

// datedBetween keeps the versions of list whose date (the first ten
// characters; ISO dates sort as strings) lies in [oldest, newest].
func datedBetween(list []string, oldest, newest string) []string {
	var out []string
	for _, v := range list {
		if d := v[:min(len(v), 10)]; d >= oldest && d <= newest {
			out = append(out, v)
		}
	}
	return out
}
