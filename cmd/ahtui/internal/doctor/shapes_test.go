package doctor

import (
	"testing"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// Issue 14: doctor says which of the minority answer shapes it met.
func TestShapesMetAreReported(t *testing.T) {
	_, cfg := fake(t)
	report, _ := run(t, cfg)
	wantCheck(t, report, "AimHarder answer shapes met", "[ok]",
		"login: at the login host's /api/login", "domain: aimharder.com", "setrefresh needed: no")

	f, cfg := fake(t)
	f.SetRefreshRequired(true)
	report, res := run(t, cfg)
	wantResult(t, report, res, Result{})
	wantCheck(t, report, "Classes of", "[ok]", " read")
	wantCheck(t, report, "AimHarder answer shapes met", "[ok]", "setrefresh needed: yes", "checks for it before the opening")

	for _, tc := range []struct {
		shape aimhardertest.RefusalShape
		want  string
	}{
		{aimhardertest.RefusalAuthInfo, "login: refusal shape authOK=false+info"},
		{aimhardertest.Refusal401, "login: refusal shape HTTP 401"},
	} {
		f, cfg := fake(t)
		f.SetLoginRefusalShape(tc.shape)
		cfg.Password = "not-the-password"
		report, _ := run(t, cfg)
		wantCheck(t, report, "Login", "[FAIL]", "AimHarder refused the password")
		wantCheck(t, report, "AimHarder answer shapes met", "[ok]", tc.want)
	}

	f, cfg = fake(t)
	f.RefuseLogin(aimhardertest.DemoEmail, "Cuenta pendiente de verificación")
	report, _ = run(t, cfg)
	wantCheck(t, report, "Login", "[FAIL]", "words ahtui does not know", "will not log in by itself")
}
