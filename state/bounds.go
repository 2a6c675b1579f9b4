package state

import (
	"sort"
	"strings"
	"time"
)

// bound applies the size bounds before every save (see the constants in
// state.go), and files the last place under its identity. Data loaded from
// an older or hand-edited file is brought within them here too.
func (d *Data) bound(now time.Time) {
	if l := d.Last; l.Identity != "" && l.Tenant != "" {
		if l.At.IsZero() {
			l.At = now
		}
		out := []Context{l}
		for _, c := range d.Lasts {
			if !(strings.EqualFold(c.Tenant, l.Tenant) && strings.EqualFold(c.Identity, l.Identity)) {
				out = append(out, c)
			}
		}
		d.Lasts = out
	}
	if len(d.Lasts) > MaxLasts {
		d.Lasts = d.Lasts[:MaxLasts] // newest first: the least recently used go
	}
	if len(d.Recents) > MaxRecents {
		d.Recents = d.Recents[:MaxRecents]
	}
	d.boundBodies()
	d.boundHistory()
}

// boundBodies keeps the most recently saved bodies within MaxBodies and
// MaxBodiesBytes (a body from a version-1 file has no time: oldest).
func (d *Data) boundBodies() {
	keys := make([]string, 0, len(d.Bodies))
	for k := range d.Bodies {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ti, tj := d.BodyAt[keys[i]], d.BodyAt[keys[j]]
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return keys[i] < keys[j]
	})
	total := 0
	for i, k := range keys {
		total += len(d.Bodies[k])
		if i >= MaxBodies || total > MaxBodiesBytes {
			delete(d.Bodies, k)
			delete(d.BodyAt, k)
		}
	}
	for k := range d.BodyAt {
		if _, ok := d.Bodies[k]; !ok {
			delete(d.BodyAt, k)
		}
	}
}

// boundHistory keeps MaxHistory entries per endpoint and, over all
// endpoints, the newest entries whose bodies fit in MaxHistoryBytes.
func (d *Data) boundHistory() {
	type ref struct {
		k  string
		i  int
		at time.Time
	}
	var all []ref
	for k, h := range d.History {
		if len(h) > MaxHistory {
			h = h[:MaxHistory]
			d.History[k] = h
		}
		for i, e := range h {
			all = append(all, ref{k, i, e.At})
		}
	}
	sort.SliceStable(all, func(a, b int) bool {
		if !all[a].at.Equal(all[b].at) {
			return all[a].at.After(all[b].at)
		}
		if all[a].k != all[b].k {
			return all[a].k < all[b].k
		}
		return all[a].i < all[b].i
	})
	total, drop := 0, map[string]int{} // endpoint -> first index dropped
	for _, r := range all {
		e := d.History[r.k][r.i]
		total += len(e.RequestBody) + len(e.ResponseBody) + len(e.Error)
		if total > MaxHistoryBytes {
			if n, ok := drop[r.k]; !ok || r.i < n {
				drop[r.k] = r.i
			}
		}
	}
	for k, n := range drop {
		// Entries are newest first, so everything from n on is older.
		if n == 0 {
			delete(d.History, k)
		} else {
			d.History[k] = d.History[k][:n]
		}
	}
}
