// The mock with a second MSAL: Microsoft's MSAL for Node, unchanged, gets DICOM tokens by client
// credentials, username/password and device code, then refreshes silently, and exchanges a
// GitHub-Actions-shaped token through a federated credential. Run by
// scripts/msal-node-check.sh with the mock's env file in the environment.
import * as msal from "@azure/msal-node";

const env = process.env;
const authority = env.AZURE_AUTHORITY_HOST + env.AZURE_TENANT_ID;
const knownAuthorities = [new URL(env.AZURE_AUTHORITY_HOST).host]; // no instance discovery
const appOnly = ["https://dicom.healthcareapis.azure.com/.default"];
const delegated = ["https://dicom.healthcareapis.azure.com/Dicom.ReadWrite"];

function claims(token) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
}
function expect(what, ok, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? ": " + detail : ""}`);
  if (!ok) process.exitCode = 1;
}

const confidential = new msal.ConfidentialClientApplication({
  auth: { clientId: env.AZURE_CLIENT_ID, clientSecret: env.AZURE_CLIENT_SECRET, authority, knownAuthorities },
});
const cc = await confidential.acquireTokenByClientCredential({ scopes: appOnly });
expect("client credentials", claims(cc.accessToken).aud === "https://dicom.healthcareapis.azure.com", `aud ${claims(cc.accessToken).aud}`);

const pub = new msal.PublicClientApplication({ auth: { clientId: env.DICOMREG_PUBLIC_CLIENT_ID, authority, knownAuthorities } });
const pw = await pub.acquireTokenByUsernamePassword({ scopes: delegated, username: env.DICOMREG_TEST_USERNAME, password: env.DICOMREG_TEST_PASSWORD });
expect("username/password", claims(pw.accessToken).scp === "Dicom.ReadWrite", `scp ${claims(pw.accessToken).scp}, user ${pw.account.username}`);

const dc = await pub.acquireTokenByDeviceCode({
  scopes: delegated,
  deviceCodeCallback: async (r) => {
    // The person at the second device: the mock's control API signs the test user in.
    const res = await fetch(env.AZURE_AUTHORITY_HOST + "mock/devicecode/approve", {
      method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${env.MOCKGRAPH_CONTROL_TOKEN}` },
      body: JSON.stringify({ userCode: r.userCode, username: env.DICOMREG_TEST_USERNAME }),
    });
    if (!res.ok) throw new Error(`approve: ${res.status}`);
  },
});
expect("device code", !!dc.idToken && dc.account.username === env.DICOMREG_TEST_USERNAME, dc.account.username);

const silent = await pub.acquireTokenSilent({ account: dc.account, scopes: delegated, forceRefresh: true });
expect("silent refresh (refresh_token grant)", silent.accessToken !== dc.accessToken);

try {
  const wrong = new msal.ConfidentialClientApplication({ auth: { clientId: env.AZURE_CLIENT_ID, clientSecret: "not-the-secret", authority, knownAuthorities } });
  await wrong.acquireTokenByClientCredential({ scopes: appOnly });
  expect("wrong secret refused", false, "got a token");
} catch (e) {
  expect("wrong secret refused", String(e.errorMessage || e.message).includes("AADSTS7000215"), e.errorCode);
}

// Workload identity federation: an app with no secret and a federated credential for the mock's
// GitHub-Actions-shaped issuer; MSAL presents the job's OIDC token as its client assertion.
async function graph(token, method, path, body) {
  const res = await fetch(env.DICOMREG_GRAPH_URL + path, {
    method, headers: { authorization: "Bearer " + token, "content-type": "application/json" }, body: body && JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}
const admin = await confidential.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] });
const fedApp = await graph(admin.accessToken, "POST", "/applications", { displayName: "msal-node-federated", signInAudience: "AzureADMyOrg" });
await graph(admin.accessToken, "POST", "/servicePrincipals", { appId: fedApp.appId });
await graph(admin.accessToken, "POST", `/applications/${fedApp.id}/federatedIdentityCredentials`, {
  name: "msal-node-main", issuer: env.MOCKGRAPH_URL + "/oidc/github", subject: "repo:octo/msal-node:ref:refs/heads/main", audiences: ["api://AzureADTokenExchange"],
});
const minted = await fetch(env.MOCKGRAPH_URL + "/mock/oidc/github/token", {
  method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${env.MOCKGRAPH_CONTROL_TOKEN}` }, body: JSON.stringify({ repository: "octo/msal-node", branch: "main" }),
});
const jobToken = (await minted.json()).value;
const federated = new msal.ConfidentialClientApplication({ auth: { clientId: fedApp.appId, clientAssertion: jobToken, authority, knownAuthorities } });
const fed = await federated.acquireTokenByClientCredential({ scopes: appOnly });
expect("federated credential (GitHub-shaped token as client assertion)", claims(fed.accessToken).appid === fedApp.appId, `appid ${claims(fed.accessToken).appid}`);
try {
  const other = new msal.ConfidentialClientApplication({ auth: { clientId: env.AZURE_CLIENT_ID, clientAssertion: jobToken, authority, knownAuthorities } });
  await other.acquireTokenByClientCredential({ scopes: appOnly });
  expect("federated token for an app that does not trust it refused", false, "got a token");
} catch (e) {
  expect("federated token for an app that does not trust it refused", String(e.errorMessage || e.message).includes("AADSTS70021"), e.errorCode);
}
