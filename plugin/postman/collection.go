package postman

const collectionSchema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

// SampleFile is the file the store request sends (body mode "file"): newman reads it relative to
// its --working-dir; in Postman, pick any DICOM file.
const SampleFile = "sample.dcm"

// Media types of the Azure DICOM service (dicom-services-conformance-statement-v2.md).
const (
	mediaDICOM     = "application/dicom"
	mediaDICOMJSON = "application/dicom+json"
)

type kv struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Type  string `json:"type,omitempty"`
}

type script struct {
	Listen string `json:"listen"`
	Script struct {
		Type string   `json:"type"`
		Exec []string `json:"exec"`
	} `json:"script"`
}

func test(lines ...string) []script {
	s := script{Listen: "test"}
	s.Script.Type = "text/javascript"
	s.Script.Exec = lines
	return []script{s}
}

type item struct {
	Name    string         `json:"name"`
	Event   []script       `json:"event,omitempty"`
	Request map[string]any `json:"request"`
}

func request(method, rawURL string, headers []kv, body map[string]any, auth map[string]any) map[string]any {
	r := map[string]any{"method": method, "header": headers, "url": rawURL}
	if body != nil {
		r["body"] = body
	}
	if auth != nil {
		r["auth"] = auth
	}
	return r
}

// oauth2 is the collection's auth: Postman's OAuth 2.0 helper set up for the app (authorization
// code with PKCE and Postman's callback, in the app's tenant, for the DICOM scope), and the
// current token from {{accessToken}}, which newman sends as a bearer header.
func oauth2() map[string]any {
	return map[string]any{"type": "oauth2", "oauth2": []kv{
		{"grant_type", "authorization_code_with_pkce", "string"},
		{"authUrl", "{{" + VarAuthURL + "}}", "string"},
		{"accessTokenUrl", "{{" + VarTokenURL + "}}", "string"},
		{"clientId", "{{" + VarClientID + "}}", "string"},
		{"clientSecret", "{{" + VarClientSecret + "}}", "string"},
		{"scope", "{{" + VarScope + "}}", "string"},
		{"redirect_uri", "{{" + VarCallbackURL + "}}", "string"},
		{"useBrowser", "false", "boolean"},
		{"challengeAlgorithm", "S256", "string"},
		{"client_authentication", "body", "string"},
		{"tokenName", "dicomreg", "string"},
		{"addTokenTo", "header", "string"},
		{"headerPrefix", "Bearer", "string"},
		{"accessToken", "{{" + VarAccessToken + "}}", "string"},
	}}
}

func collectionName(app string) string { return app + " — DICOMweb v2 (dicomreg)" }

// Collection builds the DICOMweb v2 collection. Every request checks its answer, so a newman run
// fails on the first wrong status, media type or body.
func Collection(r Registration) ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	r = r.withDefaults()
	dicom := "{{" + VarDICOMURL + "}}/v2"
	instance := dicom + "/studies/{{" + VarStudyUID + "}}/series/{{" + VarSeriesUID + "}}/instances/{{" + VarInstanceUID + "}}"
	items := []item{
		{
			Name: "Get a token (client credentials)",
			Event: test(
				"pm.test('token endpoint answers 200', () => pm.response.to.have.status(200));",
				"const body = pm.response.json();",
				"pm.test('a bearer access token', () => { pm.expect(body.token_type).to.eql('Bearer'); pm.expect(body.access_token).to.be.a('string').and.not.empty; });",
				"pm.environment.set('"+VarAccessToken+"', body.access_token);",
			),
			Request: request("POST", "{{"+VarTokenURL+"}}", []kv{{Key: "Content-Type", Value: "application/x-www-form-urlencoded"}},
				map[string]any{"mode": "urlencoded", "urlencoded": []kv{
					{"grant_type", "client_credentials", "text"},
					{"client_id", "{{" + VarClientID + "}}", "text"},
					{"client_secret", "{{" + VarClientSecret + "}}", "text"},
					{"scope", "{{" + VarScope + "}}", "text"},
				}}, map[string]any{"type": "noauth"}),
		},
		{
			Name: "Store an instance (STOW-RS)",
			Event: test(
				"pm.test('stored: 200', () => pm.response.to.have.status(200));",
				"pm.test('answer is application/dicom+json', () => pm.expect(pm.response.headers.get('Content-Type')).to.include('"+mediaDICOMJSON+"'));",
				"const body = pm.response.json();",
				"const stored = ((body['00081199'] || {}).Value || [])[0] || {};",
				"const retrieve = ((stored['00081190'] || {}).Value || [])[0] || '';",
				"const m = retrieve.match(/studies\\/([^/]+)\\/series\\/([^/]+)\\/instances\\/([^/]+)$/);",
				"pm.test('the stored instance is referenced with its retrieve URL', () => pm.expect(m).to.not.be.null);",
				"pm.environment.set('"+VarStudyUID+"', m[1]); pm.environment.set('"+VarSeriesUID+"', m[2]); pm.environment.set('"+VarInstanceUID+"', m[3]);",
			),
			Request: request("POST", dicom+"/studies", []kv{{Key: "Content-Type", Value: mediaDICOM}, {Key: "Accept", Value: mediaDICOMJSON}},
				map[string]any{"mode": "file", "file": map[string]string{"src": SampleFile}}, nil),
		},
		{
			Name: "Search for the study (QIDO-RS)",
			Event: test(
				"pm.test('found: 200', () => pm.response.to.have.status(200));",
				"const studies = pm.response.json();",
				"pm.test('one study, the one stored', () => { pm.expect(studies).to.have.lengthOf(1); pm.expect(studies[0]['0020000D'].Value[0]).to.eql(pm.environment.get('"+VarStudyUID+"')); });",
			),
			Request: request("GET", dicom+"/studies?StudyInstanceUID={{"+VarStudyUID+"}}", []kv{{Key: "Accept", Value: mediaDICOMJSON}}, nil, nil),
		},
		{
			Name: "Search the study's instances (QIDO-RS)",
			Event: test(
				"pm.test('found: 200', () => pm.response.to.have.status(200));",
				"pm.test('the stored instance is listed', () => pm.expect(pm.response.json().map(i => i['00080018'].Value[0])).to.include(pm.environment.get('"+VarInstanceUID+"')));",
			),
			Request: request("GET", dicom+"/studies/{{"+VarStudyUID+"}}/instances", []kv{{Key: "Accept", Value: mediaDICOMJSON}}, nil, nil),
		},
		{
			Name: "Retrieve the instance (WADO-RS)",
			Event: test(
				"pm.test('retrieved: 200', () => pm.response.to.have.status(200));",
				"pm.test('a DICOM file', () => pm.expect(pm.response.headers.get('Content-Type')).to.include('"+mediaDICOM+"'));",
				"pm.test('with the DICM preamble marker', () => pm.expect(pm.response.stream.slice(128, 132).toString()).to.eql('DICM'));",
			),
			Request: request("GET", instance, []kv{{Key: "Accept", Value: mediaDICOM + "; transfer-syntax=*"}}, nil, nil),
		},
		{
			Name: "Retrieve the study's metadata (WADO-RS)",
			Event: test(
				"pm.test('metadata: 200', () => pm.response.to.have.status(200));",
				"pm.test('answer is application/dicom+json', () => pm.expect(pm.response.headers.get('Content-Type')).to.include('"+mediaDICOMJSON+"'));",
				"pm.test('one instance, the one stored', () => pm.expect(pm.response.json()[0]['00080018'].Value[0]).to.eql(pm.environment.get('"+VarInstanceUID+"')));",
			),
			Request: request("GET", dicom+"/studies/{{"+VarStudyUID+"}}/metadata", []kv{{Key: "Accept", Value: mediaDICOMJSON}}, nil, nil),
		},
	}
	return marshal(map[string]any{
		"info": map[string]string{
			"_postman_id": stableID("collection", r.TenantID, r.ClientID), "name": collectionName(r.Name),
			"description": "Store, search and retrieve against the Azure DICOM service with the app registration " + r.ClientID +
				". Postman: Authorization › Get New Access Token (authorization code with PKCE). CI: run the first request (client credentials) with clientSecret set.",
			"schema": collectionSchema,
		},
		"auth": oauth2(),
		"item": items,
	})
}
