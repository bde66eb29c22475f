// Package hostport checks "host:port" addresses the way every proxy of the
// project accepts them, with one-line errors naming the field and the
// accepted range.
package hostport

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Check returns s when it is "host:port" with a host name or IP address and
// a port in 1..65535 (0 too when zeroOK, for a listening address); else a
// one-line error that names field.
func Check(field, s string, zeroOK bool) (string, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("%s %q: not host:port (%v)", field, s, strings.TrimPrefix(err.Error(), "address "+s+": "))
	}
	if host == "" {
		return "", fmt.Errorf("%s %q: host empty; accepted: a host name or IP address, e.g. 127.0.0.1:%s", field, s, port)
	}
	if !validHost(host) {
		return "", fmt.Errorf("%s %q: host %q is neither an IP address nor a host name", field, s, host)
	}
	n, err := strconv.Atoi(port)
	lo := 1
	if zeroOK {
		lo = 0
	}
	if err != nil || n < lo || n > 65535 {
		return "", fmt.Errorf("%s %q: port %q out of range; accepted: %d..65535", field, s, port, lo)
	}
	return s, nil
}

// validHost accepts an IP address or an RFC 1123 host name.
func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}
