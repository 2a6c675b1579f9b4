//go:build !unix

package state

import "os"

// openNoFollow: elsewhere privateDir's Lstat and readFile's Stat are the
// checks (there is no O_NOFOLLOW).
func openNoFollow(path string, flag int, perm os.FileMode) (*os.File, error) {
	return os.OpenFile(path, flag, perm)
}

func unsafeDir(string, os.FileInfo) string { return "" }
