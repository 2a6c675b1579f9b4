package emulator

import (
	"crypto/subtle"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
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
// nested groups: the directory as Graph shows it now.
func (w *World) TransitiveGroups(objectID string) []string {
	return w.transitiveGroups(objectID, func(g *Group) []string { return g.Members })
}

// enforcedGroups are the groups Azure's authorization counts for objectID
// at time at: TransitiveGroups, less the memberships added through
// Server.SetGroupMember that have not propagated by then, plus those removed
// that still have not. (Role assignment changes propagate alike:
// World.Revoked, Assignment.EffectiveAt.)
func (w *World) enforcedGroups(objectID string, at time.Time) []string {
	// Per group and member, the earliest change not yet in force: the
	// membership as Azure still sees it is the one before that change.
	before := map[[2]string]bool{}
	for _, m := range w.Memberships {
		k := [2]string{strings.ToLower(m.Group), strings.ToLower(m.Member)}
		if _, seen := before[k]; !seen && at.Before(m.EffectiveAt) {
			before[k] = !m.Added
		}
	}
	if len(before) == 0 {
		return w.TransitiveGroups(objectID)
	}
	return w.transitiveGroups(objectID, func(g *Group) []string {
		var out []string
		for _, m := range g.Members {
			if was, pending := before[[2]string{strings.ToLower(g.ID), strings.ToLower(m)}]; !pending || was {
				out = append(out, m)
			}
		}
		for k, was := range before {
			if was && k[0] == strings.ToLower(g.ID) && !slices.ContainsFunc(g.Members, func(m string) bool { return strings.EqualFold(m, k[1]) }) {
				out = append(out, k[1])
			}
		}
		return out
	})
}

// transitiveGroups walks the groups objectID is in, with members giving
// each group's direct members.
func (w *World) transitiveGroups(objectID string, members func(g *Group) []string) []string {
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
			for _, m := range members(g) {
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

// SetGroupMember adds memberID to the group (member true) or removes it, as
// an administrator's change in the directory: Graph shows it at once, and
// Azure's authorization counts it only PropagationDelay later ("Role
// assignment changes are not being detected": group membership changes can
// take longer than the 10 minutes of a role assignment;
// https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected).
// memberID is a user, service principal or group of the directory.
func (s *core) SetGroupMember(groupID, memberID string, member bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.world
	g := w.Groups[strings.ToLower(groupID)]
	if g == nil {
		return fmt.Errorf("no group with object id %s", groupID)
	}
	if _, _, ok := w.DirectoryObject(memberID); !ok {
		return fmt.Errorf("no user, service principal or group with object id %s", memberID)
	}
	i := slices.IndexFunc(g.Members, func(m string) bool { return strings.EqualFold(m, memberID) })
	if (i >= 0) == member {
		return nil // already so: nothing changes, nothing to propagate
	}
	if member {
		g.Members = append(g.Members, memberID)
	} else {
		g.Members = slices.Delete(g.Members, i, i+1)
	}
	now := s.now()
	w.Memberships = slices.DeleteFunc(w.Memberships, func(m MembershipChange) bool { return !now.Before(m.EffectiveAt) })
	if d := s.opts.PropagationDelay; d > 0 {
		w.Memberships = append(w.Memberships, MembershipChange{Group: g.ID, Member: memberID, Added: member, EffectiveAt: now.Add(d)})
	}
	return nil
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
