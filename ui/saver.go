package ui

import (
	"sync"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/state"
	"amlauth-tui/ui/nav"
)

// saver writes where the user is off the event loop, always the latest
// value (a slow write never overwrites a newer place with an older one), and
// flushes synchronously at quit so that the last place is never lost.
type saver struct {
	mu      sync.Mutex
	store   *state.Store
	dirty   bool
	closed  bool
	last    state.Context
	recents []state.Recent
}

// set records the latest place (called in Update) and returns the Cmd that writes it.
func (s *saver) set(last state.Context, rec *state.Recent) tea.Cmd {
	if s == nil || s.store == nil {
		return nil
	}
	s.mu.Lock()
	s.last, s.dirty = last, true
	if rec != nil {
		s.recents = append(s.recents, *rec)
	}
	s.mu.Unlock()
	return func() tea.Msg {
		if err := s.flush(); err != nil {
			return nav.ToastMsg{Level: nav.Warn, Text: "Could not save where you are: " + err.Error()}
		}
		return nil
	}
}

func (s *saver) flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dirty || s.closed {
		return nil
	}
	err := s.store.Update(func(d *state.Data) {
		d.Last = s.last
		for _, r := range s.recents {
			d.AddRecent(r)
		}
	})
	s.recents, s.dirty = nil, false
	return err
}

// close writes what is pending and stops later writes (quit).
func (s *saver) close() {
	if s == nil || s.store == nil {
		return
	}
	_ = s.flush()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}
