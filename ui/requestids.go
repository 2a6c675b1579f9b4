package ui

import "amlauth-tui/azure"

// requestIDs are the ids Azure gave a failed request, as lines to show and
// copy ("" when the error carries none): a support ticket asks for them.
func requestIDs(err error) string {
	req, corr := azure.RequestIDs(err)
	out := ""
	if req != "" {
		out += "request id (x-ms-request-id): " + req
	}
	if corr != "" {
		if out != "" {
			out += "\n"
		}
		out += "correlation id (x-ms-correlation-request-id): " + corr
	}
	return out
}
