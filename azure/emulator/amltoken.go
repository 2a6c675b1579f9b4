package emulator

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// AML tokens: what OnlineEndpoints_GetToken returns for aml_token endpoints.
// The emulator makes them JWTs signed with its own key but with an issuer
// of their own, so ARM and Graph refuse them (as Azure does) and scoring
// can tell which endpoint — and which incarnation of it — a token is for.

// amlTokenIssuer is the iss claim of AML tokens.
func (s *core) amlTokenIssuer() string { return s.url + "/amltoken" }

// amlTokenFor mints a token for endpoint e on behalf of caller oid. It
// returns the token, its expiry and the moment a client should refresh it
// (half-way through its life, so a refresh never races the expiry).
// The caller holds s.mu (read) or owns e.
func (s *core) amlTokenFor(e *Endpoint, oid string) (string, time.Time, time.Time, error) {
	now := s.now()
	life := s.opts.AMLTokenLifetime
	exp := now.Add(life)
	refresh := now.Add(life / 2)
	tok, err := s.sign(jwt.MapClaims{
		"iss": s.amlTokenIssuer(), "aud": strings.ToLower(armEndpointID(e)), "oid": oid,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": exp.Unix(),
		"typ": "aml_token", "epc": e.Incarnation, // a re-created endpoint refuses old tokens
	})
	return tok, exp, refresh, err
}

// errAMLTokenExpired lets scoring say "expired" rather than "invalid".
var errAMLTokenExpired = errors.New("the AML token has expired")

// checkAMLToken verifies raw as a live AML token of endpoint e.
// The caller holds s.mu (read).
func (s *core) checkAMLToken(raw string, e *Endpoint) error {
	claims := jwt.MapClaims{}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	if _, err := parser.ParseWithClaims(raw, claims, s.signer.public); err != nil {
		return fmt.Errorf("the token is not a valid AML token: %v", err)
	}
	str := func(k string) string { v, _ := claims[k].(string); return v }
	num := func(k string) int64 { f, _ := claims[k].(float64); return int64(f) }
	if str("iss") != s.amlTokenIssuer() || str("typ") != "aml_token" {
		return errors.New("the token is not an AML token (was it an Entra token? aml_token endpoints take the token from getToken)")
	}
	if !strings.EqualFold(str("aud"), armEndpointID(e)) || str("epc") != e.Incarnation {
		return errors.New("the AML token was issued for another endpoint")
	}
	if !s.now().Before(time.Unix(num("exp"), 0)) {
		return errAMLTokenExpired
	}
	return nil
}
