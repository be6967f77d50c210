package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/tokenbench/tokenbench/flows"
)

// assertionFlags are the flags of the assertion grants (RFC 7523, RFC 7522).
type assertionFlags struct {
	file     string
	issuer   string
	subject  string
	audience []string
	lifetime time.Duration
	key      string
}

func (f *assertionFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.file, "assertion", "", "jwt_bearer: the JWT assertion file ('-' reads stdin); saml2_bearer: the SAML 2.0 assertion XML file, sent base64url-encoded")
	fs.StringVar(&f.issuer, "assertion-issuer", "", "jwt_bearer without --assertion: iss of the assertion tokenbench signs (default: the client_id)")
	fs.StringVar(&f.subject, "assertion-subject", "", "jwt_bearer without --assertion: sub of the assertion tokenbench signs")
	fs.StringArrayVar(&f.audience, "assertion-audience", nil, "jwt_bearer without --assertion: aud of the assertion (repeatable; default: the issuer, else the token endpoint; RFC 7523 §3)")
	fs.DurationVar(&f.lifetime, "assertion-lifetime", flows.DefaultAssertionLifetime, "jwt_bearer without --assertion: how long the assertion is valid")
	fs.StringVar(&f.key, "assertion-key", "", "jwt_bearer without --assertion: sign the assertion with this PEM or JWK key instead of --signing-key or the client secret (HS256)")
}

// readInput reads a file, or stdin for '-'.
func readInput(ctx context.Context, e *env, flag, name string) ([]byte, error) {
	if name == "-" {
		s, err := e.readAllRaw(ctx)
		return []byte(s), err
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, usagef("%s: %v", flag, err)
	}
	return data, nil
}

// jwtBearer runs the JWT bearer grant with an assertion from a file or made from the flags.
func (f *assertionFlags) jwtBearer(ctx context.Context, e *env, c *flows.Client) (*grantRun, error) {
	var assertion string
	switch {
	case f.file != "":
		if f.subject != "" || f.issuer != "" || len(f.audience) > 0 || f.key != "" {
			return nil, usagef("--assertion gives the assertion; --assertion-issuer, --assertion-subject, --assertion-audience and --assertion-key make one: use one or the other")
		}
		data, err := readInput(ctx, e, "--assertion", f.file)
		if err != nil {
			return nil, err
		}
		assertion = strings.TrimSpace(string(data))
	case f.subject != "":
		claims := flows.AssertionClaims{Issuer: f.issuer, Subject: f.subject, Audience: f.audience, Lifetime: f.lifetime}
		if f.key != "" {
			data, err := os.ReadFile(f.key)
			if err != nil {
				return nil, usagef("--assertion-key: %v", err)
			}
			if claims.Key, err = flows.ParsePrivateKey(data); err != nil {
				return nil, usagef("--assertion-key %s: %v", f.key, err)
			}
		}
		var err error
		if assertion, err = c.MakeAssertion(ctx, claims); err != nil {
			return nil, usagef("cannot make the assertion: %v", err)
		}
		fmt.Fprintf(e.stderr, "assertion: iss %s, sub %s, signed by tokenbench\n", orDefault(f.issuer, c.Config.ClientID), f.subject)
	default:
		return nil, usagef("--grant jwt_bearer needs --assertion FILE (or -), or --assertion-subject (with --assertion-issuer, --assertion-audience) to make one")
	}
	if assertion == "" {
		return nil, usagef("--assertion %s is empty", f.file)
	}
	t, err := c.JWTBearer(ctx, assertion)
	return &grantRun{token: t, openid: hasOpenID(c.Config.Scopes)}, err
}

// samlBearer runs the SAML 2.0 bearer grant with the assertion from a file.
func (f *assertionFlags) samlBearer(ctx context.Context, e *env, c *flows.Client) (*grantRun, error) {
	if f.file == "" {
		return nil, usagef("--grant saml2_bearer needs --assertion FILE (the SAML 2.0 assertion XML, or - for stdin)")
	}
	data, err := readInput(ctx, e, "--assertion", f.file)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(data)) == "" {
		return nil, usagef("--assertion %s is empty", f.file)
	}
	t, err := c.SAMLBearer(ctx, data)
	return &grantRun{token: t, openid: hasOpenID(c.Config.Scopes)}, err
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// exchangeFlags are the flags of token exchange (RFC 8693).
type exchangeFlags struct {
	subjectToken, subjectType string
	actorToken, actorType     string
	audience                  []string
	requestedType             string
	resource                  []string
	fs                        *pflag.FlagSet
}

func (f *exchangeFlags) register(fs *pflag.FlagSet) {
	f.fs = fs
	types := strings.Join(flows.TokenTypeNames(), ", ")
	fs.StringVar(&f.subjectToken, "subject-token", "", "token_exchange: the subject token ('-' reads stdin)")
	fs.StringVar(&f.subjectType, "subject-token-type", "access_token", "token_exchange: the subject token's type: "+types+", or a URI")
	fs.StringVar(&f.actorToken, "actor-token", "", "token_exchange: the actor token, for delegation (an act claim)")
	fs.StringVar(&f.actorType, "actor-token-type", "", "token_exchange: the actor token's type: "+types+", or a URI")
	fs.StringArrayVar(&f.audience, "audience", nil, "token_exchange: a logical name of the target service (repeatable)")
	fs.StringVar(&f.requestedType, "requested-token-type", "", "token_exchange: the type of token wanted: "+types+", or a URI (default: the provider's choice)")
	// --resource may be registered for the token command by resource indicators (RFC 8707) too; then
	// token exchange uses those values.
	if fs.Lookup("resource") == nil {
		fs.StringArrayVar(&f.resource, "resource", nil, "token_exchange: an absolute URI of the target resource (repeatable)")
	}
}

// tokenType resolves a --…-token-type flag.
func tokenTypeFlag(flag, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	uri, ok := flows.TokenTypeURI(v)
	if !ok {
		return "", usagef("unknown %s %q; use %s, or a token type URI", flag, v, strings.Join(flows.TokenTypeNames(), ", "))
	}
	return uri, nil
}

// tokenExchange runs the token exchange grant and says which type of token was issued.
func (f *exchangeFlags) tokenExchange(ctx context.Context, e *env, c *flows.Client) (*grantRun, error) {
	req := flows.TokenExchangeRequest{Audience: f.audience, Scope: strings.Join(c.Config.Scopes, " ")}
	var err error
	if req.SubjectTokenType, err = tokenTypeFlag("--subject-token-type", f.subjectType); err != nil {
		return nil, err
	}
	if req.ActorTokenType, err = tokenTypeFlag("--actor-token-type", f.actorType); err != nil {
		return nil, err
	}
	if req.RequestedTokenType, err = tokenTypeFlag("--requested-token-type", f.requestedType); err != nil {
		return nil, err
	}
	req.SubjectToken, req.ActorToken = f.subjectToken, f.actorToken
	if req.SubjectToken == "-" {
		if req.SubjectToken, err = e.readAll(ctx); err != nil {
			return nil, err
		}
	}
	if req.SubjectToken == "" {
		return nil, usagef("--grant token_exchange needs --subject-token TOKEN (or - to read it from stdin)")
	}
	if req.SubjectTokenType == flows.TokenTypeSAML1 || req.SubjectTokenType == flows.TokenTypeSAML2 {
		// A SAML assertion given as XML is sent base64url-encoded (RFC 8693 §3).
		if strings.HasPrefix(strings.TrimSpace(req.SubjectToken), "<") {
			req.SubjectToken = flows.EncodeSAMLAssertion([]byte(req.SubjectToken))
		}
	}
	if (req.ActorToken == "") != (req.ActorTokenType == "") {
		return nil, usagef("--actor-token and --actor-token-type go together")
	}
	req.Resource = f.resource
	if fl := f.fs.Lookup("resource"); fl != nil {
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			req.Resource = sv.GetSlice()
		}
	}
	t, err := c.TokenExchange(ctx, req)
	if err != nil {
		return &grantRun{token: t}, err
	}
	if it := t.IssuedTokenType(); it != "" {
		fmt.Fprintf(e.stderr, "issued token type: %s\n", it)
	} else {
		fmt.Fprintln(e.stderr, "issued token type: (none in the answer; RFC 8693 §2.2.1 requires issued_token_type)")
	}
	return &grantRun{token: t}, nil
}
