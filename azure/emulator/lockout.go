package emulator

import (
	"crypto/sha256"
	"time"
)

// Smart lockout, as Microsoft Entra ID does it by default
// (https://learn.microsoft.com/entra/identity/authentication/howto-password-smart-lockout,
// "How smart lockout works" and "Manage Microsoft Entra smart lockout values"):
//   - "smart lockout locks an account from sign-in after 10 failed attempts
//     in Azure Public" tenants, for "60 seconds (one minute)";
//   - while locked, every sign-in is refused with AADSTS50053, the right
//     password included;
//   - "Smart lockout tracks the last three bad password hashes to avoid
//     incrementing the lockout counter for the same password";
//   - "If the first sign-in after a lockout period has expired also fails,
//     the account locks out again. If an account locks repeatedly, the
//     lockout duration increases." Microsoft does not disclose the rate:
//     the simulated Entra doubles it each time, up to lockoutMaxDuration.
//
// Time is the server's clock (Options.Now), so tests move it instead of
// sleeping. A successful sign-in clears the user's record.
const (
	lockoutThreshold   = 10
	lockoutDuration    = 60 * time.Second
	lockoutMaxDuration = 30 * time.Minute
	lockoutBadHashes   = 3
)

// lockout is one user's failed password sign-ins.
type lockout struct {
	failures int                        // counted failures since the last success or lockout
	bad      [lockoutBadHashes][32]byte // the last bad passwords' hashes (salted with the user id)
	nbad     int                        // how many of bad are set
	until    time.Time                  // locked until then
	times    int                        // lockouts since the last success: each one lasts longer
}

// passwordCheck is the outcome of a password sign-in.
type passwordCheck int

const (
	passwordOK passwordCheck = iota
	passwordWrong
	passwordLocked
)

// lockedOut reports whether the user's sign-ins are refused now.
func (s *entraHost) lockedOut(userID string) bool {
	now := s.now()
	s.flows.mu.Lock()
	defer s.flows.mu.Unlock()
	l := s.flows.lockouts[userID]
	return l != nil && now.Before(l.until)
}

// passwordSignIn decides a password sign-in of the user under smart
// lockout; right says whether the password matched (checked by the caller
// under s.mu, which is never taken while s.flows.mu is held the other way).
func (s *entraHost) passwordSignIn(userID, password string, right bool) passwordCheck {
	now := s.now()
	s.flows.mu.Lock()
	defer s.flows.mu.Unlock()
	l := s.flows.lockouts[userID]
	switch {
	case l != nil && now.Before(l.until):
		return passwordLocked
	case right:
		delete(s.flows.lockouts, userID)
		return passwordOK
	case l == nil:
		// Bounded by the directory's users: only an existing user gets a record.
		l = &lockout{}
		s.flows.lockouts[userID] = l
	}
	h := sha256.Sum256([]byte(userID + "\x00" + password))
	for _, b := range l.bad[:l.nbad] {
		if b == h {
			return passwordWrong // the same bad password again does not count
		}
	}
	copy(l.bad[1:], l.bad[:lockoutBadHashes-1])
	l.bad[0], l.nbad = h, min(l.nbad+1, lockoutBadHashes)
	l.failures++
	if l.failures >= lockoutThreshold || l.times > 0 {
		// The threshold reached, or the first failure after a lockout ended.
		d := lockoutDuration << min(l.times, 10)
		l.until, l.times, l.failures = now.Add(min(d, lockoutMaxDuration)), l.times+1, 0
	}
	return passwordWrong
}
