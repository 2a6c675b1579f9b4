package emulator

import (
	"crypto/rsa"

	"github.com/golang-jwt/jwt/v5"
)

// lazyKey is the token-signing key. A 2048-bit RSA key takes tens to
// hundreds of milliseconds to generate, which was most of `--demo`'s time to
// its first frame (issue 18), so Start begins it in the background and only
// the first use (a token signed or checked, the JWKS) waits for it. The TLS
// certificates are ECDSA P-256 (tls.go): microseconds.
type lazyKey struct {
	done chan struct{}
	key  *rsa.PrivateKey
	kid  string
	err  error
}

// newLazyKey starts generating the key (or adopts reuse at once).
func newLazyKey(reuse *rsa.PrivateKey) *lazyKey {
	k := &lazyKey{done: make(chan struct{})}
	if reuse != nil {
		k.key, k.kid, k.err = newSigningKey(reuse)
		close(k.done)
		return k
	}
	go func() {
		defer close(k.done)
		k.key, k.kid, k.err = newSigningKey(nil)
	}()
	return k
}

// get waits for the key.
func (k *lazyKey) get() (*rsa.PrivateKey, string, error) {
	<-k.done
	return k.key, k.kid, k.err
}

// public is a jwt.Keyfunc: the key that verifies the emulator's tokens.
func (k *lazyKey) public(*jwt.Token) (any, error) {
	key, _, err := k.get()
	if err != nil {
		return nil, err
	}
	return &key.PublicKey, nil
}
