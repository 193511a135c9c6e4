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
