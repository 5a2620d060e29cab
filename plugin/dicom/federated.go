package dicom

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Workload identity federation (workload-identity-federation.md; GitHub's OIDC subject formats).
const (
	exchangeAudience = "api://AzureADTokenExchange"
	githubIssuer     = "https://token.actions.githubusercontent.com"
)

// githubSubject is what a GitHub Actions token's sub looks like by default.
var githubSubject = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^repo:[^/:]+/[^:]+:(ref:refs/(heads|tags)/.+|environment:.+|pull_request)$`)
})

// federated checks each federated credential for what makes Entra refuse the exchange: an
// issuer that is not https (keys cannot be fetched), an audience other than the one workloads
// request (AADSTS700212), a GitHub subject no job presents (AADSTS700213).
func (d *diagnosis) federated() {
	for _, f := range d.r.App.Federated {
		what := fmt.Sprintf("federated credential %q trusts %s for %s", f.Name, f.Issuer, f.Subject)
		fix := fmt.Sprintf("dicomreg app federated remove --app %s --name %s, then add it again", d.app, f.Name)
		switch {
		case !strings.HasPrefix(f.Issuer, "https://"):
			d.add(Error, CheckFederated, what+": the issuer is not an https URL, so its keys cannot be fetched", fix)
		case len(f.Audiences) != 1 || f.Audiences[0] != exchangeAudience:
			d.add(Warn, CheckFederated, fmt.Sprintf("%s with audience %v; workloads ask for %s (else AADSTS700212)", what, f.Audiences, exchangeAudience), fix)
		case f.Issuer == githubIssuer && !githubSubject().MatchString(f.Subject):
			d.add(Warn, CheckFederated, what+": no GitHub Actions job presents this subject (AADSTS700213); GitHub's are repo:OWNER/REPO:ref:refs/heads/BRANCH, …:environment:NAME, …:pull_request", fix)
		default:
			d.add(OK, CheckFederated, what, "")
		}
	}
}
