package main

import (
	"fmt"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"github.com/spf13/pflag"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// parFlags ask for pushed authorization requests (RFC 9126) and request objects (RFC 9101).
type parFlags struct {
	par           bool
	requestObject bool
	// by is how the request object goes: value or reference (RFC 9101 §5).
	by string
}

func (f *parFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.par, "par", false, "push the authorization request with client authentication (RFC 9126); the browser gets only client_id and request_uri (done anyway when the provider requires it)")
	fs.BoolVar(&f.requestObject, "request-object", false, "send the authorization parameters as a signed request object (RFC 9101), by value or with --par; signed with --signing-key and --signing-alg, else HS256 with the client secret")
	by, _ := profiles.LookupField("request_object_by")
	fs.StringVar(&f.by, by.Flag, "", by.Help+"; reference implies --request-object")
}

// apply turns the flags on in the client's configuration; they belong to the authorization code
// grant only.
func (f *parFlags) apply(c *flows.Client, grant string) error {
	if f.by != "" && f.by != flows.RequestByValue && f.by != flows.RequestByReference {
		return usagef("unknown --request-object-by %q; use value or reference", f.by)
	}
	if !f.par && !f.requestObject && f.by == "" {
		return nil
	}
	if grant != flows.GrantAuthorizationCode {
		return usagef("--par, --request-object and --request-object-by apply to --grant authorization_code only")
	}
	c.Config.PAR = c.Config.PAR || f.par
	c.Config.RequestObject = c.Config.RequestObject || f.requestObject || f.by == flows.RequestByReference
	if f.by != "" {
		c.Config.RequestObjectByReference = f.by == flows.RequestByReference
	}
	return nil
}

// showPushed says on stderr how the authorization request was sent: as a request object, and
// through PAR with its request_uri.
func showPushed(e *env, req *flows.AuthRequest) {
	if req.RequestObject != "" {
		how := "by value (request=)"
		switch {
		case req.PAR != nil:
			how = "pushed"
		case req.RequestObjectURI != "":
			how = "by reference, served once at " + req.RequestObjectURI + " for the provider to fetch (request_uri=, RFC 9101 §5.2)"
		}
		fmt.Fprintf(e.stderr, "request object (RFC 9101): %s, %s\n", requestObjectHeader(req.RequestObject), how)
	}
	if p := req.PAR; p != nil {
		fmt.Fprintf(e.stderr, "pushed authorization request (RFC 9126) to %s\nrequest_uri: %s (expires in %d s)\n", p.Endpoint, p.RequestURI, p.ExpiresIn)
	}
}

// requestObjectHeader describes a request object's JWS header: alg, kid and typ.
func requestObjectHeader(s string) string {
	sig, err := jose.ParseSignedCompact(s, []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512, jose.ES256, jose.ES384, jose.ES512, jose.EdDSA, jose.HS256, jose.HS384, jose.HS512})
	if err != nil || len(sig.Signatures) == 0 {
		return "signed"
	}
	h := sig.Signatures[0].Header
	parts := []string{"alg " + h.Algorithm}
	if h.KeyID != "" {
		parts = append(parts, "kid "+h.KeyID)
	}
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "" {
		parts = append(parts, "typ "+typ)
	}
	return "signed, " + strings.Join(parts, ", ")
}
