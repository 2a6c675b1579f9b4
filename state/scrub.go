package state

import "regexp"

// Secret-shaped strings never reach the disk, even if a caller slips: JWTs,
// Authorization headers and key/secret fields in bodies.
var secretShapes = []*regexp.Regexp{
	regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`),
	regexp.MustCompile(`(?i)(authorization\s*[:=]\s*)("?)(bearer\s+)?[^\s"]+`),
	regexp.MustCompile(`(?i)("(?:primaryKey|secondaryKey|accessToken|access_token|refresh_token|client_secret|keyValue)"\s*:\s*")[^"]*`),
}

// Scrub removes secret-shaped strings from bodies and history (for data
// that did not come through SaveBody/AppendHistory).
func Scrub(d *Data) {
	for k, v := range d.Bodies {
		d.Bodies[k] = scrub(v)
	}
	for k, h := range d.History {
		for i := range h {
			h[i].RequestBody = scrub(h[i].RequestBody)
			h[i].ResponseBody = scrub(h[i].ResponseBody)
			h[i].Error = scrub(h[i].Error)
		}
		d.History[k] = h
	}
}

func scrub(s string) string {
	s = secretShapes[0].ReplaceAllString(s, "[REDACTED]")
	s = secretShapes[1].ReplaceAllString(s, "${1}${2}[REDACTED]")
	return secretShapes[2].ReplaceAllString(s, "${1}[REDACTED]")
}
