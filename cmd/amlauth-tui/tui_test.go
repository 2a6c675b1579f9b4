package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --state-dir naming a shared directory is refused before the screen
// starts, with the directory and the fix, and the directory keeps its mode.
func TestUnsafeStateDirIsRefused(t *testing.T) {
	shared := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--demo", "--state-dir", shared}, &stdout, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2; stderr: %s", code, stderr.String())
	}
	if msg := stderr.String(); !strings.Contains(msg, shared) || !strings.Contains(msg, "writable by other users") || !strings.Contains(msg, "--state-dir") {
		t.Fatalf("message: %s", msg)
	}
	if st, _ := os.Stat(shared); st.Mode().Perm() != 0o777 || st.Mode()&os.ModeSticky == 0 {
		t.Fatalf("the directory's mode changed: %v", st.Mode())
	}
}
