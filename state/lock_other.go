//go:build !unix

package state

// lock is a no-op where flock does not exist; writes stay atomic, but two
// instances may then overwrite each other's last change.
func lock(string) (func(), error) { return func() {}, nil }
