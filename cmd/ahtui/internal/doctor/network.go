package doctor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// What the blocks and server trouble mean, shared with the protocol checks.
const (
	geoBlockMeaning = "AimHarder refused connections from this network (HTTP 403). It refuses some networks — " +
		"US and many cloud servers, CI runners and VPNs were refused, some French hosts were not — so it is not " +
		"simply the country. Run ahtui from another connection (a home connection works), or set HTTPS_PROXY " +
		"to a proxy on another network"
	rateLimitMeaning = "AimHarder is limiting requests from this connection (HTTP 429): wait some minutes and " +
		"make sure no other program is hammering it"
	serverTroubleMeaning = "AimHarder is having trouble (HTTP %d): not a problem on your side; try again later"
	changedMeaning       = "AimHarder answered in a way ahtui does not understand: it may have changed. " +
		"Please report it with this report"
	pageMeaning = "AimHarder answered with a web page instead of data, although whoami says the session is alive: " +
		"it may be busy or under maintenance (ahtui retries such answers and never takes them for a logout). " +
		"If it lasts, please report it with this report"
)

// endpoint is one configured base URL and the roles it plays.
type endpoint struct {
	roles []string
	base  string // URL to HEAD
	u     *url.URL
}

func (e endpoint) hostPort() string {
	port := e.u.Port()
	if port == "" {
		port = "80"
		if e.u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(e.u.Hostname(), port)
}

// endpoints lists the configured bases, merged when they share a URL.
func (d *Doctor) endpoints() ([]endpoint, error) {
	boxBase, err := d.client.BoxURL(d.boxSub())
	if err != nil {
		return nil, err
	}
	var out []endpoint
	for _, b := range []struct{ role, base string }{{"login", d.cfg.Client.LoginURL}, {"portal", d.cfg.Client.PortalURL}, {"box", boxBase}} {
		u, err := url.Parse(strings.TrimRight(b.base, "/"))
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("the %s URL %q is not a URL", b.role, b.base)
		}
		u.User = nil // a URL with a password in it is not for a report
		i := slices.IndexFunc(out, func(e endpoint) bool { return e.base == u.String() })
		if i >= 0 {
			out[i].roles = append(out[i].roles, b.role)
			continue
		}
		out = append(out, endpoint{roles: []string{b.role}, base: u.String(), u: u})
	}
	return out, nil
}

// checkNetwork resolves and connects to every host once, then asks every
// base URL for an HTTP answer.
func (d *Doctor) checkNetwork(ctx context.Context) {
	eps, err := d.endpoints()
	if err != nil {
		d.emit(checkFail, "Endpoints", []string{err.Error()}, "fix --login-url, --portal-url or --box-url (or the AHTUI_*_URL variables)")
		return
	}
	// Name resolution and connection once per host:port.
	seen := map[string]bool{}
	for _, ep := range eps {
		hp := ep.hostPort()
		if seen[hp] {
			continue
		}
		seen[hp] = true
		var roles []string
		for _, other := range eps {
			if other.hostPort() == hp {
				roles = append(roles, other.roles...)
			}
		}
		label := ep.u.Hostname() + " (" + strings.Join(roles, ", ") + ")"
		if !d.checkDNS(ctx, ep.u.Hostname(), label) {
			d.emit(checkSkip, "Connection to "+label, []string{"the name did not resolve"}, "")
			continue
		}
		d.checkConnection(ctx, ep, hp, label)
	}
	for _, ep := range eps {
		d.checkHTTP(ctx, ep)
	}
}

func (d *Doctor) checkDNS(ctx context.Context, host, label string) bool {
	title := "Name resolution of " + label
	if ip := net.ParseIP(host); ip != nil {
		d.emit(checkOK, title, []string{"an IP address: nothing to resolve"}, "")
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, dnsTimeout)
	defer cancel()
	start := time.Now()
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	took := roundTook(time.Since(start))
	if err != nil {
		var dnsErr *net.DNSError
		meaning := "this machine cannot look up AimHarder's servers: check its internet connection and DNS settings"
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			meaning = "the name does not exist: check the URL settings, or your DNS (a filter may block it)"
		}
		d.emit(checkFail, title, []string{"lookup failed: " + err.Error()}, meaning)
		return false
	}
	var v4, v6 []string
	for _, a := range addrs {
		if a.IP.To4() != nil {
			v4 = append(v4, a.IP.String())
		} else {
			v6 = append(v6, a.IP.String())
		}
	}
	shown := append(slices.Clone(v4), v6...)
	if len(shown) > 4 {
		shown = append(shown[:4], "…")
	}
	d.emit(checkOK, title, []string{fmt.Sprintf("%d IPv4 and %d IPv6 addresses in %s: %s", len(v4), len(v6), took, strings.Join(shown, ", "))}, "")
	return true
}

func (d *Doctor) checkConnection(ctx context.Context, ep endpoint, hp, label string) {
	title := "Connection to " + label
	dialer := net.Dialer{Timeout: dialTimeout}
	start := time.Now()
	conn, err := dialer.DialContext(ctx, "tcp", hp)
	if err != nil {
		d.emit(checkFail, title, []string{"cannot connect to " + hp + ": " + err.Error()},
			"no connection to AimHarder: check the internet connection or a firewall; if the rest of the internet works, AimHarder may be down")
		return
	}
	defer conn.Close()
	details := []string{fmt.Sprintf("TCP %s connected in %s", hp, roundTook(time.Since(start)))}
	if ep.u.Scheme != "https" {
		d.emit(checkOK, title, append(details, "plain HTTP: no TLS to check"), "")
		return
	}
	st, detail, meaning := d.checkTLS(ctx, conn, ep.u.Hostname())
	d.emit(st, title, append(details, detail...), meaning)
}

// checkTLS shakes hands on conn and describes the certificate.
func (d *Doctor) checkTLS(ctx context.Context, conn net.Conn, host string) (checkStatus, []string, string) {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	tc := tls.Client(conn, &tls.Config{ServerName: host, RootCAs: d.cfg.RootCAs, MinVersion: tls.VersionTLS12})
	if err := tc.HandshakeContext(ctx); err != nil {
		meaning := "the secure connection failed: something between this machine and AimHarder (a company proxy, " +
			"an antivirus, a captive Wi-Fi portal) intercepts it, or this machine's clock is far off"
		var unknown x509.UnknownAuthorityError
		var invalid x509.CertificateInvalidError
		switch {
		case errors.As(err, &unknown):
			meaning = "the certificate is not from an authority this machine trusts: something between this machine and " +
				"AimHarder (a company proxy, an antivirus, a captive Wi-Fi portal) intercepts the connection"
		case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
			meaning = "the certificate is expired or not valid yet: check this machine's date and time"
		}
		return checkFail, []string{"TLS handshake failed: " + err.Error()}, meaning
	}
	cs := tc.ConnectionState()
	if len(cs.PeerCertificates) == 0 {
		return checkFail, []string{"TLS: no certificate"}, "AimHarder's server sent no certificate"
	}
	cert := cs.PeerCertificates[0]
	subject := cert.Subject.CommonName
	if subject == "" && len(cert.DNSNames) > 0 {
		subject = cert.DNSNames[0]
	}
	issuer := cert.Issuer.CommonName
	if len(cert.Issuer.Organization) > 0 {
		issuer = cert.Issuer.Organization[0] + " " + issuer
	}
	left := cert.NotAfter.Sub(d.cfg.Now())
	line := fmt.Sprintf("%s, certificate for %s (%d names) by %s, valid until %s (%d days)",
		tls.VersionName(cs.Version), subject, len(cert.DNSNames), strings.TrimSpace(issuer),
		cert.NotAfter.UTC().Format("2006-01-02"), int(left.Hours()/24))
	if left < certSoon {
		return checkWarn, []string{line}, "AimHarder's certificate expires soon: if it lapses, nothing can connect until they renew it"
	}
	return checkOK, []string{line}, ""
}

// checkHTTP asks for the root of a base URL the way a browser would:
// any answer will do, except the blocks.
func (d *Doctor) checkHTTP(ctx context.Context, ep endpoint) {
	title := "HTTP answer of " + ep.base + " (" + strings.Join(ep.roles, ", ") + ")"
	hc := &http.Client{Transport: d.transport, Timeout: httpTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, ep.base+"/", nil)
	if err != nil {
		d.emit(checkFail, title, []string{err.Error()}, "this URL setting is not valid: fix --login-url, --portal-url or --box-url")
		return
	}
	req.Header.Set("User-Agent", aimharder.DefaultUserAgent)
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		d.emit(checkFail, title, []string{"no answer: " + redactURLError(err)},
			"AimHarder did not answer: check the internet connection; if the checks above passed, AimHarder may be down")
		return
	}
	resp.Body.Close()
	detail := []string{fmt.Sprintf("HTTP %d in %s", resp.StatusCode, roundTook(time.Since(start)))}
	switch {
	case resp.StatusCode == http.StatusForbidden:
		d.emit(checkFail, title, detail, geoBlockMeaning)
	case resp.StatusCode == http.StatusTooManyRequests:
		d.emit(checkFail, title, detail, rateLimitMeaning)
	case resp.StatusCode >= 500:
		d.emit(checkFail, title, detail, fmt.Sprintf(serverTroubleMeaning, resp.StatusCode))
	default:
		d.emit(checkOK, title, detail, "")
	}
}
