package i18n

// PlanFormText is the words of the weekly-plan form beyond the shared
// table's: editing a plan, its fallbacks in order, its from/until dates,
// and pausing every plan at once.
type PlanFormText struct {
	EditTitle  string // %d plan id
	AddAnother string // the fallback chooser once one is chosen
	NoOptions  string // no other class listed that weekday
	NoDate     string // an empty date field: the plan is not bounded
	From       string // row labels
	Until      string

	// Hints, one for the focused row.
	HintDays, HintWaitlist, HintFallback, HintChooser, HintDate, HintFor string

	UntilBeforeFrom  string // %s until, %s from
	UntilBeforeToday string // %s until

	// The plans view.
	Edit, PauseAll, ResumeAll string // the keys' help
	Changed                   string // %d plan id, %s the plan in words
	PauseAllTitle             Plural // %d plans
	PausedAll                 Plural // %d plans, %s from, %s until
	ResumedAll                Plural // %d plans
	ResumeAllTitle            string
	ResumeAllBody             Plural // %[1]d paused plans, %[2]s their pauses ("Mon 21 Dec – Wed 6 Jan, …")
	NothingPaused             string
	NoPlans                   string
}

var englishPlanForm = PlanFormText{
	EditTitle:        "Edit plan #%d",
	AddAnother:       "add another",
	NoOptions:        "no other class listed that day",
	NoDate:           "none",
	From:             "From",
	Until:            "Until",
	HintDays:         "1-7/space tick · ←→ day · enter save · esc cancel",
	HintWaitlist:     "space/w change · enter save · esc cancel",
	HintFallback:     "x remove · shift+↑↓ move · enter save",
	HintChooser:      "←→ choose · + add · enter save · esc cancel",
	HintDate:         "class date, e.g. 21/12 or 2026-12-21; empty: none · enter save",
	HintFor:          "←→ whom the plan books for · enter save · esc cancel",
	UntilBeforeFrom:  "the plan would end (%s) before it starts (%s)",
	UntilBeforeToday: "the plan would end (%s) before today",
	Edit:             "edit",
	PauseAll:         "pause all",
	ResumeAll:        "resume all",
	Changed:          "Plan #%d changed: %s",
	PauseAllTitle:    Plural{"Pause your %d plan", "Pause all %d plans"},
	PausedAll:        Plural{"%d plan paused %s – %s", "%d plans paused %s – %s"},
	ResumedAll:       Plural{"%d plan resumed", "%d plans resumed"},
	ResumeAllTitle:   "Resume every plan",
	ResumeAllBody: Plural{"Resume your %d paused plan? Its pauses (%s) are removed.",
		"Resume all %d paused plans? Their pauses (%s) are removed."},
	NothingPaused: "No plan was paused",
	NoPlans:       "No weekly plans to pause",
}

var spanishPlanForm = PlanFormText{
	EditTitle:        "Editar el plan #%d",
	AddAnother:       "añadir otra",
	NoOptions:        "no hay otra clase ese día",
	NoDate:           "sin fecha",
	From:             "Desde",
	Until:            "Hasta",
	HintDays:         "1-7/espacio marcar · ←→ día · enter guardar · esc cancelar",
	HintWaitlist:     "espacio/w cambiar · enter guardar · esc cancelar",
	HintFallback:     "x quitar · mayús+↑↓ mover · enter guardar",
	HintChooser:      "←→ elegir · + añadir · enter guardar · esc cancelar",
	HintDate:         "fecha de clase, p. ej. 21/12 o 2026-12-21; vacía: sin fecha · enter guardar",
	HintFor:          "←→ para quién reserva el plan · enter guardar · esc cancelar",
	UntilBeforeFrom:  "el plan acabaría (%s) antes de empezar (%s)",
	UntilBeforeToday: "el plan acabaría (%s) antes de hoy",
	Edit:             "editar",
	PauseAll:         "pausar todos",
	ResumeAll:        "reanudar todos",
	Changed:          "Plan #%d cambiado: %s",
	PauseAllTitle:    Plural{"Pausar tu %d plan", "Pausar los %d planes"},
	PausedAll:        Plural{"%d plan en pausa %s – %s", "%d planes en pausa %s – %s"},
	ResumedAll:       Plural{"%d plan reanudado", "%d planes reanudados"},
	ResumeAllTitle:   "Reanudar todos los planes",
	ResumeAllBody: Plural{"¿Reanudar tu %d plan en pausa? Se quitan sus pausas (%s).",
		"¿Reanudar los %d planes en pausa? Se quitan sus pausas (%s)."},
	NothingPaused: "Ningún plan estaba en pausa",
	NoPlans:       "No hay planes semanales que pausar",
}

// PlanForm is the plan form's words in the table's language.
func (t *Text) PlanForm() *PlanFormText {
	if t.Lang == ES {
		return &spanishPlanForm
	}
	return &englishPlanForm
}
