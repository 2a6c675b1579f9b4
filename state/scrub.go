package state

import "amlauth-tui/debuglog"

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

// scrub: secret-shaped strings never reach the disk, even if a caller
// slips (JWTs, Authorization values, key, token, secret and password
// members): the debug log's patterns, one set for both.
func scrub(s string) string { return debuglog.RedactShapes(s) }
