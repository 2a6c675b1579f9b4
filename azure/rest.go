package azure

import "strings"

// The REST equivalents the UI shows before a change ("what runs against
// Azure") are built here, from the cloud's own ARM endpoint: sovereign
// clouds (management.usgovcloudapi.net, management.chinacloudapi.cn) and
// the emulator have their own. https://learn.microsoft.com/rest/api/azure/#components-of-a-rest-api-requestresponse
// (the request URI: host, resource path, api-version).

// ARMURL is the absolute URL of an ARM path on this cloud.
func (c Config) ARMURL(path string) string {
	host := strings.TrimRight(c.ARMEndpoint, "/")
	if host == "" {
		host = "https://management.azure.com" // AzureCloud's, when a config names none
	}
	return host + path
}

// RESTText is an ARM request as shown and copied: the method and URL, then
// the body after a blank line.
func (c Config) RESTText(method, path, body string) string {
	s := method + " " + c.ARMURL(path)
	if body != "" {
		s += "\n\n" + body
	}
	return s
}

// EndpointAPIPath is an online endpoint's ARM path with the api-version the
// app itself speaks (armmachinelearning v4).
func EndpointAPIPath(r EndpointRef) string { return endpointPath(r) + "?api-version=" + mlAPIVersion }
