package flows

import "testing"

// TestPageTextDecodesEntities: an error page's text reads as the page shows it — entities decoded,
// tags and scripts gone — and is cut on a character, not inside one.
func TestPageTextDecodesEntities(t *testing.T) {
	body := []byte(`<html><script>var x = "<b>";</script><p>redirect_uri did not match any of the client&#39;s registered redirect_uris &amp; so on</p></html>`)
	if got, want := pageText(body, 200), "redirect_uri did not match any of the client's registered redirect_uris & so on"; got != want {
		t.Errorf("pageText = %q, want %q", got, want)
	}
	if got := pageText([]byte("ééé"), 2); got != "éé …" {
		t.Errorf("cut = %q", got)
	}
}
