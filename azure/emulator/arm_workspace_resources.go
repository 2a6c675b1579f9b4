package emulator

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
)

// The resources an Azure ML workspace is created with (properties.
// storageAccount, containerRegistry, keyVault, applicationInsights): GET on
// each, and the blob containers of the storage account, shaped as the spec
// examples (../shared/azure-rest/examples/{storage,containerregistry,keyvault};
// Application Insights from the 2020-02-02 components API). Reads need the
// type's read action, as in Azure. The data planes they name (blob,
// registry, vault hosts) are not served by the emulator.

// RBAC read actions of the associated resources.
const (
	actStorageRead       = "Microsoft.Storage/storageAccounts/read"
	actBlobContainerRead = "Microsoft.Storage/storageAccounts/blobServices/containers/read"
	actRegistryRead      = "Microsoft.ContainerRegistry/registries/read"
	actKeyVaultRead      = "Microsoft.KeyVault/vaults/read"
	actInsightsRead      = "Microsoft.Insights/components/read"
)

// The api-versions each type accepts, newest first (the stable and preview
// folders of azure-rest-api-specs for these providers).
var (
	apiStorage = &armAPIVersions{namespace: storageNS, typ: "storageAccounts", locations: armRPLocations,
		versions: []string{"2025-08-01", "2025-06-01", "2025-01-01", "2024-01-01", "2023-05-01", "2023-04-01", "2023-01-01",
			"2022-09-01", "2022-05-01", "2021-09-01", "2021-08-01", "2021-06-01", "2021-04-01", "2021-02-01", "2021-01-01",
			"2019-06-01", "2019-04-01", "2018-11-01", "2018-07-01", "2018-02-01", "2017-10-01", "2017-06-01", "2016-12-01",
			"2016-05-01", "2016-01-01", "2015-06-15", "2015-05-01-preview"}}
	apiBlobContainers = func() *armAPIVersions {
		v := *apiStorage
		v.typ = "storageAccounts/blobServices/containers"
		return &v
	}()
	apiRegistries = &armAPIVersions{namespace: registryNS, typ: "registries", locations: armRPLocations,
		versions: []string{"2025-11-01", "2025-05-01-preview", "2025-04-01", "2025-03-01-preview", "2024-11-01-preview",
			"2023-11-01-preview", "2023-08-01-preview", "2023-07-01", "2023-06-01-preview", "2023-01-01-preview", "2022-12-01",
			"2022-02-01-preview", "2021-12-01-preview", "2021-09-01", "2021-08-01-preview", "2021-06-01-preview",
			"2020-11-01-preview", "2019-12-01-preview", "2019-05-01", "2017-10-01", "2017-03-01"}}
	apiKeyVaults = &armAPIVersions{namespace: keyVaultNS, typ: "vaults", locations: armRPLocations,
		versions: []string{"2025-05-01", "2024-12-01-preview", "2024-11-01", "2024-04-01-preview", "2023-07-01", "2023-02-01",
			"2022-11-01", "2022-07-01", "2022-02-01-preview", "2021-11-01-preview", "2021-10-01", "2021-06-01-preview",
			"2021-04-01-preview", "2020-04-01-preview", "2019-09-01", "2018-02-14", "2016-10-01", "2015-06-01"}}
	apiInsights = &armAPIVersions{namespace: insightsNS, typ: "components", locations: armRPLocations,
		versions: []string{"2020-02-02", "2020-02-02-preview", "2018-05-01-preview", "2015-05-01", "2014-12-01-preview",
			"2014-08-01", "2014-04-01"}}
)

// armWorkspaceResourceRoutes are added to armRoutes (arm.go).
func armWorkspaceResourceRoutes(rg []string) []armRoute {
	cat := func(b ...string) []string { return append(append([]string(nil), rg...), b...) }
	get := func(h armHandler) map[string]armHandler { return map[string]armHandler{http.MethodGet: h} }
	st := cat("providers", storageNS, "storageAccounts", "{name}")
	containers := append(append([]string(nil), st...), "blobServices", "default", "containers")
	return []armRoute{
		{st, apiStorage, get((*armHost).armGetStorageAccount)},
		{containers, apiBlobContainers, get((*armHost).armListBlobContainers)},
		{append(containers, "{container}"), apiBlobContainers, get((*armHost).armGetBlobContainer)},
		{cat("providers", registryNS, "registries", "{name}"), apiRegistries, get((*armHost).armGetRegistry)},
		{cat("providers", keyVaultNS, "vaults", "{name}"), apiKeyVaults, get((*armHost).armGetKeyVault)},
		{cat("providers", insightsNS, "components", "{name}"), apiInsights, get((*armHost).armGetInsights)},
	}
}

// armGetTracked answers GET on a tracked resource of the world: 403 without
// action at its scope (ARM authorizes first), then the resource group's
// and the resource's 404s, then render.
func armGetTracked[T any](s *armHost, w http.ResponseWriter, q *armReq, action, typ string, in map[string]*T, render func(*T) any) {
	s.armRespond(w, q, func() armOutcome {
		if o := s.armRefuse(q.c, action, q.scope()); o != nil {
			return *o
		}
		if _, miss := s.armResourceGroup(q); miss != nil {
			return *miss
		}
		x := in[armKey(q.scope())]
		if x == nil {
			return armNotFound(typ+"/"+q.p["name"], q.p["rg"])
		}
		return armOK(render(x))
	})
}

// armTracked is the envelope every tracked resource shares.
type armTracked struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags"`
	Kind       string            `json:"kind,omitempty"`
	SKU        *armSKUJSON       `json:"sku,omitempty"`
	SystemData armSystemDataJSON `json:"systemData"`
	Properties any               `json:"properties"`
}

func armTrackedOf(r Resource, id, typ string, props any) armTracked {
	return armTracked{ID: id, Name: r.Name, Type: typ, Location: r.Location, Tags: nonNilMap(r.Tags),
		SystemData: armSystemData(r.CreatedAt, r.CreatedBy, r.CreatedAt, r.CreatedBy), Properties: props}
}

// GET .../providers/Microsoft.Storage/storageAccounts/{name} (StorageAccounts_GetProperties).
func (s *armHost) armGetStorageAccount(w http.ResponseWriter, q *armReq) {
	armGetTracked(s, w, q, actStorageRead, storageNS+"/storageAccounts", s.world.StorageAccounts, func(a *StorageAccount) any {
		created := armTimestamp(a.CreatedAt)
		host := func(svc string) string { return "https://" + a.Name + "." + svc + ".core.windows.net/" }
		enabled := map[string]any{"enabled": true, "keyType": "Account", "lastEnabledTime": created}
		j := armTrackedOf(a.Resource, storageID(a.Subscription, a.ResourceGroup, a.Name), storageNS+"/storageAccounts", map[string]any{
			"accountMigrationInProgress": false,
			"creationTime":               created,
			"encryption": map[string]any{"keySource": "Microsoft.Storage", "requireInfrastructureEncryption": false,
				"services": map[string]any{"blob": enabled, "file": enabled}},
			"isHnsEnabled":           a.HNSEnabled,
			"isSkuConversionBlocked": false,
			"keyCreationTime":        map[string]string{"key1": created, "key2": created},
			"networkAcls": map[string]any{"bypass": "AzureServices", "defaultAction": "Allow", "ipRules": []any{},
				"virtualNetworkRules": []any{}, "resourceAccessRules": []any{}},
			"primaryEndpoints": map[string]string{"blob": host("blob"), "dfs": host("dfs"), "file": host("file"),
				"queue": host("queue"), "table": host("table"), "web": host("web")},
			"primaryLocation":          a.Location,
			"provisioningState":        "Succeeded",
			"statusOfPrimary":          "available",
			"supportsHttpsTrafficOnly": true,
			"minimumTlsVersion":        "TLS1_2",
			"allowBlobPublicAccess":    false,
			"publicNetworkAccess":      "Enabled",
		})
		j.Kind, j.SKU = a.Kind, &armSKUJSON{Name: a.SKU, Tier: "Standard"}
		return j
	})
}

type armBlobContainerJSON struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Type       string         `json:"type"`
	Etag       string         `json:"etag"`
	Properties map[string]any `json:"properties"`
}

func armBlobContainerOf(c *BlobContainer) armBlobContainerJSON {
	return armBlobContainerJSON{ID: blobContainerID(c.Account, c.Name), Name: c.Name,
		Type: storageNS + "/storageAccounts/blobServices/containers", Etag: `"0x8D` + strings.ToUpper(stableGUID(c.Account + c.Name)[:11]) + `"`,
		Properties: map[string]any{
			"publicAccess": "None", "leaseStatus": "Unlocked", "leaseState": "Available",
			"lastModifiedTime": armTimestamp(c.CreatedAt), "hasImmutabilityPolicy": false, "hasLegalHold": false,
			"deleted": false, "remainingRetentionDays": 0, "defaultEncryptionScope": "$account-encryption-key",
			"denyEncryptionScopeOverride": false,
		}}
}

// GET …/storageAccounts/{name}/blobServices/default/containers (BlobContainers_List).
func (s *armHost) armListBlobContainers(w http.ResponseWriter, q *armReq) {
	s.armRespond(w, q, func() armOutcome {
		account := q.scopeThrough("name")
		if o := s.armRefuse(q.c, actBlobContainerRead, account); o != nil {
			return *o
		}
		if _, miss := s.armResourceGroup(q); miss != nil {
			return *miss
		}
		if s.world.StorageAccounts[armKey(account)] == nil {
			return armNotFound(storageNS+"/storageAccounts/"+q.p["name"], q.p["rg"])
		}
		var list []*BlobContainer
		for _, c := range s.world.BlobContainers {
			if armKey(c.Account) == armKey(account) {
				list = append(list, c)
			}
		}
		slices.SortFunc(list, func(a, b *BlobContainer) int { return cmp.Compare(a.Name, b.Name) })
		return armItemsOf(list, func(c *BlobContainer) any { return armBlobContainerOf(c) })
	})
}

// GET …/blobServices/default/containers/{container} (BlobContainers_Get).
func (s *armHost) armGetBlobContainer(w http.ResponseWriter, q *armReq) {
	s.armRespond(w, q, func() armOutcome {
		if o := s.armRefuse(q.c, actBlobContainerRead, q.scope()); o != nil {
			return *o
		}
		if _, miss := s.armResourceGroup(q); miss != nil {
			return *miss
		}
		if s.world.StorageAccounts[armKey(q.scopeThrough("name"))] == nil {
			return armNotFound(storageNS+"/storageAccounts/"+q.p["name"], q.p["rg"])
		}
		c := s.world.BlobContainers[armKey(q.scope())]
		if c == nil {
			return armFail(http.StatusNotFound, "ContainerNotFound", "The specified container does not exist.")
		}
		return armOK(armBlobContainerOf(c))
	})
}

// GET .../providers/Microsoft.ContainerRegistry/registries/{name} (Registries_Get).
func (s *armHost) armGetRegistry(w http.ResponseWriter, q *armReq) {
	armGetTracked(s, w, q, actRegistryRead, registryNS+"/registries", s.world.Registries, func(r *ContainerRegistry) any {
		disabled := map[string]string{"status": "disabled"}
		j := armTrackedOf(r.Resource, registryID(r.Subscription, r.ResourceGroup, r.Name), registryNS+"/registries", map[string]any{
			"loginServer":       strings.ToLower(r.Name) + ".azurecr.io",
			"creationDate":      armTimestamp(r.CreatedAt),
			"provisioningState": "Succeeded",
			"adminUserEnabled":  r.AdminUserEnabled,
			"networkRuleSet":    map[string]any{"defaultAction": "Allow", "ipRules": []any{}},
			"policies": map[string]any{
				"quarantinePolicy": disabled, "trustPolicy": map[string]string{"type": "Notary", "status": "disabled"},
				"retentionPolicy":                  map[string]any{"days": 7, "lastUpdatedTime": armTimestamp(r.CreatedAt), "status": "disabled"},
				"exportPolicy":                     map[string]string{"status": "enabled"},
				"azureADAuthenticationAsArmPolicy": map[string]string{"status": "enabled"},
			},
			"encryption":                       disabled,
			"status":                           nil,
			"dataEndpointEnabled":              false,
			"dataEndpointHostNames":            []string{},
			"privateEndpointConnections":       []any{},
			"publicNetworkAccess":              "Enabled",
			"networkRuleBypassOptions":         "AzureServices",
			"networkRuleBypassAllowedForTasks": false,
			"zoneRedundancy":                   "Disabled",
			"anonymousPullEnabled":             false,
			// Pull and push are decided by Azure RBAC (AcrPull, AcrPush) on the registry.
			"roleAssignmentMode": "LegacyRegistryPermissions",
		})
		j.SKU = &armSKUJSON{Name: r.SKU, Tier: r.SKU}
		return j
	})
}

// GET .../providers/Microsoft.KeyVault/vaults/{name} (Vaults_Get).
func (s *armHost) armGetKeyVault(w http.ResponseWriter, q *armReq) {
	armGetTracked(s, w, q, actKeyVaultRead, keyVaultNS+"/vaults", s.world.KeyVaults, func(v *KeyVault) any {
		return armTrackedOf(v.Resource, keyVaultID(v.Subscription, v.ResourceGroup, v.Name), keyVaultNS+"/vaults", map[string]any{
			"sku":      map[string]string{"family": "A", "name": v.SKU},
			"tenantId": s.world.Tenant.ID,
			// An RBAC vault has no access policies: data-plane access is role assignments.
			"accessPolicies":               []any{},
			"enableRbacAuthorization":      v.RBACAuthorization,
			"enabledForDeployment":         false,
			"enabledForDiskEncryption":     false,
			"enabledForTemplateDeployment": false,
			"enableSoftDelete":             true,
			"softDeleteRetentionInDays":    90,
			"vaultUri":                     "https://" + v.Name + ".vault.azure.net/",
			"provisioningState":            "Succeeded",
			"publicNetworkAccess":          "Enabled",
		})
	})
}

// GET .../providers/Microsoft.Insights/components/{name} (Components_Get,
// api-version 2020-02-02: its property names are PascalCase).
func (s *armHost) armGetInsights(w http.ResponseWriter, q *armReq) {
	armGetTracked(s, w, q, actInsightsRead, insightsNS+"/components", s.world.AppInsights, func(a *AppInsightsComponent) any {
		j := armTrackedOf(a.Resource, insightsID(a.Subscription, a.ResourceGroup, a.Name), "microsoft.insights/components", map[string]any{
			"ApplicationId":      a.Name,
			"AppId":              a.AppID,
			"Application_Type":   "web",
			"Flow_Type":          "Bluefield",
			"Request_Source":     "rest",
			"InstrumentationKey": a.InstrumentationKey,
			"ConnectionString": "InstrumentationKey=" + a.InstrumentationKey + ";IngestionEndpoint=https://" + a.Location +
				"-0.in.applicationinsights.azure.com/",
			"CreationDate":                    armTimestamp(a.CreatedAt),
			"TenantId":                        a.Subscription,
			"provisioningState":               "Succeeded",
			"RetentionInDays":                 90,
			"IngestionMode":                   "ApplicationInsights",
			"publicNetworkAccessForIngestion": "Enabled",
			"publicNetworkAccessForQuery":     "Enabled",
		})
		j.Kind = "web"
		return j
	})
}
