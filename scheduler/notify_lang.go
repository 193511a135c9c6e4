package scheduler

import (
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/outcome"
)

// Notifications speak the member's language, chosen by the rule the TUI
// follows (outcome.DetectLang): the `language` setting, else the runner's
// locale (LC_ALL, LC_MESSAGES, LANG), else English. notificationOf writes
// them in English; localize rewrites the title and the reason just
// before the run. The event line (Message) stays the log's, in English.

// notifyLang reads the member's language for a notification.
func notifyLang(setting string, getenv func(string) string) outcome.Lang {
	if getenv == nil {
		getenv = os.Getenv
	}
	return outcome.DetectLang(setting, getenv)
}

// localize writes note's title and reason in lang, its times in loc.
func (n *Notification) localize(lang outcome.Lang, loc *time.Location) {
	n.Lang = string(lang)
	if lang != outcome.ES || n.ev == nil {
		return
	}
	if loc == nil {
		loc = time.UTC
	}
	when := func(t time.Time) string { return spanishTime(t.In(loc)) }
	class := func(p session.Prebooking) string {
		name := p.ClassName
		if name == "" {
			name = "clase " + strconv.FormatInt(p.ClassID, 10)
		}
		if p.ClassStart.IsZero() {
			return name
		}
		return name + " " + when(p.ClassStart)
	}
	prebooking := func(p session.Prebooking) {
		n.Reason = outcome.Reason(string(p.Status), p.OutcomeCode, p.OutcomeMessage, outcome.ES)
	}
	switch e := n.ev.(type) {
	case PrebookingOutcome:
		prebooking(e.Prebooking)
		late := spanishLateness(e.Prebooking)
		switch e.Prebooking.Status {
		case session.PrebookBooked:
			n.Title = capitalize(outcome.Booked.Words(outcome.ES)) + late + ": "
		case session.PrebookWaitlisted:
			n.Title = capitalize(outcome.Waitlisted.Words(outcome.ES)) + late + ": "
		default:
			n.Title = "Prerreserva fallida" + late + ": "
		}
		n.Title += class(e.Prebooking)
	case PrebookingNotStored:
		prebooking(e.Prebooking)
		n.Title = "Resultado no guardado (" + spanishStatus(e.Prebooking.Status) + "): " + class(e.Prebooking)
	case WindowRuleWrong:
		n.Title = "La regla de apertura de " + e.Box + " no es la correcta: AimHarder dice " + e.ServerRule
	case ZoneSuspected:
		n.Title = "La zona horaria de " + e.Box + " parece errónea: abrió " + strconv.Itoa(e.Hours) + " h más tarde de lo calculado"
	case PrebookingMissed:
		prebooking(e.Prebooking)
		n.Title = "Prerreserva perdida: " + class(e.Prebooking)
	case PrebookingLate:
		prebooking(e.Prebooking)
		n.Title = "Disparando con retraso: " + class(e.Prebooking)
	case SessionDead:
		n.Title = "Sesión de AimHarder caducada: las prerreservas necesitan iniciar sesión"
	case HealthWarning:
		if e.Resolved {
			n.Title = "Las prerreservas ya no están en riesgo"
		} else {
			n.Title = "Prerreservas en riesgo: inicia sesión en ahtui"
		}
	case PlanOccurrence:
		n.Title = planHead(e.Outcome, outcome.ES) + " (" + spanishPlanWords(e.Plan) + "): " + e.Class + " " + when(e.Start)
	case ClassWatchOutcome:
		w := e.Watch
		switch e.Outcome {
		case WatchOutcomeBooked:
			n.Title = "Reservada una plaza liberada: "
		case WatchOutcomePlaceFree:
			n.Title = "Hay una plaza libre: "
		default:
			n.Title = "Vigilancia terminada: "
		}
		name := w.ClassName
		if name == "" {
			name = "clase " + strconv.FormatInt(w.ClassID, 10)
		}
		if w.ClassStart.IsZero() {
			n.Title += name + " " + w.Day.String()
		} else {
			n.Title += name + " " + when(w.ClassStart)
		}
	}
}

var (
	spanishWeekdays = [7]string{"dom", "lun", "mar", "mié", "jue", "vie", "sáb"}
	spanishMonths   = [12]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"}
)

// spanishTime is "Mon 2 Jan 15:04" in Spanish: "lun 23 nov 07:00".
func spanishTime(t time.Time) string {
	return spanishWeekdays[t.Weekday()] + " " + strconv.Itoa(t.Day()) + " " + spanishMonths[t.Month()-1] + " " + t.Format("15:04")
}

// spanishPlanWords is PlanWords in Spanish: "cada lun/mié 07:00 WOD",
// "todos los días 18:30 Yoga" (the class name stays the box's).
func spanishPlanWords(p session.Plan) string {
	if p.Days == session.AllWeekdays {
		return "todos los días " + p.Time.String() + " " + p.Class
	}
	var days []string
	for i := range 7 {
		if d := time.Weekday((i + 1) % 7); p.Days.Has(d) { // Monday first
			days = append(days, spanishWeekdays[d])
		}
	}
	return "cada " + strings.Join(days, "/") + " " + p.Time.String() + " " + p.Class
}

// spanishLateness is Prebooking.Lateness in Spanish, with its leading
// space: " con retraso", " con 1.4 s de retraso"; "" when on time.
func spanishLateness(p session.Prebooking) string {
	l := p.Lateness()
	switch {
	case l == "":
		return ""
	case l == "late":
		return " con retraso"
	}
	return " con " + strings.TrimSuffix(l, " late") + " de retraso"
}

// capitalize raises the first letter of words.
func capitalize(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

func spanishStatus(s session.PrebookingStatus) string {
	switch s {
	case session.PrebookBooked:
		return outcome.Booked.Words(outcome.ES)
	case session.PrebookWaitlisted:
		return outcome.Waitlisted.Words(outcome.ES)
	case session.PrebookFailed:
		return "fallida"
	case session.PrebookMissed:
		return "perdida"
	}
	return string(s)
}
