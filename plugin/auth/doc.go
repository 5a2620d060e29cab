// Package auth chooses and builds the credential dicomreg signs in with, and explains sign-in
// failures.
//
// Two callers share one builder: Graph/ARM commands ask Select for the credential the global flags
// and the environment describe (the variables azidentity's EnvironmentCredential reads, then the
// Azure CLI's login, then device code on a terminal), and `token get` / `verify` name a Flow
// outright. Entra errors come back as *SignInError with the AADSTS code and a one-line fix from
// the table in hints.go.
package auth
