package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
)

// Exit codes of `amlauth-tui check`, for scripts.
const (
	checkAllowed = 0 // every operation is allowed
	checkDenied  = 1 // some operation is denied (not granted, blocked by a deny assignment, or not yet in effect)
	checkError   = 2 // the check itself failed (bad flags, sign-in, scope)
	checkUnsure  = 3 // nothing denied, but some answer is unknown or depends on a condition
)

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, strings.Split(v, ",")...); return nil }

// checkSchema names the --output json document's shape. Fields are only
// ever added within a version; a change of meaning gets a new version.
const checkSchema = "amlauth-tui/check/v1"

const checkJSONHelp = `--output json prints one document on stdout (schema "amlauth-tui/check/v1"), also on error:
  schema        "amlauth-tui/check/v1"
  principal     {id, kind, displayName, upn, appId}: who was checked
  scope         the ARM scope checked
  warnings      [string]: what could not be read, and what the verdicts lack because of it
  operations    one per operation, in the order asked:
    key, name, action   the operation (an action given with --operation is its own key and name)
    scope         where it was judged, when not the document's scope (--principal an endpoint: its identity's needs)
    outcome       allowed | denied (no role grants it) | blocked (a deny assignment) |
                  conditional (only conditional grants) | pending (assigned, not in effect yet) |
                  unknown (something it needs could not be read)
    reason        why, in one sentence
    noRoleNeeded  true when the operation needs no role
    source        "role assignments" or "Permissions API"
    grants        [{role, roleDefinitionId, assignmentId, scope, pattern, viaGroup, inherited, condition}]
    pending       [{assignmentId, roleDefinitionId, scope, effectiveAt}]: would grant it once in effect
    deny          null, or the deny assignment that blocks it {id, name, description, scope, pattern, excluded: [{id, name}]}
    missingReads  [{what, action, scope, roles}]: what could not be read that this answer needs
    wouldBeGrantedBy  [role name]: for denied, roles that would grant it, smallest first
    advice        [string]: the next steps
    permissionsApi  true/false: what Azure's Permissions API says for the caller; null when not asked
    explain       [string]: with --explain, the whole evaluation
  exitCode      the exit status (below)
  error         null, or {title, message, next} (exit status 2; operations is then empty)`

// runCheck prints the verdict table: the same engine as the check wizard.
func runCheck(args []string, stdout, stderr io.Writer) int {
	asJSON := wantsJSON(args)
	fail := func(f *cliFail) int {
		f.print(stderr, "check")
		if asJSON {
			writeJSON(stdout, checkDoc{Schema: checkSchema, Warnings: []string{}, Operations: []jsonVerdict{}, Exit: checkError, Error: f})
		}
		return checkError
	}
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	principal := fs.String("principal", "me", "who: me, an object id, an app id, a UPN, the start of a name, or an online endpoint's ARM id (its identity; check_identity.go)")
	scope := fs.String("scope", "", "where: an ARM scope (subscription, resource group, workspace or endpoint id)")
	var ops stringList
	fs.Var(&ops, "operation", "what, repeatable or comma-separated: an operation key (see below) or an action; default all")
	var si cliSignIn
	si.register(fs)
	explain := fs.Bool("explain", false, "also print each verdict's whole evaluation: every assignment and deny assignment, each pattern tested")
	output := outputFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: amlauth-tui check --scope SCOPE [--principal me|ID|UPN|NAME] [--operation KEY...] [--auth METHOD | --demo [--as PERSONA]] [--output json]")
		fmt.Fprintln(stderr, "\nPrints whether the principal may perform each operation at the scope, and why.")
		fmt.Fprintln(stderr, "\nExit status:\n  0  every operation is allowed\n  1  some operation is denied (no role grants it, a deny assignment blocks it, or a new assignment is not in effect yet)\n"+
			"  3  nothing is denied, but some answer is unknown (something could not be read) or depends on a condition\n  2  error (bad flags, sign-in failed, bad scope)")
		fmt.Fprintln(stderr, "\nSigns in with the credential chain, stopping at the first source that works (AZURE_* variables, workload identity, managed identity, az login, azd),\n"+
			"or with the one method --auth names. --principal me (the default) checks the signed-in identity.\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\n"+checkJSONHelp)
		fmt.Fprintln(stderr, "\nOperations:")
		for _, o := range append(rbac.Operations(), rbac.IdentityOperations()...) {
			fmt.Fprintf(stderr, "  %-26s %s\n", o.Key, o.Name)
		}
	}
	help, f := parseScriptFlags(fs, args, output)
	if help {
		return 0
	}
	if f != nil {
		return fail(f)
	}
	if *scope == "" && !endpointPrincipal(*principal) {
		return fail(failf("--scope is required (e.g. the endpoint's id: /subscriptions/…/onlineEndpoints/NAME)"))
	}
	if _, err := rbac.ParseScope(cmp.Or(*scope, *principal)); err != nil {
		return fail(badInput(err))
	}
	operations, err := pickOperations(ops)
	if err != nil {
		return fail(badInput(err))
	}
	if _, err := si.method(); err != nil {
		return fail(badInput(err))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sess, done, f := si.signIn(ctx, stderr)
	defer done()
	if f != nil {
		return fail(f)
	}
	if endpointPrincipal(*principal) {
		code, f := checkEndpointIdentity(ctx, sess, *principal, ops, *scope, *explain, *output == "json", stdout)
		if f != nil {
			return fail(f)
		}
		return code
	}
	p, err := resolvePrincipal(ctx, sess, *principal)
	if err != nil {
		return fail(badInput(err))
	}
	access, err := sess.Access(ctx, p, *scope)
	if err != nil {
		return fail(failErr(err))
	}
	verdicts := access.Check(operations)
	if *output == "json" {
		doc := checkDocument(access, verdicts, *explain)
		writeJSON(stdout, doc)
		return doc.Exit
	}
	code := printVerdicts(stdout, access, verdicts)
	if *explain {
		for _, v := range verdicts {
			fmt.Fprintln(stdout, "\n"+v.Op.Name)
			for _, l := range access.Explain(v) {
				fmt.Fprintln(stdout, "  "+l)
			}
		}
	}
	return code
}

func pickOperations(names []string) ([]rbac.Operation, error) {
	if len(names) == 0 {
		return rbac.Operations(), nil
	}
	var out []rbac.Operation
	for _, n := range names {
		n = strings.TrimSpace(n)
		if op, ok := rbac.OperationByKey(n); ok {
			out = append(out, op)
			continue
		}
		if strings.Contains(n, "/") {
			if err := rbac.ValidatePattern(n); err != nil {
				return nil, fmt.Errorf("--operation %q: %v", n, err)
			}
			out = append(out, rbac.Operation{Key: n, Name: n, Action: n})
			continue
		}
		return nil, fmt.Errorf("--operation %q: not an operation key or an action (see amlauth-tui check --help)", n)
	}
	return out, nil
}

func resolvePrincipal(ctx context.Context, sess *azure.Session, q string) (azure.PrincipalRef, error) {
	if q == "" || strings.EqualFold(q, "me") {
		return sess.Identity().Principal(), nil
	}
	found, err := sess.FindPrincipals(ctx, q)
	if err != nil {
		return azure.PrincipalRef{}, fmt.Errorf("looking up %q: %s", q, azure.Explain(err).Detail)
	}
	switch len(found) {
	case 0:
		return azure.PrincipalRef{}, fmt.Errorf("no user, group or service principal matches %q", q)
	case 1:
		return found[0], nil
	}
	var names []string
	for _, f := range found {
		names = append(names, "  "+f.ID+"  "+f.Label())
	}
	return azure.PrincipalRef{}, fmt.Errorf("%q matches %d principals; pass an object id:\n%s", q, len(found), strings.Join(names, "\n"))
}

// printVerdicts writes the table and the next steps, and returns the exit
// status (checkExit).
func printVerdicts(w io.Writer, a azure.Access, vs []azure.Verdict) int {
	fmt.Fprintf(w, "Principal  %s  (%s %s)\nScope      %s\n", a.Principal.Label(), strings.ToLower(a.Principal.Kind), a.Principal.ID, a.Scope)
	for _, p := range a.Partial {
		fmt.Fprintf(w, "Warning    %s\n", p)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "OPERATION\tVERDICT\tWHY")
	var next []string
	for _, v := range vs {
		mark, why := verdictMark(v), v.Decision.Reason
		if v.Deny != nil && len(v.Deny.Excluded) > 0 {
			names := make([]string, len(v.Deny.Excluded))
			for i, p := range v.Deny.Excluded {
				names[i] = cmp.Or(p.DisplayName, p.ID)
			}
			why += " (excluded: " + strings.Join(names, ", ") + ")"
		}
		if v.Outcome == rbac.NotGranted && len(v.Suggest) > 0 {
			why += "; would be granted by " + v.Suggest[0].RoleName
		}
		if v.Outcome == rbac.Conditional {
			why += " [condition: " + v.Condition + "]"
		}
		if v.PermissionsAPI != nil && v.Source != "Permissions API" && *v.PermissionsAPI != (v.Outcome == rbac.Allowed) && v.Deny == nil {
			why += fmt.Sprintf(" [the Permissions API says %v: a change may not have propagated yet]", *v.PermissionsAPI)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Op.Name, mark, why)
		for _, a := range v.Advice {
			next = append(next, v.Op.Name+": "+a)
		}
	}
	tw.Flush()
	if len(next) > 0 {
		fmt.Fprintln(w, "\nNext steps")
		for _, n := range next {
			fmt.Fprintln(w, "  "+n)
		}
	}
	return checkExit(vs)
}

// checkExit is the exit status of verdicts: denied wins over unsure,
// unsure over allowed.
func checkExit(vs []azure.Verdict) int {
	code := checkAllowed
	for _, v := range vs {
		switch v.Outcome {
		case rbac.NotGranted, rbac.DeniedByDenyAssignment, rbac.Pending:
			return checkDenied
		case rbac.Unknown, rbac.Conditional:
			code = checkUnsure
		}
	}
	return code
}

// verdictMark is a verdict's one-word answer.
func verdictMark(v azure.Verdict) string {
	if v.NoRole {
		return "✓ no role needed"
	}
	switch v.Outcome {
	case rbac.Allowed:
		if v.Source == "Permissions API" {
			return "✓ allowed (Permissions API, no deny assignment)"
		}
		return "✓ allowed"
	case rbac.DeniedByDenyAssignment:
		return "✗ denied by a deny assignment"
	case rbac.Conditional:
		return "~ depends on a condition"
	case rbac.Pending:
		return "✗ assigned, not in effect yet"
	case rbac.Unknown:
		return "? unknown"
	}
	return "✗ denied"
}
