package i18n

// AgendaText is the words of the agenda ("my classes": what the member has
// booked, is waiting for, prebooked or planned, day by day). It lives apart
// from Text so the agenda can grow without touching the shared table.
type AgendaText struct {
	Key   string // the key's help ("my classes")
	Title string // %s first day, %s last day
	Empty string // %s last day
	// EmptyHint says how to fill it.
	EmptyHint   string
	Loading     string
	Failed      string // %s what went wrong
	Unavailable string // the account service cannot build an agenda
	Today       string
	Tomorrow    string

	// State words (NO_COLOR reads them with the markers).
	Booked, Waitlisted, Prebooked, Planned string

	FreeCancelUntil    string // %s time ("17:00", or "Wed 17:00" on another day)
	LateCancelNow      string
	WaitlistPosition   string // %d position on the waitlist
	Waiting            string // %d people on the waitlist (the member among them)
	PlanNumber         string // %d plan id
	OtherBox           string // %s box name: enter/c on a class of a box not shown
	NothingToCancel    string
	CancelNotHere      string // %s box name: cancel from the week of that box
	OtherPerson        string // cancelling a place held for another person than the one chosen in B
	Holder             string // the account holder, in an entry's words
	UnprebookFromHere  string // cancelling a prebooking from the agenda
	PlannedNotBookable string // c on a plan occurrence: skip it in W instead

	// Help.
	Open, Cancel string
}

var englishAgenda = AgendaText{
	Key:                "my classes",
	Title:              "My classes · %s – %s",
	Empty:              "Nothing booked, waitlisted, prebooked or planned until %s.",
	EmptyHint:          "Book with b in the week (esc), or plan with w.",
	Loading:            "reading your classes…",
	Failed:             "Could not read your classes: %s",
	Unavailable:        "This ahtui cannot list your classes yet.",
	Today:              "today",
	Tomorrow:           "tomorrow",
	Booked:             "booked",
	Waitlisted:         "waitlist",
	Prebooked:          "prebooked",
	Planned:            "planned",
	FreeCancelUntil:    "free cancel until %s",
	LateCancelNow:      "late cancel now: the credit is lost",
	WaitlistPosition:   "#%d on the waitlist",
	Waiting:            "%d waiting",
	PlanNumber:         "plan #%d",
	OtherBox:           "That class is at %s: switching box.",
	NothingToCancel:    "Nothing to cancel here.",
	CancelNotHere:      "That class is at %s: press enter to show it, then c.",
	OtherPerson:        "That place is not for the person chosen now: choose them with B, then c.",
	Holder:             "for you",
	UnprebookFromHere:  "remove prebooking",
	PlannedNotBookable: "A plan's day is skipped from the plans (W), with s.",
	Open:               "show in week",
	Cancel:             "cancel",
}

var spanishAgenda = AgendaText{
	Key:                "mis clases",
	Title:              "Mis clases · %s – %s",
	Empty:              "Nada reservado, en espera, prerreservado ni planificado hasta el %s.",
	EmptyHint:          "Reserva con b en la semana (esc), o planifica con w.",
	Loading:            "leyendo tus clases…",
	Failed:             "No se pudieron leer tus clases: %s",
	Unavailable:        "Este ahtui todavía no puede listar tus clases.",
	Today:              "hoy",
	Tomorrow:           "mañana",
	Booked:             "reservada",
	Waitlisted:         "en espera",
	Prebooked:          "prerreservada",
	Planned:            "planificada",
	FreeCancelUntil:    "cancelación gratis hasta las %s",
	LateCancelNow:      "cancelar ahora pierde el crédito",
	WaitlistPosition:   "nº %d en la lista de espera",
	Waiting:            "%d esperando",
	PlanNumber:         "plan nº %d",
	OtherBox:           "Esa clase es en %s: cambiando de box.",
	NothingToCancel:    "Aquí no hay nada que cancelar.",
	CancelNotHere:      "Esa clase es en %s: pulsa enter para verla y luego c.",
	OtherPerson:        "Esa plaza no es de la persona elegida ahora: elígela con B y luego c.",
	Holder:             "para ti",
	UnprebookFromHere:  "quitar prerreserva",
	PlannedNotBookable: "El día de un plan se salta desde los planes (W), con s.",
	Open:               "ver en la semana",
	Cancel:             "cancelar",
}

// Agenda is the agenda's words in the table's language.
func (t *Text) Agenda() *AgendaText {
	if t.Lang == ES {
		return &spanishAgenda
	}
	return &englishAgenda
}
