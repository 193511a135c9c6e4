package i18n

// WatchText is the words of watching a full class (the a key): the runner
// books the first place that frees, or only tells the member.
type WatchText struct {
	Key         string // the key's help: "watch a full class"
	Title       string // the dialog's title
	Body        string // %s class
	ChoiceBook  string
	ChoiceTell  string
	NoLabel     string
	Added       string // %s class: the watch books
	AddedTell   string // %s class: the watch only tells
	Failed      string // %s why
	NotFull     string // the key on a class that is not full
	Label       string // the detail's label
	Books       string // the detail's line: the watch books
	Tells       string // the detail's line: the watch only tells
	HasPlaces   string
	NotOpenYet  string
	Closed      string
	Started     string
	AlreadyIn   string
	Already     string
	NotFound    string
	Unavailable string // the account service watches nothing
}

var englishWatch = WatchText{
	Key:         "watch",
	Title:       "Watch this full class",
	Body:        "%s is full. When a place frees:",
	ChoiceBook:  "book the first place that frees",
	ChoiceTell:  "only tell me",
	NoLabel:     "don't watch",
	Added:       "Watching %s: the first place that frees is booked for you",
	AddedTell:   "Watching %s: you are told when a place frees",
	Failed:      "Not watched: %s",
	NotFull:     "Only a full class can be watched",
	Label:       "Watching",
	Books:       "books the first free place",
	Tells:       "tells you when a place frees",
	HasPlaces:   "it has free places: book it now",
	NotOpenYet:  "booking is not open yet: prebook it instead",
	Closed:      "booking for that class has closed",
	Started:     "that class has started",
	AlreadyIn:   "you are already in that class",
	Already:     "that class is already watched",
	NotFound:    "that class is no longer in the schedule",
	Unavailable: "watching classes is not available here",
}

var spanishWatch = WatchText{
	Key:         "vigilar",
	Title:       "Vigilar esta clase completa",
	Body:        "%s está completa. Cuando quede una plaza libre:",
	ChoiceBook:  "reservar la primera plaza que quede libre",
	ChoiceTell:  "solo avisarme",
	NoLabel:     "no vigilar",
	Added:       "Vigilando %s: la primera plaza que quede libre se reserva para ti",
	AddedTell:   "Vigilando %s: te avisamos cuando quede una plaza libre",
	Failed:      "No se vigila: %s",
	NotFull:     "Solo se puede vigilar una clase completa",
	Label:       "Vigilando",
	Books:       "reserva la primera plaza libre",
	Tells:       "te avisa cuando quede una plaza libre",
	HasPlaces:   "tiene plazas libres: resérvala ya",
	NotOpenYet:  "la reserva aún no está abierta: mejor prerreservarla",
	Closed:      "la reserva de esa clase ya está cerrada",
	Started:     "esa clase ya ha empezado",
	AlreadyIn:   "ya estás en esa clase",
	Already:     "esa clase ya se está vigilando",
	NotFound:    "esa clase ya no está en el horario",
	Unavailable: "vigilar clases no está disponible aquí",
}

// Watch is the words of watching a full class in the table's language.
func (t *Text) Watch() *WatchText {
	if t.Lang == ES {
		return &spanishWatch
	}
	return &englishWatch
}
