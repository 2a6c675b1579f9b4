//go:build unix

package state

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lock takes an exclusive advisory lock; the kernel drops it if the process
// dies. A symbolic link planted at path is not followed: it would create or
// lock a file elsewhere.
func lock(path string) (func(), error) {
	f, err := openNoFollow(path, os.O_CREATE|os.O_RDWR, 0o600)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("state lock %s is a symbolic link, which amlauth-tui never follows; remove it", path)
	}
	if err != nil {
		return nil, fmt.Errorf("state lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("state lock: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
