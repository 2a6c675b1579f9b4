//go:build unix

package state

import (
	"fmt"
	"os"
	"syscall"
)

// openNoFollow opens path, failing (ELOOP) if it is a symbolic link, and
// without blocking if it is a FIFO someone planted there.
func openNoFollow(path string, flag int, perm os.FileMode) (*os.File, error) {
	return os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, perm)
}

// unsafeDir says why an existing state directory must not be used, or "".
// The files in it are 0600, but whoever can write the directory can
// replace them (or plant links), and a directory of another user is theirs.
func unsafeDir(d string, st os.FileInfo) string {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	if uid := os.Geteuid(); int(sys.Uid) != uid {
		return fmt.Sprintf("belongs to another user (uid %d, you are %d)", sys.Uid, uid)
	}
	if st.Mode().Perm()&0o022 != 0 {
		return fmt.Sprintf("is writable by other users (%s)", st.Mode())
	}
	return ""
}
