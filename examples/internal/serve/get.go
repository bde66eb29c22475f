package serve

import (
	"io"
	"net/http"
)

// Get asks url with a GET and returns the response with its whole body,
// read and closed. It stops the test when the request or the read fails.
func Get(t T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	Check(t, "GET "+url, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	Check(t, "GET "+url+": read body", err)
	return resp, body
}
