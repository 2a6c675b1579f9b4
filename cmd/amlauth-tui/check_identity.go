package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
)

// `check --principal <endpoint ARM id>` checks the endpoint's identity
// (the managed identity its deployments run as). The identity.*
// operations are judged where they apply: the workspace's container
// registry, its storage, the workspace itself (read from the workspace);
// any other operation at --scope, or at the endpoint when --scope is not
// given.

// endpointPrincipal reports whether --principal names an online endpoint.
func endpointPrincipal(q string) bool {
	_, ok := azure.ParseEndpointID(q)
	return ok
}

// checkEndpointIdentity prints one verdict table per scope (or, asJSON,
// one document whose operations name their scope) and returns the exit
// status; a failure of the check itself is f.
func checkEndpointIdentity(ctx context.Context, sess *azure.Session, principal string, names []string, scope string, explain, asJSON bool, stdout io.Writer) (code int, f *cliFail) {
	ref, _ := azure.ParseEndpointID(principal)
	ops := rbac.IdentityOperations()
	if len(names) > 0 {
		var err error
		if ops, err = pickOperations(names); err != nil {
			return checkError, badInput(err)
		}
	}
	id, err := sess.EndpointIdentity(ctx, ref)
	if err == nil && id.Principal.ID == "" {
		err = &azure.IdentityError{Endpoint: ref.Endpoint, Message: id.Unresolved}
	}
	if err != nil {
		return checkError, failErr(err)
	}
	var res azure.WorkspaceResources
	if hasIdentityOp(ops) {
		if res, err = sess.WorkspaceResources(ctx, ref.WorkspaceRef); err != nil {
			return checkError, failErr(err)
		}
	}
	p := id.Principal
	doc := checkDoc{Schema: checkSchema, Scope: ref.ID(), Warnings: []string{}, Operations: []jsonVerdict{},
		Principal: &jsonPrincipal{ID: p.ID, Kind: p.Kind, DisplayName: p.DisplayName, AppID: p.AppID}}
	if !asJSON {
		fmt.Fprintf(stdout, "Endpoint   %s\nIdentity   %s (principal %s)\n\n", ref.ID(), id.Label(), p.ID)
	}
	// Group the operations by the scope each is judged at, in order.
	var scopes []string
	byScope := map[string][]rbac.Operation{}
	var all []azure.Verdict
	for _, op := range ops {
		at := scope
		if at == "" {
			at = ref.ID()
		}
		if strings.HasPrefix(op.Key, "identity.") {
			s, ok := res.ScopeOf(op)
			if !ok {
				why := "unknown: workspace " + ref.Name + " names no " + op.Level.String()
				all = append(all, azure.Verdict{Op: op, Outcome: rbac.Unknown, Unknown: true})
				doc.Operations = append(doc.Operations, jsonVerdict{Key: op.Key, Name: op.Name, Action: op.Action, Outcome: "unknown", Reason: why,
					Grants: []jsonGrant{}, Pending: []jsonPending{}, MissingReads: []jsonMissing{}, WouldGrant: []string{}, Advice: []string{}})
				if !asJSON {
					fmt.Fprintf(stdout, "%s: %s\n\n", op.Name, why)
				}
				continue
			}
			at = s
		}
		if _, seen := byScope[at]; !seen {
			scopes = append(scopes, at)
		}
		byScope[at] = append(byScope[at], op)
	}
	for i, at := range scopes {
		access, err := sess.Access(ctx, p, at)
		if err != nil {
			return checkError, failErr(err)
		}
		verdicts := access.Check(byScope[at])
		all = append(all, verdicts...)
		if asJSON {
			part := checkDocument(access, verdicts, explain)
			for _, j := range part.Operations {
				j.Scope = at
				doc.Operations = append(doc.Operations, j)
			}
			doc.Warnings = append(doc.Warnings, part.Warnings...)
			continue
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		printVerdicts(stdout, access, verdicts)
		if explain {
			for _, v := range verdicts {
				fmt.Fprintln(stdout, "\n"+v.Op.Name)
				for _, l := range access.Explain(v) {
					fmt.Fprintln(stdout, "  "+l)
				}
			}
		}
	}
	code = checkExit(all)
	if asJSON {
		doc.Exit = code
		writeJSON(stdout, doc)
	}
	return code, nil
}

func hasIdentityOp(ops []rbac.Operation) bool {
	for _, op := range ops {
		if strings.HasPrefix(op.Key, "identity.") {
			return true
		}
	}
	return false
}
