package tui

import (
	"context"
	"errors"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/dialog"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/toast"
)

// ---- watching a full class (the a key): the runner reads the class at a
// cadence and, when a place frees, books it or tells the member
// (docs/product.md, watching a full class) ----

// WatchService is what the account service also does when it can watch a
// full class (*account.Service satisfies it). Config.Account is asked for
// it; without it the key says watching is not available.
type WatchService interface {
	AddWatch(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, book bool) (account.WatchResult, error)
	Watches(ctx context.Context) ([]session.Watch, error)
}

// The answers of the watch dialog.
const (
	choiceWatchBook = "watch-book"
	choiceWatchTell = "watch-tell"
)

// watchIntent travels in the watch dialog's payload.
type watchIntent struct {
	box   session.Box
	class account.ClassView
}

// watchMsg is AddWatch's answer.
type watchMsg struct {
	class account.ClassView
	book  bool
	watch session.Watch
	err   error
}

// watch is the a key: on a full class, ask whether the first place that
// frees is booked (the default) or the member only told.
func (m *Model) watch() tea.Cmd {
	c, st, _, ok := m.selected()
	tx, wt := m.tx, m.tx.Watch()
	switch {
	case !ok:
		return m.toasts.Push(toast.Info, tx.NothingToBook)
	case m.grid.Busy(c.ID):
		return m.toasts.Push(toast.Info, tx.BusyWith)
	case st == grid.Past:
		return m.toasts.Push(toast.Info, tx.ClassPast)
	case st == grid.Booked || st == grid.Waitlisted:
		return m.toasts.Push(toast.Info, tx.AlreadyYours)
	case st != grid.Full:
		return m.toasts.Push(toast.Info, wt.NotFull)
	}
	if _, ok := m.cfg.Account.(WatchService); !ok {
		return m.toasts.Push(toast.Warn, wt.Unavailable)
	}
	if w, ok := m.watchOf(c); ok {
		return m.toasts.Push(toast.Info, fmt.Sprintf(wt.Failed, wt.Already)+" · "+m.watchWords(w))
	}
	m.dialog.Open(dialog.Confirm{
		Title: wt.Title,
		Body:  fmt.Sprintf(wt.Body, m.className(c)),
		Choices: []dialog.Choice{
			{ID: choiceWatchBook, Keys: []string{"enter", "y", "b"}, Label: wt.ChoiceBook},
			{ID: choiceWatchTell, Keys: []string{"t"}, Label: wt.ChoiceTell},
		},
		NoLabel: wt.NoLabel,
		Payload: watchIntent{box: m.box, class: c},
	})
	return nil
}

// onWatchAnswer acts on the watch dialog's answer.
func (m *Model) onWatchAnswer(wi watchIntent, msg dialog.ResultMsg) tea.Cmd {
	if !msg.Yes {
		return nil
	}
	svc, ok := m.cfg.Account.(WatchService)
	if !ok {
		return m.toasts.Push(toast.Warn, m.tx.Watch().Unavailable)
	}
	book := msg.Choice != choiceWatchTell
	base, to, box, c := m.ctx, m.timeout, wi.box, wi.class
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		res, err := svc.AddWatch(ctx, kind, box, c.ID, c.Date, book)
		return watchMsg{class: c, book: book, watch: res.Watch, err: err}
	}
}

// onWatch shows AddWatch's outcome.
func (m *Model) onWatch(msg watchMsg) tea.Cmd {
	wt, c := m.tx.Watch(), msg.class
	switch {
	case msg.err == nil:
		text := fmt.Sprintf(wt.Added, m.className(c))
		if !msg.book {
			text = fmt.Sprintf(wt.AddedTell, m.className(c))
		}
		// Show it at once; the store's reload confirms.
		m.watches = append(m.watches, msg.watch)
		m.syncDetail()
		return tea.Batch(m.toasts.Push(toast.OK, text), m.loadStore())
	case needsLogin(msg.err):
		return m.toLogin(msg.err)
	}
	m.log.Info("watching failed", "class", c.ID, "err", msg.err)
	return tea.Batch(m.toasts.Push(toast.Error, fmt.Sprintf(wt.Failed, m.watchWhy(msg.err))), m.loadDay(c.Date))
}

// watchWhy is why AddWatch refused, in member words.
func (m *Model) watchWhy(err error) string {
	wt := m.tx.Watch()
	switch {
	case errors.Is(err, account.ErrClassHasPlaces):
		return wt.HasPlaces
	case errors.Is(err, account.ErrNotOpenYet):
		return wt.NotOpenYet
	case errors.Is(err, account.ErrWatchClosed):
		return wt.Closed
	case errors.Is(err, account.ErrClassStarted):
		return wt.Started
	case errors.Is(err, account.ErrAlreadyIn):
		return wt.AlreadyIn
	case errors.Is(err, account.ErrAlreadyWatched):
		return wt.Already
	case errors.Is(err, account.ErrClassNotFound):
		return wt.NotFound
	}
	return explain(m.tx, err)
}

// watchOf is the live watch of a class of the current box.
func (m *Model) watchOf(c account.ClassView) (session.Watch, bool) {
	for _, w := range m.watches {
		if w.State == session.WatchWatching && w.BoxID == m.box.ID && w.ClassID == c.ID && w.Day == c.Date {
			return w, true
		}
	}
	return session.Watch{}, false
}

// watchWords is the detail's line for a live watch.
func (m *Model) watchWords(w session.Watch) string {
	if w.Book {
		return m.tx.Watch().Books
	}
	return m.tx.Watch().Tells
}

// readWatches is the member's watches when the account service keeps them.
func readWatches(ctx context.Context, acct Account) ([]session.Watch, bool, error) {
	svc, ok := acct.(WatchService)
	if !ok {
		return nil, false, nil
	}
	w, err := svc.Watches(ctx)
	return w, true, err
}
