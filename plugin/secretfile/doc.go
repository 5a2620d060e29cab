// Package secretfile writes every file that holds a secret — a dotenv credential file, a PEM
// private key — so that no ordinary mistake loses one:
//
//   - a file is created mode 0600 and appears whole or not at all (written under a temporary name
//     in the same directory, synced, then linked or renamed into place);
//   - an existing file is replaced only with Options.Force, or when Options.Ours says its content
//     is one this write may replace (a dotenv file dicomreg wrote for the same client): a file
//     with unrelated lines is never wiped silently;
//   - a secret that exists only in a remote answer (a client secret's value) is never written
//     after that irreversible remote write without the file having been claimed first.
//
// Claim, write remotely, then commit:
//
//	r, err := secretfile.Reserve(path, announcement, opts) // before the remote write: fails
//	// early on a missing directory, a directory, or a file it may not replace
//	cred, err := graph.AddPassword(…) // the value exists once, here
//	if err != nil { r.Cancel() }      // puts back what was there
//	err = r.Commit(content)           // a rename in a directory already written to
//
// The announcement names what is about to be made, so a run killed between the remote write and
// Commit leaves a file that says which secret's value was lost (dicomreg register reads it back
// with ParseDotenv and removes that secret). Write is for a value that is already safe elsewhere,
// such as a key generated locally and written before its certificate is uploaded.
//
// Dotenv and ParseDotenv are the one dotenv format: "# comment" lines, then `export NAME=value`
// lines, so `source file && program` hands the variables to the program; values are quoted for a
// POSIX shell only when they need it.
package secretfile
