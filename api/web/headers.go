package web

import "net/http"

// ContentSecurityPolicy is the CSP of every page and file the web app
// serves: its own scripts only (no inline script, no eval), inline styles
// (bpmn-js and form-js set style attributes), images and fonts from itself
// or data: URLs, calls to its own origin only, and never in a frame.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// secure sets the security headers of the web app's answers.
func secure(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
}
