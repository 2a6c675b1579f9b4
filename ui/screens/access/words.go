package access

import (
	"encoding/json"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
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

// levelOf names the level of an ARM scope for people: endpoint, workspace,
// resource group, subscription (or another resource's type).
func levelOf(scope string) string {
	c, ok := nav.ContextFromID(scope)
	switch {
	case !ok:
		if strings.Trim(scope, "/") == "" {
			return "root"
		}
		if strings.Contains(strings.ToLower(scope), "managementgroups/") {
			return "management group"
		}
		return "scope"
	case c.Endpoint != "":
		return "endpoint"
	case c.Workspace != "":
		return "workspace"
	case strings.Contains(strings.ToLower(scope), "/providers/"):
		name, _, _ := strings.Cut(components.ScopeName(scope), " ")
		return name
	case c.ResourceGroup != "":
		return "resource group"
	}
	return "subscription"
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
