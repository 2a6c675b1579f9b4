package azure_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
)

// heldSecrets records what Config.Secrets is told.
type heldSecrets struct {
	mu    sync.Mutex
	slots map[string]string
}

func (h *heldSecrets) Hold(slot, value string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if value == "" {
		delete(h.slots, slot)
		return
	}
	h.slots[slot] = value
}

func (h *heldSecrets) holds(v string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, x := range h.slots {
		if x == v {
			return true
		}
	}
	return false
}

// Every secret the package obtains reaches the hook before the caller has
// it: the persona's password, the management token of the sign-in, the
// keys, an AML token, an Entra token for Azure ML; a regenerated key
// replaces the old one in its slot.
func TestSecretHookIsToldEverySecretObtained(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	h := &heldSecrets{slots: map[string]string{}}
	cfg.Secrets = h
	olivia := persona(t, s, "olivia") // Owner: she may regenerate
	sess := signInAs(t, s, cfg, "olivia")
	if !h.holds(olivia.Password) {
		t.Error("the persona's password was not held")
	}
	mgmt, err := sess.EntraToken(ctx(t), cfg.ARMAudience)
	if err != nil || !h.holds(mgmt.Value) {
		t.Errorf("management token not held: %v", err)
	}
	ml, err := sess.EntraToken(ctx(t), cfg.MLAudience)
	if err != nil || !h.holds(ml.Value) {
		t.Errorf("Azure ML token not held: %v", err)
	}
	keys, err := sess.Keys(ctx(t), refChurnKey)
	if err != nil || !h.holds(keys.Primary) || !h.holds(keys.Secondary) {
		t.Fatalf("keys not held: %v", err)
	}
	aml, err := sess.AMLToken(ctx(t), refChurnAML)
	if err != nil || !h.holds(aml.Value) {
		t.Errorf("AML token not held: %v", err)
	}
	op, err := sess.RegenerateKey(ctx(t), refChurnKey, azure.KeyPrimary)
	if err != nil {
		t.Fatal(err)
	}
	run(t, op)
	again, err := sess.Keys(ctx(t), refChurnKey)
	if err != nil || again.Primary == keys.Primary || !h.holds(again.Primary) || h.holds(keys.Primary) {
		t.Fatalf("after regenerating: new held %v, old still held %v (%v)", h.holds(again.Primary), h.holds(keys.Primary), err)
	}
}

// WithHTTPLog writes each exchange, and with bodies the answer's body,
// while the caller still reads the whole body.
func TestHTTPLogWritesBodiesAndLeavesThemReadable(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg = cfg.WithHTTPLog(log, true)
	sess := signInAs(t, s, cfg, "alice")
	keys, err := sess.Keys(ctx(t), refChurnKey)
	if err != nil || keys.Primary == "" {
		t.Fatalf("keys through the logging transport: %v", err)
	}
	out := buf.String()
	if !strings.Contains(out, "/listKeys") || !strings.Contains(out, `primaryKey`) || !strings.Contains(out, "status=200") {
		t.Fatalf("the exchange or its body is not in the log:\n%s", out)
	}
	if strings.Contains(out, "api-version") {
		t.Errorf("a query string was logged (every ARM call has api-version in it):\n%s", out)
	}
}
