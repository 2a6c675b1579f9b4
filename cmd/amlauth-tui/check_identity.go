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

// checkEndpointIdentity prints one verdict table per scope and returns
// the exit status: denied wins over unsure, unsure over allowed.
func checkEndpointIdentity(ctx context.Context, sess *azure.Session, principal string, names []string, scope string, explain bool, stdout, stderr io.Writer) int {
	ref, _ := azure.ParseEndpointID(principal)
	ops := rbac.IdentityOperations()
	if len(names) > 0 {
		var err error
		if ops, err = pickOperations(names); err != nil {
			fmt.Fprintf(stderr, "amlauth-tui check: %v\n", err)
			return checkError
		}
	}
	id, err := sess.EndpointIdentity(ctx, ref)
	if err == nil && id.Principal.ID == "" {
		err = fmt.Errorf("%s", id.Unresolved)
	}
	if err != nil {
		fmt.Fprintf(stderr, "amlauth-tui check: the identity of endpoint %s: %s\n", ref.Endpoint, azure.Explain(err).Detail)
		return checkError
	}
	fmt.Fprintf(stdout, "Endpoint   %s\nIdentity   %s (principal %s)\n\n", ref.ID(), id.Label(), id.Principal.ID)
	var res azure.WorkspaceResources
	if hasIdentityOp(ops) {
		if res, err = sess.WorkspaceResources(ctx, ref.WorkspaceRef); err != nil {
			fmt.Fprintf(stderr, "amlauth-tui check: reading workspace %s: %s\n", ref.Name, azure.Explain(err).Detail)
			return checkError
		}
	}
	// Group the operations by the scope each is judged at, in order.
	var scopes []string
	byScope := map[string][]rbac.Operation{}
	code := checkAllowed
	for _, op := range ops {
		at := scope
		if at == "" {
			at = ref.ID()
		}
		if strings.HasPrefix(op.Key, "identity.") {
			s, ok := res.ScopeOf(op)
			if !ok {
				fmt.Fprintf(stdout, "%s: unknown: workspace %s names no %s\n\n", op.Name, ref.Name, op.Level)
				code = worse(code, checkUnsure)
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
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		access, err := sess.Access(ctx, id.Principal, at)
		if err != nil {
			fmt.Fprintf(stderr, "amlauth-tui check: %v\n", err)
			return checkError
		}
		verdicts := access.Check(byScope[at])
		code = worse(code, printVerdicts(stdout, access, verdicts))
		if explain {
			for _, v := range verdicts {
				fmt.Fprintln(stdout, "\n"+v.Op.Name)
				for _, l := range access.Explain(v) {
					fmt.Fprintln(stdout, "  "+l)
				}
			}
		}
	}
	return code
}

func hasIdentityOp(ops []rbac.Operation) bool {
	for _, op := range ops {
		if strings.HasPrefix(op.Key, "identity.") {
			return true
		}
	}
	return false
}

// worse combines exit statuses: denied over unsure over allowed.
func worse(a, b int) int {
	rank := map[int]int{checkAllowed: 0, checkUnsure: 1, checkDenied: 2, checkError: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}
