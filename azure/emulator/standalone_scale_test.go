package emulator

import (
	"io"
	"strings"
	"testing"
)

// --endpoints takes 0 to 100,000 and says so otherwise, before anything starts.
func TestStandaloneEndpointsFlagBounds(t *testing.T) {
	for _, v := range []string{"-1", "100001"} {
		err := RunStandalone([]string{"--endpoints", v}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--endpoints "+v+": use 0 to 100000") {
			t.Errorf("--endpoints %s: %v", v, err)
		}
	}
}
