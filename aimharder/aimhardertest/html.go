package aimhardertest

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"strings"
)

// HTML pages. Their markup is invented; only the parts clients read are
// modelled on the protocol: the login form's inputs and #loginErrors
// (docs/protocol.md §2.2), the box links of /home (§4.2), `box: <boid>,` on the schedule
// page (docs/protocol.md §4.2) and the two localStorage assignments of setrefresh (§3.1).

const pageHead = `<!DOCTYPE html>
<html lang="es">
<head>
<meta charset="utf-8">
<title>%s</title>
</head>
<body>
`

const pageFoot = `</body>
</html>
`

func page(title, body string) string {
	return fmt.Sprintf(pageHead, html.EscapeString(title)) + body + pageFoot
}

// loginPage looks like AimHarder's login form; it is also what /api/…
// answers when logged out (docs/protocol.md §3.5) and the FaultLoginPage body.
func loginPage(errMsg string) string {
	return page("Iniciar sesión - AimHarder", `<div class="loginBox">
<form method="post" action="/" id="loginForm">
<input type="hidden" name="loginiframe" value="0">
<input type="hidden" name="loginfingerprint" value="">
<input type="email" name="mail" placeholder="Correo electrónico">
<input type="password" name="pw" placeholder="Contraseña">
<div id="loginErrors">`+html.EscapeString(errMsg)+`</div>
<button type="submit" name="login" value="Iniciar sesión">Iniciar sesión</button>
</form>
</div>
`)
}

var marketingPage = page("AimHarder - Software de gestión para boxes y gimnasios", `<header><a href="https://www.aimharder.com">AimHarder</a></header>
<section class="hero"><h1>El software para tu box</h1>
<p>Reservas, pagos y WODs en una sola aplicación.</p>
<a class="btn" href="https://login.aimharder.com">Acceder</a></section>
`)

var notFoundPage = page("404 - Página no encontrada", "<h1>404</h1><p>La página que buscas no existe.</p>\n")

var methodNotAllowedPage = page("405 - Method Not Allowed", "<h1>405 Method Not Allowed</h1>\n")

// errorPage mimics a load balancer's 5xx page.
func errorPage(status int) string {
	t := fmt.Sprintf("%d %s", status, http.StatusText(status))
	return "<html>\r\n<head><title>" + t + "</title></head>\r\n<body>\r\n<center><h1>" + t + "</h1></center>\r\n</body>\r\n</html>\r\n"
}

var geoBlockPage = page("403 Forbidden", `<h1>403 Forbidden</h1>
<p>Access denied: this service is not available from your location.</p>
<p>Acceso denegado: este servicio no está disponible desde tu ubicación.</p>
`)

var rateLimitPage = page("429 Too Many Requests", `<h1>429 Too Many Requests</h1>
<p>Demasiadas peticiones. Inténtalo de nuevo en unos minutos.</p>
`)

// legacySuccessPage is the legacy form's success on the login host: an
// iframe to setrefresh and a script moving on (docs/protocol.md §2.2). The URL is written
// raw, as pages in the wild do.
func legacySuccessPage(refreshURL, next string) string {
	return page("AimHarder", `<iframe src="`+refreshURL+`" style="display:none" width="0" height="0"></iframe>
<script>
setTimeout(function () { window.location.href = "`+template.JSEscapeString(next)+`"; }, 1500);
</script>
`)
}

// setRefreshPage stores the token and fingerprint in localStorage; an
// empty token gives the page without the assignments (unknown token).
func setRefreshPage(token, fp string) string {
	if token == "" {
		return page("AimHarder", "<script>\nwindow.parent.postMessage(\"norefresh\", \"*\");\n</script>\n")
	}
	return page("AimHarder", `<script>
localStorage.setItem("refreshToken", "`+template.JSEscapeString(token)+`");
localStorage.setItem("fingerprint", "`+template.JSEscapeString(fp)+`");
window.parent.postMessage("refreshed", "*");
</script>
`)
}

// homePage lists the boxes both ways scrapers read them (docs/protocol.md §4.2), plus a
// www link that scrapers must skip.
func homePage(name string, boxes []*box) string {
	var b strings.Builder
	b.WriteString(`<nav><a class="ahLogo" href="https://www.aimharder.com">AimHarder</a> <span class="ahUser">` + html.EscapeString(name) + "</span></nav>\n<ul class=\"ahMenuBoxes\">\n")
	for _, bx := range boxes {
		u := "https://" + bx.cfg.Sub + ".aimharder.com"
		pic := bx.cfg.Pic
		if pic == "" {
			pic = "https://aimharder.com/images/boxes/default.png"
		}
		fmt.Fprintf(&b, "<li><img class=\"ahMenuBoxPic\" src=\"%s\" onclick='window.location.href=\"%s\"'>\n<a class=\"ahMenuBoxName\" href=\"%s\">%s</a></li>\n",
			html.EscapeString(pic), u, u, html.EscapeString(bx.cfg.Name))
	}
	b.WriteString("</ul>\n")
	return page("AimHarder - Inicio", b.String())
}

// schedulePage carries the numeric box id as `box: <boid>,` (docs/protocol.md §4.2).
func schedulePage(b *box) string {
	return page(strings.TrimSpace(b.cfg.Name)+" - Horario", fmt.Sprintf(`<div id="schedule"></div>
<script>
$(function () {
    schedule.init({
        box: %d,
        familyId: '',
        subdomain: '%s'
    });
});
</script>
`, b.cfg.ID, b.cfg.Sub))
}
