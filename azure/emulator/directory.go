package emulator

import (
	"crypto/subtle"
	"sort"
	"strings"
)

// PersonaInfo describes a simulated user for pickers and the standalone banner.
type PersonaInfo struct {
	Key, Name, UPN, Password, ObjectID, Story string
}

// Personas lists the simulated users in a stable order.
func (s *core) Personas() []PersonaInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []PersonaInfo
	for _, u := range s.world.Users {
		if u.Persona != "" {
			out = append(out, PersonaInfo{Key: u.Persona, Name: u.DisplayName, UPN: u.UserPrincipalName, Password: u.Password, ObjectID: u.ID, Story: u.Story})
		}
	}
	sort.Slice(out, func(i, j int) bool { return personaOrder(out[i].Key) < personaOrder(out[j].Key) })
	return out
}

func personaOrder(k string) int {
	for i, p := range []string{"alice", "bob", "olivia", "nina", "gary"} {
		if p == k {
			return i
		}
	}
	return 100
}

// ServicePrincipalCredentials returns the seeded app registration's
// credentials (a demo secret, printed by the standalone command).
func (s *Server) ServicePrincipalCredentials() (tenantID, clientID, clientSecret string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sp := s.world.ServicePrincipals[strings.ToLower(idScorerSP)]
	return s.world.Tenant.ID, sp.AppID, sp.Secrets[0]
}

func (w *World) personaByKey(key string) *User {
	for _, u := range w.Users {
		if strings.EqualFold(u.Persona, key) {
			return u
		}
	}
	return nil
}

func (w *World) userByUPN(upn string) *User {
	for _, u := range w.Users {
		if strings.EqualFold(u.UserPrincipalName, upn) {
			return u
		}
	}
	return nil
}

func (w *World) servicePrincipalByAppID(appID string) *ServicePrincipal {
	for _, sp := range w.ServicePrincipals {
		if strings.EqualFold(sp.AppID, appID) {
			return sp
		}
	}
	return nil
}

// hasSecret compares with every secret in constant time.
func (sp *ServicePrincipal) hasSecret(secret string) bool {
	found := 0
	for _, s := range sp.Secrets {
		if s != "" {
			found |= subtle.ConstantTimeCompare([]byte(s), []byte(secret))
		}
	}
	return found == 1
}

// checkPassword compares in constant time; a user without a password
// cannot sign in with one.
func (u *User) checkPassword(password string) bool {
	return u.Password != "" && subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) == 1
}

// newPersonaPassword is a persona's password, random per instance but easy
// to read aloud and type on the sign-in page: "alice-K7QM-3XPA".
func newPersonaPassword(persona string) string {
	b := randomCode(8)
	return persona + "-" + b[:4] + "-" + b[4:]
}

// TransitiveGroups returns every group objectID is in, directly or through
// nested groups.
func (w *World) TransitiveGroups(objectID string) []string {
	seen := map[string]bool{}
	var out []string
	frontier := []string{strings.ToLower(objectID)}
	for len(frontier) > 0 {
		id := frontier[0]
		frontier = frontier[1:]
		for _, g := range w.Groups {
			if seen[strings.ToLower(g.ID)] {
				continue
			}
			for _, m := range g.Members {
				if strings.EqualFold(m, id) {
					seen[strings.ToLower(g.ID)] = true
					out = append(out, g.ID)
					frontier = append(frontier, strings.ToLower(g.ID))
					break
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// hasPrincipal reports whether a user or service principal with this object id exists.
func (w *World) hasPrincipal(id string) bool {
	k := strings.ToLower(id)
	return w.Users[k] != nil || w.ServicePrincipals[k] != nil
}

// DirectoryObject says what an object id is: "user", "group" or "servicePrincipal".
func (w *World) DirectoryObject(id string) (kind, displayName string, ok bool) {
	k := strings.ToLower(id)
	if u := w.Users[k]; u != nil {
		return "user", u.DisplayName, true
	}
	if g := w.Groups[k]; g != nil {
		return "group", g.DisplayName, true
	}
	if sp := w.ServicePrincipals[k]; sp != nil {
		return "servicePrincipal", sp.DisplayName, true
	}
	return "", "", false
}
