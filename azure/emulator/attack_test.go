package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"testing"
	"time"
)

// Attacks from issue 15, each over real HTTPS against a running server:
// they failed before the fix they name.

// formerKey is how seeded keys used to be derived: anyone who could read an
// endpoint's id could compute its key.
func formerKey(endpointID, n string) string {
	sum := sha256.Sum256([]byte("key|" + endpointID + "|" + n))
	return base64.RawStdEncoding.EncodeToString(sum[:])[:32]
}

func TestAttackDerivedKeyDoesNotScore(t *testing.T) {
	e := newARMT(t, Options{})
	// Bob is a Reader: he sees the endpoint's id but may not list its keys.
	if code, _, b := e.post("bob", churnKey+"/listKeys", ""); code != http.StatusForbidden {
		t.Fatalf("bob listKeys: %d %s", code, b)
	}
	for _, n := range []string{"1", "2"} {
		st, h, b := e.scoreReq("churn-key", formerKey(churnKey, n), scoreSample, nil)
		wantScoreErr(t, st, h, b, http.StatusUnauthorized, "InvalidKey")
	}
	primary, secondary := e.keysOf("churn-key")
	if primary == formerKey(churnKey, "1") || secondary == formerKey(churnKey, "2") {
		t.Fatal("seeded keys are still derived from the endpoint id")
	}
}

func TestAttackSecretsDifferPerInstance(t *testing.T) {
	a, b := newARMT(t, Options{}), newARMT(t, Options{})
	ka, kb := a.keys("olivia", churnKey), b.keys("olivia", churnKey)
	if ka.PrimaryKey == kb.PrimaryKey || ka.SecondaryKey == kb.SecondaryKey {
		t.Error("two servers minted the same endpoint keys")
	}
	_, _, sa := a.s.ServicePrincipalCredentials()
	_, _, sb := b.s.ServicePrincipalCredentials()
	if sa == sb {
		t.Error("two servers minted the same client secret")
	}
	// The other server's key is worth nothing here.
	st, h, body := a.scoreReq("churn-key", kb.PrimaryKey, scoreSample, nil)
	wantScoreErr(t, st, h, body, http.StatusUnauthorized, "InvalidKey")
	// and the app still signs in with its (random) secret.
	if tok := a.token("sp", armtScope); tok == "" {
		t.Error("no token for the app")
	}
}

// The data plane sees finished operations at once: no ARM request needs to
// arrive in between (before the fix, the old key scored until one did).
func TestAttackStaleStateAfterRegenerateAndDelete(t *testing.T) {
	e, clock := epwEnv(t)
	before, _ := e.keysOf("churn-key")
	if code, _, b := e.post("olivia", churnKey+"/regenerateKeys", `{"keyType":"Primary"}`); code != http.StatusAccepted {
		t.Fatalf("regenerate: %d %s", code, b)
	}
	// While the operation runs the old key still works, as in Azure.
	predictions(t)(e.scoreReq("churn-key", before, scoreSample, nil))
	clock.Advance(3 * time.Second)
	st, h, b := e.scoreReq("churn-key", before, scoreSample, nil)
	wantScoreErr(t, st, h, b, http.StatusUnauthorized, "InvalidKey")

	after, _ := e.keysOf("churn-key")
	predictions(t)(e.scoreReq("churn-key", after, scoreSample, nil))
	if code, _, b := e.epwSend("olivia", http.MethodDelete, churnKey, nil); code != http.StatusAccepted {
		t.Fatalf("delete: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	st, h, b = e.scoreReq("churn-key", after, scoreSample, nil)
	wantScoreErr(t, st, h, b, http.StatusNotFound, "EndpointNotFound")
}
