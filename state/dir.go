package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// privateDir makes sure d is a directory only this user can change. One it
// creates is 0700; one that exists is used as it is, never chmod-ed (it may
// be /tmp, whose sticky bit others rely on), and refused when it is a
// symbolic link, not ours, or writable by others: the message names the
// directory and the fix.
func privateDir(d string) error {
	st, err := os.Lstat(d)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(d), 0o700); err != nil {
			return fmt.Errorf("state directory %s: %w", d, err)
		}
		if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("state directory %s: %w", d, err)
		}
		st, err = os.Lstat(d) // checked again: it may have been created meanwhile
	}
	if err != nil {
		return fmt.Errorf("state directory %s: %w", d, err)
	}
	why := ""
	switch {
	case st.Mode()&os.ModeSymlink != 0:
		why = "is a symbolic link (give the directory it points to instead)"
	case !st.IsDir():
		why = "is not a directory"
	default:
		why = unsafeDir(d, st)
	}
	if why == "" {
		return nil
	}
	return fmt.Errorf("state directory %s %s; use a private directory of your own instead, e.g. "+
		"mkdir -m 700 ~/.amlauth-state and --state-dir ~/.amlauth-state", d, why)
}
