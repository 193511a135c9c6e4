package scheduler

import (
	"fmt"
	"strings"
	"time"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/outcome"
)

// PlanOccurrence: an occurrence of a weekly plan reached its final state
// (published by the runner that recorded it, once). Outcome is what the
// member is told: booked, fallback_booked, waitlisted, full, failed,
// missed, no_class or cancelled.
type PlanOccurrence struct {
	At      time.Time
	Plan    session.Plan
	Record  session.OccurrenceRecord
	Class   string    // the class of the record's choice
	Start   time.Time // that class's start, in the box's zone
	Outcome string
}

func (e PlanOccurrence) Time() time.Time { return e.At }
func (PlanOccurrence) isEvent()          {}

// String: "every Mon/Wed/Fri 07:00 WOD: booked Wed 9 Dec 07:00".
func (e PlanOccurrence) String() string {
	var what string
	when := e.Start.Format("Mon 2 Jan 15:04")
	switch e.Outcome {
	case "fallback_booked":
		what = "fallback booked: " + e.Class + " " + when
	case "no_class":
		what = "no class " + when
	default:
		what = strings.ReplaceAll(e.Outcome, "_", " ") + " " + when
		if e.Record.Choice > 0 {
			what += " (" + e.Class + ")"
		}
	}
	s := PlanWords(e.Plan) + ": " + what
	if e.Record.Detail != "" {
		s += " — " + e.Record.Detail
	}
	return s
}

// PlanWords names a plan for a member: "every Mon/Wed/Fri 07:00 WOD",
// "every day 07:00 WOD".
func PlanWords(p session.Plan) string {
	if p.Days == session.AllWeekdays {
		return fmt.Sprintf("every day %s %s", p.Time, p.Class)
	}
	days := p.Days.Names()
	for i, d := range days {
		days[i] = strings.ToUpper(d[:1]) + d[1:]
	}
	return fmt.Sprintf("every %s %s %s", strings.Join(days, "/"), p.Time, p.Class)
}

// planOutcome is the member's word for a final state.
func planOutcome(rec session.OccurrenceRecord) string {
	if rec.State == session.OccBooked && rec.Choice > 0 {
		return "fallback_booked"
	}
	return string(rec.State)
}

func planOccurrenceEvent(at time.Time, oc occ) PlanOccurrence {
	ch := oc.choice()
	return PlanOccurrence{At: at, Plan: oc.plan, Record: oc.rec, Class: ch.Class,
		Start: ch.Time.On(oc.o.Day, oc.loc), Outcome: planOutcome(oc.rec)}
}

// planNotification is the notify_command payload of a PlanOccurrence
// (event plan_occurrence).
func planNotification(n Notification, e PlanOccurrence) Notification {
	n.Event, n.Outcome = "plan_occurrence", e.Outcome
	n.PlanID, n.Plan = e.Plan.ID, PlanWords(e.Plan)
	n.Class, n.ClassID, n.boxID = e.Class, e.Record.ClassID, e.Plan.BoxID
	n.Day = e.Record.Day.String()
	n.start = e.Start
	n.Start, n.StartsAt = e.Start.Format("15:04"), e.Start.Format(time.RFC3339)
	n.PrebookingID, n.ReservationID = e.Record.PrebookingID, e.Record.ReservationID
	n.Code, n.Reason = string(e.Record.State), e.Record.Detail
	n.Title = planHead(e.Outcome, outcome.EN) + " (" + PlanWords(e.Plan) + "): " + e.Class + " " + e.Start.Format("Mon 2 Jan 15:04")
	return n
}

// planHeads are the first words of a plan occurrence's notification, by
// language and outcome.
var planHeads = map[outcome.Lang]map[string]string{
	outcome.EN: {
		"booked": "Booked", "fallback_booked": "Fallback booked", "waitlisted": "On the waitlist",
		"full": "Full", "failed": "Not booked", "missed": "Missed", "no_class": "No class",
		"cancelled": "Cancelled by you",
	},
	outcome.ES: {
		"booked": "Reservada", "fallback_booked": "Reservada la alternativa", "waitlisted": "En lista de espera",
		"full": "Completa", "failed": "No reservada", "missed": "Perdida", "no_class": "Sin clase",
		"cancelled": "Cancelada por ti",
	},
}

// planHead is the first words of a plan occurrence's notification; an
// outcome without words is named by its code.
func planHead(o string, lang outcome.Lang) string {
	if h := planHeads[lang][o]; h != "" {
		return h
	}
	return o
}
