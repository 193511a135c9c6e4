package outcome

// Lang is a language ahtui speaks: the same values as the TUI's language
// setting.
type Lang string

const (
	EN Lang = "en"
	ES Lang = "es"
)

// Words says c in lang, without the detail an error may carry (Explain
// adds it). An unknown code (a row written by a newer ahtui) is said as is.
func (c Code) Words(lang Lang) string {
	w, ok := words[c]
	if !ok {
		return string(c)
	}
	return w.pick(lang)
}

type pair struct{ en, es string }

func (p pair) pick(lang Lang) string {
	if lang == ES && p.es != "" {
		return p.es
	}
	return p.en
}

// words: each code in a member's words. Refusals say what AimHarder
// refused; AimHarder's own words follow them where it sent some.
var words = map[Code]pair{
	Booked:     {"booked", "reservada"},
	Waitlisted: {"on the waitlist", "en lista de espera"},
	AlreadyBooked: {"AimHarder shows you booked in this class",
		"AimHarder te muestra reservado en esta clase"},
	AlreadyUnconfirmed: {"AimHarder said you are already booked at that time, but the day could not be read to confirm it is this class: check your bookings in AimHarder",
		"AimHarder dijo que ya tienes reserva a esa hora, pero no se pudo leer el día para confirmar que es esta clase: revisa tus reservas en AimHarder"},
	WaitlistUnsettled: {"AimHarder's answer means the waitlist, but it has meant a place too, and the day could not be read to tell which: check your bookings in AimHarder",
		"la respuesta de AimHarder indica lista de espera, pero a veces ha sido una plaza, y no se pudo leer el día para saberlo: revisa tus reservas en AimHarder"},
	Unconfirmed: {"an earlier attempt got no clear answer and the day could not be read to check it: check in AimHarder whether you are booked",
		"un intento anterior no tuvo respuesta clara y no se pudo leer el día para comprobarlo: mira en AimHarder si tienes reserva"},
	Missed: {"its booking window opened while no ahtui was running to fire it, and the class has started",
		"su reserva abrió sin ningún ahtui en marcha para dispararla, y la clase ya ha empezado"},

	TooEarly:       {"booking for this class is not open yet", "la reserva de esta clase aún no está abierta"},
	Full:           {"the class is full", "la clase está completa"},
	NoCredit:       {"your plan has no credit for this class", "tu tarifa no tiene crédito para esta clase"},
	PaymentPending: {"you have a payment pending with your box", "tienes un pago pendiente con tu box"},
	TooLate:        {"it is too close to the start to book", "falta demasiado poco para el inicio para reservar"},
	DailyLimit:     {"you reached your box's daily booking limit", "has llegado al límite diario de reservas de tu box"},
	Quota:          {"your plan's booking quota is used up", "has agotado las reservas de tu tarifa"},
	SameHour:       {"you are already booked at that time", "ya tienes una reserva a esa hora"},
	RefusedBoxRule: {"AimHarder refused it", "AimHarder lo rechazó"},
	Refused:        {"AimHarder refused it", "AimHarder lo rechazó"},
	CancelRefused:  {"AimHarder did not cancel it", "AimHarder no la canceló"},
	CancelNoop: {"AimHarder answered the cancel, but the booking is still there",
		"AimHarder respondió a la cancelación, pero la reserva sigue ahí"},

	NoClass:      {"that class is no longer in the schedule", "esa clase ya no está en el horario"},
	ClassStarted: {"that class has already started", "esa clase ya ha empezado"},
	ClassEnded:   {"that class has already ended", "esa clase ya ha terminado"},
	NotBooked:    {"you have no booking for that class", "no tienes reserva en esa clase"},
	AlreadyIn:    {"you are already in that class", "ya estás en esa clase"},
	Duplicate:    {"that class is already prebooked", "esa clase ya está prerreservada"},
	NotPending:   {"that prebooking already fired or was removed", "esa prerreserva ya se disparó o se quitó"},
	LateCancel: {"this class starts too soon for a free cancel: cancelling now loses the class credit",
		"esta clase empieza demasiado pronto para cancelar gratis: cancelar ahora pierde el crédito de la clase"},
	Uncertain: {"AimHarder did not answer clearly and the day could not be checked: it may have gone through — check before trying again",
		"AimHarder no respondió con claridad y no se pudo comprobar el día: puede haberse hecho — compruébalo antes de volver a intentarlo"},
	Error: {"something went wrong (details are in the log)", "algo falló (los detalles están en el log)"},

	NotLoggedIn:     {"you are not logged in", "no has iniciado sesión"},
	SessionDead:     {"your AimHarder session has expired: log in again", "tu sesión de AimHarder ha caducado: vuelve a iniciar sesión"},
	LoggedOut:       {"AimHarder ended the session during the fire and logging in again failed", "AimHarder cerró la sesión durante el disparo y no se pudo volver a iniciarla"},
	NoSession:       {"the background session could not be used: log in again", "no se pudo usar la sesión en segundo plano: vuelve a iniciar sesión"},
	PasswordRefused: {"wrong e-mail or password", "correo o contraseña incorrectos"},
	LockedOut:       {"too many failed attempts: AimHarder locked the login for a while", "demasiados intentos fallidos: AimHarder ha bloqueado el acceso un rato"},
	LoginRefused:    {"AimHarder refused the login", "AimHarder rechazó el inicio de sesión"},

	GeoBlocked: {"AimHarder refused connections from this network (HTTP 403), as it does for many cloud servers and VPNs: use another connection, or set HTTPS_PROXY to a proxy on another network",
		"AimHarder rechazó las conexiones desde esta red (HTTP 403), como hace con muchos servidores en la nube y VPN: usa otra conexión, o pon en HTTPS_PROXY un proxy de otra red"},
	RateLimited:   {"AimHarder is limiting requests (HTTP 429): wait a few minutes", "AimHarder está limitando las peticiones (HTTP 429): espera unos minutos"},
	ServerTrouble: {"AimHarder is having trouble: try again in a moment", "AimHarder tiene problemas: inténtalo en un momento"},
	UnexpectedPage: {"AimHarder gave an unexpected answer (a web page instead of data), perhaps while busy: your session is fine — try again in a moment",
		"AimHarder dio una respuesta inesperada (una página web en vez de datos), quizá por estar saturado: tu sesión sigue bien — inténtalo en un momento"},
	UnreadableAnswer: {"AimHarder sent an answer ahtui does not understand; details are in the log",
		"AimHarder envió una respuesta que ahtui no entiende; los detalles están en el log"},
	Network:    {"could not reach AimHarder: check the internet connection", "no se pudo conectar con AimHarder: revisa la conexión a internet"},
	NetCut:     {"the connection to AimHarder was cut before it answered: try again in a moment", "la conexión con AimHarder se cortó antes de la respuesta: inténtalo en un momento"},
	NetTimeout: {"AimHarder did not answer in time: it may be busy, or the connection is slow", "AimHarder no respondió a tiempo: puede estar saturado, o la conexión es lenta"},
	NetRefused: {"AimHarder's server did not accept the connection: it may be down, or a firewall or proxy is in the way",
		"el servidor de AimHarder no aceptó la conexión: puede estar caído, o un cortafuegos o proxy se interpone"},
	NetDNS: {"could not find AimHarder on the internet (name lookup failed): check the internet connection",
		"no se encontró AimHarder en internet (falló la resolución del nombre): revisa la conexión a internet"},
	NetTLS: {"the secure connection to AimHarder failed: a proxy or firewall may be intercepting it, or the clock is wrong",
		"falló la conexión segura con AimHarder: un proxy o cortafuegos puede estar interceptándola, o la hora del equipo es incorrecta"},
	Interrupted: {"interrupted before AimHarder answered", "interrumpido antes de que AimHarder respondiera"},

	DatabaseLocked: {"the database is locked by another program (perhaps another ahtui, a backup or sqlite3): try again in a moment",
		"otro programa (quizá otro ahtui, una copia de seguridad o sqlite3) tiene bloqueada la base de datos: inténtalo en un momento"},
	ReadOnly: {"the database cannot be written: check its permissions", "no se puede escribir en la base de datos: revisa sus permisos"},
	DiskFull: {"the disk is full: that change was not saved (everything saved before is intact) — free some space and try again",
		"el disco está lleno: ese cambio no se guardó (lo guardado antes está intacto) — libera espacio y vuelve a intentarlo"},
	DatabaseDamaged: {"ahtui's database is damaged: quit, move the file aside and log in again (details are in the log)",
		"la base de datos de ahtui está dañada: sal, aparta el archivo y vuelve a iniciar sesión (detalles en el log)"},
	NewerSchema: {"ahtui's database was written by a newer ahtui: run the newer ahtui, or upgrade this one",
		"la base de datos la escribió un ahtui más nuevo: usa ese ahtui o actualiza este"},
}

// Says quotes AimHarder's own words after ahtui's: `AimHarder says: "…"`.
func Says(lang Lang, message string) string {
	if lang == ES {
		return `AimHarder dice: "` + message + `"`
	}
	return `AimHarder says: "` + message + `"`
}

// Stored words a stored outcome: the code in lang, then AimHarder's own
// words when it sent some. Rows written before codes were typed may hold
// an English sentence of ahtui's as the message: it is shown as it is.
func Stored(code, message string, lang Lang) string {
	c := Parse(code)
	if !c.Known() {
		return message
	}
	w := c.Words(lang)
	if message != "" {
		w += " — " + Says(lang, message)
	}
	return w
}

// Reason words a prebooking's stored outcome beside its status (booked,
// failed…): the code's words when they say more than the status, then
// AimHarder's own words. "" when there is nothing to add to the status.
func Reason(status, code, message string, lang Lang) string {
	if c := Parse(code); c == "" || (code == status && (c == Booked || c == Waitlisted)) {
		if message == "" {
			return ""
		}
		return `"` + message + `"` // AimHarder's, quoted as elsewhere
	}
	return Stored(code, message, lang)
}
