package nav

// CheckRun makes the access check answer at once instead of asking who,
// where and what: the signed-in identity, at the check's context, for the
// operation that just failed, with the cursor on its verdict. A screen that
// got a 403 sends it so the user goes from the failure straight to the why.
type CheckRun struct {
	// Operation is a key of rbac.Operations() ("endpoint.listKeys"); when
	// the failed action is not in the catalogue, Action names it instead.
	Operation string
	Action    string
	// Name is how an Action outside the catalogue reads ("Attach identity
	// churn-mi"); "" reads "Failed: <action>".
	Name string
	// Scope is where to answer when it is not the context's deepest scope
	// (a user-assigned identity the create wizard would attach); the check
	// offers it and its ancestors.
	Scope string
}
