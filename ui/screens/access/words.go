package access

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/components"
)

// wrap breaks s into lines of at most w cells, at spaces and, inside long
// ids and URLs, after "/", "&", "?" or ","; nothing is cut off.
func wrap(s string, w int) string {
	return ansi.Wrap(s, max(w, 10), "/&?,")
}

// wrapIndent wraps s and indents every line after the first by ind cells.
func wrapIndent(s string, w, ind int) string {
	lines := strings.Split(wrap(s, max(w-ind, 10)), "\n")
	for i := 1; i < len(lines); i++ {
		lines[i] = strings.Repeat(" ", ind) + lines[i]
	}
	return strings.Join(lines, "\n")
}

// levelOf names the level of an ARM scope for people, as the rest of the
// UI names it: root, management group, subscription, resource group, or
// the resource's type in words (workspace, endpoint, user-assigned
// identity, ...); "scope" when it is not an ARM scope.
func levelOf(scope string) string {
	sc, err := rbac.ParseScope(scope)
	switch {
	case err != nil:
		return "scope"
	case sc.Level != rbac.AtResource:
		return sc.Level.String()
	}
	key := strings.ToLower(sc.Provider + "/" + strings.Join(sc.Types, "/"))
	if n, ok := resourceNouns[key]; ok {
		return n
	}
	return typeNoun(sc.Types[len(sc.Types)-1])
}

// scopeName is a scope's level and name: "workspace mlw-churn",
// "user-assigned identity id-churn-scoring", "root /".
func scopeName(scope string) string {
	name := "/"
	if parts := strings.Split(strings.Trim(scope, "/"), "/"); len(parts) > 1 {
		name = parts[len(parts)-1]
	}
	return levelOf(scope) + " " + components.Clean(name)
}

// resourceNouns are the resource types the app's scopes reach (an
// endpoint's, its workspace's associated resources, the identities it can
// run as), by provider and type path, lower case.
var resourceNouns = map[string]string{
	"microsoft.machinelearningservices/workspaces":                             "workspace",
	"microsoft.machinelearningservices/workspaces/onlineendpoints":             "endpoint",
	"microsoft.machinelearningservices/workspaces/onlineendpoints/deployments": "deployment",
	"microsoft.machinelearningservices/registries":                             "ML registry",
	"microsoft.managedidentity/userassignedidentities":                         "user-assigned identity",
	"microsoft.containerregistry/registries":                                   "container registry",
	"microsoft.storage/storageaccounts":                                        "storage account",
	"microsoft.storage/storageaccounts/blobservices/containers":                "blob container",
	"microsoft.keyvault/vaults":                                                "key vault",
	"microsoft.insights/components":                                            "Application Insights",
}

// typeNoun names a resource type the app does not know from its ARM type
// segment: "applicationGateways" is "application gateway".
func typeNoun(t string) string {
	var b strings.Builder
	for i, r := range components.Clean(t) {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	s := b.String()
	switch {
	case strings.HasSuffix(s, "ies"):
		return strings.TrimSuffix(s, "ies") + "y"
	case strings.HasSuffix(s, "sses"), strings.HasSuffix(s, "xes"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss") && !strings.HasSuffix(s, "is"): // "redis" stays
		return s[:len(s)-1]
	}
	return cmp.Or(s, "resource")
}

// resourceGroupOf is the resource group scope that contains scope ("" when none).
func resourceGroupOf(scope string) string {
	parts := strings.Split(strings.Trim(scope, "/"), "/")
	if len(parts) >= 4 && strings.EqualFold(parts[0], "subscriptions") && strings.EqualFold(parts[2], "resourceGroups") {
		return "/" + strings.Join(parts[:4], "/")
	}
	return ""
}

// roleFile is a custom role in the file format of `az role definition
// create --role-definition`, the format of the seeds' templates
// (custom-role-for-control-plane.json, custom-role-for-scoring.json).
// https://learn.microsoft.com/cli/azure/role/definition#az-role-definition-create
type roleFile struct {
	Name             string   `json:"Name"`
	IsCustom         bool     `json:"IsCustom"`
	Description      string   `json:"Description"`
	Actions          []string `json:"Actions"`
	NotActions       []string `json:"NotActions"`
	DataActions      []string `json:"DataActions,omitempty"`
	NotDataActions   []string `json:"NotDataActions,omitempty"`
	AssignableScopes []string `json:"AssignableScopes"`
}

// roleJSON is def as role.json, with its real assignable scopes.
func roleJSON(def rbac.RoleDefinition) string {
	f := roleFile{Name: def.RoleName, IsCustom: true, Description: def.Description,
		Actions: []string{}, NotActions: []string{}, AssignableScopes: def.AssignableScopes}
	for _, p := range def.Permissions {
		f.Actions = append(f.Actions, p.Actions...)
		f.NotActions = append(f.NotActions, p.NotActions...)
		f.DataActions = append(f.DataActions, p.DataActions...)
		f.NotDataActions = append(f.NotDataActions, p.NotDataActions...)
	}
	b, err := json.MarshalIndent(f, "", "    ")
	if err != nil { // plain strings and slices always marshal
		return "{}"
	}
	return string(b)
}

// roleCreateScript writes role.json and creates the role: what the copy
// key puts on the clipboard, runnable as it is in a shell.
func roleCreateScript(def rbac.RoleDefinition) string {
	return "cat > role.json <<'EOF'\n" + roleJSON(def) + "\nEOF\naz role definition create --role-definition @role.json\n"
}

// height is the number of lines s takes.
func height(s string) int { return lipgloss.Height(s) }

// window says how long Azure may take to apply a change: "10 minutes" for
// Azure's documented window, the exact span for the demo's shorter delay.
func window(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		if d == time.Minute {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	}
	return d.Round(time.Second).String()
}
