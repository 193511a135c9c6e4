package aimharder

import (
	"net/url"
	"regexp"
	"strings"
)

// DefaultDomain is the domain of the production hosts (docs/protocol.md §1).
// AimHarder also runs deployments on other domains (aimharder.es, [LIVE]):
// an account whose roles name one is served by that domain's login, portal
// and box hosts, and its cookies belong there.
const DefaultDomain = "aimharder.com"

// aimharderDomain is what a role's centre_url may name for ahtui to follow
// it: aimharder.<country or generic TLD>. Anything else is not followed, so
// a strange centre_url can never send credentials to another site.
var aimharderDomain = regexp.MustCompile(`^aimharder\.[a-z]{2,6}$`)

// domainOf returns the AimHarder domain a centre_url such as
// "sample-gym.aimharder.es" names ("aimharder.es"), or "" when it names
// none ahtui follows.
func domainOf(centreURL string) string {
	s := strings.ToLower(strings.TrimSpace(centreURL))
	if _, rest, ok := strings.Cut(s, "://"); ok {
		s = rest
	}
	s, _, _ = strings.Cut(s, "/")
	s, _, _ = strings.Cut(s, ":")
	_, domain, ok := strings.Cut(s, ".")
	if !ok || !aimharderDomain.MatchString(domain) {
		return ""
	}
	return domain
}

// accountDomain is the domain every role that names one names, when it is
// not DefaultDomain; "" otherwise — also for an account with boxes on both
// (each box's calls still go to its own domain, BoxRef.Domain).
func accountDomain(roles []wireRole) string {
	domain := ""
	for _, r := range roles {
		d := domainOf(string(r.CentreURL))
		switch {
		case d == "":
		case domain == "":
			domain = d
		case d != domain:
			return ""
		}
	}
	if domain == DefaultDomain {
		return ""
	}
	return domain
}

// Domain returns the AimHarder domain the client's production hosts are
// on: DefaultDomain unless ForDomain switched it.
func (c *Client) Domain() string { return c.domain }

// ForDomain returns a client for an account on another AimHarder domain
// (docs/protocol.md §1, "`.es` deployment"): every configured URL whose host
// is DefaultDomain or one of its subdomains gets that domain instead, with
// its scheme, port and path kept. URLs that point elsewhere — set with
// --login-url, --portal-url or --box-url (or their AHTUI_*_URL variables)
// to a proxy or the simulator — win and are kept. A domain ahtui does not
// follow ("" included) returns c.
func (c *Client) ForDomain(domain string) *Client {
	domain = strings.ToLower(strings.TrimSpace(domain))
	if !aimharderDomain.MatchString(domain) || domain == c.domain {
		return c
	}
	out := *c
	out.loginURL = swapDomain(c.loginURL, c.domain, domain)
	out.portalURL = swapDomain(c.portalURL, c.domain, domain)
	// The template's {box} is not a valid host character: swap on a sample.
	sample := strings.Replace(c.boxTemplate, boxPlaceholder, "boxplaceholder", 1)
	out.boxTemplate = strings.Replace(swapDomain(sample, c.domain, domain), "boxplaceholder", boxPlaceholder, 1)
	out.domain = domain
	return &out
}

// swapDomain replaces from by to at the end of raw's host, when the host is
// from or a subdomain of it; raw unchanged otherwise.
func swapDomain(raw, from, to string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	host := strings.ToLower(u.Hostname())
	var newHost string
	switch {
	case host == from:
		newHost = to
	case strings.HasSuffix(host, "."+from):
		newHost = strings.TrimSuffix(host, from) + to
	default:
		return raw
	}
	if p := u.Port(); p != "" {
		newHost += ":" + p
	}
	u.Host = newHost
	return u.String()
}

// FollowsDomain reports whether the client would use other hosts for an
// account on domain (its configured URLs are on DefaultDomain's hosts).
func (c *Client) FollowsDomain(domain string) bool {
	d := c.ForDomain(domain)
	return d != c && (d.loginURL != c.loginURL || d.portalURL != c.portalURL || d.boxTemplate != c.boxTemplate)
}

// Hosts returns the three base URLs the client uses (login, portal and the
// box template), for `ahtui doctor` and `ahtui boxes`.
func (c *Client) Hosts() (login, portal, boxTemplate string) {
	return c.loginURL, c.portalURL, c.boxTemplate
}

// boxURLFor is the base URL of a box on its own domain (BoxRef.Domain).
func (c *Client) boxURLFor(box BoxRef) (string, error) {
	return c.ForDomain(box.Domain).BoxURL(box.Subdomain)
}
