package hypothesis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
)

// maxHTTPBody bounds how much of a response body an HTTP probe keeps; the
// rest is read and discarded so the connection can be reused.
const maxHTTPBody = 4 << 20

// HTTPResponse is the value an HTTP probe observes.
//
// Value tolerances read it as follows: numeric tolerances (Equals or OneOf
// with a number, InRange) compare the status code; Equals or OneOf with a
// string, Matches and JSONPath read the body; Satisfies receives the
// HTTPResponse itself.
type HTTPResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// HTTPOption configures an HTTP probe (HTTP, HTTPGet, HTTPRequest). The set
// of options is closed: see WithHeader, WithBody, WithClient, AcceptStatus
// and ProbeName.
type HTTPOption interface {
	applyHTTP(p *httpProbe)
	// String is the option as written, e.g. `WithHeader("Accept", "text/html")`.
	String() string
}

var defaultHTTPClient = func() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: tr}
}()

type httpOption struct {
	desc  string
	apply func(p *httpProbe)
}

func (o httpOption) applyHTTP(p *httpProbe) { o.apply(p) }
func (o httpOption) String() string         { return o.desc }

// HTTPGet probes url with GET requests. See HTTP.
func HTTPGet(url string, opts ...HTTPOption) Probe {
	return HTTP(http.MethodGet, url, opts...)
}

// HTTP probes url with requests of the given method. The observed value is an
// HTTPResponse (body truncated to 4 MiB). A transport error, or a status not
// accepted (default 200-399, see AcceptStatus), is a failed sample; the
// HTTPResponse is still kept as the sample's value.
//
// The default client is shared by HTTP probes and keeps up to 64 idle
// connections per host, so a check with many probes in flight reuses its
// connections; the check's timeout bounds every request through its context.
func HTTP(method, url string, opts ...HTTPOption) Probe {
	p := &httpProbe{method: method, url: url, header: http.Header{}, client: defaultHTTPClient}
	for _, o := range opts {
		if o != nil {
			o.applyHTTP(p)
		}
	}
	if p.name == "" {
		p.name = method + " " + url
	}
	return p
}

// HTTPRequest probes with a request that build makes anew for each sample,
// for requests that must differ: an idempotency key, a unique order id.
// seq counts the probe's requests from 0, unique for the probe's lifetime
// whichever check or sampler calls it (it is not Sample.Seq). build should
// make the request with ctx (http.NewRequestWithContext), which carries the
// check's timeout; a request made without a context is given ctx.
//
// The observed value and what is accepted are as for HTTP. A build error,
// or a nil request, is a failed sample whose error says it was the probe's
// own: "build request 7: <error>", never a status or transport error of the
// system. WithHeader adds its headers to each built request; WithBody does
// not apply (build sets the body); ProbeName replaces name.
//
//	hypothesis.HTTPRequest("POST /orders", func(ctx context.Context, seq int) (*http.Request, error) {
//		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(order))
//		if err == nil {
//			req.Header.Set("Idempotency-Key", fmt.Sprintf("probe-%d", seq))
//		}
//		return req, err
//	})
func HTTPRequest(name string, build func(ctx context.Context, seq int) (*http.Request, error), opts ...HTTPOption) Probe {
	p := &httpProbe{name: name, build: build, built: true, header: http.Header{}, client: defaultHTTPClient}
	for _, o := range opts {
		if o != nil {
			o.applyHTTP(p)
		}
	}
	return p
}

// WithHeader adds a request header.
func WithHeader(key, value string) HTTPOption {
	return httpOption{fmt.Sprintf("WithHeader(%q, %q)", key, value), func(p *httpProbe) { p.header.Add(key, value) }}
}

// WithBody sends body with every request, with the given Content-Type (not
// with HTTPRequest, whose build sets the body).
func WithBody(contentType string, body []byte) HTTPOption {
	body = slices.Clone(body)
	return httpOption{fmt.Sprintf("WithBody(%q, %d bytes)", contentType, len(body)), func(p *httpProbe) {
		p.body = body
		p.hasBody = true
		if contentType != "" {
			p.header.Set("Content-Type", contentType)
		}
	}}
}

// WithClient sends requests through c instead of the default client.
func WithClient(c *http.Client) HTTPOption {
	return httpOption{"WithClient(...)", func(p *httpProbe) { p.client = c }}
}

// AcceptStatus replaces the accepted statuses (default: 200-399) by codes.
func AcceptStatus(codes ...int) HTTPOption {
	codes = slices.Clone(codes)
	return httpOption{fmt.Sprintf("AcceptStatus(%s)", strings.Trim(fmt.Sprint(codes), "[]")), func(p *httpProbe) { p.accept = codes; p.acceptSet = true }}
}

// ProbeName names the probe in messages and the journal; the default is the
// method and the URL, e.g. "GET http://127.0.0.1:8080/health".
func ProbeName(name string) HTTPOption {
	return httpOption{fmt.Sprintf("ProbeName(%q)", name), func(p *httpProbe) { p.name = name }}
}

type httpProbe struct {
	name      string
	method    string
	url       string
	build     func(ctx context.Context, seq int) (*http.Request, error) // HTTPRequest's; nil for HTTP
	built     bool                                                      // made by HTTPRequest
	seq       atomic.Int64                                              // requests built so far
	header    http.Header
	body      []byte
	hasBody   bool
	client    *http.Client
	accept    []int
	acceptSet bool
}

func (p *httpProbe) Name() string { return p.name }

func (p *httpProbe) Validate() error {
	if err := p.validateTarget(); err != nil {
		return err
	}
	if p.client == nil {
		return fmt.Errorf("WithClient client must not be nil")
	}
	if p.acceptSet && len(p.accept) == 0 {
		return fmt.Errorf("AcceptStatus needs at least one status code, got none")
	}
	for _, c := range p.accept {
		if c < 100 || c > 599 {
			return fmt.Errorf("AcceptStatus code must be in [100,599], got %d", c)
		}
	}
	return nil
}

// validateTarget checks what the requests are made of: HTTP's method and
// URL, or HTTPRequest's name and build function.
func (p *httpProbe) validateTarget() error {
	if p.built {
		switch {
		case p.name == "":
			return errors.New("HTTPRequest name must not be empty")
		case p.build == nil:
			return errors.New("HTTPRequest build function must not be nil")
		case p.hasBody:
			return errors.New("HTTPRequest takes no WithBody: build sets each request's body")
		}
		return nil
	}
	if !validMethod(p.method) {
		return fmt.Errorf("HTTP method must be a token such as GET or POST, got %q", p.method)
	}
	u, err := url.Parse(p.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("HTTP URL must be an absolute http or https URL, got %q", p.url)
	}
	return nil
}

// validMethod reports whether m is an HTTP token (RFC 9110), as
// http.NewRequest requires.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c > 0x7e || c <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return false
		}
	}
	return true
}

func (p *httpProbe) accepted(status int) bool {
	if !p.acceptSet {
		return status >= 200 && status <= 399
	}
	return slices.Contains(p.accept, status)
}

func (p *httpProbe) wanted() string {
	if !p.acceptSet {
		return "200-399"
	}
	s := make([]string, len(p.accept))
	for i, c := range p.accept {
		s[i] = fmt.Sprint(c)
	}
	return strings.Join(s, ", ")
}

// request makes the request of one sample.
func (p *httpProbe) request(ctx context.Context) (*http.Request, error) {
	if !p.built {
		var body io.Reader
		if p.hasBody {
			body = bytes.NewReader(p.body)
		}
		req, err := http.NewRequestWithContext(ctx, p.method, p.url, body)
		if err != nil {
			return nil, err
		}
		for k, vs := range p.header {
			req.Header[k] = slices.Clone(vs)
		}
		return req, nil
	}
	seq := int(p.seq.Add(1) - 1)
	req, err := p.build(ctx, seq)
	switch {
	case err != nil:
		return nil, fmt.Errorf("build request %d: %w", seq, err)
	case req == nil:
		return nil, fmt.Errorf("build request %d: returned a nil request and no error", seq)
	}
	if req.Context() == context.Background() {
		req = req.WithContext(ctx)
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	for k, vs := range p.header {
		req.Header[k] = append(req.Header[k], vs...)
	}
	return req, nil
}

func (p *httpProbe) Observe(ctx context.Context) (any, error) {
	req, err := p.request(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxHTTPBody))
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	v := HTTPResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
	if err != nil {
		return v, fmt.Errorf("read body: %w", err)
	}
	if !p.accepted(resp.StatusCode) {
		return v, fmt.Errorf("status %d not accepted (want %s)", resp.StatusCode, p.wanted())
	}
	return v, nil
}
