package azure

import (
	"context"
	"errors"
	"sync"
)

// Pages reads a list one page at a time, so a caller shows the first page
// at once, bounds each page with its own timeout, and retries a failed page
// without starting over: Next after an error asks for the same page again
// (the SDK's pager keeps its place when a fetch fails).
type Pages[T any] struct {
	mu    sync.Mutex
	fetch func(ctx context.Context) (items []T, more bool, err error)
	more  bool
	read  int
}

// NewPages wraps fetch, which returns the next page and whether another
// follows. Screen tests build their fakes' lists with it.
func NewPages[T any](fetch func(ctx context.Context) (items []T, more bool, err error)) *Pages[T] {
	return &Pages[T]{fetch: fetch, more: true}
}

// ErrNoMorePages is Next's error once the last page was read.
var ErrNoMorePages = errors.New("no more pages")

// More reports that a page remains to be read.
func (p *Pages[T]) More() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.more
}

// Read is how many items the pages read so far held.
func (p *Pages[T]) Read() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.read
}

// Next reads one page. Calls are serialised: a page is read once.
func (p *Pages[T]) Next(ctx context.Context) ([]T, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.more {
		return nil, ErrNoMorePages
	}
	items, more, err := p.fetch(ctx)
	if err != nil {
		return nil, err
	}
	p.more = more
	p.read += len(items)
	return items, nil
}
