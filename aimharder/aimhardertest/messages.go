package aimhardertest

import (
	"fmt"

	"github.com/ahtui/ahtui/aimharder"
)

// errorMssgLang keys of −12 rejections (docs/protocol.md §7.2).
const (
	KeyTooEarlyDays  = "ERROR_ANTELACION_CLIENTE"
	KeyTooEarlyHours = "ERROR_ANTELACION_CLIENTE_HORAS"
	KeySameHour      = "NOPUEDESRESERVAMISMAHORA"
	KeyQuota         = "HASSUPERADOLIMITCONTR"
	// KeyClassNotFound is invented by the fake (docs/protocol.md §7.3) so clients meet an
	// unknown key.
	KeyClassNotFound = "ERROR_CLASE_NO_ENCONTRADA"
)

// messages is the errorMssg table per language (the user's, docs/protocol.md §7.3). Texts
// with %d take N. Counts stay plural even for 1: the Catalan "days" pattern
// clients use only knows "dies".
var messages = map[string]map[string]string{
	"es": {
		KeyTooEarlyDays:  "No puedes reservar clases con más de %d días de antelación",  // [LIVE]
		KeyTooEarlyHours: "No puedes reservar clases con más de %d horas de antelación", // [GUESS] per the protocol
		KeySameHour:      "No puedes hacer más de una reserva a la misma hora",          // [LIVE]
		KeyQuota:         "Has superado el límite de reservas de tu tarifa",             // [GUESS] per the protocol
		KeyClassNotFound: "Clase no encontrada",                                         // invented key and text
	},
	"ca": {
		KeyTooEarlyDays:  "No pots reservar classes amb més de %d dies d'antelació",  // [LIVE]
		KeyTooEarlyHours: "No pots reservar classes amb més de %d hores d'antelació", // invented translation
		KeySameHour:      "No pots fer més d'una reserva a la mateixa hora",          // invented translation
		KeyQuota:         "Has superat el límit de reserves de la teva tarifa",       // invented translation
		KeyClassNotFound: "Classe no trobada",                                        // invented translation
	},
	"en": {
		KeyTooEarlyDays:  "You can't book classes with more than %d days of anticipation",  // [LIVE] ending; opening invented
		KeyTooEarlyHours: "You can't book classes with more than %d hours of anticipation", // invented translation
		KeySameHour:      "You can't make more than one booking at the same time",          // invented translation
		KeyQuota:         "You have exceeded the booking limit of your plan",               // invented translation
		KeyClassNotFound: "Class not found",                                                // invented translation
	},
}

func message(lang, key string, n int) string {
	t, ok := messages[lang][key]
	if !ok {
		t = messages["es"][key]
	}
	if n >= 0 {
		return fmt.Sprintf(t, n)
	}
	return t
}

// Cancel texts: cancelState comes "sometimes with errorMssg" (docs/protocol.md §8); these
// are invented.
var cancelMessages = map[string][2]string{
	"es": {"Si cancelas ahora perderás la sesión. ¿Quieres cancelar igualmente?", "No se puede cancelar una clase que ya ha empezado"},
	"ca": {"Si cancel·les ara perdràs la sessió. Vols cancel·lar igualment?", "No es pot cancel·lar una classe que ja ha començat"},
	"en": {"If you cancel now you will lose the session. Cancel anyway?", "A class that has started cannot be cancelled"},
}

var (
	weekdaysES = [...]string{"Domingo", "Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado"}
	monthsES   = [...]string{"", "Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio",
		"Agosto", "Septiembre", "Octubre", "Noviembre", "Diciembre"}
)

// dayLabel is the Spanish day label: "Sábado, 26 de Septiembre de 2026"
// (capitalised weekday and month, "de", no leading zero; docs/protocol.md §10 [GUESS]).
func dayLabel(d aimharder.Date) string {
	return fmt.Sprintf("%s, %d de %s de %d", weekdaysES[d.Weekday()], d.Day, monthsES[d.Month], d.Year)
}

// noStateTexts are the box-rule reasons of a refusal without bookState
// (docs/protocol.md §10B; Shape.RefusalsWithoutState). The shape — HTML, an
// entity, no state — follows the report; every text is invented.
var noStateTexts = map[string]map[int]string{
	"es": {
		BookNoCredit:     "<p>Tu tarifa no te permite reservar esta clase.<br>Consulta con tu centro.</p>",
		BookDailyLimit:   "<p>Has alcanzado el <b>n&uacute;mero m&aacute;ximo</b> de reservas por d&iacute;a (%d).</p>",
		BookRuleRejected: "<p>Has superado el l&iacute;mite de reservas de tu tarifa.</p>",
	},
	"ca": {
		BookNoCredit:     "<p>La teva tarifa no et permet reservar aquesta classe.<br>Consulta-ho amb el teu centre.</p>",
		BookDailyLimit:   "<p>Has arribat al <b>nombre m&agrave;xim</b> de reserves per dia (%d).</p>",
		BookRuleRejected: "<p>Has superat el l&iacute;mit de reserves de la teva tarifa.</p>",
	},
	"en": {
		BookNoCredit:     "<p>Your plan does not allow you to book this class.<br>Ask your gym.</p>",
		BookDailyLimit:   "<p>You have reached the <b>maximum number</b> of bookings per day (%d).</p>",
		BookRuleRejected: "<p>You have exceeded the booking limit of your plan.</p>",
	},
}

// noStateRefusal is the errorMssg of a box-rule refusal without bookState;
// ok is false for answers that keep their state (only the plan quota of the
// −12 answers is a box rule here).
func noStateRefusal(lang string, code int, extra []field, maxPerDay int) (string, bool) {
	if code == BookRuleRejected {
		key := ""
		for _, f := range extra {
			if f.key == "errorMssgLang" {
				key = fmt.Sprint(f.value)
			}
		}
		if key != KeyQuota {
			return "", false
		}
	}
	texts, ok := noStateTexts[lang]
	if !ok {
		texts = noStateTexts["es"]
	}
	t := texts[code]
	if code == BookDailyLimit {
		t = fmt.Sprintf(t, maxPerDay)
	}
	return t, true
}

// cancelNoStateText is the reason of a cancel refused without cancelState
// (docs/protocol.md §10B); invented.
var cancelNoStateText = map[string]string{
	"es": "<div class=\"alert\">No se puede cancelar: la clase ya ha empezado</div>",
	"ca": "<div class=\"alert\">No es pot cancel&middot;lar: la classe ja ha comen&ccedil;at</div>",
	"en": "<div class=\"alert\">It cannot be cancelled: the class has started</div>",
}
