package faketranslate_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"partnerbot/internal/faketranslate"
)

// TestLibreTranslateShapes: the fake answers a form post and an array of
// texts as LibreTranslate does.
func TestLibreTranslateShapes(t *testing.T) {
	lt := faketranslate.NewLibreTranslate(t)
	resp, err := http.PostForm(lt.URL+"/translate", url.Values{"q": {"Hallo Jugend"}, "source": {"auto"}, "target": {"uk"}})
	if err != nil {
		t.Fatal(err)
	}
	var one struct {
		TranslatedText   string
		DetectedLanguage struct {
			Confidence float64
			Language   string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&one); err != nil || one.TranslatedText != "[uk] Привіт Молодь" ||
		one.DetectedLanguage.Language != "de" {
		t.Fatalf("form: %+v, %v", one, err)
	}
	resp.Body.Close()
	resp, err = http.Post(lt.URL+"/translate", "application/json",
		strings.NewReader(`{"q":["Schule","Wasser"],"source":"de","target":"sv"}`))
	if err != nil {
		t.Fatal(err)
	}
	var many struct{ TranslatedText []string }
	if err := json.NewDecoder(resp.Body).Decode(&many); err != nil || len(many.TranslatedText) != 2 ||
		many.TranslatedText[1] != "[sv] Vatten" {
		t.Fatalf("array: %+v, %v", many, err)
	}
	resp.Body.Close()
	resp, err = http.Post(lt.URL+"/translate", "application/json", strings.NewReader(`{"q":"x","source":"de","target":"xx"}`))
	if err != nil || resp.StatusCode != 400 {
		t.Fatalf("unsupported target: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
}

// TestDeepLShapes: the fake checks the auth header and answers in
// DeepL's shape.
func TestDeepLShapes(t *testing.T) {
	d := faketranslate.NewDeepL(t, "key")
	post := func(auth, body string) (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodPost, d.URL+"/v2/translate", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		return http.DefaultClient.Do(req)
	}
	resp, err := post("DeepL-Auth-Key key", `{"text":["Привіт"],"target_lang":"DE"}`)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Translations []struct {
			DetectedSourceLanguage string `json:"detected_source_language"`
			Text                   string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Translations) != 1 ||
		out.Translations[0].Text != "[de] Hallo" || out.Translations[0].DetectedSourceLanguage != "UK" {
		t.Fatalf("%+v, %v", out, err)
	}
	resp.Body.Close()
	for auth, want := range map[string]int{"": 403, "Bearer key": 403, "DeepL-Auth-Key other": 403} {
		resp, err := post(auth, `{"text":["x"],"target_lang":"DE"}`)
		if err != nil || resp.StatusCode != want {
			t.Fatalf("auth %q: %v %v", auth, resp.StatusCode, err)
		}
		resp.Body.Close()
	}
	resp, err = post("DeepL-Auth-Key key", `{"text":["x"],"target_lang":"XX"}`)
	if err != nil || resp.StatusCode != 400 {
		t.Fatalf("bad target: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
}

// TestHTMLKeepsTags: asked for HTML (LibreTranslate's format "html",
// DeepL's tag_handling "html"), both fakes keep the tags, attributes and
// entities and translate the words between them; asked for text, they
// take tags for words as the services do.
func TestHTMLKeepsTags(t *testing.T) {
	const in = `<b>Привіт</b>, ми шукаємо <a href="https://school.example/школа">партнер</a> для школа &amp; лікарня!`
	const want = `[sv] <b>Hej</b>, vi söker <a href="https://school.example/школа">partner</a> для skola &amp; sjukhus!`
	lt := faketranslate.NewLibreTranslate(t)
	d := faketranslate.NewDeepL(t, "key")
	body := func(v any) *strings.Reader {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return strings.NewReader(string(b))
	}
	for _, c := range []struct {
		name, url, auth string
		html, text      any
		read            func(*http.Response) string
	}{
		{"libretranslate", lt.URL + "/translate", "",
			map[string]string{"q": in, "source": "uk", "target": "sv", "format": "html"},
			map[string]string{"q": in, "source": "uk", "target": "sv", "format": "text"},
			func(r *http.Response) string {
				var out struct{ TranslatedText string }
				_ = json.NewDecoder(r.Body).Decode(&out)
				return out.TranslatedText
			}},
		{"deepl", d.URL + "/v2/translate", "DeepL-Auth-Key key",
			map[string]any{"text": []string{in}, "target_lang": "SV", "tag_handling": "html"},
			map[string]any{"text": []string{in}, "target_lang": "SV"},
			func(r *http.Response) string {
				var out struct{ Translations []struct{ Text string } }
				_ = json.NewDecoder(r.Body).Decode(&out)
				if len(out.Translations) != 1 {
					return ""
				}
				return out.Translations[0].Text
			}},
	} {
		for _, ask := range []struct {
			body any
			want string
		}{{c.html, want}, {c.text, faketranslate.Translate(in, "sv")}} {
			req, _ := http.NewRequest(http.MethodPost, c.url, body(ask.body))
			req.Header.Set("Content-Type", "application/json")
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.read(resp); got != ask.want {
				t.Errorf("%s: %q\nwant %q", c.name, got, ask.want)
			}
			resp.Body.Close()
		}
	}
	if got := faketranslate.MangleHTML(want); strings.Contains(got, "</") || !strings.Contains(got, "<b>Hej") {
		t.Errorf("mangled: %q", got)
	}
}
