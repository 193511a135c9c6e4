package tui

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/dialog"
	"github.com/ahtui/ahtui/tui/toast"
)

// ---- asking how a box opens booking ----
//
// AimHarder's "too early" answer says only "N días", which a box opening
// at a fixed hour N days before says too (docs/protocol.md §9): a rule
// learned from it is an assumption. When `b` meets such an answer (or
// finds a class not open yet under such a rule), the prebook offer also
// asks the member how the box opens: at the class's
// time N days before (sets `box.<sub>.window Nd`), at a fixed hour
// (`Nd@HH:MM`), or "I don't know" (the default: nothing is set and the
// scheduler finds the hour itself, §9.3). It is asked only while the
// member has set no rule for the box and the learned one is unconfirmed,
// and once per box and rule in this process after "I don't know". The
// rule is written like `ahtui config box.<sub>.window` writes it, off the
// update loop; the boxes version brings it to the grid.

// openingAsk travels in the Opening dialog's payload.
type openingAsk struct {
	box     session.Box
	learned string // the assumed rule the answer is about ("4d")
	days    int
	prebook intent
}

// windowSetMsg is the member's rule, written (or not: err).
type windowSetMsg struct {
	box     session.Box
	rule    aimharder.Rule
	answer  dialog.OpeningAnswer
	prebook *intent // to run once the rule is written
	err     error
}

// askOpening opens the prebook offer for class c (opening at opensAt)
// that also asks how the box opens, when the box's rule is an assumed
// "N days" one (learned, not confirmed; the member set none) not answered
// yet; false when there is nothing to ask (the plain offer then).
func (m *Model) askOpening(box session.Box, c account.ClassView, opensAt time.Time, assumed bool, learned string, w who) bool {
	if !assumed || m.cfg.Store == nil || box.MemberRule().Known() {
		return false
	}
	rule, err := aimharder.ParseRule(learned)
	if err != nil || rule.Kind != aimharder.RuleSlidingDays || rule.Days < 1 {
		return false // "0 días" (the same day, at an hour) or hours: nothing to offer
	}
	if m.windowAsked[box.ID] == rule.String() {
		return false
	}
	f, bodyWho := m.forChoice(w), w
	if f != nil {
		bodyWho.set = false // the For line says for whom
	}
	m.opening.Open(dialog.Opening{
		Title: m.tx.ConfirmPrebook,
		Body:  m.prebookBody(c, opensAt, bodyWho),
		Box:   box.Name,
		Days:  rule.Days,
		Payload: openingAsk{box: box, learned: rule.String(), days: rule.Days,
			prebook: intent{kind: doPrebook, class: c, opensAt: opensAt, who: w}},
		For: f,
	})
	return true
}

// onOpening acts on the answer: records the member's rule (then
// prebooks, when asked to), or remembers "I don't know".
func (m *Model) onOpening(msg dialog.OpeningMsg) tea.Cmd {
	ask, ok := msg.Payload.(openingAsk)
	if !ok {
		return nil
	}
	var prebook *intent
	if msg.Prebook {
		prebook = &ask.prebook
		if msg.ForSet {
			prebook.who = who{id: msg.ForID, set: true}
		}
	}
	rule := aimharder.Rule{Kind: aimharder.RuleSlidingDays, Days: ask.days}
	switch msg.Answer {
	case dialog.OpeningFixed:
		rule = aimharder.Rule{Kind: aimharder.RuleFixedHour, Days: ask.days, Hour: msg.Hour, Minute: msg.Minute}
	case dialog.OpeningUnknown:
		if m.windowAsked == nil {
			m.windowAsked = map[int64]string{}
		}
		m.windowAsked[ask.box.ID] = ask.learned
		if prebook != nil {
			return m.run(*prebook)
		}
		return nil
	}
	return m.setWindowCmd(ask.box, rule, msg.Answer, prebook)
}

// setWindowCmd writes the member's rule for the box, as `ahtui config
// box.<sub>.window` does (the text ParseRule reads back).
func (m *Model) setWindowCmd(box session.Box, rule aimharder.Rule, answer dialog.OpeningAnswer, prebook *intent) tea.Cmd {
	st, base, to := m.cfg.Store, m.ctx, m.timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, to)
		defer cancel()
		err := st.SetMemberWindow(ctx, box.ID, rule.String())
		return windowSetMsg{box: box, rule: rule, answer: answer, prebook: prebook, err: err}
	}
}

func (m *Model) onWindowSet(msg windowSetMsg) tea.Cmd {
	tx := m.tx
	var cmds []tea.Cmd
	if msg.err != nil {
		m.log.Warn("could not save the box's booking window", "box", msg.box.Subdomain, "rule", msg.rule.String(), "err", msg.err)
		cmds = append(cmds, m.toasts.Push(toast.Error, fmt.Sprintf(tx.WindowSetFailed, msg.box.Name)))
	} else {
		m.log.Info("member set the box's booking window", "box", msg.box.Subdomain, "rule", msg.rule.String())
		text := fmt.Sprintf(tx.WindowSetSliding, msg.box.Name, tx.Days(msg.rule.Days))
		if msg.answer == dialog.OpeningFixed {
			text = fmt.Sprintf(tx.WindowSetFixed, msg.box.Name, fmt.Sprintf("%02d:%02d", msg.rule.Hour, msg.rule.Minute), tx.Days(msg.rule.Days))
		}
		// The grid shows the new rule at once: the boxes are read again.
		cmds = append(cmds, m.toasts.Push(toast.OK, text), m.checkBoxes(true))
	}
	if msg.prebook != nil {
		cmds = append(cmds, m.run(*msg.prebook))
	}
	return tea.Batch(cmds...)
}
