package profiles

import (
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"
)

// decodeProfileInputs are profile mappings for the decoder: what it takes, and what it must leave
// to the YAML library.
var decodeProfileInputs = []string{
	"name: a\npreset: okta\nparams:\n  domain: acme.okta.com\nclient_id: c\nclient_secret: env:S\n",
	"name: a\nissuer: https://idp.example.com\nendpoints:\n  token: https://t\n  jwks: https://j\n  unknown: x\n" +
		"client_id: 12345\nauth_method: private_key_jwt\nsigning_key: k.pem\nsigning_key_id: kid\n" +
		"client_assertion_aud: issuer\nsigning_alg: ES256\ndecryption_key: d.pem\nredirect_uri: http://127.0.0.1/cb\n" +
		"scopes: [openid, profile]\ngrant: device\nauth_params: {prompt: [login], acr: [a, b]}\n" +
		"token_params:\n  audience: [api]\ntoken_headers: ['X-A: 1']\npkce: plain\npar: true\nrequest_object: yes\n" +
		"request_object_by: reference\ndpop: False\ndpop_key: p.pem\nresponse_type: code id_token\nresponse_mode: form_post\n" +
		"resources: [https://api]\nauthorization_details: ad.json\nciba_mode: ping\nciba_notification_endpoint: http://127.0.0.1:1/n\n" +
		"tls: {ca_file: ca.pem, client_cert: c.pem, client_key: k.pem, insecure: on}\nnotes: |\n  two\n  lines\n" +
		"allow_plain_secret: true\nfuture_key: {a: [1, 2]}\n",
	"name: 'quoted'\nissuer: \"https://x\"\nclient_id: 1.5\nnotes: true\n",
	"name: a\nissuer:\nendpoints:\ntls: ~\nscopes: null\nparams: {a: , b: x}\nauth_params: {a: ~, b: [x, ~, y]}\nresources: []\n",
	"name: a\nscopes: [openid, ~, email]\nparams: {}\nauth_params: {}\n",
	"name: a\nendpoints.token: x\ntls:\n  ca_file.x: y\n",
	// Left to the library: a key given twice, a merge key, tags, aliases, wrong shapes.
	"name: a\nname: b\n",
	"name: a\nendpoints: {token: x, token: y}\n",
	"<<: {issuer: https://x}\nname: a\n",
	"name: !!str 12\nclient_id: !!int 12\n",
	"name: a\nissuer: !custom x\n",
	"name: a\npar: !!bool true\n",
	"name: a\npar: \"true\"\n",
	"name: a\npar: 1\n",
	"name: a\nscopes:\n  openid: true\n",
	"name: a\nscopes: openid\n",
	"name: a\nparams: [x]\n",
	"name: a\nparams: {a: [x]}\n",
	"name: a\nauth_params: {a: x}\n",
	"name: a\nendpoints: https://x\n",
	"name: a\ntls: [x]\n",
	"name: [a]\n",
	"name: &n a\nclient_id: *n\n",
	"name: a\nissued: 2001-12-14\nissuer: 2001-12-14\n",
	"? [complex]\n: key\nname: a\n",
	"1: x\nname: a\n",
	"name: a\nclient_secret: !!binary aGVsbG8=\n",
	"name: a\nscopes: !!seq [a]\n",
	"!!map {name: a}",
	"name: a\ntls: {insecure: yes please}\n",
	"name: a\nparams: {'<<': x}\n",
}

// TestDecodeProfileAsTheLibrary: wherever the decoder takes a mapping, it decodes it as the YAML
// library would; and it takes the plain cases a listing is made of.
func TestDecodeProfileAsTheLibrary(t *testing.T) {
	for _, in := range decodeProfileInputs {
		sameAsLibrary(t, []byte(in))
	}
	for _, in := range decodeProfileInputs[:6] {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(in), &doc); err != nil {
			t.Fatal(err)
		}
		var p Profile
		if !decodeProfile(doc.Content[0], &p) {
			t.Errorf("left to the library:\n%s", in)
		}
	}
}

// TestDecoderKnowsEveryKey: every key of profiles.yaml has a place in the decoder.
func TestDecoderKnowsEveryKey(t *testing.T) {
	keys := decoderKeys()
	for key, sub := range profileKeys() {
		if sub == nil {
			if keys.value[key] == nil {
				t.Errorf("the decoder does not know %s", key)
			}
			continue
		}
		if !keys.sections[key] {
			t.Errorf("the decoder does not know the section %s", key)
		}
		for k := range sub {
			if keys.value[key+"."+k] == nil {
				t.Errorf("the decoder does not know %s.%s", key, k)
			}
		}
	}
	var p Profile
	for key, target := range keys.value {
		if !decodeValue(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}, target(&p)) {
			t.Errorf("%s: the decoder has no case for %T", key, target(&p))
		}
	}
}

// sameAsLibrary checks, for a YAML document whose root is a mapping, that decodeProfile either
// leaves it to the library or decodes it as the library does, without an error.
func sameAsLibrary(t *testing.T, data []byte) {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return
	}
	n := doc.Content[0]
	var got Profile
	if !decodeProfile(n, &got) {
		return
	}
	var want Profile
	if err := n.Decode(&want); err != nil {
		t.Errorf("decoded, where the library fails with %v:\n%s", err, data)
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded\n%#v\nthe library\n%#v\nfrom\n%s", got, want, data)
	}
}

// FuzzDecodeProfile holds the profile decoder to the YAML library's decoding on arbitrary input
// (profile files are imported from others).
func FuzzDecodeProfile(f *testing.F) {
	for _, in := range decodeProfileInputs {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsLibrary(t, data)
	})
}
