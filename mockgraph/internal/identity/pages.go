package identity

import (
	"html/template"
	"net/http"
)

// page is what the sign-in, consent, device-code and message pages render from.
type page struct {
	Title    string
	Message  string
	Error    string
	Action   string // form target
	Ctx      string // pending interaction id
	Step     string // "code", "signin", "consent" or "" for a message
	Login    string
	AppName  string
	Scopes   []string
	FormPost *formPost
}

// formPost is response_mode=form_post: a self-submitting form to the redirect URI.
type formPost struct {
	URL    string
	Fields map[string]string
}

// Form fields of the pages.
const (
	fieldCtx      = "ctx"
	fieldStep     = "step"
	fieldLogin    = "login"
	fieldPassword = "passwd"
	fieldAccept   = "accept"
	fieldUserCode = "otc"
)

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:Segoe UI,Helvetica,Arial,sans-serif;background:#f2f2f2}main{background:#fff;max-width:440px;margin:60px auto;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
.err{color:#e81123}.banner{font-size:12px;color:#666}input[type=text],input[type=password],input[type=email]{width:100%;padding:6px;margin:6px 0}button{padding:6px 20px;margin-top:12px}</style></head>
<body>{{if .FormPost}}<form method="post" action="{{.FormPost.URL}}" id="f">{{range $k, $v := .FormPost.Fields}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<noscript><button type="submit">Continue</button></noscript></form><script>document.getElementById("f").submit()</script>{{else}}<main>
<p class="banner">mockgraph test server — not Microsoft Entra ID</p>
<h1>{{.Title}}</h1>
{{if .Error}}<p class="err" id="error">{{.Error}}</p>{{end}}
{{if .Message}}<p id="message">{{.Message}}</p>{{end}}
{{if eq .Step "code"}}<form method="post" action="{{.Action}}">
<label>Code <input type="text" name="otc" autofocus></label><button type="submit">Next</button></form>{{end}}
{{if eq .Step "signin"}}<form method="post" action="{{.Action}}"><input type="hidden" name="ctx" value="{{.Ctx}}"><input type="hidden" name="step" value="signin">
<label>Email <input type="email" name="login" value="{{.Login}}" autofocus></label>
<label>Password <input type="password" name="passwd"></label><button type="submit">Sign in</button></form>{{end}}
{{if eq .Step "consent"}}<p><b>{{.AppName}}</b> needs permission to:</p><ul>{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>
<form method="post" action="{{.Action}}"><input type="hidden" name="ctx" value="{{.Ctx}}"><input type="hidden" name="step" value="consent">
<button type="submit" name="accept" value="yes">Accept</button> <button type="submit" name="accept" value="no">Cancel</button></form>{{end}}
</main>{{end}}</body></html>`))

func (s *Service) renderPage(w http.ResponseWriter, status int, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, p)
}

// renderError shows an AADSTS error on a page, as Entra does for errors it will not redirect.
func (s *Service) renderError(w http.ResponseWriter, r *http.Request, e *oauthError) {
	ids := s.newErrorIDs(r)
	s.renderPage(w, e.Status, page{Title: "Sorry, but we're having trouble signing you in.", Error: ids.describe(e)})
}
